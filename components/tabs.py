"""A page's tabs with a key: the open tab survives reruns, a language switch and visits elsewhere, and a link
from another page (`components.links.open_link`) opens the page on the tab it asks for, once.

The tabs track state (`on_change="rerun"`): Streamlit stores the open tab's *label*, which is translated, so
the widget is keyed per language (like `components.state.keep_choice`) and the language-independent tab id
is kept beside it. Without state tracking the browser alone knows the open tab and a language switch (new
labels) falls back to the first one.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from components.i18n import lang
from components.links import take_tab

_OPEN = "open_tab::"



def open_tab(key: str) -> str | None:
    """The id of the tab open in the tabs `key` on their last run (None before they are first drawn)."""
    return st.session_state.get(_OPEN + key)


def page_tabs(page: str, tab_ids: Sequence[str], label_of: Callable[[str], str], key: str) -> dict:
    """Draw the tabs `tab_ids` (labels `label_of(id)`) of `page` (its id, e.g. "sentiment"); returns tab id ->
    container.

    Opens on the tab a link requested for `page`, else on the tab open last time (also after a language switch or
    a visit to another page), else on the first one.
    """
    labels = {tab_id: label_of(tab_id) for tab_id in tab_ids}
    ids_by_label = {label: tab_id for tab_id, label in labels.items()}
    widget_key = f"{key}@{lang()}"
    requested = take_tab(page)
    if requested in labels:
        st.session_state[widget_key] = labels[requested]
    elif st.session_state.get(widget_key) not in ids_by_label:
        st.session_state[widget_key] = labels.get(open_tab(key), labels[tab_ids[0]])
    containers = st.tabs(list(labels.values()), key=widget_key, on_change="rerun")
    st.session_state[_OPEN + key] = ids_by_label[st.session_state[widget_key]]
    return dict(zip(tab_ids, containers))
