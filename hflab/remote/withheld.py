"""llama.cpp's llama-server withholds the log-probabilities of a drawn token whose text ends inside a UTF-8 character
(under a byte-level BPE the first byte piece of most Chinese characters): its answer is "\ufffd" and no `logprobs`,
in chat and in completions alike. The raw probabilities of a position do not depend on which token is drawn there,
so the same request again with a logit bias that forces a token whole on its own (the probe, "a") brings them back:
llama-server reports raw probabilities from the logits, and its logit bias is a sampler applied after them (checked
against the native llama-server: the top candidates of both requests are equal, README "For a class").
"""
from __future__ import annotations

import threading
from typing import Any

from hflab.remote.client import RemoteConfig, RemoteError, root_request

PROBE_TEXT = "a"
PROBE_BIAS = 100  # the OpenAI API's largest logit bias: far above any gap between two logits, so the probe is drawn


class Withheld(RemoteError):
    """The server drew an incomplete UTF-8 piece and sent no log-probabilities (shown as "no logprobs" where the
    server cannot be asked again with the probe)."""

    def __init__(self) -> None:
        super().__init__("remote.error.no_logprobs")


def is_withheld(text: Any) -> bool:
    """True for the text of an answer without log-probabilities that llama-server gives for an incomplete piece."""
    return isinstance(text, str) and text.endswith("\ufffd")


def probe_token(config: RemoteConfig, stop: threading.Event | None = None) -> int:
    """llama-server's id of PROBE_TEXT (its /tokenize, no special tokens); RemoteError where the server has none."""
    return root_request(config, "/tokenize", _single_id, body={"content": PROBE_TEXT, "add_special": False}, stop=stop)


def _single_id(data: Any) -> int:
    tokens = data["tokens"]
    if len(tokens) != 1:
        raise ValueError(f"{PROBE_TEXT!r} is not one token here: {tokens!r}")
    token = tokens[0]
    return int(token["id"] if isinstance(token, dict) else token)
