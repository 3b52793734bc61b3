"""This browser tab's owner id: the tab's progress id (components/progress.py, `?lab=...` in its URL), so a refresh
keeps it, else a random string made once and kept in session state. The core never imports Streamlit, so a page hands
this plain string to it, and what a tab saves (the models it trains on the Sentiment page) is listed to that tab only,
before and after a refresh; another tab has another id."""
from __future__ import annotations

import secrets

import streamlit as st

from components.progress import tab_id

OWNER_KEY = "hflab_session_owner"


def session_owner() -> str:
    """This tab's owner id (its progress id, else 128 random bits as hex), made on first use; no widget has its key,
    so no input sets it."""
    if OWNER_KEY not in st.session_state:
        st.session_state[OWNER_KEY] = tab_id() or secrets.token_hex(16)
    return st.session_state[OWNER_KEY]
