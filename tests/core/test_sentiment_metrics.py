"""Evaluate's numbers (hflab.sentiment.evaluate.evaluate) equal scikit-learn's on the same predictions: accuracy, the
confusion matrix and every class's precision, recall, F1 and support, including one class only and no rows."""
import warnings

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix

from hflab.sentiment.evaluate import evaluate


def probabilities(predicted: np.ndarray, classes: int, rng: np.random.Generator) -> np.ndarray:
    """Random rows of `classes` probabilities whose argmax is `predicted`."""
    probs = rng.random((len(predicted), classes))
    probs[np.arange(len(predicted)), predicted] += classes  # the predicted class always wins
    return probs / probs.sum(axis=1, keepdims=True)


def cases():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 300)
    yield "random", labels, np.where(rng.random(300) < 0.8, labels, 1 - labels), 2
    yield "one class true, both predicted", np.ones(40, dtype=int), rng.integers(0, 2, 40), 2
    yield "one class true and predicted", np.zeros(25, dtype=int), np.zeros(25, dtype=int), 2
    yield "one class predicted", rng.integers(0, 2, 60), np.ones(60, dtype=int), 2
    yield "all wrong", np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0]), 2
    yield "one row", np.array([1]), np.array([1]), 2
    yield "three classes", rng.integers(0, 3, 90), rng.integers(0, 3, 90), 3


@pytest.mark.parametrize("name,labels,predicted,classes", list(cases()), ids=[c[0] for c in cases()])
def test_every_number_equals_scikit_learn(name, labels, predicted, classes):
    probs = probabilities(predicted, classes, np.random.default_rng(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no undefined-metric warning: zero_division is chosen, not defaulted
        result = evaluate(labels, probs)
    ids = list(range(classes))
    assert result.accuracy == accuracy_score(labels, predicted)
    assert result.confusion.to_numpy().tolist() == confusion_matrix(labels, predicted, labels=ids).tolist()
    assert list(result.confusion.index) == list(result.confusion.columns) == ids
    report = classification_report(labels, predicted, labels=ids, output_dict=True, zero_division=0.0)
    for c in ids:
        row = result.per_class.loc[c]
        assert (row["precision"], row["recall"], row["f1"], row["support"]) == (
            report[str(c)]["precision"], report[str(c)]["recall"], report[str(c)]["f1-score"],
            report[str(c)]["support"])
    assert list(result.per_class.columns) == ["precision", "recall", "f1", "support"]
    assert result.per_class.index.name == "label"
    assert result.calibration["count"].sum() == len(labels)


def test_no_rows_give_zeros_where_scikit_learn_refuses_empty_input():
    empty = np.array([], dtype=int)
    with pytest.raises(ValueError, match="empty"):
        accuracy_score(empty, empty)
    result = evaluate(empty, np.zeros((0, 2)))
    assert result.accuracy == 0.0 and result.ece == 0.0 and result.calibration.empty
    assert result.confusion.to_numpy().tolist() == [[0, 0], [0, 0]]
    assert result.per_class.to_numpy().tolist() == [[0.0, 0.0, 0.0, 0], [0.0, 0.0, 0.0, 0]]
