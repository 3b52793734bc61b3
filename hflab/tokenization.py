"""The anatomy of one `tokenizer(...)` call: input checks, the call, its fields per position,
token kinds, decode round trip, counts, and the copyable code that reproduces it.

Everything shown comes from the tokenizer's own output for the user's arguments; the only thing
added internally is `return_offsets_mapping=True` (to link tokens to characters), and the fields
displayed are exactly those the user's arguments return.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# what the page draws at most (tokenizing itself is never capped below the settings' limits)
DRAWN_CHIPS = 400
DRAWN_ROWS = 1000
DRAWN_TEXTS = 200
SNIPPET_TEXT_CHARS = 4000
UNSET_MODEL_MAX = 1_000_000  # transformers uses ~1e30 for "no known maximum"
FALLBACK_MAX_LENGTH = 8192  # the largest max_length allowed when the tokenizer knows no maximum

TRUNCATION_CHOICES: tuple = (False, True, "longest_first", "only_first", "only_second")
PADDING_CHOICES: tuple = (False, "longest", "max_length")
FIELDS = ("input_ids", "token_type_ids", "attention_mask", "special_tokens_mask", "offset_mapping", "length")


@dataclass(frozen=True)
class CallOptions:
    """The arguments of the tutorial's call, each explicit so the returned fields are predictable."""

    add_special_tokens: bool = True
    truncation: bool | str = False
    padding: bool | str = False
    max_length: int | None = None
    return_attention_mask: bool = True
    return_token_type_ids: bool = True
    return_special_tokens_mask: bool = False
    return_offsets_mapping: bool = False
    return_length: bool = False

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `tokenizer(texts, **kwargs)` (max_length only when set)."""
        kw: dict[str, Any] = {"add_special_tokens": self.add_special_tokens, "truncation": self.truncation,
                              "padding": self.padding}
        if self.max_length is not None:
            kw["max_length"] = self.max_length
        kw.update(return_attention_mask=self.return_attention_mask, return_token_type_ids=self.return_token_type_ids,
                  return_special_tokens_mask=self.return_special_tokens_mask,
                  return_offsets_mapping=self.return_offsets_mapping, return_length=self.return_length)
        return kw

    def returned_fields(self) -> list[str]:
        """The keys the user's call returns, in display order."""
        flags = {"input_ids": True, "token_type_ids": self.return_token_type_ids,
                 "attention_mask": self.return_attention_mask,
                 "special_tokens_mask": self.return_special_tokens_mask,
                 "offset_mapping": self.return_offsets_mapping, "length": self.return_length}
        return [f for f in FIELDS if flags[f]]


@dataclass(frozen=True)
class Problem:
    """Something wrong with the input: a catalog key, its parameters, and whether it blocks the call."""

    key: str
    params: dict = field(default_factory=dict)
    blocking: bool = False


# ---------------------------------------------------------------- input checks

_LINE_SEPARATORS = ("\u2028", "\u2029")


def _control_chars(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t\r"]


def split_texts(raw: str, one_per_line: bool) -> list[str]:
    """The batch typed in a box: one text per "\\n"-separated line (empty lines dropped), or the whole box.

    Only "\\n" separates lines: U+2028 inside a text stays part of it (`str.splitlines` would split there).
    """
    if not one_per_line:
        return [raw]
    return [line.rstrip("\r") for line in raw.split("\n") if line.strip()]


def check_texts(raw: str, one_per_line: bool, max_chars: int, max_texts: int,
                what: str = "text") -> tuple[list[str], list[Problem]]:
    """Split and check one input box; returns the texts to tokenize and the problems to show."""
    problems: list[Problem] = []
    if not raw:
        return [], [Problem("tokenizer.bad.empty", {"what": what}, blocking=True)]
    if not raw.strip():
        return [], [Problem("tokenizer.bad.whitespace", {"what": what}, blocking=True)]
    if len(raw) > max_chars:
        problems.append(Problem("tokenizer.bad.too_long", {"chars": len(raw), "limit": max_chars}))
        raw = raw[:max_chars]
    texts = split_texts(raw, one_per_line)
    if len(texts) > max_texts:
        problems.append(Problem("tokenizer.bad.too_many", {"count": len(texts), "limit": max_texts}))
        texts = texts[:max_texts]
    controls = sorted({c for text in texts for c in _control_chars(text)})
    if controls:
        problems.append(Problem("tokenizer.bad.control", {"chars": ", ".join(f"U+{ord(c):04X}" for c in controls[:5])}))
    if any(sep in raw for sep in _LINE_SEPARATORS):
        problems.append(Problem("tokenizer.bad.line_separator"))
    return texts, problems


def model_max(tokenizer: Any) -> int | None:
    """The tokenizer's model_max_length, or None when it declares no real maximum."""
    value = getattr(tokenizer, "model_max_length", None)
    return int(value) if value and value < UNSET_MODEL_MAX else None


def check_options(options: CallOptions, tokenizer: Any, has_pairs: bool) -> list[Problem]:
    """Problems with the call's arguments that the library would silently ignore or fail on."""
    problems: list[Problem] = []
    limit = model_max(tokenizer) or FALLBACK_MAX_LENGTH
    if options.max_length is not None:
        if options.max_length <= 0:
            problems.append(Problem("tokenizer.bad.max_length_zero", blocking=True))
        elif options.max_length > limit:
            problems.append(Problem("tokenizer.bad.max_length_large", {"value": options.max_length, "limit": limit},
                                    blocking=True))
        elif options.add_special_tokens and options.truncation not in (False, "do_not_truncate"):
            reserved = tokenizer.num_special_tokens_to_add(pair=has_pairs)
            if options.max_length <= reserved:
                problems.append(Problem("tokenizer.bad.max_length_specials",
                                        {"value": options.max_length, "reserved": reserved}, blocking=True))
    if options.padding == "max_length" and options.max_length is None:
        problems.append(Problem("tokenizer.bad.pad_without_max", {"limit": model_max(tokenizer) or "?"},
                                blocking=True))
    if options.truncation == "only_second" and not has_pairs:
        problems.append(Problem("tokenizer.bad.only_second", blocking=True))
    if options.truncation not in (False, "do_not_truncate") and options.max_length is None and model_max(tokenizer) is None:
        problems.append(Problem("tokenizer.bad.truncation_no_max", blocking=True))
    if options.padding and getattr(tokenizer, "pad_token", None) is None:
        problems.append(Problem("tokenizer.bad.no_pad_token", blocking=True))
    return problems


# ---------------------------------------------------------------- the call


class LazyRows(Sequence):
    """A read-only list whose rows are computed on first access and kept."""

    def __init__(self, make_row, length: int):
        self._make_row, self._length, self._rows = make_row, length, {}

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if not -self._length <= index < self._length:
            raise IndexError(index)
        index %= self._length
        if index not in self._rows:
            self._rows[index] = self._make_row(index)
        return self._rows[index]


@dataclass
class Anatomy:
    """The result of one call: the user's fields plus internal offsets and segment ids."""

    texts: list[str]
    pairs: list[str] | None
    options: CallOptions
    fields: dict[str, list]  # exactly what the user's call returns, field -> per-text values
    tokens: Sequence[list[str]]  # per text, computed on first use (converting every row is slow for big batches)
    offsets: list[list[tuple[int, int]]] | None  # None for tokenizers without offsets (not Rust-backed)
    segments: list[list[int | None]]  # 0 = first text, 1 = pair text, None = special or padding

    def __len__(self) -> int:
        return len(self.texts)


def encode(tokenizer: Any, texts: Sequence[str], pairs: Sequence[str] | None, options: CallOptions) -> Anatomy:
    """Run `tokenizer(texts, text_pair=pairs, **options)` once, batched (Rust backend when fast)."""
    kwargs = options.kwargs()
    fast = bool(getattr(tokenizer, "is_fast", False))
    if fast:
        kwargs["return_offsets_mapping"] = True
    enc = tokenizer(list(texts), text_pair=list(pairs) if pairs is not None else None, **kwargs)
    fields = {name: enc[name] for name in options.returned_fields()}
    ids = enc["input_ids"]
    tokens = LazyRows(lambda i: tokenizer.convert_ids_to_tokens(ids[i]), len(ids))
    offsets = [[tuple(o) for o in row] for row in enc["offset_mapping"]] if fast else None
    if fast:
        segments = [enc.sequence_ids(i) for i in range(len(ids))]
    else:
        segments = [[None] * len(row) for row in ids]
    return Anatomy(list(texts), list(pairs) if pairs is not None else None, options, fields, tokens, offsets, segments)


def untruncated_length(tokenizer: Any, text: str, pair: str | None, options: CallOptions) -> int:
    """How many positions text (and pair) would take without truncation or padding."""
    enc = tokenizer(text, text_pair=pair, add_special_tokens=options.add_special_tokens)
    return len(enc["input_ids"])


# ---------------------------------------------------------------- per position

KINDS = ("special", "pad", "unk", "added", "continuation", "normal")


@dataclass(frozen=True)
class KindSets:
    """The ids that decide a token's kind, read from the tokenizer once."""

    specials: frozenset
    added: frozenset
    pad_id: int | None
    unk_id: int | None

    @classmethod
    def of(cls, tokenizer: Any) -> KindSets:
        return cls(frozenset(getattr(tokenizer, "all_special_ids", ())),
                   frozenset(getattr(tokenizer, "added_tokens_decoder", {}).keys()),
                   tokenizer.pad_token_id, tokenizer.unk_token_id)


def token_kinds(tokenizer: Any, ids: Sequence[int], tokens: Sequence[str], attention: Sequence[int] | None,
                sets: KindSets | None = None) -> list[str]:
    """A kind per position: special, pad, unk, added (by vocab surgery), continuation (`##`) or normal."""
    sets = sets or KindSets.of(tokenizer)
    kinds = []
    for pos, (tid, tok) in enumerate(zip(ids, tokens)):
        if tid == sets.pad_id and (attention is None or attention[pos] == 0):
            kinds.append("pad")
        elif tid == sets.unk_id and tid is not None:
            kinds.append("unk")
        elif tid in sets.specials:
            kinds.append("special")
        elif tid in sets.added:
            kinds.append("added")
        elif tok.startswith("##"):
            kinds.append("continuation")
        else:
            kinds.append("normal")
    return kinds


def _pad_mask(tokenizer: Any, anatomy: Anatomy, index: int) -> list[int]:
    """1 where a position is padding (attention mask 0, or the pad id outside both texts when no mask was asked for)."""
    mask = anatomy.fields.get("attention_mask")
    if mask is not None:
        return [1 - m for m in mask[index]]
    pad_id = tokenizer.pad_token_id
    ids = anatomy.fields["input_ids"][index]
    return [int(pad_id is not None and tid == pad_id and seg is None) for tid, seg in zip(ids, anatomy.segments[index])]


def kinds_of(tokenizer: Any, anatomy: Anatomy, index: int) -> list[str]:
    """`token_kinds` of one text of the batch."""
    pad = _pad_mask(tokenizer, anatomy, index)
    attention = [1 - p for p in pad]
    return token_kinds(tokenizer, anatomy.fields["input_ids"][index], anatomy.tokens[index], attention)


def position_table(anatomy: Anatomy, index: int, limit: int | None = DRAWN_ROWS):
    """The per-position table of one text: `token` and every returned field except `length` (a pandas DataFrame)."""
    import pandas as pd

    columns: dict[str, list] = {"token": anatomy.tokens[index][:limit]}
    for name, values in anatomy.fields.items():
        if name != "length":
            columns[name] = list(values[index][:limit])
    return pd.DataFrame(columns)


def span_of(anatomy: Anatomy, index: int, pos: int) -> tuple[int, int, int] | None:
    """(segment, start, end) of the characters token `pos` came from, or None (special, padding, no offsets)."""
    if anatomy.offsets is None:
        return None
    seg = anatomy.segments[index][pos]
    start, end = anatomy.offsets[index][pos]
    if seg is None or end <= start:
        return None
    return seg, start, end


def covered_end(anatomy: Anatomy, index: int, segment: int) -> int | None:
    """The last character offset that produced a token in `segment` (the rest was truncated away)."""
    if anatomy.offsets is None:
        return None
    ends = [end for (start, end), seg in zip(anatomy.offsets[index], anatomy.segments[index]) if seg == segment]
    return max(ends) if ends else 0


def source_text(anatomy: Anatomy, index: int, segment: int) -> str:
    """The text a segment's offsets refer to: the text (0) or its pair (1)."""
    return anatomy.pairs[index] if segment == 1 and anatomy.pairs is not None else anatomy.texts[index]


# ---------------------------------------------------------------- counts and decode


@dataclass(frozen=True)
class Counts:
    """Characters, real tokens (no special tokens, no padding), tokens per character, [UNK] rate."""

    chars: int
    tokens: int
    unk: int

    @property
    def tokens_per_char(self) -> float:
        return self.tokens / self.chars if self.chars else 0.0

    @property
    def unk_rate(self) -> float:
        return self.unk / self.tokens if self.tokens else 0.0


def counts(tokenizer: Any, anatomy: Anatomy, indices: Sequence[int] | None = None,
           sets: KindSets | None = None) -> Counts:
    """Counts over the given texts of the batch (all by default); pairs count as characters too.

    Same rule as `token_kinds` (padding and special tokens are not counted, [UNK] is), without tokens.
    """
    sets = sets or KindSets.of(tokenizer)
    indices = range(len(anatomy)) if indices is None else indices
    chars = tokens = unk = 0
    for i in indices:
        chars += len(anatomy.texts[i]) + (len(anatomy.pairs[i]) if anatomy.pairs is not None else 0)
        for tid, is_pad in zip(anatomy.fields["input_ids"][i], _pad_mask(tokenizer, anatomy, i)):
            if is_pad or (tid in sets.specials and tid != sets.unk_id):
                continue
            tokens += 1
            unk += tid == sets.unk_id
    return Counts(chars, tokens, unk)


_CJK = r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
_CJK_SPACE = re.compile(f"{_CJK} +{_CJK}|{_CJK} +[^ ]|[^ ] +{_CJK}")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def decode_reasons(tokenizer: Any, original: str, ids: Sequence[int], truncated: bool) -> list[str]:
    """Why `decode(ids, skip_special_tokens=True)` differs from `original`: catalog key suffixes, most telling first."""
    decoded = tokenizer.decode(list(ids), skip_special_tokens=True)
    if decoded == original:
        return []
    reasons = []
    if truncated:
        reasons.append("truncated")
    if tokenizer.unk_token_id is not None and tokenizer.unk_token_id in ids:
        reasons.append("unk")
    specials_in_text = [tok for tok in getattr(tokenizer, "all_special_tokens", ()) if tok in original]
    if specials_in_text:
        reasons.append("special_in_text")
    letters = original
    for tok in specials_in_text:
        letters = letters.replace(tok, "")
    if any(c.isupper() for c in letters) and not any(c.isupper() for c in decoded):
        reasons.append("lowercase")
    if _strip_accents(original) != original and _strip_accents(decoded) == decoded:
        reasons.append("accents")
    if _CJK_SPACE.search(decoded) and not _CJK_SPACE.search(original):
        reasons.append("cjk_spaces")
    if _control_chars(original) or any(sep in original for sep in _LINE_SEPARATORS):
        reasons.append("control")
    if not reasons:
        squeeze = re.compile(r"\s+")
        reasons.append("whitespace" if squeeze.sub("", decoded) == squeeze.sub("", original) else "other")
    return reasons


# ---------------------------------------------------------------- code


def _literal_list(values: Sequence[str], limit: int = SNIPPET_TEXT_CHARS) -> tuple[str, bool]:
    """A Python list literal of `values`, cut to about `limit` characters; True when it was cut."""
    kept, size = [], 0
    for v in values:
        if size + len(v) > limit and kept:
            return "[\n" + "".join(f"    {x!r},\n" for x in kept) + "]", True
        kept.append(v)
        size += len(v)
    return "[\n" + "".join(f"    {x!r},\n" for x in kept) + "]", False


def _kwargs_lines(options: CallOptions, indent: str = "    ") -> str:
    return "".join(f"{indent}{k}={v!r},\n" for k, v in options.kwargs().items())


def call_snippet(model_ref: str, texts: Sequence[str], pairs: Sequence[str] | None, options: CallOptions,
                 edit_lines: Sequence[str] = (), index: int = 0) -> tuple[str, bool]:
    """Copyable code for the current call (transformers 5) that prints the page's table for text `index`.

    Returns (code, cut): cut is True when the texts were too long to embed in full.
    """
    texts_literal, cut_texts = _literal_list(texts)
    lines = ["import pandas as pd", "from transformers import AutoTokenizer", "",
             f"tokenizer = AutoTokenizer.from_pretrained({model_ref!r})"]
    lines += list(edit_lines)
    lines.append(f"texts = {texts_literal}")
    pair_arg = ""
    cut_pairs = False
    if pairs is not None:
        pairs_literal, cut_pairs = _literal_list(pairs)
        lines.append(f"pairs = {pairs_literal}")
        pair_arg = "    text_pair=pairs,\n"
    lines.append("out = tokenizer(\n    texts,\n" + pair_arg + _kwargs_lines(options) + ")")
    lines += [
        f"i = {index}  # the text shown in the table",
        'table = pd.DataFrame({"token": tokenizer.convert_ids_to_tokens(out["input_ids"][i]),',
        '                      **{key: out[key][i] for key in out if key != "length"}})',
        "print(table)",
    ]
    if options.return_length:
        lines.append('print("length:", out["length"][i])')
    return "\n".join(lines) + "\n", cut_texts or cut_pairs


def legacy_snippet(options: CallOptions, has_pairs: bool) -> str:
    """The tutorial's transformers 4 call with the same arguments (it raises AttributeError in transformers 5)."""
    batch = "list(zip(texts, pairs))" if has_pairs else "texts"
    return ("# transformers 4 only: batch_encode_plus was removed in transformers 5\n"
            "out = tokenizer.batch_encode_plus(\n"
            f"    batch_text_or_text_pairs={batch},\n" + _kwargs_lines(options) + "    return_tensors=None,\n)\n")



# ---------------------------------------------------------------- examples

# name -> (texts, pairs): each shows one concept; labels are in the catalog as tokenizer.example.<name>
EXAMPLES: dict[str, tuple[list[str], list[str] | None]] = {
    "mixed": (["iPhone15很好用，电池能撑一整天", "买了3000mAh的充电宝，USB-C接口"], None),
    "reviews": (["酒店太旧了, 大堂感觉象三星级的, 房间也就是的好点的三星级的条件, 在青岛这样的酒店是绝对算不上四星标准, "
                 "早餐走了两圈也没有找到可以吃的, 太差了", "已经贴完了,又给小区的妈妈买了一套。最值得推荐"], None),
    "emoji": (["今天天气真好😀👍🏻，出去玩吧🎉", "外卖到了🍜，好吃！"], None),
    "fullwidth": (["ＡＢＣ１２３！你好？“引号”（括号）……", "全角：ｈｅｌｌｏ，半角: hello"], None),
    "pair": (["这家店的服务怎么样？", "价格贵吗？"], ["服务很周到，阳光明媚的下午很舒服。", "不贵，性价比很高。"]),
    "surgery": (["阳光照在大地上[EOS]"], None),
}
