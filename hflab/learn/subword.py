"""The tutorial's 黑 / ##黑 lesson, checked on the real vocab: bert-base-chinese splits every Chinese
character apart before WordPiece runs, so ##黑 only appears with `tokenize_chinese_chars=False`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubwordRow:
    """One text tokenized as bert-base-chinese does it and with Chinese-character splitting off."""

    text: str
    default: tuple[str, ...]
    whole_words: tuple[str, ...]


def subword_rows(tokenizer_target: str, texts: list[str]) -> list[SubwordRow]:
    """Both tokenizations of each text; `tokenizer_target` is a tokenizer dir or Hub id with a vocab.txt."""
    from hflab.loading.loaders import load_tokenizer_dir

    default = load_tokenizer_dir(tokenizer_target)
    whole_words = load_tokenizer_dir(tokenizer_target, tokenize_chinese_chars=False)
    return [SubwordRow(text, tuple(default.tokenize(text)), tuple(whole_words.tokenize(text))) for text in texts]
