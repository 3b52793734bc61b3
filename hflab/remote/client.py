"""Generation on an OpenAI-compatible server (vLLM, llama.cpp server, TGI, HF Inference Endpoints /
Providers, `transformers serve`) through the official `openai` client. Knows nothing of Streamlit.

Why: one Streamlit process cannot hold a big model for many users; a generation server can. Every
failure (server down, slow, HTTP error, unknown model, garbage, too big) becomes a `RemoteError` whose `key`
is a catalog string, so pages show a clear message instead of hanging or printing a traceback.
A server is not trusted to end its reply: every request runs under a `_Watch` that enforces its whole deadline,
its byte cap and a stop on the connection itself (every chunk read is counted and timed, keep-alives included;
at the deadline or on stop the socket is shut down, so even a silent server cannot hold a request past it).
A server's top next-token candidates: hflab.remote.candidates.
"""
from __future__ import annotations

import json
import math
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any, TypeVar
from urllib.parse import urlparse

from hflab.chat import defuse_messages
from hflab.messages import MessageError
from hflab.remote.hosts import HostPolicy, HostRefused
from hflab.settings import remote_max_reply_bytes, remote_max_stream_bytes

ENV_BASE_URL = "HFLAB_REMOTE_BASE_URL"
ENV_MODEL = "HFLAB_REMOTE_MODEL"
ENV_API_KEY = "HFLAB_REMOTE_API_KEY"
ENV_TIMEOUT = "HFLAB_REMOTE_TIMEOUT_S"
ENV_MAX_SECONDS = "HFLAB_REMOTE_MAX_SECONDS"
NO_KEY = "EMPTY"  # vLLM / llama.cpp convention for servers that need no key (the client requires one)
_DETAIL_CHARS = 300
CHECK_SECONDS = 10.0  # "test connection" gives up after this long in all, whatever the server does
# Hugging Face's router (Inference Providers) and Inference Endpoints refuse anonymous calls
KEY_REQUIRED_DOMAINS = ("huggingface.co", "hf.co", "huggingface.cloud")
T = TypeVar("T")


def key_required(base_url: str) -> bool:
    """True for servers that answer nothing without a key (Hugging Face's): the form marks the key as required."""
    host = (urlparse(base_url.strip()).hostname or "").lower()
    return any(host == domain or host.endswith("." + domain) for domain in KEY_REQUIRED_DOMAINS)


@dataclass(frozen=True)
class RemoteConfig:
    """Where and how to reach the server. `api_key` is never shown (excluded from repr)."""

    base_url: str
    model: str
    api_key: str = field(default="", repr=False)
    timeout_s: float = 30.0  # connect / per-read limit; also the whole limit of a non-streamed request
    max_seconds: float = 300.0  # whole-request limit of a stream: a server that trickles forever is cut off
    guard: HostPolicy | None = None  # a URL the user typed: its hosts are checked and its error bodies not shown
    max_reply_bytes: int = field(default_factory=remote_max_reply_bytes)  # most bytes read of one non-streamed reply
    max_stream_bytes: int = field(default_factory=remote_max_stream_bytes)  # most bytes read of one stream, in all

    def problem(self) -> str | None:
        """Catalog key of what is wrong with this config, or None when it can be used."""
        if not self.base_url.strip():
            return "remote.error.no_url"
        parsed = urlparse(self.base_url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            return "remote.error.bad_url"
        if not self.model.strip():
            return "remote.error.no_model"
        if key_required(self.base_url) and not self.api_key.strip():
            return "remote.error.no_key"
        return None


def _env_float(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def config_from_env() -> RemoteConfig:
    """The operator's server from HFLAB_REMOTE_* (the app exports `st.secrets` into the env)."""
    return RemoteConfig(
        base_url=os.environ.get(ENV_BASE_URL, "").strip(),
        model=os.environ.get(ENV_MODEL, "").strip(),
        api_key=os.environ.get(ENV_API_KEY, "").strip(),
        timeout_s=_env_float(ENV_TIMEOUT, 30.0),
        max_seconds=_env_float(ENV_MAX_SECONDS, 300.0),
    )


class RemoteError(MessageError):
    """A remote failure: a catalog key (`remote.error.*`, params `status` / `host`) and a short, untrusted
    `detail` from the operator's server (always empty for a URL the user typed: its replies are not echoed)."""

    def __init__(self, key: str, detail: str = "", status: int | None = None, **params: Any):
        super().__init__(key, status=status or "", **params)
        self.detail, self.status = detail[:_DETAIL_CHARS], status


def _status_detail(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            return str(message)
    return str(getattr(exc, "message", "") or exc)


def translate_error(exc: BaseException, config: RemoteConfig | None = None) -> RemoteError:
    """Map an `openai` / transport / parsing exception to a RemoteError with a clear catalog key;
    for a typed URL (`config.guard`) the server's own words are dropped."""
    error = _classify(exc)
    if config is not None and config.guard is not None and error.detail:
        return RemoteError(error.key, "", error.status, **{k: v for k, v in error.params.items() if k != "status"})
    return error


def _classify(exc: BaseException) -> RemoteError:
    import httpx2
    import openai

    # a refusal raised inside the HTTP client's request hook arrives wrapped in a connection error
    cause = exc if isinstance(exc, (RemoteError, HostRefused)) else exc.__cause__
    if isinstance(cause, RemoteError):
        return cause
    if isinstance(cause, HostRefused):
        return RemoteError(cause.key, **cause.params)
    if isinstance(exc, openai.APITimeoutError):
        return RemoteError("remote.error.timeout")
    if isinstance(exc, openai.APIConnectionError):
        return RemoteError("remote.error.down", str(exc.__cause__ or exc))
    # a stream is read from the HTTP response itself: its transport errors arrive unwrapped
    if isinstance(exc, httpx2.TimeoutException):
        return RemoteError("remote.error.timeout")
    if isinstance(exc, httpx2.RequestError):
        return RemoteError("remote.error.down", str(exc))
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return RemoteError("remote.error.auth", _status_detail(exc), exc.status_code)
    if isinstance(exc, openai.APIStatusError):
        detail = _status_detail(exc)
        if exc.status_code in (400, 404, 422) and "model" in detail.lower():
            return RemoteError("remote.error.unknown_model", detail, exc.status_code)
        if exc.status_code == 429:
            return RemoteError("remote.error.busy", detail, exc.status_code)
        return RemoteError("remote.error.http", detail, exc.status_code)
    if isinstance(
        exc, (openai.APIResponseValidationError, ValueError, TypeError, AttributeError, KeyError, IndexError)
    ):
        return RemoteError("remote.error.garbage", f"{type(exc).__name__}: {exc}")
    if isinstance(exc, openai.APIError):
        return RemoteError("remote.error.http", str(exc))
    return RemoteError("remote.error.garbage", f"{type(exc).__name__}: {exc}")


def size_label(n_bytes: int) -> str:
    """A byte cap as people read it: "8 MB", "1.5 MB", "64 KB"."""
    if n_bytes >= 2**20:
        return f"{n_bytes / 2**20:.4g} MB"
    return f"{n_bytes / 2**10:.4g} KB"


class _Stopped(Exception):
    """The caller's stop event was set: the stream ends quietly (stopping is not a failure)."""


class _Watch:
    """One request's limits, enforced on the connection itself rather than on what the client library yields.

    - deadline: measured from the start of the first request (redirects share it); checked on every chunk read
      (SSE comments and keep-alives are chunks too), and a watcher thread shuts the socket down when it passes,
      so a read blocked on a silent server returns at once instead of waiting for its socket timeout;
    - bytes: every chunk read of a reply is counted (`max_bytes` in all, `too_big` names the message); a declared
      Content-Length over the cap is refused before a byte of the body is read; compressed replies are refused
      (a small gzip body can decode to gigabytes, and we ask for none);
    - stop: the caller's `threading.Event`; set, the watcher shuts the socket down as at the deadline.
    """

    TICK_S = 0.2  # how often the watcher looks at a stop event

    def __init__(self, seconds: float, max_bytes: int, too_big: str, stop: threading.Event | None = None):
        self.seconds = seconds
        self.deadline = math.inf  # set when the first request starts
        self.max_bytes, self.too_big, self.stop = int(max_bytes), too_big, stop
        self.read = 0  # bytes of reply bodies read so far
        self.cut: str | None = None  # why the connection was cut: "timeout" or "stopped"
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    # httpx hooks -------------------------------------------------------------------------------------------
    def on_request(self, request) -> None:
        """Every request (redirects included): give httpcore a trace hook that hands us the socket, start watching."""
        request.extensions = {**request.extensions, "trace": self._trace}
        with self._lock:
            if self._thread is None and not self._done.is_set():
                self.deadline = time.monotonic() + self.seconds
                self._thread = threading.Thread(target=self._run, name="hflab-remote-watch", daemon=True)
                self._thread.start()

    def on_response(self, response) -> None:
        """Before any byte of the body is read: refuse what cannot be capped, count what is read."""
        import httpx2

        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise RemoteError("remote.error.garbage", f"compressed reply ({encoding[:40]})")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and self.read + int(declared) > self.max_bytes:
            raise RemoteError(self.too_big, size=size_label(self.max_bytes))
        watch, inner = self, response.stream

        class Counted(httpx2.SyncByteStream):
            def __iter__(self):
                try:
                    for chunk in inner:
                        watch.took(len(chunk))
                        yield chunk
                except (RemoteError, _Stopped):
                    raise
                except Exception:
                    watch.check()  # a read ended by our own cut says why, not "connection lost"
                    raise
                watch.check()  # a cut socket may also look like the normal end of a body

            def close(self):
                inner.close()

        response.stream = Counted()

    def _trace(self, name: str, info: dict) -> None:
        if not name.endswith(("connect_tcp.complete", "start_tls.complete")):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets.append(sock)
                cut = self.cut
            if cut:
                _shutdown(sock)

    # limits -----------------------------------------------------------------------------------------------
    def took(self, n_bytes: int) -> None:
        """Count `n_bytes` just read; raise when the cap, the deadline or a stop says the reply ends here."""
        self.read += n_bytes
        if self.read > self.max_bytes:
            raise RemoteError(self.too_big, size=size_label(self.max_bytes))
        self.check()

    def check(self) -> None:
        """Raise `_Stopped` after a stop, RemoteError(timeout) past the deadline; else nothing."""
        if self.cut == "stopped" or (self.stop is not None and self.stop.is_set()):
            raise _Stopped()
        if self.cut == "timeout" or time.monotonic() > self.deadline:
            raise RemoteError("remote.error.timeout")

    def cut_now(self, reason: str) -> None:
        """Shut down every socket of this request: a read blocked in another thread returns at once."""
        with self._lock:
            self.cut = self.cut or reason
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def close(self) -> None:
        """The request is over (the connection is closed by its owner): the watcher ends."""
        self._done.set()

    def _run(self) -> None:
        while True:
            left = self.deadline - time.monotonic()
            wait = max(0.0, left if self.stop is None else min(self.TICK_S, left))
            if self._done.wait(wait):
                return
            if self.stop is not None and self.stop.is_set():
                return self.cut_now("stopped")
            if time.monotonic() >= self.deadline:
                return self.cut_now("timeout")


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


def pinned_transport(guard: HostPolicy):
    """An HTTP transport whose every TCP connection (the first one, each redirect's) goes to an address `guard` has
    just checked (`HostPolicy.addresses`), never to what a second DNS lookup answers (DNS rebinding); the Host
    header, TLS SNI and the certificate check keep the name. A client given it uses no environment proxy (a proxy
    would look the name up again itself)."""
    import httpcore2
    import httpx2

    class Pinned(httpcore2.SyncBackend):
        def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
            addresses = guard.addresses(host, port)  # HostRefused before any connection
            for address in addresses[:-1]:
                try:
                    return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
                except (httpcore2.ConnectError, httpcore2.ConnectTimeout):
                    continue  # the next checked address, as socket.create_connection would
            return super().connect_tcp(str(addresses[-1]), port, timeout, local_address, socket_options)

    transport = httpx2.HTTPTransport()
    # httpx takes no network backend argument; its connection pool opens every connection through this one
    transport._pool._network_backend = Pinned()
    return transport


def make_client(config: RemoteConfig, watch: _Watch | None = None):
    """An `openai.OpenAI` client for the server: no retries (fail fast, the page says why), short timeouts, and
    (with `watch`) the request's deadline, byte cap and stop enforced on its connection.

    For a typed URL the host is checked now, and every connection (redirects included) goes only to an address
    checked when it is opened (`pinned_transport`).
    """
    problem = config.problem()
    if problem:
        raise RemoteError(problem)
    import httpx2
    import openai

    base_url = config.base_url.strip().rstrip("/")
    hooks: dict[str, list] = {"request": [], "response": []}
    transport = None
    if config.guard is not None:
        try:
            config.guard.check_url(base_url)
        except HostRefused as refused:
            raise RemoteError(refused.key, **refused.params) from None
        transport = pinned_transport(config.guard)
    if watch is not None:
        hooks["request"].append(watch.on_request)
        hooks["response"].append(watch.on_response)
    # identity: a compressed body could decode to far more than the bytes the cap counts
    http_client = httpx2.Client(timeout=config.timeout_s, follow_redirects=True, event_hooks=hooks,
                                headers={"Accept-Encoding": "identity"}, transport=transport)
    return openai.OpenAI(base_url=base_url, api_key=config.api_key or NO_KEY, timeout=config.timeout_s,
                         max_retries=0, http_client=http_client)


CUT_KEYS = {"timeout": "remote.error.timeout", "stopped": "remote.error.stopped"}  # why a request's socket was cut


def _within_deadline(config: RemoteConfig, call: Callable[[Any], T], stop: threading.Event | None = None) -> T:
    """Run `call(client)` with one overall deadline (`timeout_s`) and the reply cap (`max_reply_bytes`): a server
    that answers byte by byte cannot stretch a request past it; at the deadline, or as soon as `stop` is set
    (RemoteError `remote.error.stopped`), its socket is shut down, so the worker thread ends too."""
    watch = _Watch(config.timeout_s, config.max_reply_bytes, "remote.error.reply_too_big", stop)
    client = make_client(config, watch)
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(call, client)
    try:
        return _result(future, config.timeout_s, watch)
    except Exception as exc:  # every failure becomes a clear RemoteError
        if watch.cut:  # our own cut ended the request: the error is the cut's, whatever it looks like
            raise RemoteError(CUT_KEYS[watch.cut]) from exc
        raise translate_error(exc, config) from exc
    finally:
        watch.close()
        pool.shutdown(wait=False)
        if future.done():
            client.close()


def _result(future, seconds: float, watch: _Watch) -> Any:
    """The future's result; when the watch's stop is set or `seconds` pass first, the request's socket is cut and
    FutureTimeout raised at once (even while the worker still waits, on a DNS lookup for instance)."""
    end = time.monotonic() + seconds
    while True:
        try:
            return future.result(timeout=max(0.0, min(end - time.monotonic(), _Watch.TICK_S)))
        except FutureTimeout:
            if watch.stop is not None and watch.stop.is_set():
                watch.cut_now("stopped")
                raise
            if time.monotonic() >= end:
                watch.cut_now("timeout")
                raise


def server_root(config: RemoteConfig) -> str:
    """The server's root URL: llama-server and vLLM serve /tokenize, /slots and /metrics beside /v1, not under it."""
    url = config.base_url.strip().rstrip("/")
    return url[:-3] if url.endswith("/v1") else url


def root_request(config: RemoteConfig, path: str, parse: Callable[[Any], T], body: dict | None = None,
                 text: bool = False, stop: threading.Event | None = None) -> T:
    """`parse` of the answer to GET `path` at the server's root (POST with `body`), through the client every other
    request uses (host policy, pinned transport, the config's deadline and reply cap, errors as RemoteError): the
    answer as JSON, or with `text=True` the body as text. `parse` runs inside the deadline, so its KeyError or
    ValueError on a malformed answer becomes `remote.error.garbage` too; `stop` ends it as in `_within_deadline`."""
    url, cast_to = server_root(config) + path, str if text else object
    if body is None:
        return _within_deadline(config, lambda client: parse(client.get(url, cast_to=cast_to)), stop)
    return _within_deadline(config, lambda client: parse(client.post(url, body=body, cast_to=cast_to)), stop)


def list_models(config: RemoteConfig) -> list[str]:
    """Model ids the server says it serves (`GET /models`); not every server implements it."""
    return _within_deadline(config, lambda client: [str(m.id) for m in client.models.list().data])


def check_model(config: RemoteConfig) -> list[str]:
    """"Test connection": at most CHECK_SECONDS in all; `remote.error.unknown_model` when the server lists
    models and ours is not among them (the list is named only for the operator's own server)."""
    models = list_models(replace(config, timeout_s=min(config.timeout_s, CHECK_SECONDS)))
    if models and config.model not in models:
        listed = "" if config.guard is not None else ", ".join(models)[:_DETAIL_CHARS]
        raise RemoteError("remote.error.unknown_model", listed)
    return models


def text_of(value: Any) -> str:
    """A reply's text field: "" for none, TypeError for anything but text."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"content is {type(value).__name__}, not text")
    return value


KEEPALIVE = ""  # what stream_chat(keepalive=True) yields for each SSE comment: a caller's chance to stop it


def stream_chat(config: RemoteConfig, messages: list[dict], max_tokens: int = 256, temperature: float = 0.7,
                top_p: float = 1.0, seed: int | None = None, stop: threading.Event | None = None,
                keepalive: bool = False) -> Iterator[str]:
    """Yield the assistant's text piece by piece as the server streams it (SSE).

    Raises RemoteError on any failure, including mid-stream. The whole stream has one deadline,
    `config.max_seconds` from the request's start, checked on every line read (comments and keep-alives
    included) and enforced on the socket, and a byte cap, `config.max_stream_bytes` in all. Closing the
    generator (`close()`) closes the HTTP connection; so does setting `stop`, after which the stream ends
    quietly. `keepalive=True` yields KEEPALIVE ("") for every SSE comment (`: ping`), so a page drawing the
    stream gets control back, and with it its Stop button, while a server sends nothing but keep-alives.
    """
    watch = _Watch(config.max_seconds, config.max_stream_bytes, "remote.error.stream_too_big", stop)
    # typed chat markers are broken apart: the server's template must not read them as turns
    kwargs: dict[str, Any] = {
        "model": config.model,
        "messages": defuse_messages(messages),
        "max_tokens": int(max_tokens),
        "temperature": float(temperature),
        "top_p": float(top_p),
        "stream": True,
    }
    if seed is not None:
        kwargs["seed"] = int(seed)
    client = None
    try:
        client = make_client(config, watch)
        with client.chat.completions.with_streaming_response.create(
                **kwargs, timeout=min(config.timeout_s, config.max_seconds)) as response:
            valid_chunks = 0
            data: list[str] = []
            for line in chain(response.iter_lines(), [""]):  # a last blank line dispatches an unterminated event
                watch.check()
                if line.startswith(":"):  # an SSE comment: a keep-alive
                    if keepalive:
                        yield KEEPALIVE
                    continue
                if line:
                    name, _, value = line.partition(":")
                    if name == "data":
                        data.append(value[1:] if value.startswith(" ") else value)
                    continue
                if not data:
                    continue
                event, data = "\n".join(data), []
                if event.strip() == "[DONE]":
                    break
                valid_chunks += 1
                yield from _chunk_texts(json.loads(event))
            if not valid_chunks:
                raise ValueError("the stream ended without a single chunk")
    except GeneratorExit:
        raise
    except _Stopped:
        return
    except Exception as exc:
        if watch.cut == "stopped":
            return
        if watch.cut == "timeout":  # the watcher cut the socket: the error is the deadline's, whatever it looks like
            raise RemoteError("remote.error.timeout") from exc
        raise translate_error(exc, config) from exc
    finally:
        watch.close()
        if client is not None:
            client.close()


def _chunk_texts(chunk: Any) -> Iterator[str]:
    """The non-empty text pieces of one streamed chunk; an error event or another shape raises."""
    if isinstance(chunk, dict) and chunk.get("error"):
        error = chunk["error"]
        message = error.get("message") if isinstance(error, dict) else error
        raise RemoteError("remote.error.http", str(message or "an error event in the stream"))
    choices = chunk.get("choices") if isinstance(chunk, dict) else None
    if not isinstance(choices, list):
        raise ValueError("a streamed chunk has no 'choices' list")
    for choice in choices:
        delta = choice.get("delta") if isinstance(choice, dict) else None
        text = text_of(delta.get("content") if isinstance(delta, dict) else None)
        if text:
            yield text


def chat(config: RemoteConfig, messages: list[dict], max_tokens: int = 256, temperature: float = 0.7) -> str:
    """The whole assistant reply at once (non-streaming), within one deadline."""
    return _within_deadline(config, lambda client: text_of(client.chat.completions.create(
        model=config.model, messages=defuse_messages(messages), max_tokens=int(max_tokens),
        temperature=float(temperature)).choices[0].message.content))
