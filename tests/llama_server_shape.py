"""A loopback server that answers as llama.cpp's native `llama-server` does, on a real model: llama.cpp itself
(llama_cpp.Llama, the packaged SmolLM2 GGUF) computes every logit; this file only gives the answers llama-server's
shape and its rules, as recorded from the native llama-server 0.3.36 build (bench/llama_native.py) in RECORDED:

- /v1/models says `owned_by: "llamacpp"`; /tokenize takes `content` and `add_special`.
- /v1/completions (prompt as token ids) and /v1/chat/completions answer `logprobs.content` entries with id, token
  ("" where its bytes are not whole characters), bytes, logprob and `top_logprobs`: raw log-probabilities (the
  logits' log-softmax, `post_sampling_probs` off), untouched by `logit_bias`, which only steers the draw.
- A draw whose text ends inside a UTF-8 character (llama-server's `validate_utf8`) is withheld: text "\ufffd" and
  no log-probabilities at all (chat: no `logprobs` key).
- /completion with `return_tokens` lists the drawn ids.

The draw: argmax at temperature 0, else numpy's generator seeded with the request's seed over the top-k of the biased
logits at that temperature (not llama.cpp's sampler: the same request always draws the same token, which is all the
lab relies on). `force_draw` makes the server draw one given id whatever the logits (a byte piece, the far tail)
where the request sets no logit bias.
"""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

ALIAS = "smollm2-llama-server"

# The native llama-server's answers (abridged to the fields the lab reads), SmolLM2 Q4_1, prompt "从前有一只小猫，它"
RECORDED = {
    "completions_withheld": {"choices": [{"text": "\ufffd", "index": 0, "logprobs": None, "finish_reason": "length"}],
                             "model": "s", "object": "text_completion"},
    "chat_withheld": {"choices": [{"finish_reason": "length", "index": 0,
                                   "message": {"role": "assistant", "content": "\ufffd"}}],
                      "model": "s", "object": "chat.completion"},
    "completions_probed": {"choices": [{"text": "a", "index": 0, "logprobs": {"content": [
        {"id": 81, "token": "a", "bytes": [97], "logprob": -11.700618743896484, "top_logprobs": [
            {"id": 178, "token": "", "bytes": [231], "logprob": -2.3222603797912598},
            {"id": 27830, "token": "是", "bytes": [230, 152, 175], "logprob": -2.381453037261963},
            {"id": 11567, "token": "的", "bytes": [231, 154, 132], "logprob": -2.5014443397521973}]}]},
        "finish_reason": "length"}], "model": "s", "object": "text_completion"},
}


def validate_utf8(data: bytes) -> int:
    """llama-server's rule: the length of `data` up to a multi-byte character cut off at its end."""
    for i in range(1, min(4, len(data)) + 1):
        c = data[-i]
        need = 2 if c & 0xE0 == 0xC0 else 3 if c & 0xF0 == 0xE0 else 4 if c & 0xF8 == 0xF0 else 0
        if i < need:
            return len(data) - i
    return len(data)


def _token_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return ""


class Shaped:
    """llama.cpp on one GGUF behind llama-server's rules (one request at a time, as one slot)."""

    def __init__(self, gguf: Path):
        from llama_cpp import Llama

        self.llama = Llama(model_path=str(gguf), n_ctx=1024, n_threads=2, logits_all=True, verbose=False)
        self.lock = threading.Lock()
        self.force_draw: int | None = None
        self.requests: list[tuple[str, dict]] = []

    def tokenize(self, text: str, add_special: bool) -> list[int]:
        return self.llama.tokenize(text.encode("utf-8"), add_bos=add_special, special=True)

    def chat_ids(self, messages: list[dict]) -> list[int]:
        """The GGUF's own chat template, rendered in a sandbox as llama-server does with --jinja."""
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        template = ImmutableSandboxedEnvironment().from_string(self.llama.metadata["tokenizer.chat_template"])
        return self.tokenize(template.render(messages=messages, add_generation_prompt=True), add_special=False)

    def logprobs(self, ids: list[int]) -> np.ndarray:
        """llama.cpp's raw log-probabilities of the token after `ids`."""
        from llama_cpp import Llama

        self.llama.reset()
        self.llama.eval(ids)
        return np.asarray(Llama.logits_to_logprobs(self.llama.scores[len(ids) - 1]), dtype=np.float64)

    def draw(self, logprobs: np.ndarray, request: dict) -> int:
        bias = request.get("logit_bias") or {}
        if self.force_draw is not None and not bias:
            return self.force_draw
        scores = logprobs.copy()
        for token, value in bias.items() if isinstance(bias, dict) else bias:
            scores[int(token)] += float(value)
        temperature = float(request.get("temperature", 0.8))
        if temperature <= 0:
            return int(np.argmax(scores))
        top_k = int(request.get("top_k") or 0)
        keep = np.argsort(-scores, kind="stable")[:top_k] if top_k > 0 else np.arange(len(scores))
        weights = np.exp((scores[keep] - scores[keep].max()) / temperature)
        rng = np.random.default_rng(int(request.get("seed", 0)))
        return int(keep[rng.choice(len(keep), p=weights / weights.sum())])

    def entry(self, token: int, logprobs: np.ndarray) -> dict:
        data = self.llama.detokenize([token], special=True)
        return {"id": token, "token": _token_text(data), "bytes": list(data), "logprob": float(logprobs[token])}

    def one_token(self, ids: list[int], request: dict, n_probs: int) -> tuple[int, bytes, dict | None]:
        """The draw, its text and its logprobs entry (None where llama-server withholds it)."""
        logprobs = self.logprobs(ids)
        token = self.draw(logprobs, request)
        data = b"" if token == self.llama.token_eos() else self.llama.detokenize([token], special=True)
        if validate_utf8(data) < len(data) or not n_probs:
            return token, data, None
        top = np.argsort(-logprobs, kind="stable")[:n_probs]
        return token, data, self.entry(token, logprobs) | {"top_logprobs": [self.entry(int(t), logprobs) for t in top]}

    def answer(self, path: str, request: dict) -> dict:
        with self.lock:
            self.requests.append((path, request))
            if path == "/tokenize":
                return {"tokens": self.tokenize(request["content"], bool(request.get("add_special")))}
            chat = path == "/v1/chat/completions"
            ids = self.chat_ids(request["messages"]) if chat else list(request["prompt"])
            n_probs = int(request.get("n_probs") or (request.get("top_logprobs") if chat else request.get("logprobs"))
                          or 0)
            token, data, entry = self.one_token(ids, request, n_probs)
            ended = token == self.llama.token_eos()
            text = "\ufffd" if validate_utf8(data) < len(data) else data.decode("utf-8", errors="replace")
            logprobs = {"content": [entry]} if entry else None
            finish = "stop" if ended else "length"
            if path == "/completion":
                return {"index": 0, "content": text, "tokens": [token] if request.get("return_tokens") else [],
                        "stop": True, "model": ALIAS, "tokens_predicted": 1, "stop_type": "eos" if ended else "limit",
                        "completion_probabilities": [entry] if entry else []}
            if chat:
                choice = {"finish_reason": finish, "index": 0, "message": {"role": "assistant", "content": text}}
                return {"choices": [choice | ({"logprobs": logprobs} if logprobs else {})], "model": ALIAS,
                        "object": "chat.completion", "id": "chatcmpl-shaped", "created": 0}
            return {"choices": [{"text": text, "index": 0, "logprobs": logprobs, "finish_reason": finish}],
                    "model": ALIAS, "object": "text_completion", "id": "cmpl-shaped", "created": 0}


class _Handler(BaseHTTPRequestHandler):
    shaped: Shaped

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _json(self, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            return self._json({"object": "list", "data": [{"id": ALIAS, "object": "model", "created": 0,
                                                            "owned_by": "llamacpp", "meta": {"n_vocab": 49152}}]})
        self.send_error(404)

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        path = self.path.rstrip("/")
        if path not in ("/tokenize", "/completion", "/v1/completions", "/v1/chat/completions"):
            return self.send_error(404)
        self._json(self.server.shaped.answer(path, request))


@contextmanager
def llama_server_shaped(gguf: Path):
    """Serve a Shaped server on a free loopback port; yields (base URL with /v1, the Shaped instance)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.shaped = Shaped(gguf)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", httpd.shaped
    finally:
        httpd.shutdown()
        httpd.server_close()
