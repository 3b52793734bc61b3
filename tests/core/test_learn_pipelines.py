"""The learning path's pipeline steps equal the model forward they wrap: softmax of the logits for
text-classification (and transformers' own list of new weights), top tokens for fill-mask, greedy
generate for text-generation."""
from __future__ import annotations

import pytest

from hflab.learn import pipelines
from hflab.learn.chapters import FILL_MASK_SENTENCE, GENERATION_PROMPTS, PIPELINE_SENTENCE, TOKENIZER_SENTENCES
from hflab.loading import loaders
from hflab.loading.sources import Source

TEXTS = [PIPELINE_SENTENCE, *TOKENIZER_SENTENCES[:2]]


def local(path) -> Source:
    return Source("sentiment", "local", "tiny", str(path), "source.local")


def _tiny_bert(target, model_class: str):
    import torch
    import transformers
    from transformers import BertConfig, BertTokenizer

    from hflab.loading import offline_assets

    tokenizer = BertTokenizer(vocab=str(offline_assets.bert_vocab_file()))
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    torch.manual_seed(0)
    getattr(transformers, model_class)(config).save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target


@pytest.fixture(scope="module")
def bert_backbone(tmp_path_factory):
    """A tiny BertModel checkpoint: like bert-base-chinese, it has no classification head."""
    return _tiny_bert(tmp_path_factory.mktemp("backbone"), "BertModel")


@pytest.fixture(scope="module")
def bert_mlm(tmp_path_factory):
    """A tiny BertForMaskedLM checkpoint: bert-base-chinese's own architecture."""
    return _tiny_bert(tmp_path_factory.mktemp("mlm"), "BertForMaskedLM")


def test_untrained_head_is_listed_by_transformers(bert_backbone):
    from transformers import AutoModelForSequenceClassification

    loaded = loaders.load_classifier(local(bert_backbone))
    _, info = AutoModelForSequenceClassification.from_pretrained(str(bert_backbone), output_loading_info=True)
    assert loaded.missing_keys == tuple(sorted(info["missing_keys"]))
    assert {"classifier.weight", "classifier.bias"} <= set(loaded.missing_keys)
    assert loaded.untrained_head


def test_trained_head_has_no_missing_keys(tiny_env):
    loaded = loaders.load_classifier(local(tiny_env["sentiment"]))
    assert loaded.missing_keys == ()
    assert not loaded.untrained_head


@pytest.mark.parametrize("which", ["backbone", "trained"])
def test_classification_equals_softmax_of_logits(which, bert_backbone, tiny_env):
    import torch

    target = bert_backbone if which == "backbone" else tiny_env["sentiment"]
    loaded = loaders.load_classifier(local(target))
    rows = pipelines.classify(loaded.model, loaded.tokenizer, TEXTS)
    for row in rows:
        encoded = loaded.tokenizer(row.text, return_tensors="pt")
        with torch.no_grad():
            probs = torch.softmax(loaded.model(**encoded).logits[0], dim=-1)
        best = int(probs.argmax())
        assert row.label == loaded.model.config.id2label[best]
        assert row.score == pytest.approx(float(probs[best]), abs=1e-5)
        assert row.probabilities == pytest.approx([float(p) for p in probs], abs=1e-5)
    if which == "backbone":  # a random head with std 0.02: both classes near one half
        assert all(abs(row.score - 0.5) < 0.1 for row in rows)


def test_many_and_overlong_texts_go_through_in_batches_and_are_cut_as_the_pipeline_cuts(tiny_env):
    """Issue 38: every text in batches of pipelines.BATCH (memory bounded), each equal to its forward alone; a text
    past the model's length is truncated by both, not an error."""
    import torch

    loaded = loaders.load_classifier(local(tiny_env["sentiment"]))
    texts = [f"{TEXTS[i % 3]}{'好' * i}" for i in range(pipelines.BATCH * 2 + 3)] + ["很好" * 600]
    rows = pipelines.classify(loaded.model, loaded.tokenizer, texts)
    assert [row.text for row in rows] == texts
    for row in rows:
        encoded = loaded.tokenizer(row.text, truncation=True, max_length=loaded.model.config.max_position_embeddings,
                                   return_tensors="pt")
        with torch.no_grad():
            probs = torch.softmax(loaded.model(**encoded).logits[0], dim=-1)
        assert row.probabilities == pytest.approx([float(p) for p in probs], abs=1e-5)
        assert row.score == pytest.approx(max(row.probabilities), abs=1e-5)


def test_fill_mask_equals_top_tokens_of_the_logits(bert_mlm):
    model, tokenizer = loaders.load_masked_lm(local(bert_mlm))
    answers = pipelines.fill_mask(model, tokenizer, FILL_MASK_SENTENCE, top_k=5)
    direct = pipelines.direct_fill_mask(model, tokenizer, FILL_MASK_SENTENCE, top_k=5)
    assert [a["token"] for a in answers] == [token for token, _ in direct]
    assert [a["score"] for a in answers] == pytest.approx([p for _, p in direct], abs=1e-6)
    assert all(a["token_str"] == tokenizer.decode([a["token"]]) for a in answers)


def test_fill_mask_refuses_a_checkpoint_without_an_mlm_head(tiny_env):
    with pytest.raises(loaders.NoMaskedLMHead) as caught:
        loaders.load_masked_lm(local(tiny_env["sentiment"]))
    assert caught.value.key == "learn.fill.no_head"
    assert caught.value.params["architectures"] == "BertForSequenceClassification"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_text_generation_equals_greedy_generate(lang, tiny_env):

    prompt = GENERATION_PROMPTS[lang]
    source = Source("causal_lm", "local", "tiny", str(tiny_env["causal_lm"]), "source.local")
    model, tokenizer = loaders.load_causal_lm(source)
    from_pipeline = pipelines.generate_text(model, tokenizer, prompt, max_new_tokens=12)
    encoded = tokenizer(prompt, return_tensors="pt")
    out = model.generate(**encoded, max_new_tokens=12, do_sample=False)
    oracle = tokenizer.decode(out[0, encoded["input_ids"].shape[1]:], skip_special_tokens=True)
    assert from_pipeline == oracle
    assert pipelines.direct_greedy(model, tokenizer, prompt, max_new_tokens=12) == oracle
    assert from_pipeline.strip()
