"""A scripted OpenAI-protocol server on loopback (SSE streaming, logprobs in chat and legacy shape, and
bad-server modes chosen by the first path segment), served by the `server` fixture in conftest.

The URL it yields also counts, per mode, the requests it received (`requests`; those for the engine's queue,
GET /<mode>/slots and /<mode>/metrics, in `queue_requests` instead), the clients it saw hang up (`disconnects`) and
the body bytes it wrote (`sent`). Hostile modes stop by themselves after `HOSTILE_S` seconds or `HOSTILE_BYTES` bytes,
whichever comes first. The queue modes (QUEUE_ANSWERS) answer /slots and /metrics as llama.cpp's server and vLLM do."""
from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PIECES = ["从前", "有一只", "猫", "。"]
TOP = [("Hello", -0.5), ("Hi", -1.5), ("Hey", -2.5)]
HOSTILE_S = 20.0  # a hostile mode gives up after this long, so no test server outlives its test for long
ENDED_S = HOSTILE_S / 2  # "it ended": far sooner than a hostile mode gives up by itself
HOSTILE_BYTES = 32 * 2**20  # ... or after writing this much
FLOOD_PIECE = "啊" * 200  # no sentence end, ever
PING_EVERY_S = 0.1
NOT_SUPPORTED = (501, "application/json", json.dumps(  # llama.cpp with the endpoint off (--no-slots, no --metrics)
    {"error": {"code": 501, "message": "This server does not support metrics endpoint.",
               "type": "not_supported_error"}}))
NOT_FOUND = (404, "application/json", json.dumps({"detail": "Not Found"}))


def wait_for(check, seconds: float = ENDED_S) -> bool:
    """Poll `check()` until it is true or `seconds` have passed."""
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


def _slot(i: int, processing: bool) -> dict:
    """One slot of current llama.cpp's /slots (tools/server/README.md), shortened."""
    return {"id": i, "id_task": 100 + i if processing else -1, "n_ctx": 4096, "speculative": False,
            "is_processing": processing, "params": {"n_predict": -1, "temperature": 0.8, "samplers": ["top_k"]},
            "next_token": {"has_next_token": processing, "has_new_line": False, "n_remain": -1,
                           "n_decoded": 17 if processing else 0}}


def _old_slot(i: int, state: int) -> dict:
    """One slot of older llama.cpp's /slots: "state" 0 idle / 1 processing, and the slot's prompt."""
    return {"id": i, "n_ctx": 2048, "model": "llama-2-7b.Q2_K.gguf", "prompt": "Say hello", "state": state,
            "next_token": {"has_next_token": bool(state), "n_remain": -1, "n_decoded": 3 * state},
            "task_id": i, "temperature": 0.0}


LLAMA_METRICS = """# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.
# TYPE llamacpp:prompt_tokens_total counter
llamacpp:prompt_tokens_total 6886
# HELP llamacpp:kv_cache_usage_ratio KV-cache usage. 1 means 100 percent usage.
# TYPE llamacpp:kv_cache_usage_ratio gauge
llamacpp:kv_cache_usage_ratio 0.41
# HELP llamacpp:requests_processing Number of requests processing.
# TYPE llamacpp:requests_processing gauge
llamacpp:requests_processing 2
# HELP llamacpp:requests_deferred Number of requests deferred.
# TYPE llamacpp:requests_deferred gauge
llamacpp:requests_deferred 3
"""
VLLM_METRICS = """# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="Qwen/Qwen2.5-0.5B-Instruct"} 3.0
vllm:num_requests_running{engine="1",model_name="Qwen/Qwen2.5-0.5B-Instruct"} 1.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen2.5-0.5B-Instruct"} 2.0
vllm:num_requests_waiting{engine="1",model_name="Qwen/Qwen2.5-0.5B-Instruct"} 5.0
vllm:num_requests_waiting_by_reason{engine="0",model_name="Qwen/Qwen2.5-0.5B-Instruct",reason="capacity"} 9.0
# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen2.5-0.5B-Instruct"} NaN
# HELP vllm:e2e_request_latency_seconds Histogram of e2e request latency in seconds.
# TYPE vllm:e2e_request_latency_seconds histogram
vllm:e2e_request_latency_seconds_bucket{engine="0",le="0.3",model_name="Qwen/Qwen2.5-0.5B-Instruct"} 0.0
vllm:e2e_request_latency_seconds_bucket{engine="0",le="+Inf",model_name="Qwen/Qwen2.5-0.5B-Instruct"} 12.0
vllm:e2e_request_latency_seconds_count{engine="0",model_name="Qwen/Qwen2.5-0.5B-Instruct"} 12.0
"""
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"
# mode -> endpoint ("slots" / "metrics") -> (status, content type, body)
QUEUE_ANSWERS = {
    "llamacpp": {"slots": (200, "application/json", json.dumps([_slot(i, i < 2) for i in range(4)])),
                 "metrics": (200, PROMETHEUS, LLAMA_METRICS)},
    "llamacpp_old": {"slots": (200, "application/json", json.dumps([_old_slot(i, int(i == 0)) for i in range(3)])),
                     "metrics": NOT_SUPPORTED},
    "llamacpp_metrics": {"slots": NOT_SUPPORTED, "metrics": (200, PROMETHEUS, LLAMA_METRICS)},
    "vllm": {"slots": NOT_FOUND, "metrics": (200, PROMETHEUS, VLLM_METRICS)},
    "noqueue": {"slots": NOT_SUPPORTED, "metrics": NOT_SUPPORTED},
    "auth": dict.fromkeys(("slots", "metrics"), (401, "application/json", json.dumps(
        {"error": {"code": 401, "message": "Invalid API Key", "type": "authentication_error"}}))),
    "queue_garbage": {"slots": (200, "application/json", '[{"id": 0, "is_processing": tru'),
                      "metrics": (200, PROMETHEUS, "<html>login</html>\nvllm:num_requests_running{model_name=\"x\" 3\n"
                                                   "vllm:num_requests_running one\n")},
}


class ScriptedURL(str):
    """The server's base URL, with what the server saw, per mode."""

    requests: Counter
    queue_requests: Counter
    disconnects: Counter
    sent: Counter


def _chunk(delta: dict, finish=None) -> bytes:
    body = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


class Scripted(BaseHTTPRequestHandler):
    """Behaviour chosen by the first path segment: /<mode>/v1/..."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _count(self, what: str, mode: str, n: int = 1) -> None:
        with self.server.lock:
            getattr(self.server, what)[mode] += n

    def _write(self, mode: str, data: bytes) -> bool:
        """Write and flush; False (and a disconnect counted) when the client has gone."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self._count("disconnects", mode)
            return False
        self._count("sent", mode, len(data))
        return True

    def _client_gone(self, wait: float) -> bool:
        """Wait up to `wait` s for the client to hang up (EOF or reset on the connection)."""
        if not select.select([self.connection], [], [], wait)[0]:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _hold(self, mode: str, ping: bool) -> None:
        """Send nothing (or only `: ping` comments) until the client hangs up or HOSTILE_S has passed."""
        end = time.monotonic() + HOSTILE_S
        while time.monotonic() < end:
            if ping and not self._write(mode, b": ping\n\n"):
                return
            if self._client_gone(PING_EVERY_S):
                self._count("disconnects", mode)
                return

    def _flood(self, mode: str, piece: bytes, head: bytes = b"", tail: bytes = b"") -> None:
        """Write `head`, then `piece` again and again (HOSTILE_S / HOSTILE_BYTES at most), then `tail`."""
        end, sent = time.monotonic() + HOSTILE_S, 0
        if head and not self._write(mode, head):
            return
        while time.monotonic() < end and sent < HOSTILE_BYTES:
            if not self._write(mode, piece):
                return
            sent += len(piece)
        self._write(mode, tail)

    def _big_json(self, mode: str) -> None:
        """A reply of HOSTILE_BYTES: declared up front (bigdeclared) or only ended by closing (big)."""
        head, tail = b'{"id": "c2", "object": "chat.completion", "choices": [{"message": {"content": "', b'"}}]}'
        piece = b"a" * 65536
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if mode == "bigdeclared":
            self.send_header("Content-Length", str(len(head) + HOSTILE_BYTES + len(tail)))
        self.send_header("Connection", "close")
        self.end_headers()
        self._flood(mode, piece, head, tail)

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
        mode, endpoint = self.path.split("/")[1], self.path.rsplit("/", 1)[-1]
        queue = endpoint in ("slots", "metrics")
        self._count("queue_requests" if queue else "requests", mode)
        if mode in ("big", "bigdeclared"):
            return self._big_json(mode)
        if mode == "silent":
            return self._hold(mode, ping=False)
        if mode == "redirect":  # to a cloud metadata address: a typed URL must not follow it
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "trickle":  # one byte every 0.4 s: no single read times out, the whole request should
            body = json.dumps({"object": "list", "data": []}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.4)
            return
        if mode == "error500":
            return self._json(500, {"error": {"message": "internal-service-secret-banner"}})
        if queue:
            status, content_type, body = QUEUE_ANSWERS.get(mode, {}).get(endpoint, NOT_FOUND)
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if mode == "ok":
            self._json(
                200, {"object": "list", "data": [{"id": "scripted", "object": "model", "created": 0, "owned_by": "t"}]}
            )
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        mode, endpoint = self.path.split("/")[1], self.path.rsplit("/", 1)[-1]
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        self._count("requests", mode)
        if mode in ("big", "bigdeclared"):
            return self._big_json(mode)
        if mode == "silent" and not request.get("stream"):  # never answers
            return self._hold(mode, ping=False)
        if mode in ("ping", "silent", "flood"):  # one chunk, then keep-alives / nothing / text without an end
            self._sse_start()
            if not self._write(mode, _chunk({"role": "assistant", "content": "从前"})):
                return
            if mode == "flood":
                return self._flood(mode, _chunk({"content": FLOOD_PIECE}))
            return self._hold(mode, ping=mode == "ping")
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
        if mode == "withheld" and endpoint == "tokenize":  # a withheld byte piece, no /tokenize
            return self._json(404, {"detail": "Not Found"})
        if request.get("stream"):
            self._sse_start()
            self.wfile.write(_chunk({"role": "assistant", "content": ""}))
            pieces = PIECES
            if mode == "whoami":
                pieces = [self.headers.get("Authorization", "")]
            elif mode == "echo":  # the last message's content, as the server received it
                pieces = [request["messages"][-1]["content"]]
            for piece in pieces:
                self.wfile.write(_chunk({"content": piece}))
            self.wfile.write(_chunk({}, finish="stop") + b"data: [DONE]\n\n")
            return
        if endpoint == "completions" and "messages" in request:  # chat with logprobs
            k = request.get("top_logprobs", 0)
            logprobs = None if mode in ("nologprobs", "withheld") else {"content": [{"token": "Hello", "logprob": -0.5,
                "bytes": None,
                "top_logprobs": [{"token": t, "logprob": lp, "bytes": None} for t, lp in TOP[:k]]}]}
            return self._json(200, {"id": "c2", "object": "chat.completion", "created": 0, "model": "scripted",
                                    "choices": [{"index": 0, "finish_reason": "length", "logprobs": logprobs,
                                                 "message": {"role": "assistant",
                                                             "content": "\ufffd" if mode == "withheld" else "Hello"}}]})
        k = request.get("logprobs") or 0  # legacy completions: logprobs is an int
        return self._json(200, {"id": "c3", "object": "text_completion", "created": 0, "model": "scripted",
                                "choices": [{"index": 0, "text": " upon", "finish_reason": "length",
                                             "logprobs": {"tokens": [" upon"], "token_logprobs": [-0.2],
                                                          "top_logprobs": [dict(TOP[:k])], "text_offset": [0]}}]})


@contextmanager
def scripted_server():
    """Serve `Scripted` on a free loopback port; yields the base URL (a ScriptedURL with its counters)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    httpd.daemon_threads = True
    httpd.lock = threading.Lock()
    url = ScriptedURL(f"http://127.0.0.1:{httpd.server_address[1]}")
    url.requests = httpd.requests = Counter()
    url.queue_requests = httpd.queue_requests = Counter()
    url.disconnects = httpd.disconnects = Counter()
    url.sent = httpd.sent = Counter()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        httpd.shutdown()
        httpd.server_close()
