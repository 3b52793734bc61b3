"""The server's queue line (components/remote_queue.py) on the Story and Sampling pages, both languages, against the
scripted server's llama.cpp and vLLM answers (tests/scripted_openai.py, QUEUE_ANSWERS); a server that shows no queue
(llama-cpp-python's included) shows nothing."""
from __future__ import annotations

import pytest
from apptest_utils import open_page

from hflab import i18n

LLAMA_LINE = {"zh": "服务器队列：2/4 个槽位在忙，3 个请求在排队（llama.cpp，/slots + /metrics）",
              "en": "Server queue: 2/4 slots busy, 3 requests waiting (llama.cpp, /slots + /metrics)"}
VLLM_LINE = {"zh": "服务器队列：4 个请求在运行，7 个请求在排队（vLLM，/metrics）",
             "en": "Server queue: 4 requests running, 7 requests waiting (vLLM, /metrics)"}
PREFIX = {"zh": "服务器队列：", "en": "Server queue:"}


@pytest.fixture()
def remote_env(monkeypatch, server, tiny_env):
    def use(url: str):
        monkeypatch.setenv("HFLAB_REMOTE_BASE_URL", url)
        monkeypatch.setenv("HFLAB_REMOTE_MODEL", "scripted")
        monkeypatch.setenv("HFLAB_REMOTE_TIMEOUT_S", "5")
    return use


def story_page(lang: str):
    at = open_page("app_pages/image_story.py", lang)
    at.toggle(key="story_backend").set_value(True).run()
    assert not at.exception
    return at


def queue_lines(at, lang: str) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith(PREFIX[lang])]


def refresh_buttons(at, prefix: str) -> list:
    return [b for b in at.button if b.key == f"{prefix}_queue_refresh"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_story_page_shows_the_llama_cpp_queue(lang, remote_env, server):
    remote_env(f"{server}/llamacpp/v1")
    at = story_page(lang)
    assert queue_lines(at, lang) == [LLAMA_LINE[lang]]
    assert LLAMA_LINE[lang] == i18n.t("remote.queue.full", lang, busy=2, slots=4, waiting=3, engine="llama.cpp",
                                      source="/slots + /metrics")
    assert len(refresh_buttons(at, "story")) == 1


def test_the_queue_is_read_once_per_while_and_again_on_refresh(remote_env, server):
    remote_env(f"{server}/llamacpp/v1")
    before = server.queue_requests["llamacpp"]
    at = story_page("en")
    assert server.queue_requests["llamacpp"] == before + 2  # /slots, then /metrics for the requests deferred
    at.run()
    at.run()
    assert server.queue_requests["llamacpp"] == before + 2  # reruns: from the session's memory
    at.button(key="story_queue_refresh").click().run()
    assert server.queue_requests["llamacpp"] == before + 4
    assert queue_lines(at, "en") == [LLAMA_LINE["en"]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sampling_page_shows_the_vllm_queue(lang, remote_env, server):
    remote_env(f"{server}/vllm/v1")
    at = open_page("app_pages/sampling.py", lang)
    at.toggle(key="sampling_backend").set_value(True).run()
    assert not at.exception
    assert queue_lines(at, lang) == [VLLM_LINE[lang]]
    assert len(refresh_buttons(at, "sampling")) == 1


def test_a_server_without_a_queue_shows_nothing(remote_env, server):
    remote_env(f"{server}/noqueue/v1")
    at = story_page("en")
    assert queue_lines(at, "en") == [] and refresh_buttons(at, "story") == []
    before = server.queue_requests["noqueue"]
    at.run()
    assert server.queue_requests["noqueue"] == before  # a read that found nothing is remembered too


@pytest.mark.slow
def test_llama_cpp_pythons_server_shows_nothing(remote_env, llama_server):
    remote_env(llama_server.base_url)
    at = story_page("en")
    assert [c.value for c in at.caption if c.value.startswith(PREFIX["en"])] == []
    assert refresh_buttons(at, "story") == []
