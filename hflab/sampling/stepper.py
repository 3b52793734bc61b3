"""Step-by-step generation that reuses the KV cache and draws exactly what `model.generate` draws.

`generate` (greedy or multinomial sampling, transformers 5.23) runs the prompt once, then feeds one
token at a time with `past_key_values`, asks for the last position's logits only
(`logits_to_keep=1`), applies its logits processors and calls `torch.multinomial(softmax(scores), 1)`
on the global generator. `Stepper` does the same calls in the same order with its own
`torch.Generator` seeded like `torch.manual_seed(seed)`, so a run of sampled steps equals
`torch.manual_seed(seed); model.generate(...)` token for token, while keeping every step's
distribution for display, allowing hand-picked tokens (branches) and undo.

The stepper holds no model reference (sessions keep it in their state; the model manager may
unload the model): every call takes the model, and the caller holds the model's lock.
"""
from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hflab.messages import MessageError
from hflab.sampling.processors import (
    SamplingSettings,
    StepView,
    build_processors,
    check_logits,
    choose_token,
    processor_plan,
    run_stages,
    summarize,
)


class ContextFull(MessageError):
    """The context reached the model's maximum number of positions (message `sampling.context_full`)."""

    def __init__(self, limit: int):
        super().__init__("sampling.context_full", limit=limit)


def eos_ids(config) -> set[int]:
    """The end-of-sequence ids of a generation config (int, list or None)."""
    eos = config.eos_token_id
    if eos is None:
        return set()
    return {int(e) for e in (eos if isinstance(eos, (list, tuple)) else [eos])}


def max_positions(model) -> int | None:
    """How many positions the model can attend to (None when its config does not say)."""
    return getattr(model.config.get_text_config(), "max_position_embeddings", None)


def last_logits_only(model) -> dict[str, Any]:
    # like generate: ask only for the last position's logits when the model supports it
    return {"logits_to_keep": 1} if "logits_to_keep" in inspect.signature(model.forward).parameters else {}


@dataclass
class Step:
    """One generated token with the distribution it came from."""

    token: int
    view: StepView
    plan: list  # the processors (name, kwargs) in effect
    do_sample: bool
    rng_before: Any  # generator state before this step (restored by undo)


def joint_probability(steps: Sequence[Step], first: int, last: int) -> float:
    """Probability (final stage) of taking steps `first`..`last` in a row: the product of each chosen token's,
    e.g. the byte-level tokens that together make one character."""
    return float(np.prod([step.view.chosen_probs[-1] for step in steps[first:last + 1]]))


@dataclass
class Stepper:
    """A prompt, the tokens generated after it, the KV cache of all of them and the seeded generator."""

    prompt_ids: list[int]
    seed: int
    device: str
    ids: list[int] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    cache: Any = None
    generator: Any = None
    next_logits: Any = None  # [1, V] float32 logits for the token after `ids`
    prompt_logits: Any = None

    @classmethod
    def start(cls, model, prompt_ids: list[int], seed: int) -> Stepper:
        """Run the prompt once (the prefill) and seed the generator."""
        from hflab.runtime.rng import seeded_generator

        if not prompt_ids:
            raise ValueError("empty prompt")
        limit = max_positions(model)
        if limit is not None and len(prompt_ids) >= limit:
            raise ContextFull(limit)
        stepper = cls(list(prompt_ids), int(seed), str(model.device))
        stepper.generator = seeded_generator(seed, model.device)
        stepper.reset(model)
        return stepper

    def _feed(self, model, new_ids: list[int]):
        import torch

        with torch.no_grad():
            out = model(input_ids=torch.tensor([new_ids], device=model.device), past_key_values=self.cache,
                        use_cache=True, **last_logits_only(model))
        self.cache = out.past_key_values
        logits = out.logits[:, -1].to(copy=True, dtype=torch.float32)
        return logits

    def _crop_to(self, length: int) -> None:
        # transformers 5 crops by a negative count of tokens to remove
        extra = self.cache.get_seq_length() - length
        if extra > 0:
            self.cache.crop(-extra)

    def reset(self, model) -> None:
        """Back to the bare prompt, generator reseeded."""
        from transformers import DynamicCache

        self.ids = list(self.prompt_ids)
        self.steps = []
        self.generator.manual_seed(self.seed)
        if self.prompt_logits is None:
            self.cache = DynamicCache(config=model.config)
            self.prompt_logits = self._feed(model, self.prompt_ids)
        else:
            self._crop_to(len(self.prompt_ids))
        self.next_logits = self.prompt_logits

    @property
    def generated(self) -> list[int]:
        """The token ids after the prompt."""
        return self.ids[len(self.prompt_ids):]

    def input_ids(self):
        """The current context as a [1, L] tensor (what the processors see)."""
        import torch

        return torch.tensor([self.ids], device=self.next_logits.device)

    def view(self, config, top_n: int = 20, temperature_last: bool = False) -> StepView:
        """The staged distribution of the next token (nothing is drawn)."""
        stages = run_stages(self.input_ids(), self.next_logits, build_processors(config, temperature_last))
        return summarize(stages, top_n)

    def prompt_view(self, config, top_n: int = 20) -> StepView:
        """The staged distribution of the first token after the bare prompt."""
        import torch

        ids = torch.tensor([self.prompt_ids], device=self.prompt_logits.device)
        return summarize(run_stages(ids, self.prompt_logits, build_processors(config)), top_n)

    def finished(self, model, config) -> bool:
        """True once the last token was an end-of-sequence token or the context is full."""
        limit = max_positions(model)
        ended = bool(self.steps) and self.steps[-1].token in eos_ids(config)
        return ended or (limit is not None and len(self.ids) >= limit)

    def step(self, model, config, top_n: int = 20, pick: int | None = None) -> Step:
        """Take one token: `pick` if given (a branch), else generate's choice (argmax or a seeded draw)."""
        limit = max_positions(model)
        if limit is not None and len(self.ids) >= limit:
            raise ContextFull(limit)
        check_logits(self.next_logits)
        stages = run_stages(self.input_ids(), self.next_logits, build_processors(config))
        rng_before = self.generator.get_state()
        if pick is not None:
            token, how = int(pick), "picked"
        else:
            token = choose_token(stages[-1][1], config.do_sample, self.generator)
            how = "sampled" if config.do_sample else "greedy"
        view = summarize(stages, top_n, chosen=token, how=how)
        step = Step(token, view, processor_plan(config), bool(config.do_sample), rng_before)
        self.steps.append(step)
        self.ids.append(token)
        self.next_logits = self._feed(model, [token])
        return step

    def run(self, model, config, n: int, top_n: int = 20) -> list[Step]:
        """Up to `n` steps with generate's choices, stopping at end-of-sequence or a full context."""
        taken = []
        for _ in range(n):
            if self.finished(model, config):
                break
            taken.append(self.step(model, config, top_n))
        return taken

    def undo(self, model) -> None:
        """Drop the last token: crop the cache, recompute the logits that predicted it, restore the RNG."""
        if not self.steps:
            return
        step = self.steps.pop()
        self.ids.pop()
        self.generator.set_state(step.rng_before)
        if len(self.ids) == len(self.prompt_ids):
            self._crop_to(len(self.prompt_ids))
            self.next_logits = self.prompt_logits
        else:
            # the same one-token forward over the same cached keys gives the very same logits
            self._crop_to(len(self.ids) - 1)
            self.next_logits = self._feed(model, [self.ids[-1]])

    def reproducible_by_generate(self) -> bool:
        """True when every step was generate's own choice under one unchanged set of settings."""
        return all(s.view.how != "picked" and s.plan == self.steps[0].plan and s.do_sample == self.steps[0].do_sample
                   for s in self.steps)


def generate_tokens(model, prompt_ids: list[int], settings: SamplingSettings, seed: int, n: int) -> list[int]:
    """What `torch.manual_seed(seed); model.generate(prompt, max_new_tokens=n, **settings)` returns after the
    prompt (drawn from a generator of its own, so other sessions' draws cannot change it): the oracle the page
    checks its steps against."""
    import torch

    from hflab.runtime.rng import seeded_generate

    with seeded_generate(seed, model.device) as own:
        out = model.generate(torch.tensor([prompt_ids], device=model.device), max_new_tokens=int(n), **own,
                             **settings.generate_kwargs())
    return out[0, len(prompt_ids):].tolist()


def sample_many(model, prompt_ids: list[int], config, k: int, n_tokens: int, seed: int):
    """K continuations of `n_tokens` each, drawn like `torch.manual_seed(seed); model.generate(prompt
    repeated K times)`: one batched run, finished rows padded. Returns a [K, <=n_tokens] LongTensor."""
    import torch
    from transformers import DynamicCache

    from hflab.runtime.rng import seeded_generator

    generator = seeded_generator(seed, model.device)
    input_ids = torch.tensor([prompt_ids] * k, device=model.device)
    processors = [p for _, p in build_processors(config)]
    stop = torch.tensor(sorted(eos_ids(config)), device=model.device, dtype=torch.long)
    pad = config.pad_token_id if config.pad_token_id is not None else (int(stop[0]) if len(stop) else 0)
    unfinished = torch.ones(k, dtype=torch.long, device=model.device)
    cache, feed = DynamicCache(config=model.config), input_ids
    with torch.no_grad():
        for _ in range(n_tokens):
            out = model(input_ids=feed, past_key_values=cache, use_cache=True, **last_logits_only(model))
            cache = out.past_key_values
            scores = out.logits[:, -1].to(copy=True, dtype=torch.float32)
            check_logits(scores)
            for processor in processors:
                scores = processor(input_ids, scores)
            if config.do_sample:
                tokens = torch.multinomial(torch.softmax(scores, -1), num_samples=1, generator=generator).squeeze(1)
            else:
                tokens = torch.argmax(scores, dim=-1)
            tokens = tokens * unfinished + pad * (1 - unfinished)
            input_ids = torch.cat([input_ids, tokens[:, None]], dim=-1)
            if len(stop):
                unfinished = unfinished & ~torch.isin(tokens, stop)
            if not unfinished.any():
                break
            feed = tokens[:, None]
    return input_ids[:, len(prompt_ids):]
