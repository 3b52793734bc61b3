"""Backend choice (local model or an OpenAI-compatible server), its settings panel, and its messages.

Why here: the story page and the sampling playground offer the same choice; the client logic lives in
hflab.remote.client. The operator's key (HFLAB_REMOTE_API_KEY from env / st.secrets) is only sent to
the operator's URL: a user who types another URL must type their own key.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import TypeVar

import pandas as pd
import streamlit as st

from components.escape import markdown_literal
from components.i18n import t
from components.messages import show_message
from components.operator import app_on_loopback
from components.state import keep
from hflab.remote.candidates import MAX_TOP_LOGPROBS, NextTokenCandidates, next_token_candidates
from hflab.remote.client import (
    RemoteConfig,
    RemoteError,
    check_model,
    config_from_env,
    key_required,
    stream_chat,
)
from hflab.remote.hosts import policy_from_env

_OUTCOMES = "remote_outcomes"  # session cache: (settings, action) -> result or _Failure
_MAX_OUTCOMES = 32
FAILURE_MEMORY_S = 120.0  # how long a failed request is shown from memory before the server is asked again
STOP_KEY = "remote_candidates_stop"
WAIT_TICK_S = 0.2  # how often a one-shot request's wait hands Streamlit control (a click ends the wait then)
T = TypeVar("T")


@dataclass(frozen=True)
class _Failure:
    """A remembered RemoteError and when it happened (time.monotonic())."""

    error: RemoteError
    at: float


def show_remote_error(err: RemoteError) -> None:
    """The error in the user's language; the operator's server's own words below it, escaped (untrusted)."""
    show_message(err.message)
    if err.detail:
        st.caption(t("remote.error.detail", detail=markdown_literal(err.detail)))


def settings_id(config: RemoteConfig) -> tuple:
    """What identifies the settings of a call (the key only as a hash: session state is not a key store)."""
    return (config.base_url, config.model, hashlib.sha256(config.api_key.encode()).hexdigest()[:16],
            config.guard is None)


def remembered(config: RemoteConfig, action: tuple, call):
    """`call()` once per settings and action: later reruns reuse its result until the settings change, and its
    RemoteError for FAILURE_MEMORY_S, so a silent server costs one deadline per user action, not one per rerun."""
    outcomes = st.session_state.setdefault(_OUTCOMES, {})
    key = (settings_id(config), action)
    if _failure_age(config, action) is None and isinstance(outcomes.get(key), _Failure):
        del outcomes[key]  # remembered long enough: the server gets another chance
    if key not in outcomes:
        try:
            outcomes[key] = call()
        except RemoteError as err:
            outcomes[key] = _Failure(err, time.monotonic())
        while len(outcomes) > _MAX_OUTCOMES:
            outcomes.pop(next(iter(outcomes)))
    outcome = outcomes[key]
    if isinstance(outcome, _Failure):
        raise outcome.error
    return outcome


def _failure_age(config: RemoteConfig, action: tuple) -> float | None:
    """Seconds since this session's remembered failure of `action` with these settings; None when there is none
    (or it is older than FAILURE_MEMORY_S)."""
    outcome = st.session_state.get(_OUTCOMES, {}).get((settings_id(config), action))
    if not isinstance(outcome, _Failure):
        return None
    age = time.monotonic() - outcome.at
    return age if age < FAILURE_MEMORY_S else None


def asked(config: RemoteConfig, action: tuple, call):
    """`call()` once per settings and action (see `remembered`); a failure shown again from memory says so, and when
    the server gets asked again."""
    age = _failure_age(config, action)
    if age is not None:
        st.info(t("remote.failure_cached", seconds=f"{age:.0f}", retry=f"{FAILURE_MEMORY_S - age:.0f}"))
    return remembered(config, action, call)


def candidates(config: RemoteConfig, prompt: str, k: int, as_chat: bool) -> NextTokenCandidates:
    """The server's top-k next tokens for `prompt`, asked once per settings (see `asked`), with a stop button while
    the server thinks (see `stoppable`)."""
    return asked(config, ("candidates", prompt, k, as_chat), lambda: stoppable(
        lambda stop: next_token_candidates(config, prompt, k=k, as_chat=as_chat, stop=stop)))


def stoppable(call: Callable[[threading.Event], T]) -> T:
    """`call(stop)` on a thread of its own while this run waits beside a stop button, as the story's stream does.

    The wait redraws its note every WAIT_TICK_S: a Streamlit call, where a click's rerun ends this run. Ended so (the
    stop button or any other click), it sets `stop`, and the client shuts the request's connection at once
    (hflab.remote.client). The stop button's own rerun asks nothing and raises `remote.error.stopped`, which `asked`
    remembers like any failure: reruns with the same settings show it without sending the request again.
    """
    note, button = st.empty(), st.empty()
    if button.button(t("remote.stop"), key=STOP_KEY, icon=":material/stop_circle:"):
        button.empty()
        raise RemoteError("remote.error.stopped")
    stop, started = threading.Event(), time.monotonic()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hflab-remote-call")
    future = pool.submit(call, stop)
    try:
        while not future.done():
            note.caption(t("remote.waiting_answer", seconds=f"{time.monotonic() - started:.0f}"))
            wait([future], timeout=WAIT_TICK_S)
        return future.result()
    finally:
        stop.set()  # the run ended early: the request ends with it (a finished request ignores it)
        pool.shutdown(wait=False)
        note.empty()
        button.empty()


def _test_connection(config: RemoteConfig) -> None:
    """"Test connection": one deadline; a failure with unchanged settings is shown again without waiting."""
    action = ("check",)
    if _failure_age(config, action) is not None:
        st.info(t("remote.check_cached"))
    try:
        models = remembered(config, action, lambda: check_model(config))
    except RemoteError as err:
        show_remote_error(err)
        return
    if models:
        st.success(t("remote.check_ok", models=markdown_literal(", ".join(models))))
    else:
        st.success(t("remote.check_ok_unlisted"))


def backend_choice(prefix: str, stop: bool = True) -> RemoteConfig | None:
    """Draw the local / remote switch (off: the local model); return the server's config when remote is chosen, else
    None.

    When remote is chosen but not usable (no URL, bad URL, no model) it says what is missing and
    stops the page run (`stop=False`: returns the config, whose `problem()` says why), so a page
    never silently falls back to the local model.
    """
    keep(f"{prefix}_backend", False)  # the choice survives a visit to another page (and a refresh: Home's progress)
    if not st.toggle(t("remote.backend_remote"), key=f"{prefix}_backend", help=t("remote.backend_help")):
        return None
    env = config_from_env()
    with st.expander(t("remote.settings"), expanded=not (env.base_url and env.model)):
        if env.base_url:
            st.caption(t("remote.from_settings", url=markdown_literal(env.base_url),
                         model=markdown_literal(env.model or "—")))
        keep(f"{prefix}_remote_url", env.base_url)
        url = st.text_input(t("remote.base_url"), key=f"{prefix}_remote_url").strip()
        keep(f"{prefix}_remote_model", env.model)
        model = st.text_input(t("remote.model"), key=f"{prefix}_remote_model").strip()
        typed_key = st.text_input(t("remote.api_key_required" if key_required(url) else "remote.api_key"),
                                  type="password", key=f"{prefix}_remote_key", help=t("remote.api_key_help"))
        api_key = typed_key or (env.api_key if url == env.base_url else "")
        config = replace(env, base_url=url, model=model, api_key=api_key)  # the operator's limits stay
        if url != env.base_url:  # typed by the user: checked against the operator's host policy
            config = replace(config, guard=policy_from_env(env.base_url, app_on_loopback()))
        if st.button(t("remote.check"), key=f"{prefix}_remote_check") and config.problem() is None:
            _test_connection(config)
    problem = config.problem()
    if problem:
        st.warning(t(problem))
        st.info(t("remote.not_configured"))
        if stop:
            st.stop()
        return config
    st.caption(t("remote.using", url=markdown_literal(config.base_url), model=markdown_literal(config.model)))
    return config


def top_k_input(prefix: str) -> int:
    """How many candidates to ask the server for (the API allows at most 20)."""
    return int(st.slider(t("remote.top_k"), 1, MAX_TOP_LOGPROBS, value=10, key=f"{prefix}_remote_top_k"))


def show_candidates(result: NextTokenCandidates) -> None:
    """The server's top few candidates, with the note that this is not the full vocabulary."""
    st.warning(t("remote.top_note", k=len(result.candidates), mass=result.covered_mass))
    st.caption(t("remote.top_chosen", token=markdown_literal(repr(result.chosen))))
    if result.withheld:
        st.caption(t("remote.withheld"))
    frame = pd.DataFrame({
        t("remote.col_token"): [repr(c.label) for c in result.candidates],
        t("remote.col_prob"): [c.prob for c in result.candidates],
        t("remote.col_logprob"): [c.logprob for c in result.candidates],
    })
    st.dataframe(frame, hide_index=True, column_config={
        t("remote.col_prob"): st.column_config.ProgressColumn(format="%.4f", min_value=0.0, max_value=1.0)})


def stream_story(config: RemoteConfig, messages: list[dict], settings, failures: list[RemoteError]) -> Iterator[str]:
    """Stream a story with the page's StorySettings; a RemoteError ends the stream and lands in `failures`; every
    keep-alive of the server comes through as an empty piece."""
    try:
        # keepalive: a server that sends only `: ping` still hands the page control, so its Stop button works
        # (closing this generator closes the connection)
        yield from stream_chat(config, messages, max_tokens=settings.max_new_tokens,
                               temperature=settings.temperature if settings.do_sample else 0.0,
                               top_p=settings.top_p if settings.do_sample else 1.0, seed=settings.seed,
                               keepalive=True)
    except RemoteError as err:
        failures.append(err)


def remote_record(config: RemoteConfig) -> dict:
    """Which server and model wrote a story (for the bundle's params; never the key)."""
    return {"model_id": config.model, "source": "remote", "base_url": config.base_url}
