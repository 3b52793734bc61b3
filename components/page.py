"""Page header: title and introduction."""
from __future__ import annotations

import streamlit as st

from components.i18n import t


def header(title_key: str, intro_key: str | None = None) -> None:
    """Title and one-paragraph introduction of a page."""
    st.title(t(title_key))
    if intro_key:
        st.markdown(t(intro_key))
