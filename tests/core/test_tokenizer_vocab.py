"""Vocab lookup, search, special tokens and vocab surgery with export, against the tokenizer itself
and the tutorial's printed results (21128 -> 21131, [101, 21128, 4212, 1762, 21129, 677, 21130, 102, 0, 0])."""
from __future__ import annotations

import io
import zipfile

import pytest

from hflab.messages import Message
from hflab.tokenizer.code import edit_line, resize_snippet
from hflab.tokenizer.export import export_checked, load_zip
from hflab.tokenizer.vocab import (
    VocabEdit,
    check_new_tokens,
    edited_copy,
    lookup,
    parse_words,
    search_vocab,
    special_tokens,
)

TUTORIAL_EDITS = [VocabEdit(("阳光", "大地")), VocabEdit(("[EOS]",), "eos_token")]


def test_lookup_as_in_the_tutorial(bert):
    rows = {r["word"]: r for r in lookup(bert, ["阳", "光", "阳光"])}
    vocab = bert.get_vocab()
    assert rows["阳"]["in_vocab"] and rows["阳"]["id"] == vocab["阳"]
    assert not rows["阳光"]["in_vocab"] and rows["阳光"]["id"] is None
    assert rows["阳光"]["ids"] == bert("阳光", add_special_tokens=False)["input_ids"]


def test_lookup_of_added_words_shows_the_ids_they_encode_to(bert):
    """Issue 33.7: after add_tokens(["阳光"]) the table showed 阳光 as [UNK] (id 100) from
    convert_tokens_to_ids(tokenize(word)) of the normalized added token, while encoding gives 21128."""
    edited = edited_copy(bert, [*TUTORIAL_EDITS, VocabEdit(("Hello",))])
    added = edited.get_added_vocab()
    words = ["阳光", "大地", "[EOS]", "Hello", "hello", "我爱阳光", "阳光明媚", "阳"]
    rows = {r["word"]: r for r in lookup(edited, words)}
    for word in words:
        encoded = edited(word, add_special_tokens=False)["input_ids"]
        assert rows[word]["ids"] == encoded, word
        names = {i: token for token, i in added.items()}  # added tokens by the name they were added with
        assert rows[word]["tokens"].split() == [names.get(i) or edited.convert_ids_to_tokens(i) for i in encoded], word
        assert edited.unk_token_id not in rows[word]["ids"], word
    for word in ("阳光", "大地", "[EOS]", "Hello"):
        assert rows[word]["in_vocab"] and rows[word]["id"] == added[word] == rows[word]["ids"][0]
        assert rows[word]["tokens"] == word
    assert rows["阳光"]["id"] == 21128 and rows["我爱阳光"]["ids"][-1] == 21128


def test_search_and_specials(bert):
    hits, total = search_vocab(bert, "阳")
    assert {h["token"] for h in hits} == {t for t in bert.get_vocab() if "阳" in t}
    assert total == len(hits) and [h["id"] for h in hits] == sorted(h["id"] for h in hits)
    specials = {r["role"]: r for r in special_tokens(bert)}
    for role in ("cls_token", "sep_token", "pad_token", "unk_token", "mask_token"):
        assert specials[role]["id"] == getattr(bert, role + "_id")
    assert {r["id"] for r in special_tokens(bert)} == set(bert.all_special_ids)


def test_search_limit(bert):
    hits, total = search_vocab(bert, "##", limit=10)
    assert len(hits) == 10 and total > 10


def test_parse_words():
    assert parse_words("阳光， 大地,,阳光\n[EOS] ") == ["阳光", "大地", "[EOS]"]


def test_surgery_on_a_copy_reproduces_the_tutorial(bert):
    edited = edited_copy(bert, TUTORIAL_EDITS)
    assert len(bert) == 21128 and "阳光" not in bert.get_vocab()  # the shared one is untouched
    assert len(edited) == 21131
    ids = edited("阳光照在大地上[EOS]", truncation=True, padding="max_length", max_length=10)["input_ids"]
    assert ids == [101, 21128, 4212, 1762, 21129, 677, 21130, 102, 0, 0]
    assert edited.eos_token == "[EOS]" and edited.eos_token_id == 21130


def test_edit_code_makes_the_same_tokenizer(bert):
    import copy

    replay = copy.deepcopy(bert)
    namespace = {"tokenizer": replay}
    for edit in TUTORIAL_EDITS + [VocabEdit(("[X1]", "[X2]"), "additional_special_tokens")]:
        exec(edit_line(edit), namespace)
    edited = edited_copy(bert, TUTORIAL_EDITS + [VocabEdit(("[X1]", "[X2]"), "additional_special_tokens")])
    assert replay.get_vocab() == edited.get_vocab()
    assert replay.all_special_tokens == edited.all_special_tokens


@pytest.mark.parametrize("words, role, key", [
    ([], None, "tokenizer.surgery.empty"),
    (["阳"], None, "tokenizer.surgery.exists"),
    (["[SEP]"], "eos_token", "tokenizer.surgery.exists"),
    (["[A]", "[B]"], "eos_token", "tokenizer.surgery.one_special"),
    ([f"新词{i}" for i in range(60)], None, "tokenizer.surgery.too_many"),
])
def test_bad_new_tokens(bert, words, role, key):
    from hflab.i18n import catalog

    _, messages = check_new_tokens(bert, words, role)
    assert key in [m.key for m in messages] and key in catalog()


def test_new_tokens_checked_fresh(bert):
    fresh, messages = check_new_tokens(bert, ["阳光", "阳"], None)
    assert fresh == ["阳光"] and messages == [
        Message("tokenizer.surgery.exists", {"token": "阳", "id": bert.get_vocab()["阳"]}, "warning")
    ]


def test_export_round_trip(bert, tmp_path):
    edited = edited_copy(bert, TUTORIAL_EDITS)
    exported = export_checked(edited, tmp_path / "work", "阳光照在大地上[EOS]")
    assert exported.round_trip_ok
    assert "tokenizer_config.json" in exported.files
    reloaded = load_zip(exported.data, tmp_path / "reloaded")
    assert len(reloaded) == 21131 and reloaded.get_vocab() == edited.get_vocab()
    for text in ("阳光照在大地上[EOS]", "iPhone15很好用", "你好，世界"):
        assert reloaded(text)["input_ids"] == edited(text)["input_ids"]
    assert reloaded.eos_token == "[EOS]"
    assert not list((tmp_path / "work").iterdir())  # the temporary save dir is gone


def test_load_zip_rejects_paths(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../evil.json", "{}")
    with pytest.raises(ValueError):
        load_zip(buffer.getvalue(), tmp_path / "x")
    assert not (tmp_path / "evil.json").exists()


def test_resize_snippet_mentions_the_call():
    code = resize_snippet("bert-base-chinese", 21131)
    assert "model.resize_token_embeddings(len(tokenizer))" in code and "21131" in code
