"""Interleaved timing rounds shared by every benchmark: the same warm-up for every path, paths alternating in
every round (the starting path rotates, so machine load and cache state hit all alike), each round's output
asserted equal to that path's first output, and the median and range of the rounds as the result."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def _equal(a: Any, b: Any) -> bool:
    """Default identity check: torch tensors by torch.equal, numpy arrays by array_equal, else ==."""
    if type(a).__module__.startswith("torch"):
        import torch

        return torch.equal(a, b)
    if type(a).__module__.startswith("numpy"):
        import numpy as np

        return bool(np.array_equal(a, b))
    return a == b


@dataclass
class Timing:
    """Seconds of every round of one path (and any per-round extra numbers, e.g. tokens/s)."""

    name: str
    seconds: list[float] = field(default_factory=list)
    extras: dict[str, list[float]] = field(default_factory=dict)
    cpu: list[float] = field(default_factory=list)  # this process's CPU seconds of every round (load aside)

    @property
    def median(self) -> float:
        """Median seconds over the rounds."""
        return statistics.median(self.seconds)

    @property
    def low(self) -> float:
        """Fastest round."""
        return min(self.seconds)

    @property
    def high(self) -> float:
        """Slowest round."""
        return max(self.seconds)

    def rate(self, amount: float) -> tuple[float, float, float]:
        """(median, low, high) of `amount` per second over the rounds, e.g. tokens/s."""
        rates = [amount / s for s in self.seconds]
        return statistics.median(rates), min(rates), max(rates)

    def text(self, digits: int = 3) -> str:
        """'median s (low-high)'."""
        return f"{self.median:.{digits}f} s ({self.low:.{digits}f}-{self.high:.{digits}f})"


class OutputChanged(AssertionError):
    """A path's output in some round differs from its first output (or from the path it must agree with)."""


def interleave(paths: dict[str, Callable[[], Any]], rounds: int = 5, warmup: int = 1,
               same: Callable[[Any, Any], bool] = _equal, agree: tuple[tuple[str, str], ...] = ()) -> dict[str, Timing]:
    """Time every path in `paths` for `rounds` interleaved rounds after `warmup` untimed calls each.

    Every round's output must equal the path's warm-up output under `same`; each pair in `agree` names two paths
    whose outputs must also be `same` as each other (checked every round). A mismatch raises OutputChanged.
    A path may return `(output, extras)` with extras a dict of numbers to keep per round by wrapping it with
    `with_extras`.
    """
    names = list(paths)
    first: dict[str, Any] = {}
    for name in names:
        for _ in range(max(warmup, 1)):
            first[name] = _unwrap(paths[name]())[0]
    _check_agree(first, agree, "warm-up", same)
    timings = {name: Timing(name) for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        outputs = {}
        for name in order:
            start, cpu_start = time.perf_counter(), time.process_time()
            out, extras = _unwrap(paths[name]())
            timings[name].seconds.append(time.perf_counter() - start)
            timings[name].cpu.append(time.process_time() - cpu_start)
            for key, value in extras.items():
                timings[name].extras.setdefault(key, []).append(value)
            if not same(out, first[name]):
                raise OutputChanged(f"{name}: round {r + 1}'s output differs from the warm-up's")
            outputs[name] = out
        _check_agree(outputs, agree, f"round {r + 1}", same)
    return timings


class with_extras:  # noqa: N801 - used like a tag around a path's return value
    """Wrap a path's return value as `with_extras(output, tokens=…, ttft=…)` to keep per-round numbers."""

    def __init__(self, output: Any, **extras: float):
        self.output, self.extras = output, extras


def _unwrap(value: Any) -> tuple[Any, dict[str, float]]:
    if isinstance(value, with_extras):
        return value.output, value.extras
    return value, {}


def _check_agree(outputs: dict[str, Any], agree: tuple[tuple[str, str], ...], when: str,
                 same: Callable[[Any, Any], bool]) -> None:
    for a, b in agree:
        if not same(outputs[a], outputs[b]):
            raise OutputChanged(f"{when}: {a} and {b} gave different outputs")


def ratio(a: Timing, b: Timing) -> tuple[float, float, float]:
    """(median, low, high) of a's seconds / b's seconds, round by round (the rounds are paired by interleaving)."""
    ratios = [x / y for x, y in zip(a.seconds, b.seconds)]
    return statistics.median(ratios), min(ratios), max(ratios)


def spread(values: list[float], digits: int = 2) -> str:
    """'median (low-high)' of any per-round numbers."""
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"
