"""Evaluation from labels and predicted probabilities: accuracy, per-class P/R/F1, confusion matrix,
calibration, and the misclassified reviews sorted by confidence."""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

# published reference (../shared/data/README.md, ymcui/Chinese-BERT-wwm): BERT-base test accuracy
REFERENCE_BAND = (0.947, 0.950)  # mean and max over 10 runs
MAJORITY_MARGIN = 0.02  # an accuracy this close to "always the most frequent label" has learned nothing useful


@dataclass
class Evaluation:
    accuracy: float
    per_class: pd.DataFrame  # index label; precision, recall, f1, support
    confusion: pd.DataFrame  # rows true label, columns predicted label
    calibration: pd.DataFrame  # bin, count, confidence, accuracy
    ece: float  # expected calibration error


def evaluate(labels, probs: np.ndarray, bins: int = 10) -> Evaluation:
    """All metrics for true `labels` (0/1) and `probs` (n x 2). Accuracy, per-class precision / recall / F1 and the
    confusion matrix are scikit-learn's (a class never predicted has precision 0, never present recall 0); no rows
    give zero counts and scores, where scikit-learn refuses empty input."""
    y = np.asarray(labels, dtype=np.int64)
    pred = probs.argmax(axis=1)
    classes = list(range(probs.shape[1]))
    if len(y):
        from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

        matrix = confusion_matrix(y, pred, labels=classes)
        precision, recall, f1, support = precision_recall_fscore_support(y, pred, labels=classes, zero_division=0.0)
        accuracy = float(accuracy_score(y, pred))
    else:
        matrix = np.zeros((len(classes), len(classes)), dtype=np.int64)
        precision = recall = f1 = np.zeros(len(classes))
        support, accuracy = np.zeros(len(classes), dtype=np.int64), 0.0
    confusion = pd.DataFrame(matrix, index=classes, columns=classes)
    per_class = pd.DataFrame({"precision": precision, "recall": recall, "f1": f1, "support": support.astype(int)},
                             index=pd.Index(classes, name="label"))
    confidence = probs.max(axis=1)
    correct = pred == y
    edges = np.linspace(0.5 if probs.shape[1] == 2 else 0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    calib = []
    for b in range(bins):
        m = which == b
        if m.any():
            calib.append({"bin": f"{edges[b]:.2f}-{edges[b + 1]:.2f}", "count": int(m.sum()),
                          "confidence": float(confidence[m].mean()), "accuracy": float(correct[m].mean())})
    calibration = pd.DataFrame(calib, columns=["bin", "count", "confidence", "accuracy"])
    ece = float(
        (calibration["count"] * (calibration["confidence"] - calibration["accuracy"]).abs()).sum() / max(1, len(y))
    )
    return Evaluation(accuracy, per_class, confusion, calibration, ece)


def predictions_frame(df: pd.DataFrame, probs: np.ndarray) -> pd.DataFrame:
    """The rows with predicted label, confidence and both probabilities."""
    out = df[["text"] + (["label"] if "label" in df else [])].copy()
    out["predicted"] = probs.argmax(axis=1)
    out["confidence"] = probs.max(axis=1)
    for c in range(probs.shape[1]):
        out[f"p{c}"] = probs[:, c]
    return out


def misclassified(df: pd.DataFrame, probs: np.ndarray) -> pd.DataFrame:
    """Wrongly predicted rows, the most confidently wrong first."""
    out = predictions_frame(df, probs)
    return out[out["predicted"] != out["label"]].sort_values("confidence", ascending=False)


def majority_share(evaluation: Evaluation) -> float:
    """The accuracy of always answering the most frequent true label (0 for no rows)."""
    total = int(evaluation.confusion.to_numpy().sum())
    return float(evaluation.confusion.sum(axis=1).max()) / total if total else 0.0


def majority_label(evaluation: Evaluation) -> int:
    """The most frequent true label."""
    return int(evaluation.confusion.sum(axis=1).idxmax())


def guesses_majority(evaluation: Evaluation, margin: float = MAJORITY_MARGIN) -> bool:
    """True when the accuracy is within `margin` of always answering the most frequent label: the model (mostly)
    guesses the majority class, whatever its accuracy looks like."""
    total = int(evaluation.confusion.to_numpy().sum())
    return bool(total) and evaluation.accuracy <= majority_share(evaluation) + margin


class EvaluationStore:
    """(model key, data fingerprint, split) -> (Evaluation, probabilities), shared by every session of the server so
    each is measured once; every read and write takes one lock (sessions evaluate and train at the same time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple, tuple[Evaluation, np.ndarray]] = {}

    def get(self, key: tuple) -> tuple[Evaluation, np.ndarray] | None:
        """The stored evaluation of `key`, or None."""
        with self._lock:
            return self._items.get(key)

    def put(self, key: tuple, evaluation: Evaluation, probs: np.ndarray) -> None:
        """Store (or replace) the evaluation of `key`."""
        with self._lock:
            self._items[key] = (evaluation, probs)
