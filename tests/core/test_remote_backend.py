"""The remote backend against a scripted OpenAI-protocol server on loopback: wire format (SSE, logprobs
in chat and legacy shape) and every bad-server case (down, slow, stalled, HTTP errors, unknown model,
garbage). The happy path against real servers is in test_remote_servers.py."""
from __future__ import annotations

import math

import pytest
from local_servers import refused_port
from scripted_openai import PIECES, TOP

from hflab import i18n
from hflab.remote.candidates import next_token_candidates
from hflab.remote.client import (
    RemoteConfig,
    RemoteError,
    check_model,
    config_from_env,
    stream_chat,
)


def cfg(server: str, mode: str, **kw) -> RemoteConfig:
    return RemoteConfig(base_url=f"{server}/{mode}/v1", model="scripted", **{"timeout_s": 1.0, **kw})


def test_stream_chat_yields_pieces_in_order(server):
    assert list(stream_chat(cfg(server, "ok"), [{"role": "user", "content": "讲个故事"}])) == PIECES


def test_chat_top_logprobs_are_the_servers_top_few(server):
    result = next_token_candidates(cfg(server, "ok"), "Hi there", k=2)
    assert result.chosen == "Hello"
    assert [c.token for c in result.candidates] == ["Hello", "Hi"]
    assert result.candidates[0].prob == pytest.approx(math.exp(-0.5))
    assert result.covered_mass == pytest.approx(math.exp(-0.5) + math.exp(-1.5))


def test_legacy_completion_logprobs(server):
    result = next_token_candidates(cfg(server, "ok"), "Once", k=3, as_chat=False)
    assert result.chosen == " upon"
    assert [c.token for c in result.candidates] == ["Hello", "Hi", "Hey"]


def test_k_is_capped_at_the_api_limit(server):
    assert len(next_token_candidates(cfg(server, "ok"), "Hi", k=500).candidates) == len(TOP)


def test_check_model_lists_and_rejects_unknown(server):
    assert check_model(cfg(server, "ok")) == ["scripted"]
    with pytest.raises(RemoteError) as err:
        check_model(RemoteConfig(base_url=f"{server}/ok/v1", model="qwen-does-not-exist", timeout_s=1.0))
    assert err.value.key == "remote.error.unknown_model" and "scripted" in err.value.detail


def _free_port() -> int:
    return refused_port()


@pytest.mark.parametrize("mode,key", [
    ("error500", "remote.error.http"),
    ("auth", "remote.error.auth"),
    ("unknown_model", "remote.error.unknown_model"),
    ("slow", "remote.error.timeout"),
    ("stall", "remote.error.timeout"),
    ("garbage_stream", "remote.error.garbage"),
    ("wrong_shape", "remote.error.garbage"),
])
def test_bad_servers_give_clear_errors_without_hanging(server, mode, key):
    with pytest.raises(RemoteError) as err:
        list(stream_chat(cfg(server, mode), [{"role": "user", "content": "hi"}]))
    # slow/stall: without the 1 s timeout these would end after the server's 3 s sleep with another outcome
    assert err.value.key == key
    for lang in i18n.LANGUAGES:  # every error renders in both languages with its placeholders
        assert i18n.t(key, lang, **err.value.params) != key


def test_server_down(server):
    with pytest.raises(RemoteError) as err:
        list(stream_chat(RemoteConfig(base_url=f"http://127.0.0.1:{_free_port()}/v1", model="m", timeout_s=1.0),
                         [{"role": "user", "content": "hi"}]))
    assert err.value.key == "remote.error.down"


def test_non_json_body_is_garbage(server):
    with pytest.raises(RemoteError) as err:
        next_token_candidates(cfg(server, "html"), "Hi")
    assert err.value.key == "remote.error.garbage"


def test_server_without_logprobs(server):
    with pytest.raises(RemoteError) as err:
        next_token_candidates(cfg(server, "nologprobs"), "Hi")
    assert err.value.key == "remote.error.no_logprobs"


def test_whole_request_deadline_cuts_a_trickling_stream(server):
    with pytest.raises(RemoteError) as err:
        list(stream_chat(cfg(server, "stall", timeout_s=5.0, max_seconds=0.01), [{"role": "user", "content": "hi"}]))
    assert err.value.key == "remote.error.timeout"


@pytest.mark.parametrize("url,model,key", [
    ("", "m", "remote.error.no_url"),
    ("ftp://host/v1", "m", "remote.error.bad_url"),
    ("http://127.0.0.1:1/v1", " ", "remote.error.no_model"),
])
def test_config_problems(url, model, key):
    with pytest.raises(RemoteError) as err:
        list(stream_chat(RemoteConfig(base_url=url, model=model), []))
    assert err.value.key == key


def test_config_from_env_and_key_never_in_repr(monkeypatch):
    monkeypatch.setenv("HFLAB_REMOTE_BASE_URL", " http://127.0.0.1:8000/v1 ")
    monkeypatch.setenv("HFLAB_REMOTE_MODEL", "Qwen/Qwen2-0.5B-Instruct")
    monkeypatch.setenv("HFLAB_REMOTE_API_KEY", "sk-secret-123")
    monkeypatch.setenv("HFLAB_REMOTE_TIMEOUT_S", "not a number")
    config = config_from_env()
    assert config.base_url == "http://127.0.0.1:8000/v1" and config.problem() is None
    assert config.timeout_s == 30.0
    assert "sk-secret-123" not in repr(config)
