"""The model manager: one copy of each model per process, a lock per model, and a memory budget.

`st.cache_resource` cannot evict by memory, so the manager owns the models and Streamlit caches
only the manager (components/model_loading.py). Least recently used idle models are unloaded before a load
that would exceed the budget; a model another session is running is never unloaded (its memory would stay
taken until that session finished, and the new load would come on top): the load waits for it instead.
"""
from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from hflab.messages import MessageError
from hflab.runtime.os_memory import describe_resident, release_memory

T = TypeVar("T")
log = logging.getLogger(__name__)  # one line per load and unload: which models were evicted when, in the server log


class BudgetTooSmall(MessageError):
    """A single model needs more memory than the whole budget allows (message `problem.budget`)."""

    def __init__(self, label: str, needed: int, budget: int):
        super().__init__("problem.budget", model=label, needed=needed // 2**20, budget=budget // 2**20)
        self.needed, self.budget = needed, budget


@dataclass
class Handle(Generic[T]):
    """A loaded value of the type its loader returns (hflab.loading.loaders: LanguageModel, Captioner, Classifier, a
    tokenizer) and the lock that serialises its use; run it only inside `with handle.use() as value:`."""

    key: str
    value: T
    nbytes: int
    label: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)
    loaded_at: float = field(default_factory=time.time)
    last_used: float = field(default_factory=time.time)
    load_seconds: float = 0.0
    weights: str = ""  # the weight files it was loaded from; another form of the same files is a second copy

    waiting: list = field(default_factory=list, repr=False)  # tickets of the sessions waiting, in arrival order
    holder: int | None = field(default=None, repr=False)  # the thread running it now (None: idle)
    _depth: int = field(default=0, repr=False)  # nested use() by the holder (the lock is reentrant)

    @property
    def busy(self) -> bool:
        """True while a session runs this model or waits in line for it: unloading it now frees nothing."""
        return self.holder is not None or bool(self.waiting)

    @contextmanager
    def use(self, on_wait: Callable[[int, float], None] | None = None, poll_s: float = 0.5) -> Iterator[T]:
        """The loaded value under this model's lock: the one way to run a shared model (or Rust tokenizer), so two
        sessions never use it at the same time. While another session holds it, `on_wait(place in line, seconds
        waited)` hears about the wait every `poll_s`; an exception it raises (a page's stop) ends the wait."""
        if not self.lock.acquire(blocking=False):
            ticket, start = object(), time.monotonic()
            self.waiting.append(ticket)  # list.append / remove are atomic: no lock for the line itself
            try:
                while not self.lock.acquire(timeout=poll_s):
                    if on_wait is not None:
                        on_wait(self.waiting.index(ticket) + 1, time.monotonic() - start)
            finally:
                self.waiting.remove(ticket)
        self.holder, self._depth = threading.get_ident(), self._depth + 1
        try:
            self.last_used = time.time()
            yield self.value
        finally:
            self._depth -= 1
            if not self._depth:
                self.holder = None
            self.lock.release()


def measure_nbytes(value: Any) -> int:
    """Bytes held by the weights of every torch module inside `value`: parameters, buffers and the packed weights
    of quantized layers (which are neither)."""
    if "torch" not in sys.modules:
        return 0
    import torch

    from hflab.runtime.quantize import weight_bytes

    items = value if isinstance(value, (tuple, list)) else (value.values() if isinstance(value, dict) else (value,))
    return sum(weight_bytes(item) for item in items if isinstance(item, torch.nn.Module))


class ModelManager:
    """Process-wide registry of loaded models under a memory budget (LRU eviction)."""

    def __init__(self, budget_bytes: int):
        self.budget_bytes = budget_bytes
        self._handles: dict[str, Handle] = {}
        self._registry_lock = threading.Lock()
        self._load_locks: dict[str, threading.Lock] = {}
        self._loading: dict[str, tuple[str, int]] = {}  # loads in flight: key -> (label, bytes at their peak)
        self.load_counts: dict[str, int] = {}

    def used_bytes(self) -> int:
        """Bytes of all loaded models together."""
        with self._registry_lock:
            return sum(h.nbytes for h in self._handles.values())

    def get(self, key: str, loader: Callable[[], Any], estimate_bytes: int = 0, label: str = "",
            weights: str = "", on_wait: Callable[[list[str], float], None] | None = None) -> Handle:
        """Return the loaded handle for `key`, loading it (once, even under concurrency) if needed.

        `weights` names the files the model comes from: a loaded copy of the same files under another key
        (another page's copy, another weight format) is unloaded first, so no model is ever held twice. When the
        load only fits once models other sessions are running are done, it waits for them: `on_wait(their labels,
        seconds waited)` hears about it every `poll_s`; an exception it raises (a page's stop) ends the wait."""
        if estimate_bytes > self.budget_bytes:
            raise BudgetTooSmall(label or key, estimate_bytes, self.budget_bytes)
        with self._registry_lock:
            handle = self._handles.get(key)
            if handle:
                handle.last_used = time.time()
                return handle
            load_lock = self._load_locks.setdefault(key, threading.Lock())
        with load_lock:
            with self._registry_lock:
                handle = self._handles.get(key)
                if handle:
                    handle.last_used = time.time()
                    return handle
            if weights:
                self._drop_copies(weights)
            self._make_room(estimate_bytes, on_wait, reserve=(key, label or key))
            try:
                start = time.perf_counter()
                value = loader()
                nbytes = measure_nbytes(value) or estimate_bytes
                if nbytes > self.budget_bytes:
                    del value
                    gc.collect()
                    raise BudgetTooSmall(label or key, nbytes, self.budget_bytes)
                handle = Handle(key, value, nbytes, label=label or key, load_seconds=time.perf_counter() - start,
                                weights=weights)
                log.info("loaded %s (%.0f MB) in %.1f s; %s", handle.label, nbytes / 2**20, handle.load_seconds,
                         describe_resident())
                with self._registry_lock:  # one step from reserved to registered: never counted twice or not at all
                    self._handles[key] = handle
                    self._loading.pop(key, None)
                    self.load_counts[key] = self.load_counts.get(key, 0) + 1
            finally:
                with self._registry_lock:
                    self._loading.pop(key, None)
            self._make_room(0, keep=key)  # measured bigger than estimated: make room around the model just loaded
            return handle

    def _make_room(self, incoming: int, on_wait: Callable[[list[str], float], None] | None = None,
                   poll_s: float = 0.5, keep: str = "", reserve: tuple[str, str] | None = None) -> None:
        """Unload least recently used idle models until `incoming` more bytes fit in the budget; while only models
        that other sessions are running stand in the way, wait for them to finish. A session that runs a model
        itself never waits (two sessions each waiting for the other's model would wait forever): its load goes over
        the budget, logged. `keep`: the model just loaded, neither unloaded nor waited for (it is in memory already,
        so waiting would save nothing). `reserve` (key, label): once the room is there, it is booked for that load in
        the same step, so loads in flight count against the budget (two sessions starting two loads at once each
        saw the other's room as free: the rehearsal's 3.2 GB)."""
        me, start = threading.get_ident(), time.monotonic()
        while True:
            evicted: list[Handle] = []
            with self._registry_lock:
                used = sum(h.nbytes for h in self._handles.values()) + sum(b for _, b in self._loading.values())
                for idle in sorted((h for h in self._handles.values() if not h.busy and h.key != keep),
                                  key=lambda h: h.last_used):
                    if used + incoming <= self.budget_bytes:
                        break
                    evicted.append(self._handles.pop(idle.key))
                    used -= idle.nbytes
                fits = used + incoming <= self.budget_bytes
                mine = [h.label for h in self._handles.values() if h.holder == me]
                go = fits or bool(keep) or bool(mine)
                if go and reserve:
                    self._loading[reserve[0]] = (reserve[1], incoming)
                blockers = [h.label for h in self._handles.values()] + [label for label, _ in self._loading.values()]
            self._released(evicted, f"to make room for {incoming / 2**20:.0f} MB")
            if go:
                if not fits and mine:
                    log.warning("over budget by %.0f MB: this session runs %s itself",
                                (used + incoming - self.budget_bytes) / 2**20, ", ".join(mine))
                return
            if on_wait is not None:
                on_wait(blockers, time.monotonic() - start)
            time.sleep(poll_s)

    def _drop_copies(self, weights: str) -> None:
        """Unload every loaded model that came from the files `weights` (before another form of them loads)."""
        with self._registry_lock:
            copies = [self._handles.pop(h.key) for h in list(self._handles.values()) if h.weights == weights]
        self._released(copies, "before another copy of its weights loads")

    def unload(self, key: str, if_idle: bool = False) -> str:
        """Drop a model from the registry: "unloaded", "gone" (not loaded) or, with `if_idle`, "busy" and kept while
        a session runs it or waits for it (a learner's unload must not pull a model from under another learner).
        Without `if_idle` (its files were replaced), sessions running it keep their reference until done."""
        with self._registry_lock:
            handle = self._handles.get(key)
            if handle is None:
                return "gone"
            if if_idle and handle.busy:
                return "busy"
            del self._handles[key]
        self._released([handle], "on request")
        return "unloaded"

    @staticmethod
    def _released(handles: list[Handle], why: str) -> None:
        """Log each unloaded model, then give its memory back to the operating system."""
        for handle in handles:
            log.info("unloaded %s (%.0f MB) %s", handle.label, handle.nbytes / 2**20, why)
        if handles:
            handles.clear()  # the last references the manager held
            release_memory()
            log.info("released: %s", describe_resident())

    def snapshot(self) -> list[dict]:
        """Rows describing every loaded model, most recently used first."""
        with self._registry_lock:
            handles = sorted(self._handles.values(), key=lambda h: -h.last_used)
            return [
                {"key": h.key, "label": h.label, "mb": round(h.nbytes / 2**20, 1), "loaded_at": h.loaded_at,
                 "last_used": h.last_used, "load_seconds": round(h.load_seconds, 2)}
                for h in handles
            ]

