"""Widget values that survive a visit to another page.

Streamlit deletes a widget's state at the end of any run in which the widget was not drawn (another
page), so inputs came back as defaults. `keep(key, default)` keeps a copy under a key that no widget
owns and puts it back before the widget is drawn again; draw the widget with `key=` and no `value=`.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import streamlit as st

from components.i18n import lang

_SHADOW = "kept::"
T = TypeVar("T")


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


def keep_offered(key: str, options: list, default: Any) -> None:
    """`keep` for a choice whose options change (another model, another data set): a value no longer offered
    falls back to `default`."""
    if keep(key, default) not in options:
        st.session_state[key] = default


def forget(key: str) -> None:
    """Drop a kept value (the next `keep` starts from its default again)."""
    st.session_state.pop(key, None)
    st.session_state.pop(_SHADOW + key, None)


def keep_choice(key: str, default: Any) -> str:
    """`keep` for a selectbox / radio whose options are shown translated (`format_func=t(...)`); returns the
    widget key to draw it with.

    Streamlit keeps the label the browser shows; after a language switch no option has that label, so the
    value reset and callbacks received the old label (issue 18.1). One widget per language, with the
    language-independent value kept under `key`, means the browser never sends a label of another language.
    """
    widget_key = f"{key}@{lang()}"
    shadow = _SHADOW + key
    if key in st.session_state:  # a value put under the plain key by a link (the learning path) wins
        set_choice(key, st.session_state.pop(key))
    if widget_key in st.session_state:
        st.session_state[shadow] = st.session_state[widget_key]
    else:
        st.session_state[widget_key] = st.session_state.get(shadow, default)
    return widget_key


def set_choice(key: str, value: Any) -> None:
    """Set the value of a `keep_choice` widget (from a callback, or before it is drawn)."""
    st.session_state[_SHADOW + key] = value
    st.session_state[f"{key}@{lang()}"] = value


def preset(key: str, value: Any) -> None:
    """The value the `keep` widget `key` starts from when it is next drawn (a refresh's restored input)."""
    st.session_state[_SHADOW + key] = value


def kept(key: str, default: Any = None) -> Any:
    """The value of a `keep` widget, also on a run that has not drawn it yet (after a visit to another page)."""
    return st.session_state.get(key, st.session_state.get(_SHADOW + key, default))


def remembered(state_key: str, cache_key: Hashable) -> Any:
    """This session's value under `state_key` when it was made for `cache_key`, else None (one slot per key: a
    result made for other inputs is stale, never shown)."""
    stored = st.session_state.get(state_key)
    return stored[1] if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == cache_key else None


def remember(state_key: str, cache_key: Hashable, value: T) -> T:
    """Keep `value` under `state_key` for `cache_key` (what `remembered` reads back) and return it."""
    st.session_state[state_key] = (cache_key, value)
    return value


def session_memo(state_key: str, cache_key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` once per session for `cache_key`, kept under `state_key` until the key changes; a compute that
    raises keeps nothing."""
    stored = st.session_state.get(state_key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == cache_key:
        return stored[1]
    return remember(state_key, cache_key, compute())
