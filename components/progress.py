"""Progress that survives a refresh (hflab/learn/progress.py): Home.py calls `keep_progress()` first on every run.

The first run of a tab gets a random id in its URL (`?lab=...`); a refresh starts a new session with the same URL,
and the saved values go back into the widgets' kept values (components.state.keep) before any page draws. Each run
then saves what the last one left (widget values arrive with the run, so a page that stopped early loses nothing).
"""
from __future__ import annotations

import streamlit as st

from components.state import kept, preset
from hflab.learn import progress
from hflab.learn.chapters import CHAPTERS

QUERY_KEY = "lab"
_ID = "progress::id"
_RESTORED = "progress::restored"
_SAVED = "progress::saved"
# what a learner would retype after a refresh: the language, every chapter's tick, the texts they typed and the
# choice of a server (not its typed URL, model or key: those stay in the session)
KEYS = ("lang_en", *(f"learn_done_{c.id}" for c in CHAPTERS), "learn_gen_prompt", "tok_texts", "tok_pairs",
        "tok_new_tokens", "tok_probe", "sampling_prompt", "sentiment_text", "story_caption_en", "story_caption_zh",
        "sampling_backend", "sampling_remote_chat", "sampling_remote_prompt", "story_backend")


def tab_id() -> str | None:
    """This tab's progress id (set by `keep_progress`, first on every run), or None before it ran."""
    return st.session_state.get(_ID)


def keep_progress() -> None:
    """Restore this tab's saved values once per session, then save the values of KEYS when they changed."""
    state = st.session_state
    progress_id = st.query_params.get(QUERY_KEY)
    if not progress.valid_id(progress_id):
        # a page switch may drop the URL's query: the session keeps its id, a new tab gets a new one
        progress_id = state.get(_ID) or progress.new_id()
        st.query_params[QUERY_KEY] = progress_id
    state[_ID] = progress_id
    if state.get(_RESTORED) != progress_id:
        for key, value in progress.load(progress_id).items():
            if key in KEYS and key not in state:
                preset(key, value)
                if key == "lang_en":  # the language is read before any widget draws it
                    state[key] = value
        state[_RESTORED] = progress_id
    values = {key: value for key in KEYS if (value := kept(key)) is not None}
    if values != state.get(_SAVED, {}):  # a tab that has nothing to keep writes nothing
        progress.save(progress_id, values)
        state[_SAVED] = values
