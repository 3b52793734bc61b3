"""The one string catalog. Each module in this package holds `STRINGS = {key: {"zh": ..., "en": ...}}`
for one area of the app; they are merged here. Chinese is the default language.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """All strings of all catalog modules; a key defined twice is an error."""
    merged: dict[str, dict[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, entry in getattr(module, "STRINGS", {}).items():
            if key in merged:
                raise KeyError(f"catalog key {key!r} defined twice (again in {info.name})")
            merged[key] = entry
    return merged


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params) -> str:
    """The string for `key` in `lang`, formatted with `params`; falls back to the key itself."""
    entry = catalog().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get(DEFAULT_LANGUAGE) or key
    return text.format(**params) if params else text
