"""Why `decode(ids, skip_special_tokens=True)` does not give the input back."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from hflab.byte_pieces import control_chars
from hflab.tokenizer.inputs import LINE_SEPARATORS

_CJK = r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
_CJK_SPACE = re.compile(f"{_CJK} +{_CJK}|{_CJK} +[^ ]|[^ ] +{_CJK}")
_WHITESPACE = re.compile(r"\s+")


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
    if control_chars(original) or any(sep in original for sep in LINE_SEPARATORS):
        reasons.append("control")
    if not reasons:
        reasons.append("whitespace" if _WHITESPACE.sub("", decoded) == _WHITESPACE.sub("", original) else "other")
    return reasons
