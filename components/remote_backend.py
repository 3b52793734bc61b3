"""Backend choice (local model or an OpenAI-compatible server), its settings panel, and its messages.

Why here: the story page and the sampling playground offer the same choice; the client logic lives in
hflab.remote_backend. The operator's key (HFLAB_REMOTE_API_KEY from env / st.secrets) is only sent to
the operator's URL: a user who types another URL must type their own key.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
import streamlit as st

from components.i18n import t
from hflab.remote_backend import (
    MAX_TOP_LOGPROBS,
    NextTokenCandidates,
    RemoteConfig,
    RemoteError,
    check_model,
    config_from_env,
    stream_chat,
)

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def _literal(text: str) -> str:
    """Server-provided text shown inside a Markdown-rendering box, made inert."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text).replace("\n", " ")


def _code(text: str) -> str:
    """Text for inside a Markdown code span (the catalog string puts the backticks around it)."""
    return text.replace("`", "'").replace("\n", " ")


def show_remote_error(err: RemoteError) -> None:
    """The error in the user's language; the server's own words are escaped (they are untrusted)."""
    st.error(t(err.key, **{k: _literal(str(v)) for k, v in err.params.items()}))


def backend_choice(prefix: str, stop: bool = True) -> RemoteConfig | None:
    """Draw the local / remote switch (off: the local model); return the server's config when remote is chosen, else None.

    When remote is chosen but not usable (no URL, bad URL, no model) it says what is missing and
    stops the page run (`stop=False`: returns the config, whose `problem()` says why), so a page
    never silently falls back to the local model.
    """
    if not st.toggle(t("remote.backend_remote"), key=f"{prefix}_backend", help=t("remote.backend_help")):
        return None
    env = config_from_env()
    with st.expander(t("remote.settings"), expanded=not (env.base_url and env.model)):
        if env.base_url:
            st.caption(t("remote.from_settings", url=_code(env.base_url), model=_code(env.model or "—")))
        url = st.text_input(t("remote.base_url"), value=env.base_url, key=f"{prefix}_remote_url").strip()
        model = st.text_input(t("remote.model"), value=env.model, key=f"{prefix}_remote_model").strip()
        typed_key = st.text_input(t("remote.api_key"), type="password", key=f"{prefix}_remote_key",
                                  help=t("remote.api_key_help"))
        api_key = typed_key or (env.api_key if url == env.base_url else "")
        config = RemoteConfig(url, model, api_key, env.timeout_s, env.max_seconds)
        if st.button(t("remote.check"), key=f"{prefix}_remote_check") and config.problem() is None:
            try:
                models = check_model(config)
                st.success(t("remote.check_ok", models=_literal(", ".join(models))) if models else t("remote.check_ok_unlisted"))
            except RemoteError as err:
                show_remote_error(err)
    problem = config.problem()
    if problem:
        st.warning(t(problem))
        st.info(t("remote.not_configured"))
        if stop:
            st.stop()
        return config
    st.caption(t("remote.using", url=_code(config.base_url), model=_code(config.model)))
    return config


def top_k_input(prefix: str) -> int:
    """How many candidates to ask the server for (the API allows at most 20)."""
    return int(st.slider(t("remote.top_k"), 1, MAX_TOP_LOGPROBS, value=10, key=f"{prefix}_remote_top_k"))


def show_candidates(result: NextTokenCandidates) -> None:
    """The server's top few candidates, with the note that this is not the full vocabulary."""
    st.warning(t("remote.top_note", k=len(result.candidates), mass=result.covered_mass))
    st.caption(t("remote.top_chosen", token=_literal(repr(result.chosen))))
    frame = pd.DataFrame({
        t("remote.col_token"): [repr(c.token) for c in result.candidates],
        t("remote.col_prob"): [c.prob for c in result.candidates],
        t("remote.col_logprob"): [c.logprob for c in result.candidates],
    })
    st.dataframe(frame, hide_index=True, column_config={
        t("remote.col_prob"): st.column_config.ProgressColumn(format="%.4f", min_value=0.0, max_value=1.0)})


def stream_story(config: RemoteConfig, messages: list[dict], settings, failures: list[RemoteError]) -> Iterator[str]:
    """Stream a story with the page's StorySettings; a RemoteError ends the stream and lands in `failures`."""
    try:
        yield from stream_chat(config, messages, max_tokens=settings.max_new_tokens,
                               temperature=settings.temperature if settings.do_sample else 0.0,
                               top_p=settings.top_p if settings.do_sample else 1.0, seed=settings.seed)
    except RemoteError as err:
        failures.append(err)


def remote_record(config: RemoteConfig) -> dict:
    """Which server and model wrote a story (for the bundle's params; never the key)."""
    return {"model_id": config.model, "source": "remote", "base_url": config.base_url}
