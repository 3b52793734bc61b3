"""The vocabulary of a tokenizer: lookup, substring search, special tokens, and vocab surgery
(add tokens / special tokens on a private copy).

The shared tokenizer is never mutated: `edited_copy` deep-copies it and replays the edits.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hflab.byte_pieces import TEXT, byte_scheme, piece_label, token_to_bytes
from hflab.messages import Message

SPECIAL_ROLES = ("eos_token", "bos_token", "additional_special_tokens")
MAX_NEW_TOKENS_PER_EDIT = 50
SEARCH_LIMIT = 200


def parse_words(raw: str) -> list[str]:
    """Words typed in a box, separated by commas (ASCII or full-width) or new lines; order kept, duplicates dropped."""
    words: list[str] = []
    for part in raw.replace("，", ",").replace("\n", ",").split(","):
        word = part.strip()
        if word and word not in words:
            words.append(word)
    return words


def lookup(tokenizer: Any, words: Sequence[str]) -> list[dict]:
    """For each word: is it one vocab entry, its id, and the tokens and ids the tokenizer encodes it to.

    The split is the encoding itself (`tokenizer(word)` without special tokens), never
    `convert_tokens_to_ids(tokenize(word))`: transformers 5's `tokenize` returns an added token in its normalized
    form (bert-base-chinese: 阳光 as " 阳  光 "), which no vocab entry matches, so an added word showed as [UNK]
    while it encodes to its own id (issue 33.7). An added token is named as it was added (`get_added_vocab`), not
    in that normalized form `convert_ids_to_tokens` also returns.
    """
    vocab = tokenizer.get_vocab()
    added = {token_id: token for token, token_id in tokenizer.get_added_vocab().items()}
    rows = []
    for word in words:
        ids = list(tokenizer(word, add_special_tokens=False)["input_ids"])
        pieces = [added.get(i, piece) for i, piece in zip(ids, tokenizer.convert_ids_to_tokens(ids), strict=True)]
        rows.append({"word": word, "in_vocab": word in vocab, "id": vocab.get(word), "tokens": " ".join(pieces),
                     "ids": ids})
    return rows


def search_vocab(tokenizer: Any, substring: str, limit: int = SEARCH_LIMIT) -> tuple[list[dict], int]:
    """Vocab entries whose text (raw or readable) contains `substring`, lowest ids first; and the total count."""
    scheme = byte_scheme(tokenizer)
    hits = []
    for token, token_id in tokenizer.get_vocab().items():
        readable = token if scheme == TEXT else piece_label(token_to_bytes(token, scheme))
        if substring in token or substring in readable:
            hits.append({"id": token_id, "token": token, "text": readable})
    hits.sort(key=lambda row: row["id"])
    return hits[:limit], len(hits)


def special_tokens(tokenizer: Any) -> list[dict]:
    """Every special token with its id and the attribute it fills (cls_token, pad_token, ...)."""
    rows = []
    for attr in ("cls_token", "sep_token", "pad_token", "unk_token", "mask_token", "bos_token", "eos_token"):
        token = getattr(tokenizer, attr, None)
        if token is not None:
            rows.append({"role": attr, "token": str(token), "id": tokenizer.convert_tokens_to_ids(str(token))})
    named = {row["token"] for row in rows}
    for token in getattr(tokenizer, "all_special_tokens", ()):
        if token not in named:
            rows.append({"role": "additional_special_tokens", "token": token,
                         "id": tokenizer.convert_tokens_to_ids(token)})
    return rows


@dataclass(frozen=True)
class VocabEdit:
    """One edit: plain tokens (`add_tokens`) or a special token in a role (`add_special_tokens`)."""

    tokens: tuple[str, ...]
    special_role: str | None = None  # eos_token, bos_token or additional_special_tokens

    def apply(self, tokenizer: Any) -> int:
        """Apply to `tokenizer` (mutates it); returns how many entries were added."""
        if self.special_role is None:
            return tokenizer.add_tokens(list(self.tokens))
        if self.special_role == "additional_special_tokens":
            return tokenizer.add_special_tokens({"additional_special_tokens": list(self.tokens)},
                                                replace_extra_special_tokens=False)
        return tokenizer.add_special_tokens({self.special_role: self.tokens[0]})


def check_new_tokens(tokenizer: Any, words: Sequence[str], special_role: str | None) -> tuple[list[str], list[Message]]:
    """Tokens that can be added, and messages for the rest (an error when there is nothing to add)."""
    if not words:
        return [], [Message("tokenizer.surgery.empty")]
    messages: list[Message] = []
    if len(words) > MAX_NEW_TOKENS_PER_EDIT:
        messages.append(Message("tokenizer.surgery.too_many", {"limit": MAX_NEW_TOKENS_PER_EDIT}, "warning"))
        words = words[:MAX_NEW_TOKENS_PER_EDIT]
    if special_role in ("eos_token", "bos_token") and len(words) > 1:
        messages.append(Message("tokenizer.surgery.one_special", {"role": special_role, "token": words[0]}, "warning"))
        words = words[:1]
    vocab = tokenizer.get_vocab()
    fresh = []
    for word in words:
        if word in vocab:
            messages.append(Message("tokenizer.surgery.exists", {"token": word, "id": vocab[word]}, "warning"))
        else:
            fresh.append(word)
    return fresh, messages


def edited_copy(base: Any, edits: Sequence[VocabEdit]) -> Any:
    """A private deep copy of `base` with `edits` applied in order (`base` itself is untouched)."""
    tokenizer = copy.deepcopy(base)
    for edit in edits:
        edit.apply(tokenizer)
    return tokenizer
