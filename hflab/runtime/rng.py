"""One seed, one result, whatever else runs: a seeded run draws from a torch.Generator of its own.

`torch.manual_seed(seed)` seeds torch's one process-wide generator, which every thread draws from: two learners
whose runs interleave take each other's numbers, so neither gets what the same seed gives alone. `DrawsFrom` is a
TorchDispatchMode (a hook on every aten op, kept per thread): a random op this thread runs inside it with no
generator of its own gets the run's generator. A generator seeded with `seed` draws what `torch.manual_seed(seed)`
makes the global one draw, so a run inside it gives what the same run after `torch.manual_seed(seed)` gives alone.

The hook costs about 10 µs per op on a 2-core machine, so it wraps only what draws: a training step's forward pass
(dropout), a model's weight initialisation, and in `generate` only the token choice. transformers 5.23's `generate`
takes no generator and samples with `torch.multinomial` on the global one, right after its logits processors and
right before its stopping criteria: `seeded_generate` adds a processor that opens the hook there and a criterion
that closes it."""
from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from transformers import LogitsProcessor, LogitsProcessorList, StoppingCriteria, StoppingCriteriaList


def seeded_generator(seed: int, device="cpu") -> torch.Generator:
    """A generator of one run's own, drawing what `torch.manual_seed(seed)` makes the global one draw."""
    return torch.Generator(device=device).manual_seed(int(seed))


@functools.cache
def _seeded_overload(op):
    """For an op that draws random numbers: `op` if it takes a generator, else its overload that does
    (rand.default -> rand.generator); None for an op that draws nothing or has no such overload."""
    if torch.Tag.nondeterministic_seeded not in op.tags:
        return None
    if any(argument.name == "generator" for argument in op._schema.arguments):
        return op
    name = op._overloadname
    return getattr(op.overloadpacket, "generator" if name == "default" else f"{name}_generator", None)


class DrawsFrom(TorchDispatchMode):
    """Inside `with DrawsFrom(generator):` every random op this thread runs without a generator draws from
    `generator`; other threads are untouched. A kernel with no generator argument at all (fused attention or dropout
    on a GPU; on the CPU they fall back to ops that take one) still draws from the device's global generator."""

    def __init__(self, generator: torch.Generator):
        super().__init__()
        self.generator = generator

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        seeded = _seeded_overload(func)
        if seeded is not None and kwargs.get("generator") is None:
            func, kwargs = seeded, {**kwargs, "generator": self.generator}
        return func(*args, **kwargs)


class _TokenChoice:
    """The hook around one `generate` call's token choices: opened before its draw, closed after it."""

    def __init__(self, generator: torch.Generator):
        self.mode = DrawsFrom(generator)
        self.is_open = False

    def open(self) -> None:
        if not self.is_open:
            self.mode.__enter__()
            self.is_open = True

    def close(self) -> None:
        if self.is_open:
            self.mode.__exit__(None, None, None)
            self.is_open = False


class _OpensTokenChoice(LogitsProcessor):
    """Runs after generate's other processors (its warpers come later but draw nothing), before the draw."""

    def __init__(self, choice: _TokenChoice):
        self.choice = choice

    def __call__(self, input_ids, scores):
        self.choice.open()
        return scores


class _ClosesTokenChoice(StoppingCriteria):
    """Runs right after the draw; never stops generation itself."""

    def __init__(self, choice: _TokenChoice):
        self.choice = choice

    def __call__(self, input_ids, scores, **kwargs):
        self.choice.close()
        return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)


@contextmanager
def seeded_generate(seed: int, device="cpu", stopping_criteria: Sequence = ()) -> Iterator[dict]:
    """Keyword arguments for one `model.generate` call inside this block (`logits_processor`, and
    `stopping_criteria` with the given ones first) that make it draw its tokens from a generator of its own seeded with
    `seed`: the tokens of `torch.manual_seed(seed); model.generate(...)` alone, whatever other threads draw."""
    choice = _TokenChoice(seeded_generator(seed, device))
    try:
        yield {"logits_processor": LogitsProcessorList([_OpensTokenChoice(choice)]),
               "stopping_criteria": StoppingCriteriaList([*stopping_criteria, _ClosesTokenChoice(choice)])}
    finally:
        choice.close()  # generate raised between a draw's two hooks
