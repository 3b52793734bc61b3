"""Copy settings from `st.secrets` into the environment, where the core package reads them."""
from __future__ import annotations

import os

import streamlit as st

_KEYS_PREFIXES = ("HF_", "HFLAB_", "OPENAI_")


def apply_secrets() -> None:
    """Export HF_TOKEN, HF_ENDPOINT, HFLAB_* and OPENAI_* from st.secrets unless the env already has them."""
    try:
        items = dict(st.secrets)
    except Exception:  # no secrets.toml is the normal local case
        return
    for key, value in items.items():
        if key.startswith(_KEYS_PREFIXES) and isinstance(value, (str, int, float)) and key not in os.environ:
            os.environ[key] = str(value)
