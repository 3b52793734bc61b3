"""Training plans that fit a time budget (issue 18.7): settings chosen from a measured speed (given here as
numbers, no timings asserted), validation every N steps, and a run stopped by the time limit says so."""
import pytest

from hflab.sentiment import data as sdata
from hflab.sentiment.plan import (
    CANDIDATES,
    EVALS_PER_RUN,
    MIN_ROWS,
    estimate_seconds,
    eval_every,
    plan_training,
    tokens,
)
from hflab.sentiment.train import TrainConfig, measure_tokens_per_s, small_bert, train_classifier

TRAIN = [100] * 8000 + [400] * 2000  # token lengths: mostly short reviews, a long tail
VAL = [100] * 1000


def test_estimate_counts_truncated_tokens_per_epoch_and_the_validations():
    assert tokens([10, 300], 256) == 266
    seconds = estimate_seconds([10, 300], [50], 256, epochs=2, tokens_per_s=100.0)
    assert seconds == pytest.approx(2 * 266 / 100 + EVALS_PER_RUN * 50 / (100 * 3.0))


def test_a_fast_machine_gets_the_full_recipe():
    plan = plan_training(TRAIN, VAL, tokens_per_s=1e6, budget_s=240)
    assert (plan.rows, plan.max_length, plan.epochs) == (len(TRAIN), *CANDIDATES[0])
    assert plan.estimated_s <= 240


@pytest.mark.parametrize("tokens_per_s", [1.6e4, 1.2e4, 6e3, 4e3])
def test_slower_machines_get_shorter_settings_that_fit(tokens_per_s):
    plan = plan_training(TRAIN, VAL, tokens_per_s, budget_s=240)
    assert plan.rows == len(TRAIN) and (plan.max_length, plan.epochs) in CANDIDATES[1:]
    assert plan.estimated_s <= 240
    assert plan.estimated_s == pytest.approx(estimate_seconds(TRAIN, VAL, plan.max_length, plan.epochs, tokens_per_s))
    better = CANDIDATES[CANDIDATES.index((plan.max_length, plan.epochs)) - 1]
    assert estimate_seconds(TRAIN, VAL, *better, tokens_per_s) > 240  # the better settings would not fit


def test_a_slow_machine_trains_on_fewer_reviews_within_the_budget():
    plan = plan_training(TRAIN, VAL, tokens_per_s=2000.0, budget_s=240)
    assert MIN_ROWS <= plan.rows < len(TRAIN) and (plan.max_length, plan.epochs) == (128, 1)
    assert plan.estimated_s <= 240


def test_validation_every_n_steps():
    assert eval_every(rows=3200, batch_size=32, epochs=3) == 300 // EVALS_PER_RUN
    assert eval_every(rows=10, batch_size=32, epochs=1) == 1


@pytest.fixture(scope="module")
def reviews(review_dataset):
    return sdata.load_saved(review_dataset)


def test_a_run_stopped_by_the_time_limit_says_so(reviews):
    tokenizer = sdata.bert_tokenizer()
    train, val = reviews.splits["train"].iloc[:320], reviews.splits["validation"].iloc[:50]
    config = TrainConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, max_length=32,
                         epochs=2, time_limit_s=0.0)
    result = train_classifier(small_bert(tokenizer, config), tokenizer, list(train.text), list(train.label),
                              list(val.text), list(val.label), config)
    assert result.stopped_by_time_limit and result.stopped_early
    assert 0 < result.epochs_done < 2


def test_a_run_that_ends_is_not_stopped_by_the_time_limit(reviews):
    tokenizer = sdata.bert_tokenizer()
    train, val = reviews.splits["train"].iloc[:64], reviews.splits["validation"].iloc[:20]
    config = TrainConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, max_length=32,
                         epochs=1, eval_every=1, patience=10)
    events = []
    result = train_classifier(small_bert(tokenizer, config), tokenizer, list(train.text), list(train.label),
                              list(val.text), list(val.label), config, on_event=events.append)
    assert not result.stopped_by_time_limit and result.epochs_done == 1
    assert [e.step for e in events if e.val_accuracy is not None] == [1, 2]  # validated every step


def test_measuring_the_speed_leaves_the_model_untouched(reviews):
    tokenizer = sdata.bert_tokenizer()
    config = TrainConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, max_length=32, batch_size=8)
    model = small_bert(tokenizer, config)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    assert measure_tokens_per_s(model, tokenizer, list(reviews.splits["train"].text[:20]), config) > 0
    assert all((before[k] == v).all() for k, v in model.state_dict().items())
