"""Counts over a batch: characters, real tokens, tokens per character and the [UNK] rate.

Tokens per character divides the kept tokens by the characters they came from: when truncation cut a
text, the cut characters count for neither side (dividing kept tokens by every character understated it).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hflab.tokenizer.anatomy import Anatomy, KindSets, covered_end, pad_mask


@dataclass(frozen=True)
class Counts:
    """Characters typed, real tokens (no special tokens, no padding), [UNK] tokens, and the characters
    the real tokens came from (fewer than `chars` when truncation cut a text)."""

    chars: int
    tokens: int
    unk: int
    kept_chars: int

    @property
    def tokens_per_char(self) -> float:
        """Real tokens per character they came from."""
        return self.tokens / self.kept_chars if self.kept_chars else 0.0

    @property
    def unk_rate(self) -> float:
        """Share of the real tokens that are [UNK]."""
        return self.unk / self.tokens if self.tokens else 0.0


def _produces_tokens(text: str) -> bool:
    """Whether any character of `text` can become a token (whitespace and control characters cannot)."""
    return any(not c.isspace() and unicodedata.category(c) != "Cc" for c in text)


def kept_chars(anatomy: Anatomy, index: int, segment: int) -> int:
    """How many characters of a segment the kept tokens came from: all of them unless truncation cut some."""
    text = anatomy.pairs[index] if segment == 1 else anatomy.texts[index]
    end = covered_end(anatomy, index, segment)
    if end is None or not _produces_tokens(text[end:]):
        return len(text)
    return end


def counts(tokenizer: Any, anatomy: Anatomy, indices: Sequence[int] | None = None,
           sets: KindSets | None = None) -> Counts:
    """Counts over the given texts of the batch (all by default); pairs count as characters too.

    Same rule as `token_kinds` (padding and special tokens are not counted, [UNK] is), without tokens.
    """
    sets = sets or KindSets.of(tokenizer)
    indices = range(len(anatomy)) if indices is None else indices
    chars = tokens = unk = kept = 0
    for i in indices:
        segments = (0, 1) if anatomy.pairs is not None else (0,)
        chars += sum(len(anatomy.pairs[i] if s else anatomy.texts[i]) for s in segments)
        kept += sum(kept_chars(anatomy, i, s) for s in segments)
        for tid, is_pad in zip(anatomy.fields["input_ids"][i], pad_mask(tokenizer, anatomy, i)):
            if is_pad or (tid in sets.specials and tid != sets.unk_id):
                continue
            tokens += 1
            unk += tid == sets.unk_id
    return Counts(chars, tokens, unk, kept)
