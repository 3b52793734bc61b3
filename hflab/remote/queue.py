"""The engine's queue on an OpenAI-compatible server: how many requests it is running (busy slots) and how many wait
for a free slot. Knows nothing of Streamlit.

Why: on a shared server a learner's request may wait for a free slot, and until its first token the page shows
nothing; the server's own counts say why.

Each source is asked through `hflab.remote.client.root_request`, the path every other request takes (the host policy
of a typed URL, the pinned transport, one deadline enforced on the socket, a byte cap), here with a short deadline
(QUEUE_SECONDS) and a small cap (QUEUE_MAX_BYTES):

- llama.cpp `GET /slots` (ggml-org/llama.cpp, tools/server/README.md, "GET /slots: Returns the current slots
  processing state"; on by default in current builds, off with `--no-slots`, then 501 `not_supported_error`): a JSON
  list of one object per slot, each with "id", "n_ctx" and "is_processing" (true / false); older builds say
  "state" instead (0 idle, 1 processing). Older builds also put each slot's prompt in it: only the counts are read.
- `GET /metrics` in Prometheus' text format: llama.cpp's (only with `--metrics`, else 501; same README, "GET
  /metrics") `llamacpp:requests_processing` and `llamacpp:requests_deferred` (requests waiting for a slot); vLLM's
  (always on; docs.vllm.ai, "Production Metrics") `vllm:num_requests_running` and `vllm:num_requests_waiting`, one
  sample per label set (`model_name`, `engine`), summed here.

When /slots answers, /metrics is asked as well for llama.cpp's deferred requests. Anything else (no such endpoint,
401 / 404 / 501, garbage, an answer over the cap, a silent or unreachable server, a refused host) is None, never an
exception; after a timeout or a refused connection no second request is made.
"""
from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from hflab.remote.client import RemoteConfig, RemoteError, root_request

log = logging.getLogger(__name__)

QUEUE_SECONDS = 3.0  # a queue read gives up after this long (or the config's own limit, if shorter)
QUEUE_MAX_BYTES = 2**20  # most bytes read of one answer: vLLM's /metrics is some 100 KB per engine
MAX_LINES = 50_000  # most lines of Prometheus text read
MAX_SLOTS = 4096  # a /slots list longer than this is not a server's slots
MAX_COUNT = 10**9  # a count above this (or negative, or not finite) is not a count
LLAMA_CPP, VLLM = "llama.cpp", "vLLM"
SLOTS, METRICS = "/slots", "/metrics"
LLAMA_PROCESSING, LLAMA_DEFERRED = "llamacpp:requests_processing", "llamacpp:requests_deferred"
VLLM_RUNNING, VLLM_WAITING = "vllm:num_requests_running", "vllm:num_requests_waiting"
# where these come back, the server cannot be reached at all: a second request would only wait again
UNREACHABLE = frozenset({"remote.error.timeout", "remote.error.down", "remote.error.host_refused",
                         "remote.error.host_unresolved", "remote.error.stopped"})
_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


@dataclass(frozen=True)
class EngineQueue:
    """What the server says of its queue at one moment."""

    engine: str  # LLAMA_CPP or VLLM
    busy: int  # requests running now (busy slots)
    slots_total: int | None  # how many slots it has; None where it does not say
    waiting: int | None  # requests waiting for a free slot; None where it does not say
    source: str  # SLOTS, METRICS or both, joined by " + "


class _Unreachable(Exception):
    """The server did not answer at all (deadline, connection refused, host refused)."""


def engine_queue(config: RemoteConfig) -> EngineQueue | None:
    """The server's queue from llama.cpp's /slots (with /metrics for the requests waiting) or from /metrics
    (llama.cpp, vLLM); None when it shows none or cannot be read. At most two requests, each within QUEUE_SECONDS."""
    short = replace(config, timeout_s=min(config.timeout_s, QUEUE_SECONDS),
                    max_reply_bytes=min(config.max_reply_bytes, QUEUE_MAX_BYTES))
    try:
        slots = _ask(short, SLOTS, slots_queue)
    except _Unreachable:
        return None
    try:
        metrics = _ask(short, METRICS, metrics_queue, text=True)
    except _Unreachable:
        metrics = None
    if slots is None:
        return metrics
    if metrics is not None and metrics.engine == LLAMA_CPP and metrics.waiting is not None:
        return replace(slots, waiting=metrics.waiting, source=f"{SLOTS} + {METRICS}")
    return slots


def _ask(config: RemoteConfig, path: str, parse: Callable[[Any], EngineQueue | None],
         text: bool = False) -> EngineQueue | None:
    """One source's queue, or None; raises _Unreachable when the server did not answer at all."""
    try:
        return root_request(config, path, parse, text=text)
    except RemoteError as err:
        log.debug("no engine queue from %s: %s", path, err.key)
        if err.key in UNREACHABLE:
            raise _Unreachable() from err
    except Exception as exc:  # a queue is a nicety: nothing of reading it may break a page
        log.debug("no engine queue from %s: %s", path, type(exc).__name__)
    return None


def slots_queue(data: Any) -> EngineQueue | None:
    """llama.cpp's /slots answer as a queue (every slot, those processing busy); None for any other shape."""
    if not isinstance(data, list) or not 0 < len(data) <= MAX_SLOTS:
        return None
    busy = 0
    for slot in data:
        if not isinstance(slot, dict) or "id" not in slot:
            return None
        processing, state = slot.get("is_processing"), slot.get("state")
        if isinstance(processing, bool):
            busy += int(processing)
        elif type(state) is int:  # older builds: 0 idle, anything else at work (bool is no state)
            busy += int(state != 0)
        else:
            return None
    return EngineQueue(LLAMA_CPP, busy, len(data), None, SLOTS)


def metrics_queue(text: Any) -> EngineQueue | None:
    """A /metrics answer (Prometheus text) as a queue: vLLM's running / waiting, or llama.cpp's processing /
    deferred; None when it has neither engine's running count."""
    if not isinstance(text, str):
        return None
    sums = metric_sums(text, (VLLM_RUNNING, VLLM_WAITING, LLAMA_PROCESSING, LLAMA_DEFERRED))
    for engine, running, waiting in ((VLLM, VLLM_RUNNING, VLLM_WAITING),
                                     (LLAMA_CPP, LLAMA_PROCESSING, LLAMA_DEFERRED)):
        busy = _count(sums.get(running))
        if busy is not None:
            return EngineQueue(engine, busy, None, _count(sums.get(waiting)), METRICS)
    return None


def _count(value: float | None) -> int | None:
    if value is None or not math.isfinite(value) or not 0 <= value <= MAX_COUNT:
        return None
    return round(value)


def metric_sums(text: str, names: Iterable[str], max_lines: int = MAX_LINES) -> dict[str, float]:
    """Per wanted metric name, the sum of its samples over every label set in Prometheus' text format (NaN samples
    skipped; a name with no other sample is absent). Tolerant: comments (# HELP, # TYPE, # EOF), blank lines,
    labels (quoted values may hold spaces, commas, braces and escaped quotes), a timestamp or an exemplar after the
    value; a line that is none of these is skipped. At most `max_lines` lines are read."""
    wanted, sums = set(names), {}
    for line in text.split("\n", max_lines)[:max_lines]:
        sample = _sample(line)
        if sample is not None and sample[0] in wanted and not math.isnan(sample[1]):
            sums[sample[0]] = sums.get(sample[0], 0.0) + sample[1]
    return sums


def _sample(line: str) -> tuple[str, float] | None:
    """(name, value) of one sample line, or None for a comment, a blank line or anything malformed."""
    line = line.strip()
    match = _NAME.match(line)
    if not match:  # blank lines and comments ("#") too
        return None
    rest = line[match.end():]
    if rest.startswith("{"):
        end = _labels_end(rest)
        if end is None:
            return None
        rest = rest[end:]
    if not rest[:1].isspace():
        return None
    fields = rest.split("#", 1)[0].split()  # an OpenMetrics exemplar follows a "#"
    if len(fields) not in (1, 2):  # the value, then an optional timestamp
        return None
    try:
        return match.group(), float(fields[0])
    except ValueError:
        return None


def _labels_end(rest: str) -> int | None:
    """The index just past the "}" closing the label set `rest` starts with (quotes and escapes honoured)."""
    quoted = escaped = False
    for i, char in enumerate(rest):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "}" and not quoted:
            return i + 1
    return None
