"""The Trainer recipe (hflab.sentiment.trainer_recipe): TrainingArguments equal the TrainConfig, datasets' map cached
between runs, both recipes beat chance on the same data and seed, a run saves a model the picker lists, a stop
request and the time budget end a run at the next step with the best checkpoint kept, the thread a page runs it on."""
import threading
from dataclasses import replace

import numpy as np
import pytest

from hflab.loading.files import read_meta
from hflab.loading.loaders import load_classifier
from hflab.loading.sources import resolve
from hflab.sentiment import data as sdata
from hflab.sentiment import trainer_recipe as recipe
from hflab.sentiment.checkpoints import list_trained, trained_source
from hflab.sentiment.evaluate import EvaluationStore, evaluate
from hflab.sentiment.predict import predict_proba
from hflab.sentiment.train import TrainConfig, accuracy, small_bert, train_classifier
from hflab.sentiment.workflow import TrainingJob
from hflab.settings import get_settings

SMALL = TrainConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, max_length=64, batch_size=32,
                    epochs=3, learning_rate=3e-3, evals_per_epoch=1, patience=3)


@pytest.fixture(scope="module")
def reviews(review_dataset):
    return sdata.load_saved(review_dataset)


@pytest.fixture(scope="module")
def tokenizer():
    return sdata.bert_tokenizer()


def splits(reviews, tokenizer, config: TrainConfig, rows: int):
    """The tokenized train (first `rows`) and validation splits, as run_trainer_training builds them."""
    train, val = reviews.splits["train"].iloc[:rows], reviews.splits["validation"]
    return [recipe.tokenized_split(part, tokenizer, config.max_length, f"{reviews.fingerprint}:{name}:{len(part)}")
            for name, part in (("train", train), ("validation", val))]


def test_training_arguments_are_the_train_config(tmp_path):
    config = TrainConfig(epochs=4, batch_size=16, learning_rate=2e-4, warmup_ratio=0.1, weight_decay=0.02, seed=7,
                         patience=5, eval_every=9)
    args = recipe.training_arguments(config, tmp_path, steps_per_epoch=40)
    assert (args.num_train_epochs, args.per_device_train_batch_size, args.learning_rate, args.warmup_steps,
            args.weight_decay, args.seed, args.max_grad_norm) == (4, 16, 2e-4, 0.1, 0.02, 7, 1.0)
    assert (args.eval_strategy, args.eval_steps, args.save_strategy, args.save_steps) == ("steps", 9, "steps", 9)
    assert args.load_best_model_at_end and args.metric_for_best_model == "accuracy" and args.greater_is_better
    assert args.train_sampling_strategy == "group_by_length" and args.logging_steps == 8  # 160 steps / 20
    assert recipe.evaluation_schedule(replace(config, eval_every=None, evals_per_epoch=1), 40) == ("epoch", None)
    assert recipe.evaluation_schedule(replace(config, eval_every=None, evals_per_epoch=4), 40) == ("steps", 10)


def test_validation_metrics_are_scikit_learns():
    from sklearn.metrics import accuracy_score, f1_score
    from transformers import EvalPrediction

    rng = np.random.default_rng(0)
    logits, labels = rng.normal(size=(50, 2)), rng.integers(0, 2, 50)
    metrics = recipe.validation_metrics(EvalPrediction(predictions=logits, label_ids=labels))
    assert metrics == {"accuracy": accuracy_score(labels, logits.argmax(1)),
                       "f1": f1_score(labels, logits.argmax(1), average="macro")}


def test_the_trainer_gets_the_hand_loops_batches_a_new_mix_each_epoch():
    from hflab.sentiment.batching import bucketed_batches

    lengths = [(i * 37) % 101 + 3 for i in range(1000)]  # 31 full batches of 32 and one of 8
    order = recipe.BucketedOrder(lengths, 32, seed=5)
    epochs = [list(order), list(order)]
    assert len(order) == 1000 and all(sorted(epoch) == list(range(1000)) for epoch in epochs)
    for epoch, indices in enumerate(epochs):
        cut = [indices[i:i + 32] for i in range(0, 1000, 32)]  # what the data loader's batches of 32 are
        loop = bucketed_batches(lengths, 32, seed=5 + epoch)  # what the hand loop trains on in that epoch
        assert sorted(map(sorted, cut)) == sorted(map(sorted, loop)) and len(cut[-1]) == 8
    assert epochs[0] != epochs[1]


def test_a_second_run_on_the_same_data_and_tokenizer_does_not_tokenize_again(reviews, tokenizer, monkeypatch):
    calls = []
    real_call = type(tokenizer).__call__

    def counting(self, *args, **kwargs):
        calls.append(len(args[0]))
        return real_call(self, *args, **kwargs)

    monkeypatch.setattr(type(tokenizer), "__call__", counting)
    frame = reviews.splits["validation"].iloc[:120]
    first = recipe.tokenized_split(frame, tokenizer, 48, f"{reviews.fingerprint}:cache-test")
    assert sum(calls) == 120 and first.format["type"] == "torch"
    assert first.column_names == ["label", "input_ids"]
    assert recipe.split_token_lengths(first) == [len(ids) for ids in first["input_ids"]]
    assert first["input_ids"][0].tolist() == tokenizer(frame["text"].iloc[0], truncation=True,
                                                        max_length=48)["input_ids"]
    calls.clear()
    again = recipe.tokenized_split(frame, tokenizer, 48, f"{reviews.fingerprint}:cache-test")
    assert calls == [] and again.cache_files == first.cache_files  # read back from datasets' own cache file
    assert again["input_ids"][5].tolist() == first["input_ids"][5].tolist()
    assert str(recipe.tokenized_cache_dir()) in first.cache_files[0]["filename"]
    recipe.tokenized_split(frame, tokenizer, 32, f"{reviews.fingerprint}:cache-test")
    assert sum(calls) == 120  # another max_length is another cache entry


def test_both_recipes_beat_chance_on_the_same_data_and_seed(reviews, tokenizer, tmp_path):
    train, val = reviews.splits["train"].iloc[:600], reviews.splits["validation"]
    held_out = reviews.splits["test"]
    loop_model = small_bert(tokenizer, SMALL)
    train_classifier(loop_model, tokenizer, list(train.text), list(train.label), list(val.text), list(val.label), SMALL)
    trainer_result = recipe.train_with_trainer(small_bert(tokenizer, SMALL), tokenizer,
                                               *splits(reviews, tokenizer, SMALL, 600), SMALL, tmp_path)
    for model in (loop_model, trainer_result.model):
        acc = accuracy(model, tokenizer, list(held_out.text), list(held_out.label), SMALL.max_length)
        assert acc > 0.65, acc  # chance is 0.5 (the held-out labels are balanced within a few %)
    assert trainer_result.stop_reason in ("completed", "early_stopping")
    assert trainer_result.best_val_accuracy == max(e.val_accuracy for e in trainer_result.history)


def test_a_trainer_run_trains_tests_saves_and_the_picker_lists_it(reviews):
    store = EvaluationStore()
    stages = []
    config = replace(SMALL, epochs=1, max_length=32)
    before = {path for path, _ in list_trained()}

    def run(on_event, on_stage, stop):  # as the page starts it: on a thread of its own (TrainingJob)
        def hear_stage(stage):
            stages.append(stage)
            on_stage(stage)

        return recipe.run_trainer_training(reviews, 300, config, "scratch", resolve("sentiment"), store, owner=None,
                                           on_event=on_event, on_stage=hear_stage, stop=stop)

    job = TrainingJob(run)
    assert job.wait(600) and job.error is None
    outcome, events = job.result, job.events()
    assert stages == ["loading", "tokenizing", "testing"] and job.stage == "testing"
    assert any(e.loss is not None for e in events) and events[-1].val_accuracy is not None
    assert all(isinstance(e, recipe.TrainerEvent) and e.eta_s is not None and e.eta_s >= 0 for e in events)
    assert events[-1].step == events[-1].total_steps == outcome.result.steps == 10  # 300 rows / 32
    meta = read_meta(outcome.path)
    assert meta["kind"] == "trainer-scratch" and recipe.trained_mode(meta["kind"]) == "scratch"
    assert meta["train_rows"] == 300 and meta["test_accuracy"] == outcome.test_accuracy
    assert {path for path, _ in list_trained()} - before == {outcome.path}
    assert outcome.model_key == trained_source(outcome.path).cache_key
    saved = load_classifier(trained_source(outcome.path))
    test = reviews.splits["test"]
    probs = predict_proba(saved.model, saved.tokenizer, list(test["text"]))
    stored, stored_probs = store.get((outcome.model_key, reviews.fingerprint, "test"))
    np.testing.assert_allclose(stored_probs, probs, atol=1e-5)
    assert stored.accuracy == evaluate(test["label"], probs).accuracy == outcome.test_accuracy
    assert list((get_settings().data_dir / "trainer-runs").iterdir()) == []  # the checkpoints went with the run


def test_fine_tuning_a_local_encoder_dir(reviews, tiny_env):
    role = resolve("sentiment")
    assert role.kind == "local"
    config = replace(SMALL, epochs=1, max_length=32, learning_rate=1e-3)
    outcome = recipe.run_trainer_training(reviews, 200, config, "finetune", role, EvaluationStore(), owner=None)
    meta = read_meta(outcome.path)
    assert meta["kind"] == "trainer-finetune" and recipe.trained_mode(meta["kind"]) == "finetune"
    assert meta["base"] == role.repo_id and outcome.result.steps == 7  # 200 rows / 32
    assert load_classifier(trained_source(outcome.path)).num_labels == 2


def test_an_unknown_mode_or_a_missing_split_fails_before_any_model_loads(reviews):
    stages = []
    with pytest.raises(KeyError):
        recipe.run_trainer_training(reviews, 100, SMALL, "other", resolve("sentiment"), EvaluationStore(),
                                    owner=None, on_stage=stages.append)
    without_validation = sdata.ReviewData({"train": reviews.splits["train"]}, reviews.origin, reviews.name)
    with pytest.raises(sdata.DataError):
        recipe.run_trainer_training(without_validation, 100, SMALL, "scratch", resolve("sentiment"),
                                    EvaluationStore(), owner=None, on_stage=stages.append)
    assert stages == []


def test_a_stop_request_ends_the_run_at_the_next_step_and_keeps_the_best_checkpoint(reviews, tokenizer, tmp_path):
    config = replace(SMALL, epochs=30, eval_every=3, patience=100, max_length=32)
    train_split, val_split = splits(reviews, tokenizer, config, 400)
    asked_at = []

    def run(on_event, on_stage, stop):
        def hear(event):
            on_event(event)
            if event.val_accuracy is not None:
                asked_at.append(event.step)
                if len(asked_at) == 3:
                    stop.set()  # what the page's stop button does (TrainingJob.request_stop), between two steps

        return recipe.train_with_trainer(small_bert(tokenizer, config), tokenizer, train_split, val_split, config,
                                         tmp_path, on_event=hear, stop=stop)

    job = TrainingJob(run)
    assert job.wait(600) and job.error is None
    result = job.result
    assert result.stop_reason == "stopped" and result.stopped_early and result.steps == asked_at[2] + 1
    validations = [e for e in job.events() if e.val_accuracy is not None]
    assert validations[-1].step == result.steps  # the step it stopped at was validated before the best was chosen
    best = max(validations, key=lambda e: e.val_accuracy)
    assert result.best_val_accuracy == best.val_accuracy and result.best_step == best.step
    val = reviews.splits["validation"]
    measured = accuracy(result.model, tokenizer, list(val.text), list(val.label), config.max_length)
    assert abs(measured - result.best_val_accuracy) <= 1 / len(val)  # the best checkpoint's weights were loaded


def test_the_time_budget_ends_the_run_after_the_step_that_passes_it(reviews, tokenizer, tmp_path):
    ticks = iter(range(10**6))
    config = replace(SMALL, epochs=5, max_length=32, time_limit_s=5.0)
    result = recipe.train_with_trainer(small_bert(tokenizer, config), tokenizer,
                                       *splits(reviews, tokenizer, config, 200), config, tmp_path,
                                       clock=lambda: float(next(ticks)))  # one second a reading
    assert result.stop_reason == "time_limit" and result.stopped_by_time_limit
    assert 1 <= result.steps < result.planned_steps and result.history[-1].step == result.steps


def test_two_sessions_training_at_once_both_finish(reviews, tokenizer, tmp_path):
    config = replace(SMALL, epochs=1, max_length=32, batch_size=16, eval_every=5)
    train_split, val_split = splits(reviews, tokenizer, config, 160)

    def run(folder):
        return lambda on_event, on_stage, stop: recipe.train_with_trainer(
            small_bert(tokenizer, config), tokenizer, train_split, val_split, config, folder, on_event, stop)

    jobs = [TrainingJob(run(tmp_path / name)) for name in ("a", "b")]
    assert all(job.wait(600) for job in jobs)
    assert [job.error for job in jobs] == [None, None] and [job.result.steps for job in jobs] == [10, 10]


def test_a_job_keeps_its_error_and_its_events():
    def failing(on_event, on_stage, stop):
        on_stage("loading")
        on_event(recipe.TrainerEvent(1, 2, 0.5, loss=0.7))
        raise ValueError("empty split")

    job = TrainingJob(failing)
    assert job.wait(30) and job.done and isinstance(job.error, ValueError) and job.result is None
    assert [e.loss for e in job.events()] == [0.7] and job.stage == "loading"

    started = threading.Event()

    def waits_for_stop(on_event, on_stage, stop):
        started.set()
        return stop.wait(30)

    job = TrainingJob(waits_for_stop)
    assert started.wait(30) and not job.done
    job.request_stop()
    assert job.wait(30) and job.result is True and job.error is None


def test_a_job_estimates_the_time_left_from_its_own_steps_not_from_loading():
    from hflab.sentiment.train import TrainEvent

    now = [100.0]  # loading took 100 s: the rate counts from the first step's event
    steps = iter([(1, 40), (5, 40), (10, 20)])  # the third event comes after a re-plan to 20 steps
    go, seen = threading.Event(), []

    def run(on_event, on_stage, stop):
        for step, total in steps:
            go.wait(30)
            go.clear()
            on_event(TrainEvent(step, total, step / total))
            seen.append(step)
        return "done"

    job = TrainingJob(run, clock=lambda: now[0])
    assert job.seconds_left() is None  # nothing trained yet

    def advance(to: float) -> None:
        now[0] = to
        count = len(seen)
        go.set()
        while len(seen) == count:
            threading.Event().wait(0.01)

    advance(100.0)
    assert job.seconds_left() is None  # one step: no rate yet
    advance(108.0)  # 4 steps in 8 s: 2 s a step, 35 steps left
    assert job.seconds_left() == 70.0
    advance(118.0)  # 9 steps in 18 s, 10 of the re-planned 20 left
    assert job.seconds_left() == 20.0
    assert job.wait(30) and job.result == "done"
