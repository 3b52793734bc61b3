"""The backend choice widget and its messages (components/remote_backend.py) in AppTest, both languages,
against the scripted OpenAI-protocol server of test_remote_backend.py."""
from __future__ import annotations

import math

import pytest
from streamlit.testing.v1 import AppTest

from hflab import i18n


def widget_app():
    import streamlit as st

    from components.remote_backend import backend_choice, show_candidates, show_remote_error
    from hflab.remote.candidates import next_token_candidates
    from hflab.remote.client import RemoteError, stream_chat

    config = backend_choice("t")
    st.text("local" if config is None else "remote")
    if config is not None:
        try:
            show_candidates(next_token_candidates(config, "Hi", k=3))
            st.text("".join(stream_chat(config, [{"role": "user", "content": "hi"}])))
        except RemoteError as err:
            show_remote_error(err)


def run(lang: str, mode: str | None, monkeypatch, server_url: str, url: str | None = None) -> AppTest:  # noqa: F811
    monkeypatch.setenv("HFLAB_REMOTE_BASE_URL", url if url is not None else f"{server_url}/{mode}/v1")
    monkeypatch.setenv("HFLAB_REMOTE_MODEL", "scripted")
    monkeypatch.setenv("HFLAB_REMOTE_TIMEOUT_S", "1")
    at = AppTest.from_function(widget_app, default_timeout=60)
    at.session_state["lang_en"] = lang == "en"
    at.run()
    assert [t.value for t in at.text] == ["local"]  # local is the default
    at.toggle(key="t_backend").set_value(True).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_remote_shows_top_few_note_candidates_and_story(lang, monkeypatch, server):  # noqa: F811
    at = run(lang, "ok", monkeypatch, server)
    texts = [t.value for t in at.text]
    assert texts[0] == "remote" and texts[-1] == "从前有一只猫。"
    mass = sum(math.exp(lp) for lp in (-0.5, -1.5, -2.5))
    assert [w.value for w in at.warning] == [i18n.t("remote.top_note", lang, k=3, mass=mass)]
    assert list(at.dataframe[0].value.iloc[:, 0]) == ["'Hello'", "'Hi'", "'Hey'"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_server_errors_become_messages(lang, monkeypatch, server):  # noqa: F811
    at = run(lang, "unknown_model", monkeypatch, server)
    assert [e.value for e in at.error] == [i18n.t("remote.error.unknown_model", lang)]
    # the operator's server's own words come below the message, escaped, not rendered
    said = [c.value for c in at.caption if c.value.startswith(i18n.t("remote.error.detail", lang, detail="")[:5])]
    assert len(said) == 1 and "\\`scripted\\`" in said[0]


def test_missing_url_says_what_to_set_and_stops(monkeypatch, server):  # noqa: F811
    at = run("en", None, monkeypatch, server, url="")
    assert [w.value for w in at.warning] == [i18n.t("remote.error.no_url", "en")]
    assert [t.value for t in at.text] == []  # the page run stopped; no silent fallback to local


def test_operator_key_goes_only_to_the_operators_url(monkeypatch, server):  # noqa: F811
    monkeypatch.setenv("HFLAB_REMOTE_API_KEY", "operator-secret")
    monkeypatch.setenv("HFLAB_REMOTE_ALLOWED_HOSTS", "127.0.0.1")  # the operator allows the typed loopback server
    at = run("en", "whoami", monkeypatch, server)  # this scripted mode streams back the Authorization header
    assert at.text[-1].value == "Bearer operator-secret"
    at.text_input(key="t_remote_url").set_value(f"{server}/whoami/v1/").run()  # a typed, different URL
    assert at.text[-1].value == "Bearer EMPTY"
    at.text_input(key="t_remote_key").set_value("users-own-key").run()
    assert at.text[-1].value == "Bearer users-own-key"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_typed_internal_url_is_refused_on_the_page(lang, monkeypatch, server):  # noqa: F811
    monkeypatch.delenv("HFLAB_REMOTE_ALLOWED_HOSTS", raising=False)
    at = run(lang, "ok", monkeypatch, server)
    at.text_input(key="t_remote_url").set_value("http://169.254.169.254/v1").run()
    assert [e.value for e in at.error] == [i18n.t("remote.error.host_refused", lang, host="169\\.254\\.169\\.254")]


def test_a_failed_connection_test_is_not_repeated_until_the_settings_change(monkeypatch, server):  # noqa: F811
    monkeypatch.setenv("HFLAB_REMOTE_ALLOWED_HOSTS", "127.0.0.1")
    at = run("en", "ok", monkeypatch, server)
    at.text_input(key="t_remote_url").set_value(f"{server}/trickle/v1").run()
    at.button(key="t_remote_check").click().run()
    assert i18n.t("remote.error.timeout", "en") in [e.value for e in at.error]
    assert i18n.t("remote.check_cached", "en") not in [i.value for i in at.info]
    at.button(key="t_remote_check").click().run()  # same settings: the cached failure, no second wait
    assert i18n.t("remote.check_cached", "en") in [i.value for i in at.info]
    at.text_input(key="t_remote_url").set_value(f"{server}/ok/v1").run()
    at.button(key="t_remote_check").click().run()  # changed settings: tested again, and it works
    assert i18n.t("remote.check_ok", "en", models="scripted") in [s.value for s in at.success]

