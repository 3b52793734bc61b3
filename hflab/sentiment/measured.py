"""What bench/results.md measured about the Train tab's two recipes, for the sentence the page shows beside them:
read from the file at run time, so the page never states a number the benchmark table does not hold."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hflab.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results.md"
_ROW = re.compile(
    r"trainer_vs_loop\.py --rows (?P<rows>\d+) --epochs (?P<epochs>\d+) --max_length (?P<length>\d+).*?"
    r"hand loop \*\*(?P<loop>[\d.]+)%\*\* test in (?P<loop_s>[\d.]+) s.*?Trainer \*\*(?P<trainer>[\d.]+)%\*\* in "
    r"(?P<trainer_s>[\d.]+) s"
)


@dataclass(frozen=True)
class RecipeComparison:
    """The trainer_vs_loop row: data size, epochs, length, both test accuracies (%) and median seconds."""

    rows: int
    epochs: int
    max_length: int
    loop_accuracy: str
    trainer_accuracy: str
    loop_seconds: str
    trainer_seconds: str


def recipe_comparison(results: Path = RESULTS) -> RecipeComparison | None:
    """The two recipes as bench/trainer_vs_loop.py last measured them (bench/results.md), None when not measured."""
    try:
        text = results.read_text(encoding="utf-8")
    except OSError:
        return None
    found = _ROW.search(text)
    if found is None:
        return None
    return RecipeComparison(int(found["rows"]), int(found["epochs"]), int(found["length"]), found["loop"],
                            found["trainer"], found["loop_s"], found["trainer_s"])
