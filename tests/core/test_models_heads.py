"""Heads: supported Auto classes, output shapes vs a direct forward pass, and the newly-initialised report
vs transformers' own LOAD REPORT and the checkpoint's keys."""
import logging
import re

import pytest
import torch
import transformers
from safetensors import safe_open

from hflab.models import heads


@pytest.fixture(scope="module")
def bert_base(session_dir):
    """A base BertModel checkpoint (no head), as bert-base-chinese is, with the tiny config."""
    from transformers import BertConfig, BertModel

    target = session_dir / "data" / "models_bert_base"
    config = BertConfig(
        vocab_size=120, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    torch.manual_seed(0)
    BertModel(config).save_pretrained(target)
    return target


@pytest.mark.parametrize("role, expected", [
    ("sentiment", {"AutoModel", "AutoModelForMaskedLM", "AutoModelForSequenceClassification",
                   "AutoModelForTokenClassification", "AutoModelForQuestionAnswering"}),
    ("causal_lm", {"AutoModel", "AutoModelForCausalLM", "AutoModelForSequenceClassification"}),
    ("translation", {"AutoModel", "AutoModelForSeq2SeqLM"}),
    ("caption", {"AutoModel", "AutoModelForImageTextToText"}),
])
def test_supported_heads(role, expected, tiny_models):
    config = transformers.AutoConfig.from_pretrained(tiny_models[role])
    supported = heads.supported_heads(config)
    assert expected <= set(supported)
    for name in supported:  # every listed head really maps this config
        assert type(config) in getattr(transformers, name)._model_mapping


@pytest.mark.parametrize("role", ["sentiment", "causal_lm", "translation", "caption"])
def test_output_shapes_equal_a_direct_forward_pass(role, tiny_models):
    target = str(tiny_models[role])
    tokenizer = transformers.AutoTokenizer.from_pretrained(target)
    config = transformers.AutoConfig.from_pretrained(target)
    for auto_class in heads.supported_heads(config):
        report = heads.run_head(target, auto_class, tokenizer)
        model = getattr(transformers, report.model_class).from_pretrained(target).eval()
        assert type(model) is type(getattr(transformers, auto_class).from_config(config))
        with torch.no_grad():
            direct = model(**heads.sample_inputs(model, tokenizer))
        top_level = {k: v for k, v in report.output_shapes.items() if "." not in k}
        assert top_level and top_level == {k: tuple(v.shape) for k, v in direct.items() if torch.is_tensor(v)}


def test_head_specific_outputs(tiny_models):
    target = str(tiny_models["sentiment"])
    tokenizer = transformers.AutoTokenizer.from_pretrained(target)
    seq = tokenizer(heads.SAMPLE_TEXT, return_tensors="pt", truncation=True, max_length=16)["input_ids"].shape[1]
    config = transformers.AutoConfig.from_pretrained(target)
    qa = heads.run_head(target, "AutoModelForQuestionAnswering", tokenizer)
    assert qa.output_shapes["start_logits"] == qa.output_shapes["end_logits"] == (1, seq)
    cls = heads.run_head(target, "AutoModelForSequenceClassification", tokenizer)
    assert cls.output_shapes["logits"] == (1, config.num_labels)
    mlm = heads.run_head(target, "AutoModelForMaskedLM", tokenizer)
    assert mlm.output_shapes["logits"] == (1, seq, config.vocab_size)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _missing_in_load_report(messages):
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(messages))
    return {line.split("|")[0].strip() for line in text.splitlines() if re.search(r"\|\s*MISSING\s*\|", line)}


@pytest.mark.parametrize("auto_class", ["AutoModelForSequenceClassification", "AutoModelForTokenClassification",
                                        "AutoModelForQuestionAnswering"])
def test_newly_initialised_report_matches_transformers(auto_class, bert_base):
    capture = _Capture()
    logger = logging.getLogger("transformers")
    logger.addHandler(capture)
    try:
        report = heads.run_head(str(bert_base), auto_class)
    finally:
        logger.removeHandler(capture)
    assert report.newly_initialized and set(report.newly_initialized) == _missing_in_load_report(capture.messages)
    # and it is exactly the head's weights that the base checkpoint does not have
    model = getattr(transformers, report.model_class).from_pretrained(bert_base)
    with safe_open(str(bert_base / "model.safetensors"), framework="pt") as f:
        stored = {
            k if k.startswith(model.base_model_prefix + ".") else f"{model.base_model_prefix}.{k}" for k in f.keys()
        }
    assert set(report.newly_initialized) == set(model.state_dict()) - stored


def test_base_model_head_has_nothing_new(bert_base):
    assert heads.run_head(str(bert_base), "AutoModel").newly_initialized == []


def test_unknown_head_is_refused(bert_base):
    with pytest.raises(ValueError):
        heads.run_head(str(bert_base), "AutoModelForSomethingElse")
