"""This browser session's owner id: a random string made once and kept in session state. The core never imports
Streamlit, so a page hands this plain string to it, and what a session saves (the models it trains on the Sentiment
page) is listed to that session only. A reload starts a new session, with a new id."""
from __future__ import annotations

import secrets

import streamlit as st

OWNER_KEY = "hflab_session_owner"


def session_owner() -> str:
    """This session's owner id (128 random bits as hex), made on first use; no widget has its key, so no input sets
    it."""
    if OWNER_KEY not in st.session_state:
        st.session_state[OWNER_KEY] = secrets.token_hex(16)
    return st.session_state[OWNER_KEY]
