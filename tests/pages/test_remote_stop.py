"""Issue 38: the Sampling page's one-shot candidates call ("as a chat") has the story's stop. Against the scripted
server's `silent` mode, which never sends a byte of its answer, a click on the stop button ends the request at once
(the server sees the connection close long before the request's 60 s deadline or its own HOSTILE_S), says so in the
session's language, and the request is not sent again on the reruns after it.

AppTest runs one script run at a time, so the click is delivered as the server delivers a browser's click during a
run: a rerun request with the widget states of what the run has drawn so far, the stop button pressed."""
from __future__ import annotations

import threading

import pytest
from scripted_openai import ENDED_S, wait_for
from streamlit.runtime.scriptrunner import RerunData
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import parse_tree_from_messages
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from hflab import i18n


def candidates_app():
    """What the Sampling page's remote panel does with "as a chat" on."""
    from components.remote_backend import candidates, show_candidates, show_remote_error
    from hflab.remote.client import RemoteError, config_from_env

    try:
        show_candidates(candidates(config_from_env(), "Hi", 3, True))
    except RemoteError as err:
        show_remote_error(err)


def waiting_notes(at, lang: str) -> list[str]:
    """The "waiting for the server's answer" notes on the page (an AppTest, or the tree of a run in flight)."""
    start = i18n.t("remote.waiting_answer", lang, seconds="§").split("§")[0]
    return [c.value for c in at.caption if c.value.startswith(start)]


@pytest.fixture()
def runners(monkeypatch) -> list[LocalScriptRunner]:
    """The script runner of every AppTest run from now on (the one in flight is the last)."""
    seen: list[LocalScriptRunner] = []
    real_run = LocalScriptRunner.run

    def recording_run(self, *args, **kwargs):
        seen.append(self)
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(LocalScriptRunner, "run", recording_run)
    return seen


def in_flight(runner: LocalScriptRunner):
    """What the run in flight has drawn so far (an ElementTree)."""
    return parse_tree_from_messages(list(runner.forward_msgs()))


def click_during_the_run(runner: LocalScriptRunner, key: str) -> None:
    """Press button `key` of the run in flight, as a browser's click reaches a running script."""
    drawn = in_flight(runner)
    drawn.button(key=key).click()
    runner.request_rerun(RerunData(widget_states=drawn.get_widget_states()))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_stop_ends_a_candidates_call_to_a_server_that_never_answers(lang, server, runners, monkeypatch):
    from components.remote_backend import STOP_KEY

    monkeypatch.setenv("HFLAB_REMOTE_BASE_URL", f"{server}/silent/v1")
    monkeypatch.setenv("HFLAB_REMOTE_MODEL", "scripted")
    monkeypatch.setenv("HFLAB_REMOTE_TIMEOUT_S", "60")  # the deadline is not what ends it
    asked, hung_up = server.requests["silent"], server.disconnects["silent"]
    at = AppTest.from_function(candidates_app, default_timeout=120)
    at.session_state["lang_en"] = lang == "en"
    run = threading.Thread(target=at.run)
    run.start()
    try:
        assert wait_for(lambda: server.requests["silent"] == asked + 1)  # the request is out, unanswered
        assert wait_for(lambda: waiting_notes(in_flight(runners[-1]), lang))  # the wait says so, beside its button
        click_during_the_run(runners[-1], STOP_KEY)
        run.join(ENDED_S)
        assert not run.is_alive()
        assert wait_for(lambda: server.disconnects["silent"] == hung_up + 1)  # the server saw the connection close
    finally:
        run.join()
    stopped = i18n.t("remote.error.stopped", lang)
    assert not at.exception and [e.value for e in at.error] == [stopped]
    assert not at.button and not waiting_notes(at, lang)  # neither the stop button nor the note is left behind
    at.run()  # a later rerun with the same settings shows the stop from memory and asks nothing
    assert [e.value for e in at.error] == [stopped]
    assert server.requests["silent"] == asked + 1


def test_an_answer_leaves_no_stop_button_or_waiting_note(server, monkeypatch):
    """A server that answers: the candidates are shown, the stop button and the waiting note are gone."""
    monkeypatch.setenv("HFLAB_REMOTE_BASE_URL", f"{server}/ok/v1")
    monkeypatch.setenv("HFLAB_REMOTE_MODEL", "scripted")
    at = AppTest.from_function(candidates_app, default_timeout=60)
    at.session_state["lang_en"] = True
    at.run()
    assert not at.exception and not at.error and not at.button and not waiting_notes(at, "en")
    assert list(at.dataframe[0].value.iloc[:, 0]) == ["'Hello'", "'Hi'", "'Hey'"]
