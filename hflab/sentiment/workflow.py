"""The Train tab's whole run, callable without Streamlit: the model to train, training, the test split measured as
Evaluate measures it (kept for Evaluate), and an atomic save into a folder of its own, owned by the session that
trained it (hflab.sentiment.checkpoints)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hflab.loading.loaders import load_classifier
from hflab.loading.sources import Source
from hflab.messages import MessageError
from hflab.sentiment import data as sdata
from hflab.sentiment import train
from hflab.sentiment.checkpoints import save_trained, trained_source
from hflab.sentiment.evaluate import Evaluation, EvaluationStore, evaluate, guesses_majority
from hflab.sentiment.plan import approx_token_lengths, rows_within
from hflab.sentiment.predict import predict_proba
from hflab.sentiment.train import TrainConfig, TrainEvent, TrainResult, small_bert


@dataclass(frozen=True)
class ModelToTrain:
    """A model about to be trained, its tokenizer, and the Hub id it was fine-tuned from (None: from scratch)."""

    model: Any
    tokenizer: Any
    base: str | None


@dataclass(frozen=True)
class TrainingOutcome:
    """What a finished run left: the saved folder, its manager key, the training result, the test accuracy, and
    whether the model only guesses the majority class (None without a test split)."""

    path: Path
    model_key: str
    result: TrainResult
    test_evaluation: Evaluation | None

    @property
    def test_accuracy(self) -> float | None:
        """Accuracy on the test split (None without one)."""
        return self.test_evaluation.accuracy if self.test_evaluation is not None else None

    @property
    def guesses_majority(self) -> bool:
        """True when the test accuracy is about the share of the most frequent label (hflab.sentiment.evaluate)."""
        return self.test_evaluation is not None and guesses_majority(self.test_evaluation)


def model_to_train(mode: str, role: Source, config: TrainConfig) -> ModelToTrain:
    """A new small BERT ("scratch") or a private copy of the role's model ("finetune": training must never touch the
    copy other sessions predict with); MessageError when there is no tokenizer or the model has not two labels."""
    if mode == "scratch":
        tokenizer = sdata.bert_tokenizer()
        return ModelToTrain(small_bert(tokenizer, config), tokenizer, None)
    fresh = load_classifier(role)
    if fresh.num_labels != 2:
        raise MessageError("sentiment.err.num_labels", n=fresh.num_labels)
    return ModelToTrain(fresh.model, fresh.tokenizer, role.repo_id)


def training_speed(mode: str, role: Source, texts: list[str], config: TrainConfig) -> float | None:
    """Training tokens per second of `mode`'s model on this machine now, from a few timed steps (under whatever load
    the machine has); None when there is no tokenizer or model to time."""
    try:
        prepared = model_to_train(mode, role, config)
        return train.measure_tokens_per_s(prepared.model, prepared.tokenizer, texts, config)
    except (MessageError, OSError, ValueError):  # no tokenizer or model: no estimate, fixed defaults stay
        return None


def quick_rows(reviews: sdata.ReviewData, config: TrainConfig, tokens_per_s: float | None, most: int) -> int:
    """Rows of the one-click training: as many as fit its time limit at the speed measured just now (at most
    `most`), so a busy machine trains on fewer reviews to the end instead of stopping mid-epoch."""
    train_split, val_split = reviews.splits.get("train"), reviews.splits.get("validation")
    if tokens_per_s is None or train_split is None or val_split is None or config.time_limit_s is None:
        return most
    lengths = approx_token_lengths(list(train_split["text"].iloc[:most]))
    return rows_within(lengths, approx_token_lengths(list(val_split["text"])), config.max_length, config.epochs,
                       tokens_per_s, config.time_limit_s * train.REPLAN_SHARE)


def run_training(reviews: sdata.ReviewData, rows: int, config: TrainConfig, mode: str, role: Source,
                 evaluations: EvaluationStore, *, owner: str | None,
                 on_event: Callable[[TrainEvent], None] | None = None,
                 on_stage: Callable[[str], None] | None = None,
                 stop: threading.Event | None = None) -> TrainingOutcome:
    """Train `mode`'s model on the first `rows` training reviews (validating on the validation split), measure the
    test split and save it as a new model of `owner`'s session (None: shared, as a script's). A missing or empty split
    raises DataError before any model loads; `on_stage` hears "loading", "tokenizing" and "testing" as they start;
    `stop` (set from another thread) ends training after the current step, keeping the best validated weights."""
    train_part = sdata.require_rows(reviews, "train").iloc[:rows]
    val_part = sdata.require_rows(reviews, "validation")
    if on_stage is not None:
        on_stage("loading")
    prepared = model_to_train(mode, role, config)
    model, tokenizer = prepared.model, prepared.tokenizer
    if on_stage is not None:
        on_stage("tokenizing")  # the loop tokenizes its rows before the first step
    result = train.train_classifier(model, tokenizer, list(train_part["text"]), list(train_part["label"]),
                                    list(val_part["text"]), list(val_part["label"]), config, on_event=on_event,
                                    stop=stop)
    return measure_and_save(reviews, prepared, result, config, mode, len(train_part), evaluations, owner=owner,
                            on_stage=on_stage)


def measure_and_save(reviews: sdata.ReviewData, prepared: ModelToTrain, result: TrainResult, config: TrainConfig,
                     kind: str, train_rows: int, evaluations: EvaluationStore, *, owner: str | None,
                     on_stage: Callable[[str], None] | None = None) -> TrainingOutcome:
    """After either recipe trained `prepared`: measure the test split as Evaluate measures it (so Evaluate reuses
    it) and save it atomically as `kind`, a new model of `owner`'s session (a new folder: nothing loaded or measured
    before goes stale)."""
    model, tokenizer = result.model, prepared.tokenizer
    test = reviews.splits.get("test")
    tested = None
    if test is not None and len(test):
        if on_stage is not None:
            on_stage("testing")
        probs = predict_proba(model, tokenizer, list(test["text"]))
        tested = (evaluate(test["label"], probs), probs)
    evaluation = tested[0] if tested else None
    path = save_trained(model, tokenizer, config, result, evaluation.accuracy if evaluation else None, reviews,
                        kind=kind, base=prepared.base, train_rows=train_rows, test_evaluation=evaluation, owner=owner)
    key = trained_source(path).cache_key
    if tested:
        evaluations.put((key, reviews.fingerprint, "test"), *tested)
    return TrainingOutcome(path, key, result, evaluation)


class TrainingJob:
    """A run on a thread of its own, so the page keeps drawing while it trains and a stop button can reach it (a
    click reruns the page script, which would otherwise end a run inside it without saving anything).

    `run(on_event, on_stage, stop)` is the run, e.g. `lambda on_event, on_stage, stop: run_trainer_training(...,
    on_event=on_event, on_stage=on_stage, stop=stop)`; the job keeps its events and its latest stage for the page to
    draw, its result or error once done, and `request_stop()` sets `stop`. Nothing here touches Streamlit: the thread
    has no page to draw on."""

    def __init__(self, run: Callable[[Callable[[TrainEvent], None], Callable[[str], None], threading.Event], Any],
                 clock: Callable[[], float] = time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._events: list[TrainEvent] = []
        self._first_step: tuple[int, float] | None = None  # (step, time) of the first event: the rate excludes loading
        self.stage: str | None = None  # the latest stage the run announced ("loading", "tokenizing", "testing")
        self.stop_requested = threading.Event()
        self.result: Any = None
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._work, args=(run,), name="hflab-training", daemon=True)
        self._thread.start()

    def _work(self, run) -> None:
        try:
            self.result = run(self._record, self._enter, self.stop_requested)
        except Exception as exc:  # kept for the page to show: a thread's exception would only reach the server log
            self.error = exc

    def _record(self, event: TrainEvent) -> None:
        with self._lock:
            self._events.append(event)
            if self._first_step is None:
                self._first_step = (event.step, self._clock())

    def seconds_left(self) -> float | None:
        """Seconds until the planned last step at the rate measured since the first event (None before two steps);
        a re-planned run's shorter total is in its latest event."""
        with self._lock:
            if self._first_step is None or not self._events:
                return None
            latest, (first_step, started) = self._events[-1], self._first_step
        done = latest.step - first_step
        if done <= 0:
            return None
        return max(0.0, (latest.total_steps - latest.step) * (self._clock() - started) / done)

    def _enter(self, stage: str) -> None:
        self.stage = stage

    def events(self) -> list[TrainEvent]:
        """Every event so far, oldest first (a copy: the run goes on adding)."""
        with self._lock:
            return list(self._events)

    def request_stop(self) -> None:
        """Ask the run to stop after its current step (it validates, keeps the best checkpoint and saves)."""
        self.stop_requested.set()

    @property
    def done(self) -> bool:
        """True once the run returned or raised."""
        return not self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends or `timeout` seconds pass; True when it has ended."""
        self._thread.join(timeout)
        return self.done
