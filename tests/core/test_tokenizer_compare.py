"""The Compare tab's second tokenizer: read out of the packaged GGUF alone, never by converting the model."""
from __future__ import annotations

import pytest

from hflab.loading import offline_assets
from hflab.loading.sources import resolve
from hflab.tokenizer import compare


def test_compare_tokenizer_is_read_from_the_gguf_without_converting_the_model(smollm2_dir, tmp_path, monkeypatch):
    """Issue 18.13: the Compare tab converted the whole SmolLM2 GGUF (109 s) only to get its tokenizer."""
    from transformers import AutoTokenizer

    monkeypatch.setenv("HFLAB_ASSETS_DIR", str(tmp_path / "assets"))  # nothing converted or extracted here
    monkeypatch.delenv("HFLAB_CAUSAL_LM_DIR", raising=False)

    def no_conversion():
        raise AssertionError("the model must not be converted to get its tokenizer")

    monkeypatch.setattr(offline_assets, "convert_smollm2", no_conversion)
    source = resolve("causal_lm")
    if not source.from_gguf:
        pytest.skip("the causal LM does not come from the packaged GGUF here")
    assert source.needs_conversion and compare.needs_extraction(source)
    tokenizer = compare.load_compare_tokenizer(source)
    assert not compare.needs_extraction(source)  # saved once: the next load reads the small folder
    assert not offline_assets.smollm2_converted()
    oracle = AutoTokenizer.from_pretrained(smollm2_dir)
    for text in ("我爱阳光", "iPhone15很好用😀", "mixed English 和中文"):
        assert tokenizer(text)["input_ids"] == oracle(text)["input_ids"]
    assert compare.load_compare_tokenizer(source).get_vocab() == oracle.get_vocab()
