"""The Train tab's run without Streamlit (hflab.sentiment.workflow): train, test, save as a new model of the session
that trained it; the evaluation store shared by sessions under its lock."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from hflab.loading.files import read_meta
from hflab.loading.loaders import load_classifier
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


def test_a_run_trains_tests_and_saves_a_new_model_that_a_second_run_never_replaces(reviews, request):
    store, owner = EvaluationStore(), request.node.name  # this test's own session: no other test lists its models
    # a data set name of its own: shared (ownerless) models other tests saved from `reviews` would take its plain name
    reviews = replace(reviews, name=f"reviews-{owner}")
    stages, events = [], []
    first = run_training(reviews, 300, CONFIG, "scratch", resolve("sentiment"), store, owner=owner,
                         on_event=events.append, on_stage=stages.append)
    assert stages == ["loading", "tokenizing", "testing"] and events and events[-1].step == events[-1].total_steps
    assert first.model_key == trained_source(first.path).cache_key
    meta = read_meta(first.path)
    assert meta["kind"] == "scratch" and meta["train_rows"] == 300 and meta["test_accuracy"] == first.test_accuracy
    assert meta["owner"] == owner and meta["name"] == reviews.name
    # the stored test evaluation is exactly what Evaluate would compute from the saved model
    saved = load_classifier(trained_source(first.path))
    test = reviews.splits["test"]
    probs = predict_proba(saved.model, saved.tokenizer, list(test["text"]))
    stored, stored_probs = store.get((first.model_key, reviews.fingerprint, "test"))
    np.testing.assert_allclose(stored_probs, probs, atol=1e-5)
    assert stored.accuracy == evaluate(test["label"], probs).accuracy == first.test_accuracy

    # the same session, mode and data again: a second model under a second name; the first and its evaluation stay
    files = {p.name: p.read_bytes() for p in first.path.iterdir()}
    second = run_training(reviews, 200, CONFIG, "scratch", resolve("sentiment"), store, owner=owner)
    assert second.path != first.path and second.path.parent == first.path.parent
    assert {p.name: p.read_bytes() for p in first.path.iterdir()} == files
    assert read_meta(second.path)["name"] == f"{reviews.name} (2)" and read_meta(second.path)["train_rows"] == 200
    assert store.get((first.model_key, reviews.fingerprint, "test"))[0].accuracy == first.test_accuracy
    assert store.get((second.model_key, reviews.fingerprint, "test"))[0].accuracy == second.test_accuracy


def test_a_missing_split_is_a_message_before_any_model_loads(reviews):
    without_validation = sdata.ReviewData({"train": reviews.splits["train"]}, reviews.origin, reviews.name)
    stages = []
    with pytest.raises(MessageError) as caught:
        run_training(without_validation, 100, CONFIG, "scratch", resolve("sentiment"), EvaluationStore(),
                     owner="session-a", on_stage=stages.append)
    assert caught.value.key == "sentiment.err.empty_split" and caught.value.params == {"split": "validation"}
    assert stages == []


class SlowClock:
    """A clock that advances `step_s` seconds on every reading: a machine that got slow, without sleeping."""

    def __init__(self, step_s: float):
        self.now, self.step_s = 0.0, step_s

    def __call__(self) -> float:
        self.now += self.step_s
        return self.now


def small_run(reviews, config, clock=None, rows=320):
    from hflab.sentiment.train import small_bert, train_classifier

    tokenizer = sdata.bert_tokenizer()
    model = small_bert(tokenizer, config)
    train, val = reviews.splits["train"].iloc[:rows], reviews.splits["validation"].iloc[:64]
    events = []
    kwargs = {"clock": clock} if clock else {}
    result = train_classifier(model, tokenizer, list(train.text), list(train.label), list(val.text), list(val.label),
                              config, on_event=events.append, **kwargs)
    return result, events


def test_the_learning_rate_schedule_is_transformers_own_when_nothing_slows_down():
    import torch
    from transformers import get_linear_schedule_with_warmup

    from hflab.sentiment.train import TrainConfig, _optimizer

    ours_model, theirs_model = torch.nn.Linear(4, 2), torch.nn.Linear(4, 2)
    ours, ours_scheduler, _ = _optimizer(ours_model, TrainConfig(learning_rate=1e-3), 40)
    theirs = torch.optim.AdamW(theirs_model.parameters(), lr=1e-3)
    theirs_scheduler = get_linear_schedule_with_warmup(theirs, max(1, int(40 * 0.06)), 40)
    for _ in range(40):
        assert ours_scheduler.get_last_lr()[0] == pytest.approx(theirs_scheduler.get_last_lr()[0], abs=1e-12)
        ours.step()
        theirs.step()
        ours_scheduler.step()
        theirs_scheduler.step()


def test_a_slow_machine_replans_the_run_to_finish_within_the_time_limit(reviews):
    """Issue 33.1: under load the one-click training stopped at the time limit mid-schedule; now it shrinks the
    schedule to the steps that fit and ends there, with the learning rate decayed to 0 and the reason recorded."""
    from dataclasses import replace

    config = replace(CONFIG, batch_size=8, epochs=2, time_limit_s=60.0)  # 80 planned steps
    clock = SlowClock(1.0)  # two readings a step: about 2 s per step, 160 s for the plan
    result, events = small_run(reviews, config, clock=clock)
    assert result.planned_steps == 80
    assert result.stop_reason == "replanned" and result.replanned_to == result.steps
    # at step k the clock says 2k - 1 s: the schedule shrinks to int(51 k / (2k - 1)) steps until k reaches it (26)
    assert result.steps == 26 and clock.now <= 60.0  # ended within the limit, its last validation included
    assert not result.stopped_by_time_limit and result.stopped_early
    assert events[-1].total_steps == 26 and any(e.loss is not None for e in events)
    assert any(e.val_accuracy is not None and e.step == 26 for e in events)  # the shortened run validates at its end


def test_an_idle_machine_runs_the_plan_and_says_so(reviews):
    from dataclasses import replace

    result, events = small_run(reviews, replace(CONFIG, batch_size=32, epochs=1, time_limit_s=600.0),
                               clock=SlowClock(0.01))
    assert (result.stop_reason, result.steps, result.planned_steps, result.replanned_to) == ("completed", 10, 10, None)
    assert [e.step for e in events if e.loss is not None] == list(range(1, 11))  # a 10-step run charts every step


def test_a_model_that_learned_nothing_is_reported_as_guessing_the_majority_class(reviews, request):
    from dataclasses import replace

    from hflab.sentiment.evaluate import guesses_majority, majority_label, majority_share

    skewed = sdata.ReviewData(dict(reviews.splits), reviews.origin, "skewed")
    test = reviews.splits["test"]
    skewed.splits["test"] = pd.concat([test[test.label == 0].head(70), test[test.label == 1].head(30)])
    outcome = run_training(skewed, 200, replace(CONFIG, learning_rate=0.0), "scratch", resolve("sentiment"),
                           EvaluationStore(), owner=request.node.name)
    evaluation = outcome.test_evaluation
    assert majority_share(evaluation) == 0.7 and majority_label(evaluation) == 0
    # an untrained small BERT answers one class for every review: here 负面, 70 of 100
    assert evaluation.confusion.to_numpy().tolist() == [[70, 0], [30, 0]] and evaluation.accuracy == 0.7
    assert outcome.guesses_majority and guesses_majority(evaluation)
    meta = read_meta(outcome.path)
    assert (meta["guesses_majority"], meta["majority_share"], meta["majority_label"]) == (True, 0.7, 0)


def test_guessing_the_majority_is_judged_from_the_confusion_matrix():
    from hflab.sentiment.evaluate import guesses_majority, majority_share

    labels = [0] * 54 + [1] * 46
    always_negative = evaluate(labels, np.array([[0.9, 0.1]] * 100))
    assert (always_negative.accuracy, majority_share(always_negative)) == (0.54, 0.54)
    assert guesses_majority(always_negative)
    useful = evaluate(labels, np.array([[0.9, 0.1]] * 54 + [[0.1, 0.9]] * 40 + [[0.9, 0.1]] * 6))
    assert useful.accuracy == 0.94 and not guesses_majority(useful)
    assert not guesses_majority(evaluate([], np.zeros((0, 2))))


def test_the_one_click_training_sizes_its_rows_to_the_speed_measured_now(reviews):
    from hflab.sentiment.plan import MIN_ROWS
    from hflab.sentiment.train import quick_config
    from hflab.sentiment.workflow import quick_rows

    config = quick_config()
    idle = quick_rows(reviews, config, 1e9, 1000)
    busy = quick_rows(reviews, config, 300.0, 1000)
    assert idle == 1000 and MIN_ROWS <= busy < idle
    assert quick_rows(reviews, config, None, 1000) == 1000  # no measurement: the fixed default
