"""Showing untrusted text (model output, data set rows, file names) without HTML or active Markdown."""
from __future__ import annotations

import streamlit as st


def show_text(text: str) -> None:
    """Draw `text` literally: st.text never interprets HTML or Markdown."""
    st.text(text)
