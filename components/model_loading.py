"""Cached model access for pages: one ModelManager per process, resolution with clear messages."""
from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from components.i18n import t
from components.messages import show_message
from hflab.loading.manager import Handle, ModelManager
from hflab.loading.sources import Source, resolve
from hflab.messages import Message, MessageError
from hflab.settings import get_settings

OVERRIDE_KEY = "override_dir_{role}"  # session-level local-dir setting per role (Models page / sidebar)
_WAITS = itertools.count()  # numbers the waits' stop buttons (WaitNote)


@st.cache_resource(show_spinner=False)
def manager() -> ModelManager:
    """The process-wide model manager (one per server, shared by all sessions); its loads and unloads go to the
    server's log (what an operator reads on Community Cloud)."""
    events = logging.getLogger("hflab.loading.manager")
    if not events.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
        events.addHandler(handler)
        events.setLevel(logging.INFO)
    return ModelManager(get_settings().memory_budget_mb * 2**20)


def resolve_role(role: str) -> Source:
    """Resolve a role, honouring this session's local-dir setting for it."""
    return resolve(role, local_dir=st.session_state.get(OVERRIDE_KEY.format(role=role)) or None)


def source_caption(source: Source) -> str:
    """One line saying where a role comes from, in the session's language."""
    return t(source.label_key, **source.params)


def explain_missing(source: Source, level: str = "error") -> None:
    """A box saying what is missing and the exact command or setting that fixes it.

    `level` "error" is for an action the learner asked for that needs the model; a first view, which only
    says what is not there yet, passes "info" or "warning" (no page opens on an error).
    """
    show_message(source.problem(level))
    if source.fix:
        st.code(source.fix, language="bash")


def busy_note() -> None:
    """Before a first wait: say so when the machine is busy now, so the idle-machine times the pages give are read
    as lower bounds (hflab.runtime.environment.busy_cpu)."""
    from hflab.runtime.environment import busy_cpu

    busy = busy_cpu()
    if busy is not None:
        st.caption(t("common.busy", load=f"{busy[0]:.1f}", cores=busy[1]))


def convert_packaged() -> None:
    """The packaged GGUF's one-time conversion to safetensors, with a progress bar through its stages and, at the
    end, how long it took (later starts load the converted copy)."""
    from hflab.loading import offline_assets

    busy_note()
    bar = st.progress(0.0, text=t("convert.stage.tokenizer"))
    start = time.perf_counter()
    offline_assets.convert_smollm2(lambda fraction, stage: bar.progress(fraction, text=t(f"convert.stage.{stage}")))
    bar.empty()
    st.caption(t("convert.done", seconds=f"{time.perf_counter() - start:.0f}"))


def load(source: Source, loader: Callable[[Source], Any], what: str, variant: str = "",
         width: str = "fp32", tokenizer_only: bool = False, busy_text: str | None = None) -> Handle | None:
    """Load `source` through the manager with a spinner; on failure show why and return None.

    `variant` names a different form of the same model (e.g. "int8"): it is cached apart and shown in the label.
    `width` is the weight format the loader uses ("fp32", "fp16", "int8" or "stored"): the memory budget is checked
    with that load's peak (`hflab.loading.loaders.estimate_load_bytes`). `tokenizer_only`: the loader reads a
    tokenizer and no weights (no budget, and a packaged GGUF is not converted for it); `busy_text` replaces the
    spinner's "loading" text.
    """
    if not source.ready:
        explain_missing(source)
        return None
    from hflab.loading import loaders

    # the manager is shared by every session: its label is the model id alone, the same in both languages
    label = f"{source.repo_id}{' (' + variant + ')' if variant else ''}"
    try:
        # a tokenizer is no copy of the model's weights: it may share the model's folder (bert-base-chinese),
        # and it holds no weights to budget for
        tokenizer = tokenizer_only or loader is loaders.load_tokenizer
        if source.needs_conversion and not tokenizer:
            convert_packaged()
        key = f"{source.cache_key}@{variant}" if variant else source.cache_key
        if not any(row["key"] == key for row in manager().snapshot()):  # a first load: the wait the note is about
            busy_note()
        wait = WaitNote(f"stop_waiting_load_{key}")
        try:
            with st.spinner(busy_text or t("common.loading", what=f"{what} ({label})")):
                return manager().get(key, lambda: loader(source),
                                     0 if tokenizer else loaders.estimate_load_bytes(source, width), label,
                                     weights="" if tokenizer else source.target or "",
                                     on_wait=lambda models, waited_s: wait.say(t(
                                         "common.waiting_memory", models=", ".join(models),
                                         seconds=f"{waited_s:.0f}")))
        finally:
            wait.clear()
    except MessageError as exc:  # the core said why: over the memory budget, pickle weights refused, a corrupt file
        show_message(exc.message)
    except Exception as exc:  # any loader failure becomes a message; the app keeps running
        show_message(Message("problem.load_failed", {"what": label, "error": f"{type(exc).__name__}: {exc}"}))
    return None


class WaitNote:
    """What a wait is for, drawn in place with a "stop waiting" button (a click reruns the page, which ends the wait);
    `clear()` removes both. Each wait's button has a key of its own: a run may wait twice for one model (the
    Tokenizer page uses its tokenizer several times), and one key drawn twice in a run is an error."""

    def __init__(self, stop_key: str):
        box = st.container()
        self._note, self._stop, self._drawn = box.empty(), box.empty(), False
        self._key = f"{stop_key}_{next(_WAITS)}"

    def say(self, text: str) -> None:
        """Show `text` as the wait's note (and the stop button the first time)."""
        self._note.info(text)
        if not self._drawn:
            self._stop.button(t("common.stop_waiting"), key=self._key)
            self._drawn = True

    def clear(self) -> None:
        """Remove the note and the button."""
        self._note.empty()
        self._stop.empty()


@contextmanager
def using(handle: Handle) -> Iterator[Any]:
    """`handle.use()` that says so while another session runs the model: what it waits for, its place in line and
    the wait so far, with a button that stops waiting."""
    wait = WaitNote(f"stop_waiting_{handle.key}")
    try:
        with handle.use(lambda place, waited_s: wait.say(
                t("common.waiting", model=handle.label, place=place, seconds=f"{waited_s:.0f}"))) as value:
            wait.clear()
            yield value
    finally:
        wait.clear()
