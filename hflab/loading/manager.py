"""The model manager: one copy of each model per process, a lock per model, and a memory budget.

`st.cache_resource` cannot evict by memory, so the manager owns the models and Streamlit caches
only the manager (components/model_loading.py). Least recently used models are unloaded before a load
that would exceed the budget.
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
        try:
            self.last_used = time.time()
            yield self.value
        finally:
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
        self.load_counts: dict[str, int] = {}

    def used_bytes(self) -> int:
        """Bytes of all loaded models together."""
        with self._registry_lock:
            return sum(h.nbytes for h in self._handles.values())

    def get(self, key: str, loader: Callable[[], Any], estimate_bytes: int = 0, label: str = "",
            weights: str = "") -> Handle:
        """Return the loaded handle for `key`, loading it (once, even under concurrency) if needed.

        `weights` names the files the model comes from: a loaded copy of the same files under another key
        (another page's copy, another weight format) is unloaded first, so no model is ever held twice."""
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
            self._make_room(estimate_bytes)
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
            with self._registry_lock:
                self._handles[key] = handle
                self.load_counts[key] = self.load_counts.get(key, 0) + 1
            self._make_room(0)
            return handle

    def _make_room(self, incoming: int) -> None:
        """Unload least recently used models until `incoming` more bytes fit in the budget."""
        evicted = []
        with self._registry_lock:
            while self._handles and sum(h.nbytes for h in self._handles.values()) + incoming > self.budget_bytes:
                oldest = min(self._handles.values(), key=lambda h: h.last_used)
                evicted.append(self._handles.pop(oldest.key))
        self._released(evicted, f"to make room for {incoming / 2**20:.0f} MB")

    def _drop_copies(self, weights: str) -> None:
        """Unload every loaded model that came from the files `weights` (before another form of them loads)."""
        with self._registry_lock:
            copies = [self._handles.pop(h.key) for h in list(self._handles.values()) if h.weights == weights]
        self._released(copies, "before another copy of its weights loads")

    def unload(self, key: str) -> bool:
        """Drop a model from the registry (sessions using it keep their reference until done)."""
        with self._registry_lock:
            handle = self._handles.pop(key, None)
        self._released([handle] if handle else [], "on request")
        return handle is not None

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

