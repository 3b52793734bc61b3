"""The Train tab's whole run, callable without Streamlit: the model to train, training, the test split measured as
Evaluate measures it, an atomic save, and what the new files make stale (the loaded copy, its evaluations)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hflab.loading.loaders import load_classifier
from hflab.loading.manager import ModelManager
from hflab.loading.sources import Source
from hflab.messages import MessageError
from hflab.sentiment import data as sdata
from hflab.sentiment import train
from hflab.sentiment.checkpoints import save_trained, trained_source
from hflab.sentiment.evaluate import EvaluationStore, evaluate
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
    """What a finished run left: the saved folder, its manager key, the training result and the test accuracy."""

    path: Path
    model_key: str
    result: TrainResult
    test_accuracy: float | None


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


def run_training(reviews: sdata.ReviewData, rows: int, config: TrainConfig, mode: str, role: Source,
                 evaluations: EvaluationStore, manager: ModelManager,
                 on_event: Callable[[TrainEvent], None] | None = None,
                 on_stage: Callable[[str], None] | None = None) -> TrainingOutcome:
    """Train `mode`'s model on the first `rows` training reviews (validating on the validation split), measure the
    test split, save atomically, unload the replaced model and forget its evaluations. A missing or empty split
    raises DataError before any model loads; `on_stage` hears "loading" and "testing" as they start."""
    train_part = sdata.require_rows(reviews, "train").iloc[:rows]
    val_part = sdata.require_rows(reviews, "validation")
    if on_stage is not None:
        on_stage("loading")
    prepared = model_to_train(mode, role, config)
    model, tokenizer = prepared.model, prepared.tokenizer
    result = train.train_classifier(model, tokenizer, list(train_part["text"]), list(train_part["label"]),
                                    list(val_part["text"]), list(val_part["label"]), config, on_event=on_event)
    test = reviews.splits.get("test")
    tested = None
    if test is not None and len(test):
        if on_stage is not None:
            on_stage("testing")
        probs = predict_proba(model, tokenizer, list(test["text"]))  # as Evaluate measures it, so Evaluate reuses it
        tested = (evaluate(test["label"], probs), probs)
    test_accuracy = tested[0].accuracy if tested else None
    path = save_trained(model, tokenizer, config, result, test_accuracy, reviews, kind=mode, base=prepared.base,
                        train_rows=len(train_part))
    key = trained_source(path).cache_key
    manager.unload(key)  # a retrained model replaces the loaded copy and its cached evaluations
    evaluations.forget_model(key)
    if tested:
        evaluations.put((key, reviews.fingerprint, "test"), *tested)
    return TrainingOutcome(path, key, result, test_accuracy)
