"""Byte-level pieces (hflab.byte_pieces) against the tokenizers' own byte table and decode()."""
from __future__ import annotations

import pytest

from hflab import byte_pieces as bp

TEXTS = ["我爱阳光", "iPhone15很好用😀👍🏻", "全角：ＡＢＣ，“引号”……", "mixed English 和中文 123"]


def test_byte_table_matches_transformers():
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    assert bp.bytes_to_unicode() == bytes_to_unicode()
    assert set(bp.bytes_to_unicode().values()) == set(__import__("tokenizers").pre_tokenizers.ByteLevel.alphabet())


@pytest.fixture(scope="module")
def byte_level_tokenizers(tiny_models, smollm2_dir):
    from transformers import AutoTokenizer

    return {"tiny_qwen2": AutoTokenizer.from_pretrained(tiny_models["causal_lm"]),
            "smollm2": AutoTokenizer.from_pretrained(smollm2_dir)}


@pytest.mark.parametrize("name", ["tiny_qwen2", "smollm2"])
@pytest.mark.parametrize("text", TEXTS)
def test_pieces_are_the_texts_bytes_and_merge_like_decode(byte_level_tokenizers, name, text):
    tok = byte_level_tokenizers[name]
    assert bp.byte_scheme(tok) == bp.BYTE_LEVEL
    ids = tok(text, add_special_tokens=False)["input_ids"]
    pieces = bp.token_bytes(tok, ids)
    assert b"".join(pieces) == text.encode("utf-8")
    merged = bp.merge_pieces(pieces)
    assert "".join(m.text for m in merged) == text == tok.decode(ids)
    assert [m.first for m in merged] == [0] + [m.last + 1 for m in merged[:-1]]
    for m in merged:
        assert m.complete
        assert m.text == tok.decode(ids[m.first:m.last + 1])
    for piece, token_id in zip(pieces, ids):
        alone = tok.decode([token_id])
        if bp.is_partial(piece):
            assert "<0x" in bp.piece_label(piece) and "\ufffd" in alone  # decode alone gives replacement chars
        else:
            assert bp.piece_label(piece) == alone


def test_chinese_is_split_into_byte_fragments_by_smollm2(byte_level_tokenizers):
    tok = byte_level_tokenizers["smollm2"]
    ids = tok("我爱阳光", add_special_tokens=False)["input_ids"]
    labels = [bp.piece_label(p) for p in bp.token_bytes(tok, ids)]
    assert len(ids) > 4 and any(label.startswith("<0xE") for label in labels)


def test_special_tokens_keep_their_text(byte_level_tokenizers):
    tok = byte_level_tokenizers["tiny_qwen2"]
    ids = tok("<|im_start|>你好<|im_end|>", add_special_tokens=False)["input_ids"]
    pieces = bp.token_bytes(tok, ids)
    assert pieces[0] == b"<|im_start|>" and pieces[-1] == b"<|im_end|>"


def test_byte_fallback_tokens():
    assert bp.token_to_bytes("<0xE4>", bp.BYTE_FALLBACK) == b"\xe4"
    assert bp.token_to_bytes("▁hello", bp.BYTE_FALLBACK) == b" hello"
    pieces = [bp.token_to_bytes(t, bp.BYTE_FALLBACK) for t in ("<0xE4>", "<0xBD>", "<0xA0>", "▁ok")]
    merged = bp.merge_pieces(pieces)
    assert [(m.first, m.last, m.text) for m in merged] == [(0, 2, "你"), (3, 3, " ok")]


def test_wordpiece_is_text_scheme():
    from transformers import AutoTokenizer

    from hflab.loading import offline_assets

    d = offline_assets.bert_tokenizer_dir()
    if d is None:
        pytest.skip("cn-clip is not installed")
    assert bp.byte_scheme(AutoTokenizer.from_pretrained(d)) == bp.TEXT


def test_invalid_and_incomplete_bytes():
    # a stray continuation byte can never become valid: closed at once, shown as bytes
    merged = bp.merge_pieces([b"\x88", "好".encode()])
    assert [(m.text, m.complete) for m in merged] == [("<0x88>", False), ("好", True)]
    # an incomplete tail stays open (a stream may still be producing it)
    merged = bp.merge_pieces([b"a", "好".encode()[:2]])
    assert [(m.text, m.complete) for m in merged] == [("a", True), ("<0xE5><0xA5>", False)]
    assert bp.piece_label("好".encode() + b"\xe5") == "好<0xE5>"
    assert bp.merge_pieces([]) == []


def test_visible():
    assert bp.visible("a b\n\t\u2028\u3000\u200bc") == "a␣b↵⇥<U+2028><U+3000><U+200B>c"
