"""What every benchmark hands to `python dev.py bench`, and how dev.py turns those fragments into bench/results.md.

A script adds `--json PATH` and `--quick` with `add_args(parser)` and ends with
`return finish(args, benchmark, command, result, ok)`, which prints the result and writes
`{"benchmark", "command", "result", "ok"}` to PATH (`write_result`). An output mismatch raises
rounds.OutputChanged, so the script exits nonzero and writes no fragment: dev.py lists it as FAILED. `ok` false
(exit status 1) is for a run whose checks did not hold; a timing target missed on a loaded machine is reported as
FAIL inside the result cell and leaves `ok` true.
Standard library only: dev.py imports this module before the venv exists.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
HEADER = "| benchmark | command | result |\n| --- | --- | --- |"
DAGGER = "†"

# What each benchmark's row compared, and whether every round's outputs were checked (True: bench/rounds.interleave
# checked each path's output against its warm-up's every round, a mismatch fails the run; False: a single run or
# outputs that differ by design, marked with DAGGER). results.md lists these under its table.
COMPARED: dict[str, tuple[bool, str]] = {
    "tokenizer_batch": (True, "one tokenizer call per text vs one batched call vs the page's encode with counts, and "
                              "one long text: each path's ids equal its warm-up's every round, and the loop's, the "
                              "batched call's and the page's ids equal each other"),
    "sentiment_stats": (True, "the Explore statistics, the character bigrams and the load_from_disk + pandas "
                              "baseline: each one's output equal to its warm-up's every round"),
    "inside_views": (True, "each view (attention tab, why this label, logit lens) against a plain forward of the same "
                           "input: each path's output equal to its warm-up's every round"),
    "sampling_step_vs_generate": (True, "the playground's stepper vs `generate`, same prompt and settings: the tokens "
                                        "equal the warm-up's and each other's every round"),
    "sampling_first_start": (True, "a first start (with the conversion) vs later starts vs the imports alone, each a "
                                   "fresh process: each path's output equal to its warm-up's every round, the top-5 "
                                   "tokens of first and later starts equal each other"),
    "story_streaming": (True, "the story page's streaming path vs `generate` (and `generate` of one token): each "
                              "path's output equal to its warm-up's every round, the streamed text equal to "
                              "`generate`'s"),
    "quantize_cpu": (True, "greedy decoding with fp32, fp16, int8 and all-int8 weights: each variant's tokens equal "
                           "its warm-up's every round; the variants are not asserted equal to each other (KL and "
                           "top-1 say how far each moves)"),
    "sentiment_predict_speed": (True, "the lab's predict_proba vs pipeline vs the tutorial's pad-to-512 loop: every "
                                      "round, row for row, every path's labels identical to the lab's and its "
                                      "probabilities within 1e-5 of the lab's"),
    "decode_bound": (True, "decoding paths (generate, lean loop, fused loop; MKL and oneDNN; fp32, fp16, int8) "
                           "against the read-bandwidth bound: each path's output equal to its warm-up's every "
                           "round, the tokens of all fp32 paths equal each other, and of all int8 paths"),
    "remote_ttft": (True, "the lab's streaming vs llama.cpp's server at the same width: each path's tokens for a "
                          "prompt equal its first tokens for that prompt every round; the lab's and the server's "
                          "tokens are counted against each other, not asserted equal"),
    "home_cold_start": (True, "HF Lab's Home vs a one-line app, each a fresh server opened in Chromium: each page's "
                              "title equal to its warm-up's every round"),
    "idle_server_cpu": (True, "one server idle with the file watcher on vs off: the page's title the same for both "
                              "and in every round"),
    "concurrency_rss": (True, "one path, the sessions at once on one server: 0 page exceptions in every round (the "
                              "count is what is compared)"),
    "sentiment_train_small": (False, "one default training per data set, no rounds: test accuracy and wall time "
                                     "against the targets"),
    "trainer_vs_loop": (True, "the hand-written loop vs transformers' Trainer, same data, settings and seed: each "
                              "recipe's test accuracy equal to its warm-up's every round; the two recipes are "
                              "compared by the target, not asserted equal"),
    "train_script_processes": (True, "train.py in one process vs under accelerate launch with two: each path's "
                                     "validation and test accuracy equal to its warm-up's every round"),
    "quick_training_under_load": (False, "the one-click training idle vs beside busy processes, a few alternating "
                                         "runs: the rows trained follow the speed probed just before, so outputs "
                                         "differ by design; every run must be useful or flagged"),
    "native_withheld": (False, "one pass, no rounds (a check, not a timing): llama-server's answer with the probe "
                               "token forced vs without, at every position where it answers both, top-20 ids and "
                               "log-probabilities equal exactly; the lab's paths must end without an error"),
    "class_load": (False, "a class of N learners at once, in process vs on llama.cpp's server: the in-process "
                          "stories are the same text in every class; the server's are not compared (it samples on "
                          "its own); any error fails the row"),
    "rehearse": (False, "one run of one learner through the app in Chromium, no rounds: peak RSS against Community "
                        "Cloud's limit, no page exception, no model held twice"),
    "rehearse_three": (False, "one run of three learners at once through the app in Chromium, no rounds: the "
                              "rehearsal's checks"),
}


def add_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the runner's two options: `--json PATH` (write the result fragment) and `--quick` (less work per round)."""
    parser.add_argument("--json", metavar="PATH", help="write the result fragment for dev.py bench to PATH")
    parser.add_argument("--quick", action="store_true", help="less work per round (the rounds stay >= 5)")
    return parser


def write_result(path: str | Path, benchmark: str, command: str, result: str, ok: bool) -> None:
    """Write one benchmark's fragment: a short title, how to rerun it, one markdown cell of results, PASS/FAIL."""
    fragment = {"benchmark": benchmark, "command": command, "result": result, "ok": bool(ok)}
    Path(path).write_text(json.dumps(fragment, ensure_ascii=False, indent=1), encoding="utf-8")


def finish(args: argparse.Namespace, benchmark: str, command: str, result: str, ok: bool = True) -> int:
    """Print the result, write the fragment when `--json` was given; the exit status (0 when ok)."""
    print(f"{benchmark}: {result}\n{'PASS' if ok else 'FAIL'}", flush=True)
    if getattr(args, "json", None):
        write_result(args.json, benchmark, command, result, ok)
    return 0 if ok else 1


def cell(text: str) -> str:
    """One markdown table cell: no line breaks, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def row(fragment: dict) -> str:
    """A results table row from a fragment (a failed one shows FAILED and its reason)."""
    result = fragment["result"] if fragment.get("ok", False) else f"**FAILED**: {fragment['result']}"
    return f"| {cell(fragment['benchmark'])} | `{cell(fragment['command'])}` | {cell(result)} |"


def script_of(table_row: str) -> str | None:
    """The benchmark a table row belongs to (`bench/NAME.py` or `dev.py NAME` in its command cell), else None."""
    found = re.search(r"`python (?:bench/(\w+)\.py|dev\.py (\w+))", table_row)
    return (found.group(1) or found.group(2)) if found else None


def measured_when(table_row: str, default: str) -> str:
    """When a kept row was measured: the date its "not rerun" mark names, else `default`."""
    found = re.search(r"not rerun in this run: measured (.+?)\)\*", table_row)
    return found.group(1) if found else default


def previous_rows(results_md: str) -> dict[str, str]:
    """Script name -> table row of an earlier results.md (to keep rows of benchmarks not rerun)."""
    rows = {}
    for line in results_md.splitlines():
        if line.startswith("| ") and not line.startswith(("| benchmark |", "| --- |")):
            name = script_of(line)
            if name:
                rows[name] = line
    return rows


def mark_earlier(table_row: str, when: str) -> str:
    """An earlier row kept as it was, its result cell saying it was not rerun (once, with the earlier date)."""
    if "not rerun in this run" in table_row:
        return table_row
    return table_row.rstrip().removesuffix("|").rstrip() + f" *(not rerun in this run: measured {when})* |"


def compared(rows: list[str]) -> list[str]:
    """The list under the table: what each row's benchmark compared, DAGGER where outputs were not checked every
    round (a benchmark missing from COMPARED says so; tests/core/test_bench_report.py keeps it from happening)."""
    lines = []
    for table_row in rows:
        name = script_of(table_row)
        if name is None:
            continue
        checked, what = COMPARED.get(name, (False, "not declared in bench/report.py's COMPARED"))
        lines.append(f"- {'' if checked else DAGGER + ' '}`bench/{name}.py`: {what}")
    return lines


def render(machine: list[tuple[str, str]], rows: list[str], notes: list[str] = ()) -> str:
    """bench/results.md: the machine and environment as a list, the table, what each row compared, then notes."""
    lines = [
        "# Benchmark results",
        "",
        "Written by `python dev.py bench` (do not edit by hand). The machine, date, versions and load average are "
        "those of the run that wrote this file; a row that run did not rerun says when it was measured. A result "
        "from interleaved rounds is the **median** of at least 5 rounds with the range (fastest-slowest) in "
        "parentheses. Under the table, each row's benchmark says what it compared: unmarked, every round's outputs "
        "were checked against that path's warm-up (a mismatch fails the run); marked "
        f"{DAGGER}, they were not (a single run, or outputs that differ by design), and it says what was checked "
        "instead.",
        "",
    ]
    lines += [f"- **{key}**: {value}" for key, value in machine]
    lines += ["", HEADER, *rows, "", "**What each row compared**", "", *compared(rows)]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def between_markers(text: str, content: str) -> str:
    """`text` with everything between START and END replaced by `content` (both markers must be present)."""
    head, sep, rest = text.partition(START)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"{START} / {END} markers not found")
    return f"{head}{START}\n{content.rstrip()}\n{END}{tail}"
