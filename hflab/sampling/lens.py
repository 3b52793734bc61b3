"""Logit lens: what each layer would predict as the next token if the model stopped there.

One forward pass with `output_hidden_states=True` gives the hidden state after every layer (index 0 is the
embeddings, index i the output of layer i). Each one at the last position goes through the model's own final
norm and LM head, as the last layer's does. transformers stores `hidden_states[-1]` *after* the final norm (it is
the model's `last_hidden_state`), so it must not be normed again: the LM head alone gives the model's logits, which
the lens checks, and the last row is the softmax of the model's own logits, bit for bit. For earlier layers this is
an approximation (nothing trained them to be read this way), which the page says.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hflab.messages import Message, MessageError
from hflab.sampling.stepper import last_logits_only

TOP = 5  # next tokens shown per layer
MAX_TOKENS = 256  # context tokens one lens forward may take: well under a second for SmolLM2-135M on 2 cores
MAX_ROWS = 48  # layers drawn; deeper models show evenly spaced layers (always the embeddings and the last)
NORM_NAMES = ("norm", "final_layernorm", "ln_f", "norm_f")  # Llama / Qwen2, Phi, GPT-2, Falcon-style names


@dataclass(frozen=True)
class LensParts:
    """The modules the lens reads a hidden state through: the base model's final norm and the LM head."""

    norm: object
    head: object


@dataclass(frozen=True)
class LensView:
    """Per shown layer (rows): the top next tokens and their probabilities, and where `tracked` ranks."""

    layers: list[int]  # hidden-state index of each row: 0 = embeddings, n_layers = the model's output
    n_layers: int
    top_ids: np.ndarray  # [rows, TOP]
    top_probs: np.ndarray  # [rows, TOP]
    tracked: int  # the chosen token (or the last layer's top token when nothing is chosen yet)
    tracked_ranks: np.ndarray  # [rows] 1-based rank of `tracked` in that layer's distribution
    tracked_probs: np.ndarray  # [rows]


def lens_parts(model) -> LensParts | Message:
    """The final norm and LM head, found generically, or a message saying which one the model lacks."""
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    if head is None:
        return Message("sampling.lens.no_head", {"model": type(model).__name__})
    base = getattr(model, "base_model", None)
    norm = next((getattr(base, name) for name in NORM_NAMES if getattr(base, name, None) is not None), None)
    if base is None or base is model or norm is None:
        return Message("sampling.lens.no_norm", {"model": type(model).__name__})
    return LensParts(norm, head)


def lens_problem(model, n_tokens: int) -> Message | None:
    """Why the lens cannot run on this model and context length (None when it can)."""
    parts = lens_parts(model)
    if isinstance(parts, Message):
        return parts
    if n_tokens > MAX_TOKENS:
        return Message("sampling.lens.too_long", {"n": n_tokens, "limit": MAX_TOKENS})
    return None


def layer_distributions(model, ids: Sequence[int]):
    """[n_layers + 1, V] float32 next-token probabilities after the context `ids`, one row per hidden state.

    Raises MessageError when the lens cannot run, or when the model's output is not its LM head applied to
    its last hidden state (logit soft-capping, scaled logits): then no row would be what the model computes.
    """
    import torch

    problem = lens_problem(model, len(ids))
    if problem is not None:
        raise MessageError(problem.key, problem.level, **problem.params)
    parts = lens_parts(model)
    with torch.no_grad():
        out = model(input_ids=torch.tensor([list(ids)], device=model.device), output_hidden_states=True,
                    use_cache=False, **last_logits_only(model))
        states, own = out.hidden_states, out.logits[:, -1:, :]
        # the last state is post-norm: the head alone must give the model's logits (else soft-capping, scaling...)
        if not torch.allclose(parts.head(states[-1][:, -1:, :]).float(), own.float(), rtol=1e-4, atol=1e-4):
            raise MessageError("sampling.lens.not_head_of_state", model=type(model).__name__)
        earlier = parts.head(parts.norm(torch.cat([h[:, -1:, :] for h in states[:-1]], dim=0)))
        logits = torch.cat([earlier.float(), own.float()], dim=0)[:, 0, :]  # the last row is the model's own
    return torch.softmax(logits, dim=-1)


def shown_layers(n_states: int, max_rows: int = MAX_ROWS) -> list[int]:
    """Which hidden states become rows: all of them, or `max_rows` evenly spaced ones with the first and last."""
    if n_states <= max_rows:
        return list(range(n_states))
    return sorted({round(i * (n_states - 1) / (max_rows - 1)) for i in range(max_rows)})


def summarize_lens(probs, tracked: int | None = None, top: int = TOP, max_rows: int = MAX_ROWS) -> LensView:
    """Top-`top` tokens per shown layer and the rank of `tracked` (default: the last layer's top token)."""
    import torch

    layers = shown_layers(probs.shape[0], max_rows)
    rows = probs[layers]
    values, indices = torch.topk(rows, min(top, rows.shape[1]), dim=-1)
    token = int(torch.argmax(probs[-1])) if tracked is None else int(tracked)
    p = rows[:, token]
    ranks = (rows > p[:, None]).sum(dim=-1) + 1  # ties share the best rank
    return LensView(layers, probs.shape[0] - 1, indices.numpy(), values.numpy(), token, ranks.numpy(), p.numpy())


def logit_lens(model, ids: Sequence[int], chosen: int | None = None, top: int = TOP) -> LensView:
    """The lens for the next token after `ids`, tracking `chosen` (see layer_distributions, summarize_lens)."""
    return summarize_lens(layer_distributions(model, ids), chosen, top)
