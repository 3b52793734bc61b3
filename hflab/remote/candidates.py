"""A server's top few next-token candidates for one prompt at temperature 0 (the Sampling page's chat mode): the
`top_logprobs` of one token, at most 20 in the OpenAI API, never the full distribution over the vocabulary. Knows
nothing of Streamlit."""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from typing import Any

from hflab.byte_pieces import piece_label
from hflab.chat import defuse_messages
from hflab.remote.client import RemoteConfig, RemoteError, _within_deadline, text_of
from hflab.remote.withheld import PROBE_BIAS, Withheld, is_withheld, probe_token

MAX_TOP_LOGPROBS = 20  # the OpenAI API's upper bound for top_logprobs


@dataclass(frozen=True)
class Candidate:
    """One next-token candidate as the server reported it."""

    token: str
    logprob: float
    data: bytes | None = None  # its bytes, where the server sends them (a Chinese byte piece's token text is "")

    @property
    def prob(self) -> float:
        return math.exp(self.logprob)

    @property
    def label(self) -> str:
        """Display text: whole characters, <0xE4> for each byte of a partial character; the token text where the
        server sends no bytes."""
        return piece_label(self.data) if self.data else self.token


@dataclass(frozen=True)
class NextTokenCandidates:
    """The server's top few next-token candidates: NOT the full vocabulary distribution."""

    chosen: str
    candidates: tuple[Candidate, ...]
    model: str
    withheld: bool = False  # llama-server withheld the answer of a byte piece: asked again with the probe forced

    @property
    def covered_mass(self) -> float:
        """Probability mass of the listed candidates; the rest (1 - this) is spread over unseen tokens."""
        return min(1.0, sum(c.prob for c in self.candidates))


def _candidate(token: Any, logprob: Any, data: Any = None) -> Candidate:
    value = float(logprob)
    if not isinstance(token, str) or math.isnan(value) or value > 1e-6:
        raise ValueError(f"not a token log-probability: {token!r} {logprob!r}")
    return Candidate(token, min(value, 0.0), None if data is None else bytes(data))


def _sorted(cands: list[Candidate], k: int) -> tuple[Candidate, ...]:
    return tuple(sorted(cands, key=lambda c: -c.logprob)[:k])


def next_token_candidates(config: RemoteConfig, prompt: str, k: int = 5, as_chat: bool = True,
                          stop: threading.Event | None = None) -> NextTokenCandidates:
    """Ask for one token with `top_logprobs=k` (k is capped at 20).

    `as_chat=True` uses /chat/completions (the next token of the assistant's reply to `prompt`),
    which every OpenAI-compatible server offers; `as_chat=False` uses the legacy /completions with
    `logprobs=k`, the raw continuation of `prompt` (vLLM and llama.cpp offer it).
    Where llama-server withholds the answer of a byte piece (hflab.remote.withheld) it is asked again with the probe
    forced; the greedy choice is then the most likely candidate.
    Raises `remote.error.no_logprobs` when the server ignores the request for log-probabilities, and
    `remote.error.stopped` as soon as `stop` is set (the connection is closed).
    """
    k = max(1, min(int(k), MAX_TOP_LOGPROBS))

    def ask(bias: dict[str, int] | None) -> NextTokenCandidates:
        return _within_deadline(config, lambda client: _ask_candidates(client, config.model, prompt, k, as_chat, bias),
                                stop)

    try:
        return ask(None)
    except Withheld as withheld:
        try:
            probe = probe_token(config, stop)
        except RemoteError as err:
            if err.key == "remote.error.stopped":
                raise
            raise withheld from err  # no llama-server /tokenize: the server's answer stays "no logprobs"
    result = ask({str(probe): PROBE_BIAS})
    return replace(result, chosen=result.candidates[0].label, withheld=True)


def _ask_candidates(client, model: str, prompt: str, k: int, as_chat: bool,
                    bias: dict[str, int] | None) -> NextTokenCandidates:
    extra = {"logit_bias": bias} if bias else {}
    if as_chat:
        response = client.chat.completions.create(
            model=model, messages=defuse_messages([{"role": "user", "content": prompt}]), max_tokens=1,
            temperature=0.0, logprobs=True, top_logprobs=k, **extra)
        choice = response.choices[0]
        content = getattr(choice.logprobs, "content", None) if choice.logprobs else None
        if not content:
            raise Withheld() if is_withheld(choice.message.content) else RemoteError("remote.error.no_logprobs")
        first = content[0]
        cands = [_candidate(c.token, c.logprob, getattr(c, "bytes", None)) for c in (first.top_logprobs or [])]
        chosen = piece_label(bytes(first.bytes)) if getattr(first, "bytes", None) else first.token
    else:
        response = client.completions.create(model=model, prompt=prompt, max_tokens=1, temperature=0.0, logprobs=k,
                                             **extra)
        choice = response.choices[0]
        tops = getattr(choice.logprobs, "top_logprobs", None) if choice.logprobs else None
        if not tops or tops[0] is None:
            raise Withheld() if is_withheld(choice.text) else RemoteError("remote.error.no_logprobs")
        cands = [_candidate(tok, lp) for tok, lp in dict(tops[0]).items()]
        chosen = choice.logprobs.tokens[0] if choice.logprobs.tokens else choice.text
    if not cands:
        raise RemoteError("remote.error.no_logprobs")
    return NextTokenCandidates(text_of(chosen), _sorted(cands, k), str(getattr(response, "model", "") or ""))
