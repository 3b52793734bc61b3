"""The server's queue (busy slots, requests waiting) as one caption with a refresh button, on the pages that use a
remote server (Story, Sampling). The reading lives in hflab.remote.queue; a server that shows no queue shows nothing.

Each session reads one server's queue at most every QUEUE_MEMORY_S (a read that found nothing: FAILED_MEMORY_S), so
a rerun does not ask the server each time; the refresh button asks at once.
"""
from __future__ import annotations

import time

import streamlit as st

from components.i18n import t
from components.remote_backend import settings_id
from hflab.remote.client import RemoteConfig
from hflab.remote.queue import EngineQueue, engine_queue

_READS = "remote_queue_reads"  # session cache: settings_id -> (EngineQueue or None, time.monotonic() of the read)
_MAX_READS = 8
QUEUE_MEMORY_S = 10.0
FAILED_MEMORY_S = 60.0


def queue_line(queue: EngineQueue) -> str:
    """The queue in the session's language, in the variant for what the server says."""
    key = ("remote.queue.busy_only", "remote.queue.no_slots", "remote.queue.no_waiting", "remote.queue.full")[
        2 * (queue.slots_total is not None) + (queue.waiting is not None)]
    return t(key, busy=queue.busy, slots=queue.slots_total, waiting=queue.waiting, engine=queue.engine,
             source=queue.source)


def _read(config: RemoteConfig) -> EngineQueue | None:
    """The server's queue, from this session's memory while it is fresh, else from the server."""
    reads, server = st.session_state.setdefault(_READS, {}), settings_id(config)
    if server in reads:
        queue, at = reads[server]
        if time.monotonic() - at < (QUEUE_MEMORY_S if queue is not None else FAILED_MEMORY_S):
            return queue
        del reads[server]
    reads[server] = (engine_queue(config), time.monotonic())
    while len(reads) > _MAX_READS:
        reads.pop(next(iter(reads)))
    return reads[server][0]


def _forget(server: tuple) -> None:
    st.session_state.get(_READS, {}).pop(server, None)


def show_engine_queue(config: RemoteConfig, prefix: str) -> None:
    """The server's queue line and a refresh button (key `{prefix}_queue_refresh`); nothing when the config cannot
    be used or the server shows no queue."""
    if config.problem() is not None:
        return
    queue = _read(config)
    if queue is None:
        return
    line, button = st.columns([6, 1], vertical_alignment="center")
    line.caption(queue_line(queue))
    button.button(t("remote.queue.refresh"), key=f"{prefix}_queue_refresh", type="tertiary",
                  help=t("remote.queue.refresh_help", seconds=f"{QUEUE_MEMORY_S:.0f}"),
                  on_click=_forget, args=(settings_id(config),))
