"""The vocabulary of a tokenizer: lookup, substring search, special tokens, and vocab surgery
(add tokens / special tokens on a private copy, export `save_pretrained` output as a zip).

The shared tokenizer is never mutated: `edited_copy` deep-copies it and replays the edits.
"""
from __future__ import annotations

import copy
import io
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hflab.byte_pieces import TEXT, byte_scheme, piece_label, token_bytes, token_to_bytes

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


def display_token(tokenizer: Any, token_id: int) -> str:
    """A vocab entry as readable text (byte-level entries decoded, partial bytes as <0xE6>)."""
    return piece_label(token_bytes(tokenizer, [token_id])[0])


def lookup(tokenizer: Any, words: Sequence[str]) -> list[dict]:
    """For each word: is it one vocab entry, its id, and how the tokenizer splits it otherwise."""
    vocab = tokenizer.get_vocab()
    rows = []
    for word in words:
        pieces = tokenizer.tokenize(word)
        rows.append({"word": word, "in_vocab": word in vocab, "id": vocab.get(word),
                     "tokens": " ".join(pieces), "ids": tokenizer.convert_tokens_to_ids(pieces)})
    return rows


def search(tokenizer: Any, substring: str, limit: int = SEARCH_LIMIT) -> tuple[list[dict], int]:
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


# ---------------------------------------------------------------- surgery


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

    def code(self) -> str:
        """The line of Python that makes this edit."""
        if self.special_role is None:
            return f"tokenizer.add_tokens({list(self.tokens)!r})"
        if self.special_role == "additional_special_tokens":
            return (f'tokenizer.add_special_tokens({{"additional_special_tokens": {list(self.tokens)!r}}}, '
                    "replace_extra_special_tokens=False)")
        return f"tokenizer.add_special_tokens({{{self.special_role!r}: {self.tokens[0]!r}}})"


def check_new_tokens(tokenizer: Any, words: Sequence[str], special_role: str | None) -> tuple[list[str], list[tuple[str, dict]]]:
    """Tokens that can be added, and (catalog key, params) messages for the rest (empty, existing, too many)."""
    if not words:
        return [], [("tokenizer.surgery.empty", {})]
    messages: list[tuple[str, dict]] = []
    if len(words) > MAX_NEW_TOKENS_PER_EDIT:
        messages.append(("tokenizer.surgery.too_many", {"limit": MAX_NEW_TOKENS_PER_EDIT}))
        words = words[:MAX_NEW_TOKENS_PER_EDIT]
    if special_role in ("eos_token", "bos_token") and len(words) > 1:
        messages.append(("tokenizer.surgery.one_special", {"role": special_role, "token": words[0]}))
        words = words[:1]
    vocab = tokenizer.get_vocab()
    fresh = []
    for word in words:
        if word in vocab:
            messages.append(("tokenizer.surgery.exists", {"token": word, "id": vocab[word]}))
        else:
            fresh.append(word)
    return fresh, messages


def edited_copy(base: Any, edits: Sequence[VocabEdit]) -> Any:
    """A private deep copy of `base` with `edits` applied in order (`base` itself is untouched)."""
    tokenizer = copy.deepcopy(base)
    for edit in edits:
        edit.apply(tokenizer)
    return tokenizer


def resize_snippet(model_ref: str, new_size: int) -> str:
    """The call a model needs after the vocab grew: its embedding matrix must have one row per id."""
    return ("from transformers import AutoModel\n\n"
            f"model = AutoModel.from_pretrained({model_ref!r})\n"
            f"model.resize_token_embeddings(len(tokenizer))  # {new_size} rows; new rows start random\n")


def export_zip(tokenizer: Any, work_dir: Path) -> bytes:
    """`tokenizer.save_pretrained` output as zip bytes (written in a temporary dir under `work_dir`)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        tokenizer.save_pretrained(tmp)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(Path(tmp).rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(tmp).as_posix())
    return buffer.getvalue()


def load_zip(data: bytes, target: Path) -> Any:
    """Unpack an exported zip into `target` (flat files only) and load it with AutoTokenizer."""
    from transformers import AutoTokenizer

    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if "/" in name or "\\" in name or name.startswith("."):
                raise ValueError(f"unexpected entry in tokenizer zip: {name!r}")
            (target / name).write_bytes(zf.read(name))
    return AutoTokenizer.from_pretrained(str(target), trust_remote_code=False)


@dataclass(frozen=True)
class Export:
    """An exported tokenizer zip, the files in it, and whether reloading it gives the same ids for a probe text."""

    data: bytes
    files: tuple[str, ...]
    round_trip_ok: bool


def export_checked(tokenizer: Any, work_dir: Path, probe: str) -> Export:
    """`export_zip`, then reload the zip and compare its ids for `probe` with `tokenizer`'s own."""
    data = export_zip(tokenizer, work_dir)
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        reloaded = load_zip(data, Path(tmp) / "tokenizer")
        same = reloaded(probe)["input_ids"] == tokenizer(probe)["input_ids"]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = tuple(zf.namelist())
    return Export(data, files, same)
