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


def render(machine: list[tuple[str, str]], rows: list[str], notes: list[str] = ()) -> str:
    """bench/results.md: the machine and environment as a list, the table, then notes."""
    lines = [
        "# Benchmark results",
        "",
        "Written by `python dev.py bench` (do not edit by hand). Every timed result is the "
        "**median** of at least 5 interleaved rounds with the range (fastest-slowest) in parentheses; outputs are "
        "asserted identical in every round (a mismatch fails the run).",
        "",
    ]
    lines += [f"- **{key}**: {value}" for key, value in machine]
    lines += ["", HEADER, *rows]
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
