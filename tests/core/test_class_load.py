"""bench/class_load.py's statistics and error counting, with no server and no model: its percentiles against numpy's,
every way a learner fails counted as an error, a stream past its time closed, and a class that never waits past its
deadline for a learner that does not end. No timings are asserted."""
import math
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from class_load import Outcome, percentile, run_class, story_outcome, summarize  # noqa: E402

from hflab.remote.client import RemoteError
from hflab.story.writer import StorySettings


@pytest.mark.parametrize("values", [[3.0, 1.0, 2.0], [0.5, 7.25, 1.5, 9.0, 2.0, 4.75, 3.0],
                                    [float(v) for v in range(50)], [2.5, 2.5, 10.0, 0.25]])
@pytest.mark.parametrize("q", [50, 95])
def test_percentiles_are_numpys(values, q):
    assert percentile(values, q) == pytest.approx(np.percentile(values, q), rel=1e-12, abs=1e-12)


def test_one_value_is_its_own_percentile_and_none_is_nan():
    assert percentile([4.2], 95) == 4.2
    assert math.isnan(percentile([], 50))


def test_every_failed_outcome_is_an_error_and_only_whole_stories_are_timed():
    outcomes = [Outcome(1.0, 4.0, "abc"), Outcome(2.0, 6.0, "abcdef"), Outcome(error="timed out (9 s)"),
                Outcome(0.5, None, "ab", "timed out (9 s)"), Outcome(1.0, 3.0, "", "empty story"),
                Outcome(error="server: remote.error.http boom")]
    result = summarize(outcomes, wall_s=8.0, peak_bytes=3 * 2**20, count_tokens=len)
    assert result.learners == 6 and result.errors == 4
    assert result.first_p50 == pytest.approx(np.percentile([1.0, 2.0], 50))
    assert result.end_p95 == pytest.approx(np.percentile([4.0, 6.0], 95))
    assert result.tokens_per_s == pytest.approx((3 + 6) / 8.0)
    assert result.peak_mb == 3.0
    assert result.reasons == ("empty story", "server: remote.error.http boom", "timed out (9 s)")
    assert summarize(outcomes[:2], 8.0, 0, len).errors == 0


def test_a_class_keeps_each_learners_outcome_and_an_exception_as_its_error():
    roles, lock = ["ok", "raise", "ok"], threading.Lock()

    def learn(start: float, give_up: float) -> Outcome:
        with lock:
            role = roles.pop()
        if role == "raise":
            raise ValueError("boom")
        return Outcome(0.1, 0.2, "a story")

    outcomes, wall = run_class(3, learn, timeout_s=60.0, run_end=time.perf_counter() + 60.0)
    assert sorted(o.error or "" for o in outcomes) == ["", "", "ValueError: boom"]
    assert [o.text for o in outcomes if o.ok] == ["a story", "a story"]
    assert wall >= 0


def test_after_the_runs_deadline_no_learner_starts():
    started = []
    outcomes, wall = run_class(2, lambda start, give_up: started.append(1) or Outcome(0.1, 0.2, "x"),
                               timeout_s=60.0, run_end=time.perf_counter() - 1.0)
    assert started == [] and wall == 0.0
    assert [o.error for o in outcomes] == ["not started: the whole run's deadline had passed"] * 2


def test_a_learner_that_never_ends_stops_the_class_instead_of_hanging_it():
    release, lock, roles = threading.Event(), threading.Lock(), ["ok", "stuck"]

    def learn(start: float, give_up: float) -> Outcome:
        with lock:
            role = roles.pop()
        if role == "stuck":
            release.wait(60)  # ended by the test once the class has given up on it
        return Outcome(0.1, 0.2, "x")

    try:
        with pytest.raises(RuntimeError, match="^1 learners still running 0 s after giving up$"):
            run_class(2, learn, timeout_s=0.05, run_end=time.perf_counter() + 60.0, grace_s=0.05)
    finally:
        release.set()


def pieces(closed: list, *texts: str):
    """A chunk source like the page's: yields `texts`, records when it is closed."""
    try:
        yield from texts
    finally:
        closed.append(True)


def test_a_story_past_its_time_is_an_error_and_its_stream_is_closed():
    closed = []
    start = time.perf_counter() - 5.0  # the class began 5 s ago and this request's time ran out 1 s ago
    outcome = story_outcome(pieces(closed, "从前。", "后来。"), StorySettings(), start, start + 4.0, [])
    assert outcome.error == "timed out (4 s)" and not outcome.ok and outcome.end is None
    assert outcome.text == "从前。"  # it stopped at the first piece past its time
    assert closed == [True]


def test_a_server_error_and_an_empty_story_are_errors_and_a_whole_story_is_not():
    start, later = time.perf_counter(), time.perf_counter() + 60.0
    failed = story_outcome(pieces([], "从前"), StorySettings(), start, later, [RemoteError("remote.error.timeout")])
    assert failed.error == "server: remote.error.timeout"
    assert story_outcome(pieces([], "", " "), StorySettings(), start, later, []).error == "empty story"
    whole = story_outcome(pieces([], "", "从前有只猫。", "它很乖。"), StorySettings(), start, later, [])
    assert whole.ok and whole.text == "从前有只猫。它很乖。"
    assert 0 <= whole.first <= whole.end
