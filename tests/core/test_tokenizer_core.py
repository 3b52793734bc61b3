"""The Tokenizer page's core: every field equals the tokenizer's own output for the same arguments,
bad input is caught with a catalog message, and the copyable code reproduces the page's table."""
from __future__ import annotations

import pytest

from hflab.i18n import catalog
from hflab.loading import offline_assets
from hflab.loading.sources import Source
from hflab.snippet.reference import load_reference
from hflab.tokenizer.anatomy import (
    character_numbers,
    covered_end,
    encode,
    kinds_of,
    position_table,
    source_text,
    span_of,
    untruncated_length,
)
from hflab.tokenizer.code import call_snippet, legacy_snippet
from hflab.tokenizer.counts import counts
from hflab.tokenizer.decode import decode_reasons
from hflab.tokenizer.examples import EXAMPLES, SUBWORD_SENTENCE, example_of, subword_lesson
from hflab.tokenizer.inputs import CallOptions, check_options, check_texts

TEXTS = {
    "mixed": ["iPhone15很好用，电池能撑一整天", "买了3000mAh的充电宝，USB-C接口"],
    "emoji": ["今天天气真好😀👍🏻，出去玩吧🎉"],
    "fullwidth": ["ＡＢＣ１２３！你好？“引号”（括号）……"],
    "review": [EXAMPLES["reviews"][0][0]],
}
MACHINE_DIR = "/home/someone/.cache/hflab/assets/bert-base-chinese-tokenizer"
PACKAGED = Source("tokenizer", "packaged", "bert-base-chinese", MACHINE_DIR, "source.packaged.bert_vocab")
# the call's arguments, named like the page's widgets and CallOptions' fields
ADD, TRUNC, PAD, MAX = "add_special_tokens", "truncation", "padding", "max_length"
MASK, TYPES, SPECIALS = "return_attention_mask", "return_token_type_ids", "return_special_tokens_mask"
OFFSETS, LENGTH = "return_offsets_mapping", "return_length"
# each row, literally: the keyword arguments the call must get for the options CallOptions(**row) (the page's widgets
# are named like them; max_length only when set). The five return_* flags vary apart from each other, so a flag
# sent under another's name, a dropped or an extra argument changes a row.
OPTION_GRID = [
    {ADD: True, TRUNC: True, PAD: "max_length", MAX: 30,
     MASK: True, TYPES: True, SPECIALS: True, OFFSETS: True, LENGTH: True},
    {ADD: True, TRUNC: True, PAD: "max_length", MAX: 30,
     MASK: True, TYPES: False, SPECIALS: True, OFFSETS: False, LENGTH: False},
    {ADD: True, TRUNC: True, PAD: "max_length", MAX: 30,
     MASK: False, TYPES: True, SPECIALS: True, OFFSETS: False, LENGTH: True},
    {ADD: True, TRUNC: True, PAD: "max_length", MAX: 30,
     MASK: False, TYPES: False, SPECIALS: False, OFFSETS: True, LENGTH: True},
    {ADD: True, TRUNC: False, PAD: False,
     MASK: True, TYPES: True, SPECIALS: True, OFFSETS: True, LENGTH: True},
    {ADD: True, TRUNC: False, PAD: False,
     MASK: True, TYPES: False, SPECIALS: True, OFFSETS: False, LENGTH: False},
    {ADD: True, TRUNC: False, PAD: False,
     MASK: False, TYPES: True, SPECIALS: True, OFFSETS: False, LENGTH: True},
    {ADD: True, TRUNC: False, PAD: False,
     MASK: False, TYPES: False, SPECIALS: False, OFFSETS: True, LENGTH: True},
    {ADD: True, TRUNC: "longest_first", PAD: "longest", MAX: 12,
     MASK: True, TYPES: True, SPECIALS: True, OFFSETS: True, LENGTH: True},
    {ADD: True, TRUNC: "longest_first", PAD: "longest", MAX: 12,
     MASK: True, TYPES: False, SPECIALS: True, OFFSETS: False, LENGTH: False},
    {ADD: True, TRUNC: "longest_first", PAD: "longest", MAX: 12,
     MASK: False, TYPES: True, SPECIALS: True, OFFSETS: False, LENGTH: True},
    {ADD: True, TRUNC: "longest_first", PAD: "longest", MAX: 12,
     MASK: False, TYPES: False, SPECIALS: False, OFFSETS: True, LENGTH: True},
    {ADD: True, TRUNC: True, PAD: False, MAX: 8,
     MASK: True, TYPES: True, SPECIALS: True, OFFSETS: True, LENGTH: True},
    {ADD: True, TRUNC: True, PAD: False, MAX: 8,
     MASK: True, TYPES: False, SPECIALS: True, OFFSETS: False, LENGTH: False},
    {ADD: True, TRUNC: True, PAD: False, MAX: 8,
     MASK: False, TYPES: True, SPECIALS: True, OFFSETS: False, LENGTH: True},
    {ADD: True, TRUNC: True, PAD: False, MAX: 8,
     MASK: False, TYPES: False, SPECIALS: False, OFFSETS: True, LENGTH: True},
    {ADD: False, TRUNC: True, PAD: "max_length", MAX: 30,
     MASK: True, TYPES: True, SPECIALS: True, OFFSETS: True, LENGTH: True},
    {ADD: False, TRUNC: True, PAD: "max_length", MAX: 30,
     MASK: True, TYPES: False, SPECIALS: True, OFFSETS: False, LENGTH: False},
    {ADD: False, TRUNC: True, PAD: "max_length", MAX: 30,
     MASK: False, TYPES: True, SPECIALS: True, OFFSETS: False, LENGTH: True},
    {ADD: False, TRUNC: True, PAD: "max_length", MAX: 30,
     MASK: False, TYPES: False, SPECIALS: False, OFFSETS: True, LENGTH: True},
    {ADD: False, TRUNC: False, PAD: False,
     MASK: True, TYPES: True, SPECIALS: True, OFFSETS: True, LENGTH: True},
    {ADD: False, TRUNC: False, PAD: False,
     MASK: True, TYPES: False, SPECIALS: True, OFFSETS: False, LENGTH: False},
    {ADD: False, TRUNC: False, PAD: False,
     MASK: False, TYPES: True, SPECIALS: True, OFFSETS: False, LENGTH: True},
    {ADD: False, TRUNC: False, PAD: False,
     MASK: False, TYPES: False, SPECIALS: False, OFFSETS: True, LENGTH: True},
    {ADD: False, TRUNC: "longest_first", PAD: "longest", MAX: 12,
     MASK: True, TYPES: True, SPECIALS: True, OFFSETS: True, LENGTH: True},
    {ADD: False, TRUNC: "longest_first", PAD: "longest", MAX: 12,
     MASK: True, TYPES: False, SPECIALS: True, OFFSETS: False, LENGTH: False},
    {ADD: False, TRUNC: "longest_first", PAD: "longest", MAX: 12,
     MASK: False, TYPES: True, SPECIALS: True, OFFSETS: False, LENGTH: True},
    {ADD: False, TRUNC: "longest_first", PAD: "longest", MAX: 12,
     MASK: False, TYPES: False, SPECIALS: False, OFFSETS: True, LENGTH: True},
    {ADD: False, TRUNC: True, PAD: False, MAX: 8,
     MASK: True, TYPES: True, SPECIALS: True, OFFSETS: True, LENGTH: True},
    {ADD: False, TRUNC: True, PAD: False, MAX: 8,
     MASK: True, TYPES: False, SPECIALS: True, OFFSETS: False, LENGTH: False},
    {ADD: False, TRUNC: True, PAD: False, MAX: 8,
     MASK: False, TYPES: True, SPECIALS: True, OFFSETS: False, LENGTH: True},
    {ADD: False, TRUNC: True, PAD: False, MAX: 8,
     MASK: False, TYPES: False, SPECIALS: False, OFFSETS: True, LENGTH: True},
]


@pytest.mark.parametrize("expected", OPTION_GRID, ids=lambda kw: "-".join(str(v) for v in kw.values()))
@pytest.mark.parametrize("name", list(TEXTS))
def test_fields_equal_the_tokenizers_output(bert, name, expected):
    texts = TEXTS[name]
    options = CallOptions(**expected)
    assert options.kwargs() == expected  # the page's options -> the call's arguments
    anatomy = encode(bert, texts, None, options)
    oracle = bert(texts, **expected)
    returned = ["input_ids"] + [field for field, flag in (("token_type_ids", TYPES), ("attention_mask", MASK),
                                                          ("special_tokens_mask", SPECIALS),
                                                          ("offset_mapping", OFFSETS), ("length", LENGTH))
                                if expected[flag]]
    assert list(anatomy.fields) == returned
    assert set(oracle.keys()) == set(returned)
    for key in oracle.keys():
        assert anatomy.fields[key] == oracle[key], key
    offsets = bert(texts, **{**expected, OFFSETS: True})["offset_mapping"]  # the page asks for them itself
    for i, ids in enumerate(oracle["input_ids"]):
        assert anatomy.tokens[i] == bert.convert_ids_to_tokens(ids)
        table = position_table(anatomy, i)
        assert list(table["input_ids"]) == ids
        assert list(table["token"]) == bert.convert_ids_to_tokens(ids)
        assert_spans(anatomy, i, oracle.sequence_ids(i), offsets[i])


def assert_spans(anatomy, i: int, segments: list, offsets: list) -> None:
    """Every token of a text (or its pair) has a non-empty span, the characters its offsets name; specials and
    padding have none."""
    assert len(segments) == len(offsets) == len(anatomy.fields["input_ids"][i])
    for pos, (segment, (start, end)) in enumerate(zip(segments, offsets)):
        span = span_of(anatomy, i, pos)
        if segment is None:
            assert span is None, pos
        else:
            assert end > start and span == (segment, start, end), pos


@pytest.mark.parametrize("truncation", [True, "only_second", "only_first", "longest_first"])
def test_pairs_equal_the_tokenizers_output(bert, truncation):
    texts, pairs = EXAMPLES["pair"]
    options = CallOptions(truncation=truncation, padding="longest", max_length=24, return_special_tokens_mask=True,
                             return_offsets_mapping=True)
    expected = {ADD: True, TRUNC: truncation, PAD: "longest", MAX: 24,
                MASK: True, TYPES: True, SPECIALS: True, OFFSETS: True, LENGTH: False}
    assert options.kwargs() == expected
    anatomy = encode(bert, texts, pairs, options)
    oracle = bert(texts, text_pair=pairs, **expected)
    assert set(anatomy.fields) == set(oracle.keys())
    for key in oracle.keys():
        assert anatomy.fields[key] == oracle[key]
    for i in range(len(texts)):
        segments = oracle.sequence_ids(i)
        assert anatomy.segments[i] == segments
        assert {0, 1} <= set(segments)  # both texts kept tokens: every check below sees both segments
        # each token's span is the characters its offsets name in the right text; specials have none
        assert_spans(anatomy, i, segments, oracle["offset_mapping"][i])
        assert source_text(anatomy, i, 0) == texts[i] and source_text(anatomy, i, 1) == pairs[i]


def test_kinds_and_counts_agree_with_special_tokens_mask(bert):
    texts = ["iPhone15很好用“你好”", "短"]
    options = CallOptions(truncation=True, padding="max_length", max_length=16, return_special_tokens_mask=True)
    anatomy = encode(bert, texts, None, options)
    oracle = bert(texts, **options.kwargs())
    for i in range(len(texts)):
        kinds = kinds_of(bert, anatomy, i)
        assert [int(k in ("special", "pad")) for k in kinds] == oracle["special_tokens_mask"][i]
        assert [int(k != "pad") for k in kinds] == oracle["attention_mask"][i]
        assert [k == "unk" for k in kinds] == [tid == bert.unk_token_id for tid in oracle["input_ids"][i]]
        assert [k == "continuation" for k in kinds] == [
            t.startswith("##") for t in bert.convert_ids_to_tokens(oracle["input_ids"][i])
        ]
    c = counts(bert, anatomy)
    real = sum(len(row) - sum(mask) for row, mask in zip(oracle["input_ids"], oracle["special_tokens_mask"]))
    unk = sum(row.count(bert.unk_token_id) for row in oracle["input_ids"])
    assert (c.chars, c.tokens, c.unk) == (sum(map(len, texts)), real, unk)
    assert c.unk_rate == pytest.approx(unk / real)


def test_kinds_without_attention_mask_still_find_padding(bert):
    options = CallOptions(padding="max_length", max_length=10, return_attention_mask=False)
    anatomy = encode(bert, ["你好"], None, options)
    assert kinds_of(bert, anatomy, 0) == ["special", "normal", "normal", "special"] + ["pad"] * 6


def test_truncation_is_measured_and_marked(bert):
    text = EXAMPLES["reviews"][0][0]
    options = CallOptions(truncation=True, max_length=10)
    anatomy = encode(bert, [text], None, options)
    full = untruncated_length(bert, text, None, options)
    assert full == len(bert(text)["input_ids"]) > 10
    end = covered_end(anatomy, 0, 0)
    assert end == bert(text, truncation=True, max_length=10, return_offsets_mapping=True)["offset_mapping"][-2][1]
    assert "truncated" in decode_reasons(bert, text, anatomy.fields["input_ids"][0], truncated=True)


@pytest.mark.parametrize("text, expected", [
    ("iPhone15很好用", {"lowercase", "cjk_spaces"}),
    ("你好“世界”", {"unk", "cjk_spaces"}),
    ("阳光[SEP]", {"special_in_text"}),
    ("hello   world", {"whitespace"}),
    ("Héllo", {"accents", "lowercase"}),
    ("a\x07b", {"control"}),
])
def test_decode_reasons(bert, text, expected):
    ids = bert(text)["input_ids"]
    assert bert.decode(ids, skip_special_tokens=True) != text
    assert expected <= set(decode_reasons(bert, text, ids, truncated=False))


def test_decode_same_gives_no_reason(bert):
    ids = bert("hello")["input_ids"]
    assert decode_reasons(bert, "hello", ids, truncated=False) == []


@pytest.mark.parametrize("raw, one_per_line, key, blocking", [
    ("", True, "tokenizer.bad.empty", True),
    (" \n\t\u3000 ", True, "tokenizer.bad.whitespace", True),
    ("a\x07b", True, "tokenizer.bad.control", False),
    ("第一行\u2028同一行", True, "tokenizer.bad.line_separator", False),
    ("长" * 100_001, False, "tokenizer.bad.too_long", False),
    ("\n".join(["x"] * 5_001), True, "tokenizer.bad.too_many", False),
])
def test_bad_texts(raw, one_per_line, key, blocking):
    texts, problems = check_texts(raw, one_per_line, max_chars=100_000, max_texts=5_000)
    found = [p for p in problems if p.key == key]
    assert found and found[0].blocking == blocking
    assert key in catalog()
    if not blocking:
        assert texts and sum(map(len, texts)) <= 100_000 and len(texts) <= 5_000


def test_line_separator_does_not_split_a_text():
    texts, _ = check_texts("一\u2028二\n三", True, 1000, 1000)
    assert texts == ["一\u2028二", "三"]


@pytest.mark.parametrize("options, pairs, key", [
    (CallOptions(truncation=True, max_length=0), False, "tokenizer.bad.max_length_zero"),
    (CallOptions(truncation=True, max_length=100_000), False, "tokenizer.bad.max_length_large"),
    (CallOptions(padding="max_length"), False, "tokenizer.bad.pad_without_max"),
    (CallOptions(truncation="only_second", max_length=10), False, "tokenizer.bad.only_second"),
    (CallOptions(truncation=True, max_length=2), False, "tokenizer.bad.max_length_specials"),
    (CallOptions(truncation=True, max_length=3), True, "tokenizer.bad.max_length_specials"),
])
def test_bad_options(bert, options, pairs, key):
    problems = check_options(options, bert, pairs)
    assert key in [p.key for p in problems if p.blocking]
    assert key in catalog()


def test_good_options_have_no_problem(bert):
    assert check_options(CallOptions(truncation=True, padding="max_length", max_length=30), bert, False) == []


def test_snippet_reproduces_the_table(bert):
    texts, pairs = EXAMPLES["pair"]
    options = CallOptions(truncation=True, padding="max_length", max_length=24, return_special_tokens_mask=True,
                             return_offsets_mapping=True, return_length=True)
    anatomy = encode(bert, texts, pairs, options)
    code, cut = call_snippet(load_reference(PACKAGED), texts, pairs, options, index=1)
    assert not cut
    namespace: dict = {}
    exec(compile(code, "snippet", "exec"), namespace)
    expected = position_table(anatomy, 1)
    assert namespace["table"].equals(expected)
    assert namespace["out"]["length"] == anatomy.fields["length"]


def test_legacy_snippet_names_the_removed_call(bert):
    code = legacy_snippet(CallOptions(truncation=True, max_length=30), has_pairs=True)
    assert "batch_encode_plus(" in code and "zip(texts, pairs)" in code
    assert not hasattr(bert, "batch_encode_plus")  # what the page says about transformers 5


def test_large_batch_is_one_call(bert):
    texts = [f"第{i}条评论：iPhone{i}很好用" for i in range(3000)]
    anatomy = encode(bert, texts, None, CallOptions(truncation=True, max_length=32))
    assert len(anatomy) == 3000
    assert anatomy.fields["input_ids"][2999] == bert(texts[2999], truncation=True, max_length=32)["input_ids"]
    assert len(position_table(anatomy, 0)) == len(anatomy.fields["input_ids"][0])


def test_tokens_per_character_counts_only_the_characters_the_kept_tokens_came_from(bert):
    """Issue 18.11: a truncated text divided its kept tokens by every character (0.30 here instead of 1.00)."""
    text = "今天天气很好我们一起去公园散步吧朋友们"  # 19 characters, one token each
    truncated = encode(bert, [text], None, CallOptions(truncation=True, max_length=8))
    c = counts(bert, truncated)
    assert (c.chars, c.tokens, c.kept_chars) == (19, 6, 6)
    assert c.tokens_per_char == pytest.approx(1.0)
    whole = counts(bert, encode(bert, [text], None, CallOptions()))
    assert whole.tokens_per_char == pytest.approx(len(bert(text, add_special_tokens=False)["input_ids"]) / len(text))
    # trailing whitespace produces no token and is not a cut: every character still counts
    spaced = counts(bert, encode(bert, ["你好  "], None, CallOptions(truncation=True, max_length=8)))
    assert spaced.kept_chars == spaced.chars == 4


def test_offsets_as_the_characters_a_reader_counts():
    """Issue 18.11: offset (4, 5) is the 5th character, not "characters 4-5"."""
    assert character_numbers(4, 5) == (5, 5)
    assert character_numbers(4, 6) == (5, 6)
    text = "iPhone15很好用"
    assert text[4:5] == "n" and text.index("n") + 1 == 5


def test_snippet_loads_the_model_id_not_this_machines_path():
    """Issue 18.12: the code named this machine's asset folder; issue 33.6: the model id alone fails offline. The
    packaged vocab is loaded from its PyPI package, never from this machine's folder."""
    snippet, _ = call_snippet(load_reference(PACKAGED), ["你好"], None, CallOptions())
    assert "/home/someone" not in snippet and ".cache" not in snippet
    assert 'find_spec("cn_clip")' in snippet and "AutoTokenizer.from_pretrained(str(TOKENIZER_DIR))" in snippet
    hub = Source("tokenizer", "hub", "bert-base-chinese", "bert-base-chinese", "source.hub")
    snippet, _ = call_snippet(load_reference(hub), ["你好"], None, CallOptions())
    assert "tokenizer = AutoTokenizer.from_pretrained('bert-base-chinese')" in snippet


def test_packaged_snippet_loads_the_pages_tokenizer_offline(bert, monkeypatch, tmp_path):
    """Issue 33.6: the notebook of the packaged vocab called from_pretrained('bert-base-chinese') and failed
    offline. Its code builds the page's tokenizer from cn-clip's vocab: same class, vocab, config and ids."""
    import tempfile

    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the folder the code writes
    texts = ["iPhone15很好用，电池能撑一整天", "ＡＢＣ今天天气真好😀"]
    code, _ = call_snippet(load_reference(PACKAGED), texts, None, CallOptions(return_offsets_mapping=True))
    namespace: dict = {}
    exec(compile(code, "snippet", "exec"), namespace)  # noqa: S102 - the code the page shows
    tokenizer = namespace["tokenizer"]
    assert type(tokenizer) is type(bert) and tokenizer.get_vocab() == bert.get_vocab()
    assert tokenizer.do_lower_case == bert.do_lower_case and tokenizer.model_max_length == bert.model_max_length
    assert dict(namespace["out"]) == dict(bert(texts, return_offsets_mapping=True))
    assert namespace["table"].equals(position_table(encode(bert, texts, None, CallOptions(return_offsets_mapping=True)),
                                                    0))


def test_subword_lesson_reproduces_the_tutorial(bert):
    """Issue 13.2: the tutorial's 乌黑 sentence, what bert-base-chinese really does, and how the tutorial's
    result comes about (tokenize_chinese_chars=False on words)."""
    lesson = subword_lesson(bert)
    assert lesson.default == list(SUBWORD_SENTENCE) == bert.tokenize(SUBWORD_SENTENCE)
    assert "##黑" not in lesson.default
    assert tuple(lesson.by_words) == lesson.tutorial == ("乌", "##鸦", "的", "羽", "##毛", "是", "乌", "##黑", "##的")
    from transformers import AutoTokenizer

    oracle = AutoTokenizer.from_pretrained(offline_assets.bert_tokenizer_dir(), tokenize_chinese_chars=False)
    assert lesson.by_words == oracle.tokenize("乌鸦 的 羽毛 是 乌黑的")
    assert lesson.ids == {"黑": bert.convert_tokens_to_ids("黑"), "##黑": bert.convert_tokens_to_ids("##黑")}
    assert bert.tokenize("乌黑") == ["乌", "黑"]  # the shared tokenizer is untouched
    assert example_of(*EXAMPLES["subword"]) == "subword" and example_of(["乌黑"], None) is None
