"""The remote backend against a scripted OpenAI-protocol server on loopback: wire format (SSE, logprobs
in chat and legacy shape) and every bad-server case (down, slow, stalled, HTTP errors, unknown model,
garbage). The happy path against real servers is in test_remote_servers.py."""
from __future__ import annotations

import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hflab import i18n
from hflab.remote_backend import (RemoteConfig, RemoteError, check_model, config_from_env, next_token_candidates,
                                  stream_chat)

PIECES = ["从前", "有一只", "猫", "。"]
TOP = [("Hello", -0.5), ("Hi", -1.5), ("Hey", -2.5)]


def _chunk(delta: dict, finish=None) -> bytes:
    body = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


class Scripted(BaseHTTPRequestHandler):
    """Behaviour chosen by the first path segment: /<mode>/v1/..."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _json(self, status: int, body) -> None:
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _sse_start(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()

    def do_GET(self):
        mode = self.path.split("/")[1]
        if mode == "ok":
            self._json(200, {"object": "list", "data": [{"id": "scripted", "object": "model", "created": 0, "owned_by": "t"}]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        mode, endpoint = self.path.split("/")[1], self.path.rsplit("/", 1)[-1]
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if mode == "error500":
            return self._json(500, {"error": {"message": "CUDA out of memory", "type": "server_error"}})
        if mode == "auth":
            return self._json(401, {"error": {"message": "Invalid API key"}})
        if mode == "unknown_model":
            return self._json(404, {"error": {"message": f"The model `{request.get('model')}` does not exist."}})
        if mode == "slow":
            time.sleep(3)
            return self._json(200, {})
        if mode == "html":
            return self._json(200, b"<html><body>login page</body></html>")
        if mode == "stall":
            self._sse_start()
            self.wfile.write(_chunk({"content": "once"}))
            self.wfile.flush()
            time.sleep(3)
            return
        if mode == "garbage_stream":
            self._sse_start()
            self.wfile.write(b"data: {this is not json\n\n")
            return
        if mode == "wrong_shape":
            self._sse_start()
            self.wfile.write(b'data: {"hello": "world"}\n\n')
            return
        if request.get("stream"):
            self._sse_start()
            self.wfile.write(_chunk({"role": "assistant", "content": ""}))
            for piece in [self.headers.get("Authorization", "")] if mode == "whoami" else PIECES:
                self.wfile.write(_chunk({"content": piece}))
            self.wfile.write(_chunk({}, finish="stop") + b"data: [DONE]\n\n")
            return
        if endpoint == "completions" and "messages" in request:  # chat with logprobs
            k = request.get("top_logprobs", 0)
            logprobs = None if mode == "nologprobs" else {"content": [{"token": "Hello", "logprob": -0.5, "bytes": None,
                "top_logprobs": [{"token": t, "logprob": lp, "bytes": None} for t, lp in TOP[:k]]}]}
            return self._json(200, {"id": "c2", "object": "chat.completion", "created": 0, "model": "scripted",
                                    "choices": [{"index": 0, "finish_reason": "length", "logprobs": logprobs,
                                                 "message": {"role": "assistant", "content": "Hello"}}]})
        k = request.get("logprobs") or 0  # legacy completions: logprobs is an int
        return self._json(200, {"id": "c3", "object": "text_completion", "created": 0, "model": "scripted",
                                "choices": [{"index": 0, "text": " upon", "finish_reason": "length",
                                             "logprobs": {"tokens": [" upon"], "token_logprobs": [-0.2],
                                                          "top_logprobs": [dict(TOP[:k])], "text_offset": [0]}}]})


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


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
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
