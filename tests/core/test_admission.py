"""The operator's caps on heavy jobs (issue 35.2): per session refused with its message, on the server a line in
arrival order whose waiters hear their place, a stop that leaves the line, no cap by default."""
import threading

import pytest

from hflab.runtime.admission import Admission, JobRefused


def test_no_cap_by_default_lets_every_job_run_at_once():
    admission = Admission()
    with admission.admit("a", "admission.job.story"), admission.admit("a", "admission.job.training"), \
            admission.admit("b", "admission.job.story"):
        assert [(j.session, j.kind) for j in admission.running()] == [
            ("a", "admission.job.story"), ("a", "admission.job.training"), ("b", "admission.job.story")]
    assert admission.running() == []


def test_a_session_over_its_cap_is_refused_with_the_message_and_others_are_not():
    admission = Admission(per_session=1)
    with admission.admit("a", "admission.job.training"):
        with pytest.raises(JobRefused) as refused:
            with admission.admit("a", "admission.job.story"):
                pytest.fail("a second job of session a ran")
        assert (refused.value.message.key, refused.value.message.params) == ("admission.session_full",
                                                                             {"count": 1, "cap": 1})
        with admission.admit("b", "admission.job.story"):  # another session's job is not this session's cap
            assert len(admission.running()) == 2
    with admission.admit("a", "admission.job.story"):  # the first ended: room again
        pass


def test_over_the_server_cap_jobs_wait_in_arrival_order_and_hear_their_place():
    admission = Admission(total=1)
    started, release = threading.Event(), threading.Event()
    order: list[str] = []
    heard: dict[str, list[int]] = {"b": [], "c": []}
    in_line = {"b": threading.Event(), "c": threading.Event()}

    def first() -> None:
        with admission.admit("a", "admission.job.story"):
            order.append("a")
            started.set()
            release.wait()

    def later(name: str) -> None:
        def on_wait(place: int, waited: float) -> None:
            heard[name].append(place)
            in_line[name].set()

        with admission.admit(name, "admission.job.story", on_wait, poll_s=0.01):
            order.append(name)

    threads = [threading.Thread(target=first)]
    threads[0].start()
    started.wait()
    for name in ("b", "c"):  # c arrives once b is seen in line: arrival order is b, c
        threads.append(threading.Thread(target=later, args=(name,)))
        threads[-1].start()
        in_line[name].wait()
    assert admission.waiting() == 2
    release.set()
    for thread in threads:
        thread.join()
    assert order == ["a", "b", "c"]
    assert heard["b"][0] == 1 and heard["c"][0] == 2
    assert admission.running() == [] and admission.waiting() == 0


def test_stopping_while_in_line_leaves_it_and_runs_nothing():
    admission = Admission(total=1)
    ran: list[str] = []

    class Stopped(Exception):
        pass

    def stop(place: int, waited: float) -> None:
        raise Stopped  # a Streamlit rerun from the page's stop button

    with admission.admit("a", "admission.job.story"):
        with pytest.raises(Stopped):
            with admission.admit("b", "admission.job.story", stop, poll_s=0.01):
                ran.append("b")
        assert admission.waiting() == 0
    assert ran == [] and admission.running() == []
