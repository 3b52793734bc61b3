"""Token pieces as bytes, and how to show them: byte-level BPE splits a Chinese character into bytes.

Byte-level BPE tokenizers (GPT-2, SmolLM2, Qwen2) store each byte as a printable stand-in
character ("æĪ" is the two bytes E6 88); SentencePiece byte fallback stores them as "<0xE6>".
A single token is often only part of a UTF-8 character, so decoding it alone gives "�". Here:

- `token_bytes(tokenizer, ids)`: the raw bytes of each token;
- `piece_label(data)`: text where the bytes form whole characters, `<0xE6>` for the leftovers;
- `merge_pieces(pieces)`: consecutive tokens grouped until their bytes are whole characters again,
  which is how a streaming UI shows generated text token by token without "�";
- `visible(text)`: spaces, newlines and invisible characters made visible for chips;
- `control_chars(text)`: the control characters a text should not carry unnoticed (NUL and the like).

Used by the Tokenizer page (compare view) and the sampling playground (generated tokens).
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

BYTE_LEVEL = "byte_level"  # GPT-2 style: every byte has a printable stand-in character
BYTE_FALLBACK = "byte_fallback"  # SentencePiece style: unknown bytes become tokens like <0xE6>
TEXT = "text"  # WordPiece and friends: a token is text (BERT's "##" marks a continuation)

_FALLBACK_TOKEN = re.compile(r"<0x([0-9A-Fa-f]{2})>")


@lru_cache(maxsize=1)
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte -> printable character table (printable Latin-1 bytes map to themselves)."""
    keep = (
        list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    )
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


@lru_cache(maxsize=1)
def unicode_to_bytes() -> dict[str, int]:
    """The inverse of `bytes_to_unicode`."""
    return {c: b for b, c in bytes_to_unicode().items()}


def _component_is_byte_level(component: Any) -> bool:
    if component is None:
        return False
    if type(component).__name__ == "ByteLevel":
        return True
    # Sequence(...) components list their parts in their repr; ByteLevel inside means byte-level
    return "ByteLevel(" in repr(component)


def byte_scheme(tokenizer: Any) -> str:
    """How `tokenizer`'s tokens map to bytes: BYTE_LEVEL, BYTE_FALLBACK or TEXT."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        if _component_is_byte_level(backend.decoder) or _component_is_byte_level(backend.pre_tokenizer):
            return BYTE_LEVEL
        if getattr(backend.model, "byte_fallback", False):
            return BYTE_FALLBACK
    return TEXT


def token_to_bytes(token: str, scheme: str) -> bytes:
    """The bytes one token string stands for under `scheme`."""
    if scheme == BYTE_LEVEL:
        table = unicode_to_bytes()
        if all(c in table for c in token):
            return bytes(table[c] for c in token)
        return token.encode("utf-8")  # added tokens (e.g. <|im_end|>) are stored as plain text
    if scheme == BYTE_FALLBACK:
        match = _FALLBACK_TOKEN.fullmatch(token)
        if match:
            return bytes([int(match.group(1), 16)])
        return token.replace("▁", " ").encode("utf-8")
    return token.encode("utf-8")


def token_bytes(tokenizer: Any, ids: Sequence[int]) -> list[bytes]:
    """The raw bytes of each token id (special tokens as their text; b"" for an id with no vocabulary entry, as
    `decode` gives: Qwen2's embedding has 151,936 rows for 151,646 tokens, and a model can rank those rows high)."""
    scheme = byte_scheme(tokenizer)
    tokens = tokenizer.convert_ids_to_tokens(list(ids))
    special = set(getattr(tokenizer, "all_special_tokens", ()))
    return [b"" if t is None else t.encode("utf-8") if t in special else token_to_bytes(t, scheme) for t in tokens]


def piece_label(data: bytes) -> str:
    """Text for the bytes that form whole UTF-8 characters, `<0xE6>` for each byte that does not."""
    text = data.decode("utf-8", errors="surrogateescape")
    # surrogateescape maps each undecodable byte 0xNN to U+DCNN
    return "".join(f"<0x{ord(c) - 0xDC00:02X}>" if 0xDC80 <= ord(c) <= 0xDCFF else c for c in text)


def is_partial(data: bytes) -> bool:
    """True when `data` is not a sequence of whole UTF-8 characters."""
    try:
        data.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


@dataclass(frozen=True)
class MergedPiece:
    """Tokens first..last (inclusive) whose bytes together are `text` (whole characters when `complete`)."""

    first: int
    last: int
    text: str
    complete: bool

    @property
    def n_tokens(self) -> int:
        """How many tokens the piece spans."""
        return self.last - self.first + 1


def merge_pieces(pieces: Sequence[bytes]) -> list[MergedPiece]:
    """Group consecutive token byte strings until they decode to whole characters.

    A byte sequence that can never become valid UTF-8 is closed at once and shown with `<0x..>`;
    an incomplete tail at the end stays incomplete (a stream may still be producing it).
    """
    merged: list[MergedPiece] = []
    buffer, start = b"", 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    for i, data in enumerate(pieces):
        if not buffer:
            start = i
            decoder.reset()
        buffer += data
        try:
            decoder.decode(data, final=False)
        except UnicodeDecodeError:
            merged.append(MergedPiece(start, i, piece_label(buffer), False))
            buffer = b""
            continue
        pending = decoder.getstate()[0]
        if not pending:
            merged.append(MergedPiece(start, i, buffer.decode("utf-8"), True))
            buffer = b""
    if buffer:
        merged.append(MergedPiece(start, len(pieces) - 1, piece_label(buffer), False))
    return merged


_VISIBLE = {" ": "␣", "\n": "↵", "\t": "⇥", "\r": "␍"}


def control_chars(text: str) -> list[str]:
    """The control characters of `text` (tab and line breaks excluded): BERT's normalizer deletes them, byte-level BPE
    gives each a byte token of its own."""
    return [c for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t\r"]


def visible(text: str) -> str:
    """`text` with spaces, line breaks and invisible characters shown (e.g. U+2028 as <U+2028>)."""
    out = []
    for c in text:
        if c in _VISIBLE:
            out.append(_VISIBLE[c])
        elif unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Zs"):
            out.append(f"<U+{ord(c):04X}>")
        else:
            out.append(c)
    return "".join(out)
