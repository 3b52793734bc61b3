"""The current UI language (session state) and the `t()` every page uses for its strings."""
from __future__ import annotations

import streamlit as st

from hflab import i18n

LANG_KEY = "lang_en"  # widget key of the sidebar toggle; the entrypoint redraws it on every page


def lang() -> str:
    """'en' when the sidebar toggle is on, else 'zh' (the default)."""
    return "en" if st.session_state.get(LANG_KEY) else "zh"


def t(key: str, /, **params) -> str:
    """Catalog string for `key` in the session's language."""
    return i18n.t(key, lang(), **params)


def catalog_labels(prefix: str, **params):
    """A format_func showing catalog strings `prefix + option` in this run's language (AppTest calls it later)."""
    language = lang()
    return lambda option: i18n.t(f"{prefix}{option}", language, **params)
