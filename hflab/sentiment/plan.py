"""Training settings that fit the data and the machine (issue 18.7): from a measured training speed
(tokens per second over a few timed steps) estimate how long a run takes, and pick the sample count,
max_length and epochs that fit a time budget of a few minutes."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_BUDGET_S = 240.0  # what the default run aims at: under the 5-minute default time limit
DEFAULT_TIME_LIMIT_MIN = 5
EVAL_SPEEDUP = 3.0  # a validation forward pass costs about a third of a training step per token
EVALS_PER_RUN = 6  # validations spread over the run (every N steps)
MIN_ROWS = 500
# (max_length, epochs), the best first: longer reviews and more epochs while they fit the budget
CANDIDATES = ((256, 3), (128, 3), (128, 2), (128, 1), (64, 1))


@dataclass(frozen=True)
class TrainPlan:
    """Settings chosen to fit the budget, and the time they are estimated to take."""

    rows: int
    max_length: int
    epochs: int
    estimated_s: float


def approx_token_lengths(texts: Sequence[str]) -> list[int]:
    """Token lengths without tokenizing: bert-base-chinese splits Chinese into characters, plus [CLS] and [SEP]."""
    return [len(text) + 2 for text in texts]


def tokens(lengths: Sequence[int], max_length: int) -> int:
    """Tokens a pass over reviews of token `lengths` processes at `max_length` (dynamic padding ignored)."""
    return sum(min(n, max_length) for n in lengths)


def eval_every(rows: int, batch_size: int, epochs: int) -> int:
    """Validate every N training steps, so a run has about EVALS_PER_RUN validations."""
    return max(1, math.ceil(rows / batch_size) * epochs // EVALS_PER_RUN)


def estimate_seconds(train_lengths: Sequence[int], val_lengths: Sequence[int], max_length: int, epochs: int,
                     tokens_per_s: float) -> float:
    """Seconds for `epochs` over `train_lengths` plus the validations, at the measured `tokens_per_s`."""
    train = epochs * tokens(train_lengths, max_length) / tokens_per_s
    validation = EVALS_PER_RUN * tokens(val_lengths, max_length) / (tokens_per_s * EVAL_SPEEDUP)
    return train + validation


def plan_training(train_lengths: Sequence[int], val_lengths: Sequence[int], tokens_per_s: float,
                  budget_s: float = DEFAULT_BUDGET_S) -> TrainPlan:
    """The first of CANDIDATES that trains on every review within `budget_s`; else one epoch at 128 tokens on
    as many reviews as fit (at least MIN_ROWS, or all when there are fewer)."""
    if tokens_per_s <= 0:
        raise ValueError("tokens_per_s must be positive")
    for max_length, epochs in CANDIDATES:
        seconds = estimate_seconds(train_lengths, val_lengths, max_length, epochs, tokens_per_s)
        if seconds <= budget_s:
            return TrainPlan(len(train_lengths), max_length, epochs, seconds)
    max_length, epochs = 128, 1
    rows = rows_within(train_lengths, val_lengths, max_length, epochs, tokens_per_s, budget_s)
    return TrainPlan(rows, max_length, epochs,
                     estimate_seconds(train_lengths[:rows], val_lengths, max_length, epochs, tokens_per_s))


def rows_within(train_lengths: Sequence[int], val_lengths: Sequence[int], max_length: int, epochs: int,
                tokens_per_s: float, budget_s: float) -> int:
    """How many of the training reviews `epochs` epochs at `max_length` get through in `budget_s` at the measured
    `tokens_per_s`, validations included (at least MIN_ROWS, or all when there are fewer)."""
    validation = estimate_seconds([], val_lengths, max_length, 0, tokens_per_s)
    per_row = max(1e-9, epochs * tokens(train_lengths, max_length) / max(1, len(train_lengths)) / tokens_per_s)
    return min(len(train_lengths), max(MIN_ROWS, int((budget_s - validation) / per_row)))


def planned_config(plan: TrainPlan, base):
    """`base` (a TrainConfig) with the plan's epochs and max_length, the default time limit and validation
    every N steps: the settings the Train tab starts with."""
    from dataclasses import replace

    return replace(base, epochs=plan.epochs, max_length=plan.max_length, time_limit_s=DEFAULT_TIME_LIMIT_MIN * 60.0,
                   eval_every=eval_every(plan.rows, base.batch_size, plan.epochs))
