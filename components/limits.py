"""The caps a shared deployment puts on input and work, shown to the user next to the inputs.

Why: on a public app one session must not exhaust memory or CPU for everyone, and a user should
see a limit before hitting it. Values come from `hflab.settings` (HFLAB_MAX_*) and the upload cap
from `.streamlit/config.toml` (`server.maxUploadSize`).
"""
from __future__ import annotations

import streamlit as st

from components.i18n import t
from hflab.settings import get_settings

CAPS = ("text_chars", "batch_texts", "new_tokens", "variants", "upload_mb")


def cap_value(name: str) -> int:
    """The current value of one cap (see CAPS)."""
    if name == "upload_mb":
        return int(st.get_option("server.maxUploadSize"))
    return int(getattr(get_settings(), f"max_{name}"))


def caps_text(*names: str) -> str:
    """'Limits: at most 100,000 characters, files up to 20 MB …' in the session's language."""
    parts = [t(f"reliability.cap.{name}", n=cap_value(name)) for name in names]
    return t("reliability.caps", caps="; ".join(parts))


def show_caps(*names: str) -> None:
    """A caption under an input naming the caps that apply to it, e.g. show_caps("text_chars")."""
    st.caption(caps_text(*names))


def upload_text(*names: str) -> str:
    """What the file uploader's own words mean (Streamlit draws "Upload" and "20MB per file" in English whatever the
    session's language, and offers no way to set them) with the size limit it enforces, then the other caps."""
    hint = t("reliability.upload_hint", n=cap_value("upload_mb"))
    return f"{hint}{'' if hint.endswith('。') else ' '}{caps_text(*names)}" if names else hint


def show_upload_caps(*names: str) -> None:
    """The caption under a file uploader: its own words in the session's language, its size limit, other caps."""
    st.caption(upload_text(*names))


def check_text(text: str | None, allow_empty: bool = False) -> bool:
    """True when `text` may be processed; otherwise show why (empty, too long) and return False."""
    limit = cap_value("text_chars")
    if not allow_empty and not (text or "").strip():
        st.warning(t("reliability.text_empty"))
        return False
    if text and len(text) > limit:
        st.error(t("reliability.text_too_long", length=len(text), limit=limit))
        return False
    return True


def cap_texts(texts: list) -> list:
    """At most max_batch_texts items of `texts`, with a warning when some were dropped."""
    limit = cap_value("batch_texts")
    if len(texts) > limit:
        st.warning(t("reliability.too_many_texts", count=len(texts), limit=limit))
        return texts[:limit]
    return texts


def cap_new_tokens(asked: int) -> int:
    """`asked` clamped to 0..max_new_tokens, with a note when it was lowered."""
    limit = cap_value("new_tokens")
    if asked > limit:
        st.info(t("reliability.too_many_tokens", asked=asked, limit=limit))
        return limit
    return max(0, int(asked))
