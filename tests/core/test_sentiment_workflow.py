"""The Train tab's run without Streamlit (hflab.sentiment.workflow): train, test, save, and what the new files make
stale; the evaluation store shared by sessions under its lock."""
import threading

import numpy as np
import pytest

from hflab.loading.files import read_meta
from hflab.loading.loaders import load_classifier
from hflab.loading.manager import ModelManager
from hflab.loading.sources import resolve
from hflab.messages import MessageError
from hflab.sentiment import data as sdata
from hflab.sentiment.checkpoints import trained_source
from hflab.sentiment.evaluate import EvaluationStore, evaluate
from hflab.sentiment.predict import predict_proba
from hflab.sentiment.train import TrainConfig
from hflab.sentiment.workflow import run_training

CONFIG = TrainConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, max_length=32, batch_size=32,
                     epochs=1, learning_rate=3e-3, evals_per_epoch=1, patience=3)


@pytest.fixture(scope="module")
def reviews(review_dataset):
    return sdata.load_saved(review_dataset)


def test_a_run_trains_tests_saves_and_replaces_what_was_stale(reviews):
    manager, store = ModelManager(2**34), EvaluationStore()
    stages, events = [], []
    first = run_training(reviews, 300, CONFIG, "scratch", resolve("sentiment"), store, manager,
                         on_event=events.append, on_stage=stages.append)
    assert stages == ["loading", "testing"] and events and events[-1].step == events[-1].total_steps
    assert first.model_key == trained_source(first.path).cache_key
    meta = read_meta(first.path)
    assert meta["kind"] == "scratch" and meta["train_rows"] == 300 and meta["test_accuracy"] == first.test_accuracy
    # the stored test evaluation is exactly what Evaluate would compute from the saved model
    saved = load_classifier(trained_source(first.path))
    test = reviews.splits["test"]
    probs = predict_proba(saved.model, saved.tokenizer, list(test["text"]))
    stored, stored_probs = store.get((first.model_key, reviews.fingerprint, "test"))
    np.testing.assert_allclose(stored_probs, probs, atol=1e-5)
    assert stored.accuracy == evaluate(test["label"], probs).accuracy == first.test_accuracy

    # retraining the same kind on the same data replaces the folder: its loaded copy and old evaluations go
    handle = manager.get(first.model_key, lambda: saved, 1)
    store.put((first.model_key, reviews.fingerprint, "validation"), stored, stored_probs)
    second = run_training(reviews, 200, CONFIG, "scratch", resolve("sentiment"), store, manager)
    assert second.path == first.path and manager.snapshot() == []
    assert store.get((first.model_key, reviews.fingerprint, "validation")) is None
    assert store.get((first.model_key, reviews.fingerprint, "test"))[0].accuracy == second.test_accuracy
    assert read_meta(second.path)["train_rows"] == 200 and handle.value is saved  # sessions keep their reference


def test_a_missing_split_is_a_message_before_any_model_loads(reviews):
    without_validation = sdata.ReviewData({"train": reviews.splits["train"]}, reviews.origin, reviews.name)
    stages = []
    with pytest.raises(MessageError) as caught:
        run_training(without_validation, 100, CONFIG, "scratch", resolve("sentiment"), EvaluationStore(),
                     ModelManager(2**34), on_stage=stages.append)
    assert caught.value.key == "sentiment.err.empty_split" and caught.value.params == {"split": "validation"}
    assert stages == []


def test_the_store_is_safe_while_sessions_write_and_forget_at_once():
    """Before the store, the page's shared dict was written without a lock and iterated while forgetting a model:
    "dictionary changed size during iteration" under concurrent sessions."""
    store, errors = EvaluationStore(), []
    evaluation, probs = evaluate([0, 1], np.array([[0.9, 0.1], [0.2, 0.8]])), np.zeros((2, 2))
    start = threading.Barrier(4)

    def writer(model: str) -> None:
        start.wait()
        try:
            for i in range(2000):
                store.put((model, f"data{i}", "test"), evaluation, probs)
                store.forget_model("other" if model == "a" else "a")
        except Exception as exc:  # the failure this test is about
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(m,)) for m in ("a", "other", "a", "other")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store.forget_model("a")
    store.forget_model("other")
    assert store.get(("a", "data0", "test")) is None
