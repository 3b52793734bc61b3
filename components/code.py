"""'Show the code' expanders: copyable Python that reproduces what a page computed."""
from __future__ import annotations

import streamlit as st

from components.i18n import t


def show_code(code: str, title_key: str = "common.show_code", expanded: bool = False) -> None:
    """Draw `code` in an expander with Streamlit's copy button."""
    with st.expander(t(title_key), expanded=expanded):
        st.code(code, language="python")
