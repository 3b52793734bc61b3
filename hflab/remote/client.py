"""Generation on an OpenAI-compatible server (vLLM, llama.cpp server, TGI, HF Inference Endpoints /
Providers, `transformers serve`) through the official `openai` client. Knows nothing of Streamlit.

Why: one Streamlit process cannot hold a big model for many users; a generation server can. Every
failure (server down, slow, HTTP error, unknown model, garbage) becomes a `RemoteError` whose `key`
is a catalog string, so pages show a clear message instead of hanging or printing a traceback.
A server returns only the top few next-token candidates (`top_logprobs`, at most 20 in the OpenAI
API), never the full distribution over the vocabulary.
"""
from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import urlparse

from hflab.chat import defuse_messages
from hflab.messages import MessageError
from hflab.remote.hosts import HostPolicy, HostRefused

ENV_BASE_URL = "HFLAB_REMOTE_BASE_URL"
ENV_MODEL = "HFLAB_REMOTE_MODEL"
ENV_API_KEY = "HFLAB_REMOTE_API_KEY"
ENV_TIMEOUT = "HFLAB_REMOTE_TIMEOUT_S"
ENV_MAX_SECONDS = "HFLAB_REMOTE_MAX_SECONDS"
MAX_TOP_LOGPROBS = 20  # the OpenAI API's upper bound for top_logprobs
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


def make_client(config: RemoteConfig):
    """An `openai.OpenAI` client for the server: no retries (fail fast, the page says why), short timeouts.

    For a typed URL the host is checked now and every request (redirects included) is checked again
    by the HTTP client's request hook, after DNS resolution.
    """
    problem = config.problem()
    if problem:
        raise RemoteError(problem)
    import httpx2
    import openai

    base_url = config.base_url.strip().rstrip("/")
    http_client = None
    if config.guard is not None:
        try:
            config.guard.check_url(base_url)
        except HostRefused as refused:
            raise RemoteError(refused.key, **refused.params) from None
        guard = config.guard
        http_client = httpx2.Client(timeout=config.timeout_s, follow_redirects=True,
                                    event_hooks={"request": [lambda request: guard.check_url(str(request.url))]})
    return openai.OpenAI(base_url=base_url, api_key=config.api_key or NO_KEY, timeout=config.timeout_s,
                         max_retries=0, http_client=http_client)


def _within_deadline(config: RemoteConfig, call: Callable[[Any], T]) -> T:
    """Run `call(client)` with one overall deadline (`timeout_s`): a server that answers byte by byte
    cannot stretch a request past it; the client is closed so the worker thread ends too."""
    client = make_client(config)
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(call, client)
    try:
        return future.result(timeout=config.timeout_s)
    except FutureTimeout:
        client.close()
        raise RemoteError("remote.error.timeout") from None
    except Exception as exc:  # every failure becomes a clear RemoteError
        raise translate_error(exc, config) from exc
    finally:
        pool.shutdown(wait=False)


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


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"content is {type(value).__name__}, not text")
    return value


def stream_chat(config: RemoteConfig, messages: list[dict], max_tokens: int = 256, temperature: float = 0.7,
                top_p: float = 1.0, seed: int | None = None) -> Iterator[str]:
    """Yield the assistant's text piece by piece as the server streams it (SSE).

    Raises RemoteError on any failure, including mid-stream; a stream that exceeds
    `config.max_seconds` in total is closed with `remote.error.timeout`.
    """
    deadline = time.monotonic() + config.max_seconds
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
    stream = None
    try:
        stream = make_client(config).chat.completions.create(**kwargs)
        valid_chunks = 0
        for chunk in stream:
            choices = getattr(chunk, "choices", None)
            if not isinstance(choices, list):
                raise ValueError("a streamed chunk has no 'choices' list")
            valid_chunks += 1
            for choice in choices:
                text = _text_of(getattr(getattr(choice, "delta", None), "content", None))
                if text:
                    yield text
            if time.monotonic() > deadline:
                raise RemoteError("remote.error.timeout")
        if not valid_chunks:
            raise ValueError("the stream ended without a single chunk")
    except GeneratorExit:
        raise
    except Exception as exc:
        raise translate_error(exc, config) from exc
    finally:
        if stream is not None:
            stream.close()


def chat(config: RemoteConfig, messages: list[dict], max_tokens: int = 256, temperature: float = 0.7) -> str:
    """The whole assistant reply at once (non-streaming), within one deadline."""
    return _within_deadline(config, lambda client: _text_of(client.chat.completions.create(
        model=config.model, messages=defuse_messages(messages), max_tokens=int(max_tokens),
        temperature=float(temperature)).choices[0].message.content))


@dataclass(frozen=True)
class Candidate:
    """One next-token candidate as the server reported it."""

    token: str
    logprob: float

    @property
    def prob(self) -> float:
        return math.exp(self.logprob)


@dataclass(frozen=True)
class NextTokenCandidates:
    """The server's top few next-token candidates: NOT the full vocabulary distribution."""

    chosen: str
    candidates: tuple[Candidate, ...]
    model: str

    @property
    def covered_mass(self) -> float:
        """Probability mass of the listed candidates; the rest (1 - this) is spread over unseen tokens."""
        return min(1.0, sum(c.prob for c in self.candidates))


def _candidate(token: Any, logprob: Any) -> Candidate:
    value = float(logprob)
    if not isinstance(token, str) or math.isnan(value) or value > 1e-6:
        raise ValueError(f"not a token log-probability: {token!r} {logprob!r}")
    return Candidate(token, min(value, 0.0))


def _sorted(cands: list[Candidate], k: int) -> tuple[Candidate, ...]:
    return tuple(sorted(cands, key=lambda c: -c.logprob)[:k])


def next_token_candidates(config: RemoteConfig, prompt: str, k: int = 5, as_chat: bool = True) -> NextTokenCandidates:
    """Ask for one token with `top_logprobs=k` (k is capped at 20).

    `as_chat=True` uses /chat/completions (the next token of the assistant's reply to `prompt`),
    which every OpenAI-compatible server offers; `as_chat=False` uses the legacy /completions with
    `logprobs=k`, the raw continuation of `prompt` (vLLM and llama.cpp offer it).
    Raises `remote.error.no_logprobs` when the server ignores the request for log-probabilities.
    """
    k = max(1, min(int(k), MAX_TOP_LOGPROBS))
    return _within_deadline(config, lambda client: _ask_candidates(client, config.model, prompt, k, as_chat))


def _ask_candidates(client, model: str, prompt: str, k: int, as_chat: bool) -> NextTokenCandidates:
    if as_chat:
        response = client.chat.completions.create(
            model=model, messages=defuse_messages([{"role": "user", "content": prompt}]), max_tokens=1,
            temperature=0.0, logprobs=True, top_logprobs=k)
        choice = response.choices[0]
        content = getattr(choice.logprobs, "content", None) if choice.logprobs else None
        if not content:
            raise RemoteError("remote.error.no_logprobs")
        first = content[0]
        cands = [_candidate(c.token, c.logprob) for c in (first.top_logprobs or [])]
        chosen = first.token
    else:
        response = client.completions.create(model=model, prompt=prompt, max_tokens=1, temperature=0.0, logprobs=k)
        choice = response.choices[0]
        tops = getattr(choice.logprobs, "top_logprobs", None) if choice.logprobs else None
        if not tops or tops[0] is None:
            raise RemoteError("remote.error.no_logprobs")
        cands = [_candidate(tok, lp) for tok, lp in dict(tops[0]).items()]
        chosen = choice.logprobs.tokens[0] if choice.logprobs.tokens else choice.text
    if not cands:
        raise RemoteError("remote.error.no_logprobs")
    return NextTokenCandidates(_text_of(chosen), _sorted(cands, k), str(getattr(response, "model", "") or ""))
