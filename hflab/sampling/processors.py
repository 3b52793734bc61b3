"""What temperature, top-k, top-p, min-p and repetition penalty do to a next-token distribution.

Everything here runs transformers' own logits processors, built under the same conditions and in
the same order as `GenerationMixin._get_logits_processor` (transformers 5.23):

    RepetitionPenaltyLogitsProcessor   (if repetition_penalty != 1.0, also when greedy)
    TemperatureLogitsWarper            (do_sample and temperature != 1.0)
    TopKLogitsWarper                   (do_sample and top_k != 0)
    TopPLogitsWarper                   (do_sample and top_p < 1.0)
    MinPLogitsWarper                   (do_sample and min_p is not None)

and keeps the scores after each one, over the full vocabulary, so a page can show what each stage
cut. Torch is imported inside functions so that importing this module stays cheap.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from hflab.messages import Message, MessageError

STAGE_RAW = "raw"
# the processors this playground exposes, in the order `generate` appends them
PROCESSOR_ORDER = ("repetition_penalty", "temperature", "top_k", "top_p", "min_p")
PROCESSOR_CLASSES = {
    "repetition_penalty": "RepetitionPenaltyLogitsProcessor",
    "temperature": "TemperatureLogitsWarper",
    "top_k": "TopKLogitsWarper",
    "top_p": "TopPLogitsWarper",
    "min_p": "MinPLogitsWarper",
}
# the generation_config fields the playground sets; everything else stays the model's
SETTING_FIELDS = ("do_sample", "temperature", "top_k", "top_p", "min_p", "repetition_penalty")


class BadLogits(MessageError):
    """The model returned NaN (or no finite score at all): nothing can be sampled from it."""

    def __init__(self):
        super().__init__("sampling.bad_logits")


@dataclass(frozen=True)
class SamplingSettings:
    """The knobs of `model.generate` this playground exposes (min_p None means off)."""

    do_sample: bool = True
    temperature: float = 1.0
    top_k: int = 50
    top_p: float = 1.0
    min_p: float | None = None
    repetition_penalty: float = 1.0

    def generate_kwargs(self) -> dict[str, Any]:
        """The same settings as keyword arguments of `model.generate`."""
        return asdict(self)


def settings_problems(s: SamplingSettings) -> list[Message]:
    """Why these settings cannot run (errors) or what they quietly do (infos), before anything runs."""
    problems: list[Message] = []
    if not math.isfinite(s.repetition_penalty) or s.repetition_penalty <= 0:
        problems.append(Message("sampling.bad.repetition_penalty", {"value": s.repetition_penalty}, "error"))
    if not s.do_sample:
        return problems
    if not math.isfinite(s.temperature) or s.temperature <= 0:
        problems.append(Message("sampling.bad.temperature", {"value": s.temperature}, "error"))
    if s.top_k < 0:
        problems.append(Message("sampling.bad.top_k", {"value": s.top_k}, "error"))
    elif s.top_k == 0:
        problems.append(Message("sampling.info.top_k_zero", level="info"))
    if not math.isfinite(s.top_p) or not 0 <= s.top_p <= 1:
        problems.append(Message("sampling.bad.top_p", {"value": s.top_p}, "error"))
    elif s.top_p == 0:
        problems.append(Message("sampling.info.top_p_zero", level="info"))
    if s.min_p is not None and (not math.isfinite(s.min_p) or not 0 <= s.min_p <= 1):
        problems.append(Message("sampling.bad.min_p", {"value": s.min_p}, "error"))
    return problems


def model_defaults(model) -> SamplingSettings:
    """The model's own generation defaults (transformers' global ones fill the gaps), with sampling on:
    a sampling playground starts sampling, whatever the model's default."""
    base, _ = model._prepare_generation_config(None)
    return SamplingSettings(
        do_sample=True,
        temperature=float(base.temperature or 1.0),
        top_k=int(base.top_k or 0),
        top_p=float(base.top_p if base.top_p is not None else 1.0),
        min_p=float(base.min_p) if base.min_p else None,
        repetition_penalty=float(base.repetition_penalty or 1.0),
    )


def effective_generation_config(model, settings: SamplingSettings):
    """The GenerationConfig `model.generate(**settings)` will run with: the user's values over the
    model's own generation_config over transformers' global defaults (generate's own merge)."""
    config, _ = model._prepare_generation_config(None, **settings.generate_kwargs())
    return config


def config_rows(model, settings: SamplingSettings) -> list[dict[str, Any]]:
    """One row per exposed field: transformers' global default, the model's default, yours, effective."""
    from transformers import GenerationConfig

    global_defaults = GenerationConfig()._get_default_generation_params()
    model_config = model.generation_config.to_dict()
    effective = effective_generation_config(model, settings)
    mine = settings.generate_kwargs()
    return [
        {"field": name, "global": global_defaults.get(name), "model": model_config.get(name),
         "yours": mine[name], "effective": getattr(effective, name)}
        for name in SETTING_FIELDS
    ]


def processor_plan(config) -> list[tuple[str, dict[str, Any]]]:
    """(name, arguments) of the processors `generate` builds for `config`, in its order."""
    plan: list[tuple[str, dict[str, Any]]] = []
    if config.repetition_penalty is not None and config.repetition_penalty != 1.0:
        plan.append(("repetition_penalty", {"penalty": float(config.repetition_penalty)}))
    if config.do_sample:
        if config.temperature is not None and config.temperature != 1.0:
            plan.append(("temperature", {"temperature": float(config.temperature)}))
        if config.top_k is not None and config.top_k != 0:
            plan.append(("top_k", {"top_k": int(config.top_k)}))
        if config.top_p is not None and config.top_p < 1.0:
            plan.append(("top_p", {"top_p": float(config.top_p)}))
        if config.min_p is not None:
            plan.append(("min_p", {"min_p": float(config.min_p)}))
    return plan


def settings_from_plan(plan: Sequence[tuple[str, dict[str, Any]]], do_sample: bool) -> SamplingSettings:
    """The `generate` settings that build exactly `plan` (every processor not in it switched off)."""
    args = {name: kwargs for name, kwargs in plan}
    return SamplingSettings(
        do_sample=do_sample,
        temperature=args.get("temperature", {}).get("temperature", 1.0),
        top_k=args.get("top_k", {}).get("top_k", 0),
        top_p=args.get("top_p", {}).get("top_p", 1.0),
        min_p=args.get("min_p", {}).get("min_p"),
        repetition_penalty=args.get("repetition_penalty", {}).get("penalty", 1.0),
    )


def build_processors(config, temperature_last: bool = False) -> list[tuple[str, Any]]:
    """(name, transformers processor) pairs as `generate` orders them, or with temperature moved
    last (the order of llama.cpp's default sampler chain) when `temperature_last`."""
    import transformers

    plan = processor_plan(config)
    if temperature_last:
        plan = [p for p in plan if p[0] != "temperature"] + [p for p in plan if p[0] == "temperature"]
    return [(name, getattr(transformers, PROCESSOR_CLASSES[name])(**kwargs)) for name, kwargs in plan]


def processor_signature(name: str, kwargs: dict[str, Any]) -> str:
    """'TopKLogitsWarper(top_k=50)': how a processor is constructed, for the page and the code view."""
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"{PROCESSOR_CLASSES[name]}({args})"


@dataclass
class StepView:
    """One next-token distribution, stage by stage, kept small enough to store for every step.

    Arrays over stages are indexed like `stages`; `candidates` are the `top_n` most likely tokens
    after the repetition penalty (the ranking every later stage preserves).
    """

    stages: list[str]
    candidates: np.ndarray  # [N] token ids
    logits: np.ndarray  # [N] raw logits of the candidates
    probs: np.ndarray  # [S, N] probabilities after each stage
    kept: np.ndarray  # [S, N] bool: still sampleable after each stage
    entropy_bits: np.ndarray  # [S]
    survivors: np.ndarray  # [S] tokens left with non-zero probability
    mass_outside: np.ndarray  # [S] probability mass not among the candidates
    top_p_curve: np.ndarray | None  # cumulative probability (by rank) of what top-p receives
    vocab_size: int
    chosen: int | None = None  # the token taken at this step
    chosen_probs: np.ndarray | None = None  # [S] its probability after each stage
    how: str = ""  # "sampled", "greedy" or "picked"

    @property
    def final_probs(self) -> np.ndarray:
        """Candidate probabilities after the last stage: what sampling draws from."""
        return self.probs[-1]


def check_logits(logits) -> None:
    """Raise BadLogits when the scores cannot form a distribution (NaN, or nothing finite)."""
    import torch

    if torch.isnan(logits).any() or not torch.isfinite(logits).any():
        raise BadLogits()


def run_stages(input_ids, logits, processors: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """[(stage, scores)] for the raw logits and after each processor, applied in order ([1, V] each)."""
    check_logits(logits)
    stages = [(STAGE_RAW, logits)]
    scores = logits
    for name, processor in processors:
        scores = processor(input_ids, scores)
        stages.append((name, scores))
    return stages


def summarize(stages: Sequence[tuple[str, Any]], top_n: int = 20, curve_len: int = 200,
              chosen: int | None = None, how: str = "") -> StepView:
    """A StepView of staged scores: the top `top_n` candidates per stage plus whole-vocabulary stats,
    and the probability of the `chosen` token (if any) after every stage."""
    import torch

    names = [name for name, _ in stages]
    reference = stages[1][1] if len(stages) > 1 and names[1] == "repetition_penalty" else stages[0][1]
    vocab = reference.shape[-1]
    n = min(top_n, vocab)
    candidates = torch.topk(reference[0], n).indices
    probs, kept, entropy, survivors, outside, chosen_probs = [], [], [], [], [], []
    curve = None
    previous = None
    for name, scores in stages:
        p = torch.softmax(scores[0], dim=-1)
        cand = p[candidates]
        probs.append(cand)
        kept.append(torch.isfinite(scores[0, candidates]) & (cand > 0))
        entropy.append(torch.special.entr(p).sum() / math.log(2))
        survivors.append((p > 0).sum())
        outside.append(1 - cand.sum())
        if chosen is not None:
            chosen_probs.append(p[chosen])
        if name == "top_p":
            curve = torch.topk(previous, min(curve_len, vocab)).values.cumsum(0)
        previous = p
    to_np = lambda xs: torch.stack(xs).double().cpu().numpy()  # noqa: E731
    return StepView(
        stages=names, candidates=candidates.cpu().numpy(), logits=stages[0][1][0, candidates].double().cpu().numpy(),
        probs=to_np(probs), kept=torch.stack(kept).cpu().numpy(), entropy_bits=to_np(entropy),
        survivors=torch.stack(survivors).cpu().numpy(), mass_outside=np.clip(to_np(outside), 0, 1),
        top_p_curve=None if curve is None else curve.double().cpu().numpy(), vocab_size=int(vocab),
        chosen=None if chosen is None else int(chosen), chosen_probs=to_np(chosen_probs) if chosen_probs else None,
        how=how,
    )


def choose_token(final_scores, do_sample: bool, generator) -> int:
    """What `generate` does with the processed scores: argmax, or torch.multinomial on their softmax."""
    import torch

    if not do_sample:
        return int(torch.argmax(final_scores, dim=-1)[0])
    probs = torch.softmax(final_scores, dim=-1)
    return int(torch.multinomial(probs, num_samples=1, generator=generator)[0, 0])


def next_token_view(input_ids, logits, config, top_n: int = 20, temperature_last: bool = False) -> StepView:
    """The staged distribution for `logits` ([1, V]) after `input_ids` under `config`, summarised."""
    return summarize(run_stages(input_ids, logits, build_processors(config, temperature_last)), top_n)
