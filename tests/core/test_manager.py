"""Model manager: one load per model, LRU eviction under the budget, clear budget errors, per-model locks."""
import threading

import pytest

from hflab.loading.manager import BudgetTooSmall, ModelManager


class Blob:
    def __init__(self, n):
        self.n = n


def test_loads_once_under_concurrency():
    mgr = ModelManager(100)
    calls = []
    barrier = threading.Barrier(8)

    def loader():
        calls.append(1)
        return Blob(1)

    def worker():
        barrier.wait()
        mgr.get("a", loader, 10)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(calls) == 1 and mgr.load_counts["a"] == 1


def test_lru_eviction_keeps_budget():
    mgr = ModelManager(100)
    mgr.get("a", lambda: Blob(1), 40)
    mgr.get("b", lambda: Blob(1), 40)
    mgr.get("a", lambda: Blob(1), 40)  # touch a: b is now least recently used
    mgr.get("c", lambda: Blob(1), 40)
    assert {row["key"] for row in mgr.snapshot()} == {"a", "c"}
    assert mgr.used_bytes() <= 100


def test_budget_too_small_for_one_model():
    mgr = ModelManager(10)
    with pytest.raises(BudgetTooSmall):
        mgr.get("big", lambda: Blob(1), 11)
    assert mgr.snapshot() == []


def test_measured_size_of_real_model(tiny_models):
    from transformers import AutoModelForCausalLM

    mgr = ModelManager(2**30)
    handle = mgr.get("qwen", lambda: AutoModelForCausalLM.from_pretrained(tiny_models["causal_lm"]))
    model = handle.value
    expected = sum(p.numel() * p.element_size() for p in {p.data_ptr(): p for p in model.parameters()}.values())
    assert handle.nbytes >= expected


def test_unload():
    mgr = ModelManager(100)
    mgr.get("a", lambda: Blob(1), 10)
    assert mgr.unload("a") == "unloaded" and mgr.snapshot() == []
    assert mgr.unload("a") == "gone"


def test_a_second_form_of_the_same_weights_replaces_the_first(caplog):
    """Another page's copy or another weight format of the same files unloads the loaded one first (issue 19:
    never two copies of one model at once); a different model with other files stays."""
    mgr = ModelManager(1000)
    mgr.get("lm|fp32", lambda: Blob(1), 100, label="lm", weights="/models/lm")
    mgr.get("other", lambda: Blob(1), 100, label="other", weights="/models/other")
    with caplog.at_level("INFO", logger="hflab.loading.manager"):
        mgr.get("lm|int8", lambda: Blob(1), 50, label="lm (int8)", weights="/models/lm")
    assert {row["key"] for row in mgr.snapshot()} == {"other", "lm|int8"}
    assert "unloaded lm (0 MB) before another copy of its weights loads" in caplog.text
    assert "loaded lm (int8) (0 MB) in" in caplog.text


def test_evictions_are_logged_with_the_reason(caplog):
    mgr = ModelManager(100 * 2**20)
    mgr.get("a", lambda: Blob(1), 60 * 2**20, label="model-a")
    with caplog.at_level("INFO", logger="hflab.loading.manager"):
        mgr.get("b", lambda: Blob(1), 60 * 2**20, label="model-b")
    assert "unloaded model-a (60 MB) to make room for 60 MB" in caplog.text


def test_a_session_waiting_for_a_busy_model_hears_its_place_in_line_and_gets_its_turn():
    """Issue 34.3: a learner behind another learner's run sees the wait instead of a bare spinner."""
    handle = ModelManager(10**9).get("m", lambda: "model", 1)
    holding, release = threading.Event(), threading.Event()
    heard: dict[str, list] = {"first": [], "second": []}
    got: list[str] = []

    def holder() -> None:
        with handle.use():
            holding.set()
            release.wait()

    def waiter(name: str, ready: threading.Event) -> None:
        def on_wait(place: int, waited: float) -> None:
            heard[name].append((place, waited))
            ready.set()

        with handle.use(on_wait, poll_s=0.01) as value:
            got.append(f"{name}:{value}")

    first_waiting, second_waiting = threading.Event(), threading.Event()
    threads = [threading.Thread(target=holder)]
    threads[0].start()
    holding.wait()
    threads.append(threading.Thread(target=waiter, args=("first", first_waiting)))
    threads[1].start()
    first_waiting.wait()
    threads.append(threading.Thread(target=waiter, args=("second", second_waiting)))
    threads[2].start()
    second_waiting.wait()
    release.set()
    for thread in threads:
        thread.join()
    assert sorted(got) == ["first:model", "second:model"]
    assert heard["first"][0][0] == 1 and heard["second"][0][0] == 2  # their places in line, in arrival order
    assert all(b[1] >= a[1] for a, b in zip(heard["first"], heard["first"][1:]))  # the wait so far only grows
    assert handle.waiting == [] and handle.lock.acquire(blocking=False)  # nobody left in line, the lock free
    handle.lock.release()


def test_stopping_while_waiting_leaves_the_line_without_the_model():
    handle = ModelManager(10**9).get("m", lambda: "model", 1)
    ran = []

    class Stopped(Exception):
        pass

    def stop(place: int, waited: float) -> None:
        raise Stopped  # what a Streamlit rerun does from inside the page's wait message

    def wait_then_stop() -> None:
        try:
            with handle.use(stop, 0.01):
                ran.append("got the model")
        except Stopped:
            ran.append("stopped")

    with handle.use():
        worker = threading.Thread(target=wait_then_stop)
        worker.start()
        worker.join()
        ran.append(len(handle.waiting))
    assert ran == ["stopped", 0] and handle.lock.acquire(blocking=False)
    handle.lock.release()


def test_a_model_in_use_is_not_evicted_the_load_waits_for_it_and_then_fits():
    """Issue 34.2: evicting a model another session runs frees nothing until that run ends, so the new load came on
    top of it (the three-learner rehearsal's 3.7 GB). The load waits, hearing which model it waits for, then
    evicts it once idle: used bytes never exceed the budget."""
    mgr = ModelManager(100)
    busy = mgr.get("writer", lambda: Blob(1), 60, label="Qwen")
    mgr.get("idle", lambda: Blob(1), 30, label="opus")
    running, release = threading.Event(), threading.Event()
    heard: list[tuple[list[str], float]] = []

    def learner_writing() -> None:
        with busy.use():
            running.set()
            release.wait()

    def on_wait(models: list[str], waited: float) -> None:
        heard.append((models, waited))
        release.set()  # the writer finishes once the second learner is seen waiting

    writer = threading.Thread(target=learner_writing)
    writer.start()
    running.wait()
    mgr.get("captioner", lambda: Blob(1), 50, label="BLIP", on_wait=on_wait)
    writer.join()
    assert heard and heard[0][0] == ["Qwen"]  # the idle model went first; the wait names the one still running
    assert {row["key"] for row in mgr.snapshot()} == {"captioner"} and mgr.used_bytes() <= 100


def test_a_session_that_runs_a_model_itself_does_not_wait_for_room(caplog):
    """Waiting for its own model would never end: the load goes over the budget and the log says so."""
    mb = 2**20
    mgr = ModelManager(100 * mb)
    handle = mgr.get("a", lambda: Blob(1), 80 * mb, label="A")
    with caplog.at_level("WARNING", logger="hflab.loading.manager"), handle.use():
        mgr.get("b", lambda: Blob(1), 50 * mb, label="B", on_wait=lambda *_: pytest.fail("waited for itself"))
    assert {row["key"] for row in mgr.snapshot()} == {"a", "b"}
    assert "over budget by 30 MB: this session runs A itself" in caplog.text


def test_stopping_a_wait_for_room_loads_nothing():
    mgr = ModelManager(100)
    handle = mgr.get("a", lambda: Blob(1), 80)
    loaded = []

    class Stopped(Exception):
        pass

    def stop(models: list[str], waited: float) -> None:
        raise Stopped

    def wait_then_stop() -> None:
        try:
            mgr.get("b", lambda: loaded.append("b") or Blob(1), 50, on_wait=stop)
        except Stopped:
            loaded.append("stopped")

    with handle.use():
        worker = threading.Thread(target=wait_then_stop)
        worker.start()
        worker.join()
    assert loaded == ["stopped"] and {row["key"] for row in mgr.snapshot()} == {"a"}


def test_a_learner_cannot_unload_a_model_another_is_running():
    mgr = ModelManager(100)
    handle = mgr.get("a", lambda: Blob(1), 10)
    holding, release = threading.Event(), threading.Event()

    def run() -> None:
        with handle.use():
            holding.set()
            release.wait()

    other = threading.Thread(target=run)
    other.start()
    holding.wait()
    assert mgr.unload("a", if_idle=True) == "busy" and mgr.snapshot()[0]["key"] == "a"
    release.set()
    other.join()
    assert mgr.unload("a", if_idle=True) == "unloaded"


def test_a_load_in_flight_counts_against_the_budget():
    """Two sessions starting two loads at once each saw the budget free of the other's load (the rehearsal's 3.2 GB
    peak): a load in flight books its room, so the second waits for it, then makes room as usual."""
    mgr = ModelManager(100)
    loading, finish = threading.Event(), threading.Event()
    heard: list[list[str]] = []

    def slow_loader() -> Blob:
        loading.set()
        finish.wait()
        return Blob(1)

    first = threading.Thread(target=lambda: mgr.get("a", slow_loader, 60, label="A"))
    first.start()
    loading.wait()

    def on_wait(models: list[str], waited: float) -> None:
        heard.append(models)
        finish.set()  # the first load ends once the second is seen waiting for it

    mgr.get("b", lambda: Blob(1), 60, label="B", on_wait=on_wait)
    first.join()
    assert heard[0] == ["A"]
    assert {row["key"] for row in mgr.snapshot()} == {"b"} and mgr.used_bytes() <= 100
