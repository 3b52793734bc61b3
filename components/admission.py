"""The operator's caps on heavy jobs, for pages: one Admission per server (hflab.runtime.admission) and a job run
under it, its wait in line shown with a stop button."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from components.i18n import t
from components.model_loading import WaitNote
from components.session_owner import session_owner
from hflab.runtime.admission import Admission
from hflab.settings import get_settings


@st.cache_resource(show_spinner=False)
def _admission(per_session: int, total: int) -> Admission:
    return Admission(per_session, total)


def admission() -> Admission:
    """The server's Admission under the caps set now (HFLAB_MAX_JOBS_PER_SESSION, HFLAB_MAX_HEAVY_JOBS)."""
    settings = get_settings()
    return _admission(settings.max_jobs_per_session, settings.max_heavy_jobs)


@contextmanager
def heavy_job(kind: str) -> Iterator[None]:
    """Run one heavy job of this session (`kind`: its catalog key, e.g. `admission.job.story`) under the operator's
    caps. Over the session's cap it raises JobRefused, a MessageError the page's step shows; over the server's cap it
    waits in line, saying its place and the wait so far, with a stop button."""
    wait = WaitNote(f"stop_waiting_{kind}")
    try:
        with admission().admit(session_owner(), kind, lambda place, waited_s: wait.say(
                t("admission.waiting", job=t(kind), place=place, seconds=f"{waited_s:.0f}"))):
            wait.clear()
            yield
    finally:
        wait.clear()
