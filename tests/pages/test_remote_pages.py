"""The remote backend on the pages that generate (story, sampling playground), both languages, against the
scripted OpenAI-protocol server of test_remote_backend.py (tiny local models so the local path stays cheap)."""
from __future__ import annotations

import math

import pytest
from apptest_utils import open_page

from hflab import i18n


@pytest.fixture()
def remote_env(monkeypatch, server, tiny_env):  # noqa: F811
    def use(mode: str):
        monkeypatch.setenv("HFLAB_REMOTE_BASE_URL", f"{server}/{mode}/v1")
        monkeypatch.setenv("HFLAB_REMOTE_MODEL", "scripted")
        monkeypatch.setenv("HFLAB_REMOTE_TIMEOUT_S", "1")
    return use


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sampling_page_shows_the_servers_top_few_with_the_note(lang, remote_env):
    remote_env("ok")
    at = open_page("app_pages/sampling.py", lang)
    at.toggle(key="sampling_backend").set_value(True).run()
    assert not at.exception
    mass = sum(math.exp(lp) for lp in (-0.5, -1.5, -2.5))
    assert i18n.t("remote.top_note", lang, k=3, mass=mass) in [w.value for w in at.warning]
    assert list(at.dataframe[0].value.iloc[:, 0]) == ["'Hello'", "'Hi'", "'Hey'"]


def test_sampling_page_server_without_logprobs(remote_env):
    remote_env("nologprobs")
    at = open_page("app_pages/sampling.py", "en")
    at.toggle(key="sampling_backend").set_value(True).run()
    assert [e.value for e in at.error] == [i18n.t("remote.error.no_logprobs", "en")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_story_streams_from_the_server(lang, remote_env):
    remote_env("ok")
    at = open_page("app_pages/image_story.py", lang)
    at.toggle(key="story_backend").set_value(True).run()
    at.text_area(key="story_caption_zh").set_value("一只猫坐在沙发上").run()
    at.button(key="story_run").click().run()
    assert not at.exception
    assert at.session_state["story_text"] == "从前有一只猫。"
    assert at.session_state["story_params"]["story"]["source"] == "remote"


def test_story_server_down_says_so(remote_env, monkeypatch):
    remote_env("ok")
    monkeypatch.setenv("HFLAB_REMOTE_BASE_URL", "http://127.0.0.1:9/v1")  # discard port: nothing listens
    at = open_page("app_pages/image_story.py", "en")
    at.toggle(key="story_backend").set_value(True).run()
    at.text_area(key="story_caption_zh").set_value("一只猫坐在沙发上").run()
    at.button(key="story_run").click().run()
    assert not at.exception
    assert any(e.value.startswith(i18n.t("remote.error.down", "en", detail="")[:25]) for e in at.error)


def test_sampling_page_asks_a_silent_server_once_per_settings_not_per_rerun(remote_env, server, monkeypatch):
    """Issue 38: a server that never answers cost the remote panel its whole timeout on every rerun."""
    import re

    from components import remote_backend

    remote_env("silent")
    timeout = i18n.t("remote.error.timeout", "en")
    cached = re.compile(re.escape(i18n.t("remote.failure_cached", "en", seconds="§", retry="¤"))
                        .replace("§", r"\d+").replace("¤", r"\d+"))
    before = server.requests["silent"]
    at = open_page("app_pages/sampling.py", "en")
    at.toggle(key="sampling_backend").set_value(True).run()
    assert [e.value for e in at.error] == [timeout]
    assert server.requests["silent"] == before + 1
    at.run()  # a rerun with the same settings: the failure from memory, and a note that says so
    at.run()
    assert server.requests["silent"] == before + 1
    assert not at.exception and [e.value for e in at.error] == [timeout]
    assert [i.value for i in at.info if cached.fullmatch(i.value)] != []
    monkeypatch.setattr(remote_backend, "FAILURE_MEMORY_S", 0.0)  # remembered long enough: asked again
    at.run()
    assert [e.value for e in at.error] == [timeout]
    assert server.requests["silent"] == before + 2
