"""A scripted OpenAI-protocol server on loopback (SSE streaming, logprobs in chat and legacy shape, and
bad-server modes chosen by the first path segment), served by the `server` fixture in conftest."""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
        if mode == "ok":
            self._json(
                200, {"object": "list", "data": [{"id": "scripted", "object": "model", "created": 0, "owned_by": "t"}]}
            )
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


@contextmanager
def scripted_server():
    """Serve `Scripted` on a free loopback port; yields the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
