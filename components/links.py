"""Links between pages that open the target page showing something: the Learning path's "try it in the lab" and the
Sentiment page's "this review in the Tokenizer".

A link names the page by its id ("sentiment" for app_pages/sentiment.py), the tab to open, and what to show in words
of the lesson ("text", "split", ...). The target page owns the meaning: it calls `take_link` first in its main()
with its own map from those words to its widget keys, so no other layer names a page's widgets.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from components.state import set_choice

LINK_KEY = "page_link"  # {"page": id, "tab": id or None, "show": {name: value}}; the target takes it once


def page_path(page: str) -> str:
    """The file st.navigation knows page `page` by."""
    return f"app_pages/{page}.py"


def open_link(page: str, tab: str | None = None, show: Mapping[str, Any] | None = None) -> None:
    """Switch to `page`, on `tab`, showing `show` (the target page maps each name to its widget)."""
    st.session_state[LINK_KEY] = {"page": page, "tab": tab, "show": dict(show or {})}
    st.switch_page(page_path(page))


def take_link(page: str, fields: Mapping[str, str], choices: Mapping[str, str] | None = None) -> None:
    """Call first in `page`'s main(): what a link asked this page to show goes into its widgets, before they are
    drawn. `fields` maps each name a link may use to a widget key, `choices` to a `keep_choice` key (a translated
    choice); a name the page does not know is a programming error (tests/pages/test_learn_page.py checks every
    chapter)."""
    request = st.session_state.get(LINK_KEY)
    if not isinstance(request, dict) or request.get("page") != page or not request.get("show"):
        return
    choices = choices or {}
    for name, value in request["show"].items():
        if name in choices:
            set_choice(choices[name], value)
        else:
            st.session_state[fields[name]] = value
    request["show"] = {}  # shown once; the tab part is taken by components.tabs.page_tabs
    if request.get("tab") is None:
        del st.session_state[LINK_KEY]


def take_tab(page: str) -> str | None:
    """The tab a link asked `page` to open on (the link is removed: later visits are not forced)."""
    request = st.session_state.get(LINK_KEY)
    if not isinstance(request, dict) or request.get("page") != page:
        return None
    del st.session_state[LINK_KEY]
    return request.get("tab")
