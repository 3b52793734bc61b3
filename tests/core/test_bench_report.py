"""The benchmark runner's pure parts: bench/rounds.py catches an output that changes in any round, and bench/report.py
turns the scripts' fragments into bench/results.md and the README's table. No timings here (those are bench/'s)."""
import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import report  # noqa: E402
import rounds  # noqa: E402


def counter_path(outputs):
    """A path returning the given outputs one call after another (the first one is the warm-up's)."""
    calls = iter(outputs)
    return lambda: next(calls)


def test_identical_outputs_give_one_timing_per_round():
    t = rounds.interleave({"a": lambda: 1, "b": lambda: rounds.with_extras(1, tokens=4.0)}, rounds=5,
                          agree=(("a", "b"),))
    assert [len(t[n].seconds) for n in "ab"] == [5, 5]
    assert t["b"].extras == {"tokens": [4.0] * 5}
    assert len(t["a"].cpu) == 5 and t["a"].low <= t["a"].median <= t["a"].high


def test_a_change_in_a_late_round_fails_the_run():
    with pytest.raises(rounds.OutputChanged, match="round 4"):
        rounds.interleave({"a": counter_path([1, 1, 1, 1, 2, 1])}, rounds=5)


def test_paths_that_must_agree_are_checked_every_round():
    # within tolerance of its own warm-up each, but apart from each other in round 3
    close = lambda x, y: abs(x - y) <= 1e-5  # noqa: E731
    a = counter_path([0.0, 0.0, 0.0, 6e-6, 0.0, 0.0])
    b = counter_path([0.0, 0.0, 0.0, -6e-6, 0.0, 0.0])
    with pytest.raises(rounds.OutputChanged, match="round 3: a and b"):
        rounds.interleave({"a": a, "b": b}, rounds=5, same=close, agree=(("a", "b"),))
    with pytest.raises(rounds.OutputChanged, match="warm-up"):
        rounds.interleave({"a": lambda: 1, "b": lambda: 2}, rounds=5, agree=(("a", "b"),))


def test_rounds_rotate_the_starting_path_and_warm_every_path_alike():
    seen = []
    rounds.interleave({name: (lambda name=name: seen.append(name)) for name in "abc"}, rounds=3, warmup=2)
    assert seen == list("aabbcc") + list("abc") + list("bca") + list("cab")


def test_custom_identity_and_tensors():
    np = pytest.importorskip("numpy")
    rounds.interleave({"a": lambda: np.arange(3)}, rounds=5)
    with pytest.raises(rounds.OutputChanged):
        rounds.interleave({"a": counter_path([np.ones(2), np.ones(2), np.ones(2) + 1e-3] + [np.ones(2)] * 3)},
                          rounds=5, same=lambda x, y: bool(np.abs(x - y).max() <= 1e-5))


def test_spread_and_ratio():
    a, b = rounds.Timing("a", [2.0, 4.0, 6.0]), rounds.Timing("b", [1.0, 1.0, 2.0])
    assert rounds.spread([3.0, 1.0, 2.0]) == "2.00 (1.00-3.00)"
    assert rounds.ratio(a, b) == (3.0, 2.0, 4.0)  # paired: 2, 4, 3
    assert a.text(1) == "4.0 s (2.0-6.0)"


def test_fragment_written_by_finish(tmp_path):
    args = report.add_args(__import__("argparse").ArgumentParser()).parse_args(["--json", str(tmp_path / "f.json"),
                                                                              "--quick"])
    assert args.quick
    assert report.finish(args, "T", "python bench/t.py", "1 s (1-2)", ok=True) == 0
    assert json.loads((tmp_path / "f.json").read_text()) == {"benchmark": "T", "command": "python bench/t.py",
                                                              "result": "1 s (1-2)", "ok": True}
    assert report.finish(args, "T", "python bench/t.py", "x", ok=False) == 1


def test_results_rendering_rows_and_failures():
    ok = report.row(
        {"benchmark": "Tok", "command": "python bench/tokenizer_batch.py", "result": "a | b\nc", "ok": True}
    )
    bad = report.row({"benchmark": "decode_bound", "command": "python bench/decode_bound.py", "ok": False,
                      "result": "exit status 1: OutputChanged: round 2"})
    assert ok == "| Tok | `python bench/tokenizer_batch.py` | a \\| b c |"
    assert "**FAILED**: exit status 1" in bad
    text = report.render([("machine", "X, 2 cores"), ("date", "2026-01-01")], [ok, bad], ["- note"])
    assert report.HEADER in text and text.index(ok) < text.index(bad) < text.index("- note")
    assert "- **machine**: X, 2 cores" in text


def test_rows_not_rerun_are_kept_with_their_date():
    old = report.render([("date", "D1")], ["| Tok | `python bench/tokenizer_batch.py` | 1 s |",
                                           "| Idle | `python bench/idle_server_cpu.py --rounds 5` | 62 CPU-s |",
                                           "| Rehearsal | `python dev.py rehearse` | 2,492 MB |"])
    rows = report.previous_rows(old)
    assert set(rows) == {"tokenizer_batch", "idle_server_cpu", "rehearse"}  # dev.py's own command counts too
    kept = report.mark_earlier(rows["idle_server_cpu"], "D1")
    assert kept.endswith("62 CPU-s *(not rerun in this run: measured D1)* |")
    assert report.mark_earlier(kept, "D2") == kept  # the first date stays
    assert report.measured_when(kept, "D2") == "D1" and report.measured_when(rows["rehearse"], "D2") == "D2"


def test_readme_table_between_markers():
    readme = f"intro\n{report.START}\nold table\n{report.END}\nafter\n"
    assert report.between_markers(readme, "new\n") == f"intro\n{report.START}\nnew\n{report.END}\nafter\n"
    with pytest.raises(ValueError):
        report.between_markers("no markers", "x")


def test_every_benchmark_script_is_run_by_dev_py_bench_and_writes_its_row():
    """A script in bench/ that dev.py bench does not list would never reach bench/results.md or the README."""
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    import dev

    # imported by the scripts, not benchmarks
    helpers = {"rounds", "report", "rehearsal_models", "decode_speed", "llama_native"}
    scripts = {p.stem for p in (root / "bench").glob("*.py")} - helpers
    assert {name for name, _, _ in dev.BENCHMARKS} == scripts
    for name in scripts:
        source = (root / "bench" / f"{name}.py").read_text(encoding="utf-8")
        # its options from report.add_args, directly or through the script it extends (rehearse_three: rehearse.py's)
        assert ("add_args(" in source or "arguments().parse_args(" in source) and "finish(" in source, name


def test_decode_bound_model_has_the_real_rotary_frequencies_and_tied_head():
    """bench/decode_bound.py builds its model on the meta device: its buffers must still be the real ones."""
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from transformers import Qwen2Config
    from transformers.models.qwen2.modeling_qwen2 import Qwen2RotaryEmbedding

    from bench.decode_bound import random_model

    model = random_model(hidden_size=64, num_attention_heads=4, num_key_value_heads=2, intermediate_size=128,
                         num_hidden_layers=2, vocab_size=300)
    expected = Qwen2RotaryEmbedding(config=Qwen2Config(hidden_size=64, num_attention_heads=4))
    assert torch.equal(model.model.rotary_emb.inv_freq, expected.inv_freq)
    assert model.lm_head.weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()


class _NoServerBrowser:
    """A browser whose page never reaches a server (the run must notice the server process has exited)."""

    def new_page(self):
        class Page:
            def goto(self, url, timeout):
                raise ConnectionRefusedError(url)

        return Page()


def test_cold_start_bench_fails_when_a_subprocess_crashes(tmp_path):
    """bench/home_cold_start.py: a server that exits before serving, or a Home run that raises in the import check,
    fails the run (AppCrashed) instead of hanging or reading as "no heavy modules"."""
    import home_cold_start

    with pytest.raises(home_cold_start.AppCrashed, match=r"missing\.py: streamlit exited \(2\) before it served"):
        home_cold_start.time_to_first_page(tmp_path / "missing.py", _NoServerBrowser())
    crashing = tmp_path / "crashing.py"
    crashing.write_text("import streamlit as st\nst.title('x')\nraise RuntimeError('home broke')\n")
    # the page's own error text is redacted by the app's config (showErrorDetails): the crash is what counts
    with pytest.raises(home_cold_start.AppCrashed, match=r"(?s)crashing\.py exited \(1\):.*the page raised: "):
        home_cold_start.heavy_imports(crashing)
    fine = tmp_path / "fine.py"
    fine.write_text("import streamlit as st\nst.title('x')\n")
    assert home_cold_start.heavy_imports(fine) == []


def test_the_header_claims_identical_outputs_only_for_rows_that_checked_them():
    """Issue 38: the header said every row asserted identical outputs in every round; single runs (the default
    training, the rehearsals) and runs that differ by design (the one-click training under load) did not. Each row's
    benchmark now says what it compared, and those are marked."""
    rows = ["| Tok | `python bench/tokenizer_batch.py` | 1 s |",
            "| Train | `python bench/sentiment_train_small.py` | x |",
            "| Rehearsal | `python dev.py rehearse` | 2,492 MB |"]
    text = report.render([("date", "D")], rows, ["- note"])
    assert "outputs are asserted identical in every round" not in text
    listed = text.split("**What each row compared**", 1)[1]
    assert f"- `bench/tokenizer_batch.py`: {report.COMPARED['tokenizer_batch'][1]}" in listed
    assert f"- {report.DAGGER} `bench/sentiment_train_small.py`: one default training per data set" in listed
    assert f"- {report.DAGGER} `bench/rehearse.py`: one run" in listed
    assert listed.index("tokenizer_batch") < listed.index("sentiment_train_small") < listed.index("- note")


def test_every_benchmark_declares_what_it_compared():
    """A benchmark without an entry would reach results.md without saying what it compared; one declared as
    checked every round must time its paths with rounds.interleave, which is what checks them."""
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    import dev

    assert set(report.COMPARED) == {name for name, _, _ in dev.BENCHMARKS}
    for name, (checked, what) in report.COMPARED.items():
        source = (root / "bench" / f"{name}.py").read_text(encoding="utf-8")
        assert what and (not checked or "interleave(" in source), name
    unchecked = {name for name, (checked, _) in report.COMPARED.items() if not checked}
    assert {"sentiment_train_small", "quick_training_under_load", "rehearse", "rehearse_three"} <= unchecked


def test_results_md_and_the_readme_table_are_what_dev_py_writes():
    """bench/results.md as report.render writes it from its own parts (so a hand edit of its header cannot drift from
    dev.py's), and the README's table between the markers is that file."""
    root = Path(__file__).resolve().parents[2]
    text = (root / "bench" / "results.md").read_text(encoding="utf-8")
    machine = re.findall(r"^- \*\*(.+?)\*\*: (.*)$", text, flags=re.M)
    rows = [line for line in text.splitlines()
            if line.startswith("| ") and not line.startswith(("| benchmark |", "| --- |"))]
    notes = text.partition("**What each row compared**\n\n")[2].partition("\n\n")[2].splitlines()
    assert report.render(machine, rows, notes) == text
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert report.between_markers(readme, text.split("\n", 2)[2]) == readme
