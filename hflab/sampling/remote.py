"""Step-by-step generation on an OpenAI-compatible server: step, branch, undo, and the sampling stages rebuilt from
the server's next-token candidates. Knows nothing of Streamlit.

Each position of the path is one `/v1/completions` request for one token (`max_tokens=1`) with `logprobs=k` and a
seed of its own (the session's seed + the position), so a step undone and taken again draws the same token. Its
answer carries both what the server drew there and the top-k candidates of that position: a step takes the draw, a
branch takes a candidate by hand, undo drops the last step (its answer is kept: no request).

What each server offers, from its documented API and source; tested here against llama-cpp-python's server
(tests/core/test_remote_stepping.py) and against llama.cpp answering by llama-server's recorded rules
(tests/core/test_remote_withheld.py), both on the packaged SmolLM2 GGUF; vLLM from its documented shapes only:

- llama-cpp-python 0.3 (`owned_by` "me"): the path goes as text (its `prompt` is a string; the server re-tokenizes
  it); candidates are named by their text with broken bytes dropped, so the byte pieces of a character all come back
  as "" and overwrite each other; any k; raw log-probs (log_softmax of the logits); sampler order penalties, top-k,
  typical, top-p, min-p, temperature.
- llama.cpp `llama-server` ("llamacpp"): token ids; candidates with id and `bytes`; any k (`n_probs`); raw
  (`post_sampling_probs` off); order penalties, dry, top-n-sigma, top-k, typical, top-p, min-p, xtc, temperature.
  It withholds the log-probabilities of a draw that ends inside a UTF-8 character (text "\ufffd", no `logprobs`):
  the draw's id then comes from its native /completion with `return_tokens` and the candidates from the same request
  with a probe token forced by logit bias (hflab.remote.withheld).
- vLLM ("vllm"): token ids; candidates as `token_id:N` (`return_tokens_as_token_ids`, bytes through a local
  tokenizer); at most `--max-logprobs` (20); raw with `--logprobs-mode raw_logprobs` (its default); order
  penalties, temperature, min-p, top-k, top-p.
- any other: text, named by text, 20, probabilities and order unknown.

llama-cpp-python also holds back a token that ends inside a UTF-8 character and keeps drawing until the character is
whole (even past `max_tokens`), so one of its steps can be several tokens that make whole characters.

The stages: transformers' own warpers (hflab.sampling.processors, in the server's order: temperature last for
llama.cpp) run over the candidates' raw log-probabilities plus the unseen rest of the vocabulary, modelled twice,
packed into tokens just below the last candidate and spread thin over 2^18 tokens. Where both give the same
numbers the stage does not depend on the unseen tokens and is exact; elsewhere the page shows the range between them.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import numpy as np

from hflab.byte_pieces import MergedPiece, is_partial, merge_pieces, piece_label, visible
from hflab.remote.client import RemoteConfig, RemoteError, _within_deadline, root_request
from hflab.remote.withheld import PROBE_BIAS, Withheld, is_withheld, probe_token
from hflab.sampling.processors import SamplingSettings, StepView, build_processors, run_stages, summarize

MAX_CANDIDATES = 100  # most candidates the page asks for where the server sets no bound (each is a bar and a row)
SPREAD_SLOTS = 2**18  # the "spread thin" model of the unseen tokens: at least as many as any common vocabulary
EXACT_ATOL = 1e-6  # two tail models agreeing within this are one exact answer
MIN_PROB = 1e-6  # smallest candidate probability the stages rebuild
UTF8_MAX = 4  # most bytes, so most byte-piece tokens, of one UTF-8 character
TAIL_EPS = 1e-6  # unseen mass below this is float noise of log-probs that sum to 1 (float32 on the server)
WIDE_CANDIDATES = 1000  # where a withheld draw is outside the first k candidates: asked once more this wide (~80 kB)

LLAMA_CPP_PYTHON, LLAMA_CPP, VLLM, OTHER = "llama-cpp-python", "llama.cpp", "vllm", "other"


@dataclass(frozen=True)
class ServerProfile:
    """What a server does with a one-token completion request (see the module's table)."""

    name: str
    token_ids: bool  # the path is sent as token ids (else as text the server re-tokenizes)
    max_candidates: int  # most candidates one request may ask for
    raw: bool | None  # True: log-probs of the raw logits, before any sampler; None: the server does not say
    temperature_last: bool | None  # the server applies temperature after the truncations; None: unknown
    order: tuple[str, ...]  # the server's sampler chain, as it documents it; () unknown
    names_bytes: bool  # every candidate comes with its id or bytes, byte pieces included


PROFILES = {
    LLAMA_CPP_PYTHON: ServerProfile(LLAMA_CPP_PYTHON, False, MAX_CANDIDATES, True, True,
                                    ("repeat_penalty", "top_k", "typical_p", "top_p", "min_p", "temperature"), False),
    LLAMA_CPP: ServerProfile(LLAMA_CPP, True, MAX_CANDIDATES, True, True,
                             ("penalties", "dry", "top_n_sigma", "top_k", "typ_p", "top_p", "min_p", "xtc",
                              "temperature"), True),
    VLLM: ServerProfile(VLLM, True, 20, True, False,
                        ("repetition_penalty", "temperature", "min_p", "top_k", "top_p"), True),
    OTHER: ServerProfile(OTHER, False, 20, None, None, (), False),
}
_OWNERS = {"me": LLAMA_CPP_PYTHON, "llamacpp": LLAMA_CPP, "vllm": VLLM}


@dataclass(frozen=True)
class ServerCandidate:
    """One next-token candidate: its raw log-probability and what the server told of it."""

    logprob: float
    token_id: int | None = None  # None where the server does not say
    data: bytes | None = None  # the token's bytes; None where the server dropped them (a byte piece named "")

    @property
    def prob(self) -> float:
        """exp(logprob)."""
        return math.exp(self.logprob)

    @property
    def named(self) -> bool:
        """False for a candidate the server could not name (its bytes dropped, or only an id without a tokenizer)."""
        return bool(self.data)

    @property
    def label(self) -> str:
        """Display text: whole characters, <0xE4> for a partial byte, spaces made visible; "" when unnamed."""
        if self.data:
            return visible(piece_label(self.data))
        return f"[id {self.token_id}]" if self.token_id is not None else ""


@dataclass(frozen=True)
class Draw:
    """What is appended to the path by one step: one token, or (llama-cpp-python) the tokens of whole characters."""

    data: bytes  # the bytes appended
    logprob: float  # raw log-probability of the whole draw (the sum over its tokens)
    ids: tuple[int, ...] | None = None  # its token ids, where the server says
    n_tokens: int = 1

    @property
    def label(self) -> str:
        """Display text: whole characters, <0xE4> for a partial byte, spaces made visible."""
        return visible(piece_label(self.data))


@dataclass(frozen=True)
class Answer:
    """The server's answer at one position: the candidates (most likely first) and what it drew there."""

    candidates: tuple[ServerCandidate, ...]
    drawn: Draw | None  # None when the server ended the text here (end of sequence)
    asked: int  # how many candidates were asked for
    model: str = ""
    withheld: bool = False  # llama-server withheld the draw's log-probabilities: asked again (`withheld_answer`)

    @property
    def ended(self) -> bool:
        """The server ended the text at this position."""
        return self.drawn is None

    @property
    def covered_mass(self) -> float:
        """Raw probability held by the listed candidates; the rest is spread over tokens not listed."""
        return min(1.0, sum(c.prob for c in self.candidates))

    @property
    def merged(self) -> int:
        """Candidates lost because the server named several by the same text (llama-cpp-python: byte pieces as "")."""
        return max(0, self.asked - len(self.candidates))

    def index_of(self, draw: Draw) -> int | None:
        """The position of `draw` among the candidates (by id, else by its bytes; on a text server a draw of several
        tokens began with a byte piece, the unnamed candidate), or None when it is not among them."""
        for i, c in enumerate(self.candidates):
            if draw.ids and c.token_id is not None:
                if c.token_id == draw.ids[0]:
                    return i
            elif draw.n_tokens == 1 and c.data == draw.data:
                return i
            elif draw.n_tokens > 1 and c.data is None:  # a text server's multi-token draw began with a byte piece
                return i
        return None


@dataclass(frozen=True)
class RemoteStep:
    """One taken step: the draw, how it was taken and the answer (distribution) it came from."""

    draw: Draw
    how: str  # "sampled", "greedy" or "picked"
    answer: Answer
    settings: SamplingSettings
    seed: int


@dataclass
class RemoteStepper:
    """A prompt and the steps taken after it on one server; holds no client (sessions keep it in their state)."""

    profile: ServerProfile
    prompt: str
    seed: int
    prompt_ids: tuple[int, ...] | None = None  # the server's own tokens of the prompt (token-id servers)
    steps: list[RemoteStep] = field(default_factory=list)

    def context(self) -> str | list[int]:
        """What the next request sends as its prompt: token ids, or the text (prompt + steps) for text servers."""
        if self.profile.token_ids:
            return list(self.prompt_ids or ()) + [i for s in self.steps for i in (s.draw.ids or ())]
        return self.prompt + self.generated_bytes().decode("utf-8", errors="strict")

    def position_seed(self) -> int:
        """The seed of the next position: the session's seed + the number of steps taken."""
        return self.seed + len(self.steps)

    def generated_bytes(self) -> bytes:
        """Every byte appended after the prompt."""
        return b"".join(s.draw.data for s in self.steps)

    def pieces(self) -> list[MergedPiece]:
        """The steps grouped into whole characters (byte pieces of one character together)."""
        return merge_pieces([s.draw.data for s in self.steps])

    def joint_probability(self, first: int, last: int) -> float:
        """Raw probability of taking steps `first`..`last` in a row."""
        return math.exp(sum(s.draw.logprob for s in self.steps[first:last + 1]))

    def take(self, answer: Answer, settings: SamplingSettings) -> RemoteStep:
        """Take the server's own draw at this position (sampled with the position's seed, or greedy)."""
        if answer.drawn is None:
            raise ValueError("the server ended the text here: nothing to take")
        how = "sampled" if settings.do_sample else "greedy"
        return self._append(RemoteStep(answer.drawn, how, answer, settings, self.position_seed()))

    def can_pick(self, candidate: ServerCandidate) -> bool:
        """A branch needs the candidate's bytes, and a text server whole characters (text cannot carry a byte)."""
        if self.profile.token_ids:
            return candidate.token_id is not None
        return candidate.named and not is_partial(candidate.data)

    def pick(self, answer: Answer, index: int, settings: SamplingSettings) -> RemoteStep:
        """Branch: take candidate `index` of `answer` instead of the server's draw."""
        candidate = answer.candidates[index]
        if not self.can_pick(candidate):
            raise ValueError("this candidate cannot be sent back to the server")
        ids = (candidate.token_id,) if candidate.token_id is not None else None
        draw = Draw(candidate.data or b"", candidate.logprob, ids)
        return self._append(RemoteStep(draw, "picked", answer, settings, self.position_seed()))

    def _append(self, step: RemoteStep) -> RemoteStep:
        self.steps.append(step)
        return step

    def undo(self) -> RemoteStep | None:
        """Drop the last step; its answer becomes the current position's again (no request)."""
        return self.steps.pop() if self.steps else None

    def reset(self) -> None:
        """Back to the bare prompt."""
        self.steps.clear()


# --- requests ----------------------------------------------------------------------------------------------------


def detect_profile(config: RemoteConfig) -> ServerProfile:
    """The server's profile from `owned_by` in its /v1/models (llama-cpp-python says "me", llama-server "llamacpp",
    vLLM "vllm"); OTHER when it says something else or nothing."""
    return _within_deadline(config, lambda client: _profile_of(client.get("/models", cast_to=object)))


def _profile_of(data: Any) -> ServerProfile:
    models = data.get("data") if isinstance(data, dict) else None
    owners = {str(m.get("owned_by", "")) for m in models or () if isinstance(m, dict)}
    return PROFILES[next((_OWNERS[o] for o in sorted(owners) if o in _OWNERS), OTHER)]


def prompt_ids(config: RemoteConfig, profile: ServerProfile, prompt: str) -> tuple[int, ...] | None:
    """The prompt's token ids from the server's own /tokenize (the served tokenizer) on token-id servers; None on
    text servers (they tokenize the text themselves)."""
    if not prompt:
        raise ValueError("empty prompt")
    if not profile.token_ids:
        return None
    if profile.name == LLAMA_CPP:
        body = {"content": prompt, "add_special": True}
    else:
        body = {"model": config.model, "prompt": prompt, "add_special_tokens": True}
    return root_request(config, "/tokenize", _token_list, body=body)


def start(config: RemoteConfig, profile: ServerProfile, prompt: str, seed: int) -> RemoteStepper:
    """A stepper at the bare prompt (one /tokenize request on token-id servers)."""
    return RemoteStepper(profile, prompt, int(seed), prompt_ids(config, profile, prompt))


def _token_list(data: Any) -> tuple[int, ...]:
    """/tokenize's ids (llama-server gives {id, piece} objects when asked for pieces)."""
    return tuple(int(tok["id"] if isinstance(tok, dict) else tok) for tok in data["tokens"])


def request_body(profile: ServerProfile, model: str, context: str | list[int], settings: SamplingSettings, seed: int,
                 k: int, max_tokens: int = 1) -> dict[str, Any]:
    """The /v1/completions body of one position: one token, k candidates, the settings in each server's own names
    (greedy as temperature 0; no repetition penalty: llama-cpp-python's default would be 1.1)."""
    sample = settings.do_sample
    min_p = (settings.min_p or 0.0) if sample else 0.0
    body: dict[str, Any] = {"model": model, "prompt": context, "max_tokens": int(max_tokens), "logprobs": int(k),
                            "seed": int(seed),
                            "temperature": float(settings.temperature) if sample else 0.0,
                            "top_p": float(settings.top_p) if sample else 1.0}
    if profile.name in (LLAMA_CPP_PYTHON, LLAMA_CPP):
        body |= {"top_k": int(settings.top_k) if sample else 0, "min_p": min_p, "repeat_penalty": 1.0}
    if profile.name == LLAMA_CPP:
        body |= {"n_probs": int(k), "post_sampling_probs": False}
    if profile.name == VLLM:
        body |= {"top_k": int(settings.top_k) if sample and settings.top_k else -1, "min_p": min_p,
                 "repetition_penalty": 1.0, "return_tokens_as_token_ids": True}
    return body


def ask(config: RemoteConfig, stepper: RemoteStepper, settings: SamplingSettings, k: int,
        id_bytes: Callable[[Sequence[int]], list[bytes]] | None = None) -> Answer:
    """The server's answer at the stepper's current position (one request, two where a text server drew a byte
    piece, up to five where llama-server withheld one (`withheld_answer`); each within the config's deadline).
    `id_bytes` maps token ids to bytes (a local tokenizer of the served model) for servers that give ids only."""
    k = max(1, min(int(k), stepper.profile.max_candidates))
    context, seed = stepper.context(), stepper.position_seed()
    body = request_body(stepper.profile, config.model, context, settings, seed, k)
    try:
        answer = _completion(config, body, k, id_bytes)
    except Withheld:
        if stepper.profile.name != LLAMA_CPP:
            raise
        return withheld_answer(config, body, k)
    if stepper.profile.token_ids or answer.drawn is None or answer.drawn.data:
        return answer
    # a text server drew a byte piece, which text cannot carry back: the same draw again (same seed), on to the end of
    # its character, which becomes the step
    longer = request_body(stepper.profile, config.model, context, settings, seed, 1, max_tokens=UTF8_MAX)
    return replace(answer, drawn=_within_deadline(config, lambda client: whole_character_draw(
        client.post("/completions", body=longer, cast_to=object))))


def _completion(config: RemoteConfig, body: dict[str, Any], k: int,
                id_bytes: Callable[[Sequence[int]], list[bytes]] | None = None) -> Answer:
    return _within_deadline(config, lambda client: parse_answer(
        client.post("/completions", body=body, cast_to=object), k, id_bytes))


def withheld_answer(config: RemoteConfig, body: dict[str, Any], k: int) -> Answer:
    """llama-server's answer at a position where its draw is an incomplete UTF-8 piece, whose log-probabilities it
    withholds (hflab.remote.withheld): the draw's id from its native /completion with `return_tokens` (same body, same
    seed, same draw), the candidates from the same request with the probe forced, and the draw's bytes and
    log-probability from its candidate, asked once more WIDE_CANDIDATES wide where it is not among the first k."""
    drawn = root_request(config, "/completion", _first_token, body=body | {"return_tokens": True})
    probe = probe_token(config)
    for n in dict.fromkeys((k, max(k, WIDE_CANDIDATES))):
        probed = _completion(config, body | {"logprobs": n, "n_probs": n, "logit_bias": [[probe, PROBE_BIAS]]}, n)
        hit = next((c for c in probed.candidates if c.token_id == drawn), None)
        if hit is not None and hit.data:
            return Answer(probed.candidates[:k], Draw(hit.data, hit.logprob, (drawn,)), k, probed.model, True)
    raise RemoteError("remote_step.error.draw_unseen", n=WIDE_CANDIDATES)


def _first_token(data: Any) -> int:
    return int(data["tokens"][0])


def whole_character_draw(data: Any) -> Draw:
    """The first tokens of a legacy-format reply up to the end of the character its first token begins: where the
    text offsets first move on (llama-cpp-python counts only decodable characters in them)."""
    choice = data["choices"][0]
    logprobs = choice["logprobs"]
    offsets, tokens = logprobs["text_offset"], logprobs["tokens"]
    n_tokens = next((i for i, offset in enumerate(offsets) if offset > offsets[0]), len(tokens))
    text = str(choice["text"])
    if n_tokens < len(offsets):
        text = text[:offsets[n_tokens] - offsets[0]]
    if not text:
        raise ValueError("the server's draw never became a whole character")
    logprob = sum(_logprob(v) for v in logprobs["token_logprobs"][:n_tokens] if v is not None)
    return Draw(text.encode("utf-8"), logprob, None, n_tokens)


def parse_answer(data: Any, k: int, id_bytes: Callable[[Sequence[int]], list[bytes]] | None = None) -> Answer:
    """An Answer from a /v1/completions reply in either shape: llama-server's `logprobs.content` (ids and bytes) or
    the OpenAI legacy `tokens` / `token_logprobs` / `top_logprobs`. Raises `remote.error.no_logprobs` when the
    server sent none (and did not end the text), ValueError on anything else malformed."""
    choice = data["choices"][0]
    logprobs = choice.get("logprobs") or {}
    model = str(data.get("model") or "")
    if logprobs.get("content"):
        first = logprobs["content"][0]
        tops = [_candidate(c["logprob"], c.get("id"), c.get("bytes")) for c in first.get("top_logprobs") or ()]
        drawn = Draw(bytes(first["bytes"]), _logprob(first["logprob"]), (int(first["id"]),))
        return Answer(_ranked(tops, k), drawn, k, model)
    if logprobs.get("tokens"):
        tokens, top = logprobs["tokens"], (logprobs.get("top_logprobs") or [None])[0] or {}
        tops = [_legacy_candidate(key, value, id_bytes) for key, value in top.items()]
        ids = _token_ids(tokens)
        if ids is not None and id_bytes is not None:
            data_bytes = b"".join(id_bytes(list(ids)))
        else:
            data_bytes = str(choice.get("text") or "").encode("utf-8")
        logprob = sum(_logprob(v) for v in logprobs.get("token_logprobs") or () if v is not None)
        return Answer(_ranked(tops, k), Draw(data_bytes, logprob, ids, len(tokens)), k, model)
    if choice.get("finish_reason") == "stop" and not choice.get("text"):
        return Answer((), None, k, model)  # end of sequence drawn: llama-cpp-python sends no log-probs then
    raise Withheld() if is_withheld(choice.get("text")) else RemoteError("remote.error.no_logprobs")


def _logprob(value: Any) -> float:
    number = float(value)
    if math.isnan(number) or number > 1e-4:
        raise ValueError(f"not a log-probability: {value!r}")
    return min(number, 0.0)


def _candidate(logprob: Any, token_id: Any, data: Any) -> ServerCandidate:
    return ServerCandidate(_logprob(logprob), None if token_id is None else int(token_id),
                     None if data is None else bytes(data))


def _token_ids(tokens: Sequence[Any]) -> tuple[int, ...] | None:
    """vLLM's `token_id:N` names as ids; None for tokens named by their text."""
    if tokens and all(isinstance(t, str) and t.startswith("token_id:") for t in tokens):
        return tuple(int(t.split(":", 1)[1]) for t in tokens)
    return None


def _legacy_candidate(key: Any, logprob: Any, id_bytes) -> ServerCandidate:
    if not isinstance(key, str):
        raise ValueError(f"not a token: {key!r}")
    if key.startswith("token_id:"):
        token_id = int(key.split(":", 1)[1])
        return ServerCandidate(_logprob(logprob), token_id, id_bytes([token_id])[0] if id_bytes else None)
    return ServerCandidate(_logprob(logprob), None, key.encode("utf-8") if key else None)


def _ranked(candidates: list[ServerCandidate], k: int) -> tuple[ServerCandidate, ...]:
    return tuple(sorted(candidates, key=lambda c: -c.logprob)[:k])


# --- stages ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteStages:
    """The sampling stages over an answer's first N candidates (those of at least MIN_PROB): `view.probs` with the
    unseen tokens packed just below the last candidate, `low` / `high` the range over both tail models, `exact` per
    stage where they agree."""

    view: StepView  # candidates are positions 0..N-1 into the answer's candidates
    low: np.ndarray  # [S, N]
    high: np.ndarray  # [S, N]
    outside_low: np.ndarray  # [S] probability mass off the candidates
    outside_high: np.ndarray  # [S]
    exact: np.ndarray  # [S] bool
    temperature_last: bool

    @property
    def n(self) -> int:
        """How many of the answer's candidates the stages cover."""
        return len(self.view.candidates)


def stage_settings(settings: SamplingSettings) -> SimpleNamespace:
    """The settings as the attributes processor_plan reads, repetition penalty off (it needs every token's logit)."""
    return SimpleNamespace(do_sample=settings.do_sample, temperature=settings.temperature, top_k=settings.top_k,
                           top_p=settings.top_p, min_p=settings.min_p, repetition_penalty=1.0)


def _tail_scores(logprobs: np.ndarray, slots: int):
    """[1, N + slots] float64 scores: the candidates' log-probs and the unseen rest as `slots` equal tokens (float32
    rounding over 2^18 tokens would tell the two tail models apart)."""
    import torch

    rest = 1.0 - float(np.exp(logprobs).sum())
    tail = np.full(slots, math.log(rest / slots)) if rest > TAIL_EPS else np.zeros(0)
    return torch.tensor(np.concatenate([logprobs, tail]), dtype=torch.float64)[None]


def _aligned(view: StepView, n: int) -> StepView:
    """The view with its candidates in the answer's order (position i = candidate i)."""
    order = np.argsort(view.candidates)
    return replace(view, candidates=np.arange(n), logits=view.logits[order], probs=view.probs[:, order],
                   kept=view.kept[:, order])


def rebuild_stages(answer: Answer, settings: SamplingSettings, temperature_last: bool,
                   chosen: int | None = None) -> RemoteStages:
    """Run transformers' warpers (in the server's order when `temperature_last`) over the candidates' raw
    log-probabilities and the unseen tokens, modelled packed and spread thin; `chosen` (a position) is marked."""
    import torch

    logprobs = np.array([c.logprob for c in answer.candidates], dtype=np.float64)
    # candidates below MIN_PROB (invisible as bars) join the unseen tokens: the packed tail then needs no more than
    # about 1/MIN_PROB tokens
    n = int((logprobs >= math.log(MIN_PROB)).sum())
    if n == 0:
        raise ValueError("no candidates")
    logprobs = logprobs[:n]
    rest = max(0.0, 1.0 - float(np.exp(logprobs).sum()))
    # each packed token a little below the last candidate, so ranking never puts one above it
    packed = int(rest / float(np.exp(logprobs.min())) * 1.01) + 1
    processors = build_processors(stage_settings(settings), temperature_last)
    ids = torch.zeros((1, 1), dtype=torch.long)
    views = [_aligned(summarize(run_stages(ids, _tail_scores(logprobs, slots), processors), top_n=n), n)
             for slots in (packed, max(packed, SPREAD_SLOTS))]
    first, second = views
    exact = (np.isclose(first.probs, second.probs, atol=EXACT_ATOL).all(axis=1)
             & (first.kept == second.kept).all(axis=1)
             & np.isclose(first.mass_outside, second.mass_outside, atol=EXACT_ATOL))
    if answer.merged:  # candidates the server lost may be larger than the last one listed: no stage is exact
        exact[1:] = False
    view = replace(first, chosen=chosen, vocab_size=n)
    return RemoteStages(view, np.minimum(first.probs, second.probs), np.maximum(first.probs, second.probs),
                        np.minimum(first.mass_outside, second.mass_outside),
                        np.maximum(first.mass_outside, second.mass_outside), exact, bool(temperature_last))
