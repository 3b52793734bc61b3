"""Page header and the placeholder body of pages still being built."""
from __future__ import annotations

import streamlit as st

from components.i18n import t


def header(title_key: str, intro_key: str | None = None) -> None:
    """Title and one-paragraph introduction of a page."""
    st.title(t(title_key))
    if intro_key:
        st.markdown(t(intro_key))


def planned(items_key: str) -> None:
    """Say honestly that the page is not built yet, and list what it will do."""
    st.info(t("common.coming"))
    st.markdown(t(items_key))
