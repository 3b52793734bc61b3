"""Widget values that survive a visit to another page.

Streamlit deletes a widget's state at the end of any run in which the widget was not drawn (another
page), so inputs came back as defaults. `keep(key, default)` keeps a copy under a key that no widget
owns and puts it back before the widget is drawn again; draw the widget with `key=` and no `value=`.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

_SHADOW = "kept::"


def keep(key: str, default: Any) -> Any:
    """Call just before drawing the widget `key`: restores its last value (or `default`) and returns it."""
    shadow = _SHADOW + key
    if key in st.session_state:
        st.session_state[shadow] = st.session_state[key]
        # set again through the API: a browser that dropped the widget (not drawn in the last run, e.g. after
        # st.stop()) would otherwise draw it with the widget's own default while the session holds the value
        st.session_state[key] = st.session_state[key]
    else:
        st.session_state[key] = st.session_state.get(shadow, default)
    return st.session_state[key]


def forget(key: str) -> None:
    """Drop a kept value (the next `keep` starts from its default again)."""
    st.session_state.pop(key, None)
    st.session_state.pop(_SHADOW + key, None)
