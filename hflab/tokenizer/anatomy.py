"""The anatomy of one `tokenizer(...)` call: the batched call, its fields per position, token kinds
and the characters each token came from.

Everything shown comes from the tokenizer's own output for the user's arguments; the only thing
added internally is `return_offsets_mapping=True` (to link tokens to characters), and the fields
displayed are exactly those the user's arguments return.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hflab.tokenizer.inputs import CallOptions

# what the page draws at most (tokenizing itself is never capped below the settings' limits)
DRAWN_CHIPS = 400
DRAWN_ROWS = 1000
DRAWN_TEXTS = 200
KINDS = ("special", "pad", "unk", "added", "continuation", "normal")


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


@dataclass(frozen=True)
class KindSets:
    """The ids that decide a token's kind, read from the tokenizer once."""

    specials: frozenset
    added: frozenset
    pad_id: int | None
    unk_id: int | None

    @classmethod
    def of(cls, tokenizer: Any) -> KindSets:
        """The sets of `tokenizer` (special ids, ids added by vocab edits, pad and unk ids)."""
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


def pad_mask(tokenizer: Any, anatomy: Anatomy, index: int) -> list[int]:
    """1 where a position is padding (attention mask 0, or the pad id outside both texts when no mask was asked for)."""
    mask = anatomy.fields.get("attention_mask")
    if mask is not None:
        return [1 - m for m in mask[index]]
    pad_id = tokenizer.pad_token_id
    ids = anatomy.fields["input_ids"][index]
    return [int(pad_id is not None and tid == pad_id and seg is None) for tid, seg in zip(ids, anatomy.segments[index])]


def kinds_of(tokenizer: Any, anatomy: Anatomy, index: int) -> list[str]:
    """`token_kinds` of one text of the batch."""
    attention = [1 - p for p in pad_mask(tokenizer, anatomy, index)]
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


def character_numbers(start: int, end: int) -> tuple[int, int]:
    """Offsets (start, end), counted from 0 with `end` excluded, as the first and last character a reader
    counts from 1: (4, 5) is the 5th character only, (4, 6) the 5th and 6th."""
    return start + 1, end


def covered_end(anatomy: Anatomy, index: int, segment: int) -> int | None:
    """The last character offset that produced a token in `segment` (the rest was truncated away)."""
    if anatomy.offsets is None:
        return None
    ends = [end for (start, end), seg in zip(anatomy.offsets[index], anatomy.segments[index]) if seg == segment]
    return max(ends) if ends else 0


def source_text(anatomy: Anatomy, index: int, segment: int) -> str:
    """The text a segment's offsets refer to: the text (0) or its pair (1)."""
    return anatomy.pairs[index] if segment == 1 and anatomy.pairs is not None else anatomy.texts[index]
