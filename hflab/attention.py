"""Attention weights of one input exactly as the model returns them with `output_attentions=True` under eager
attention, the tokens as axis labels, and what each head mostly attends to.

Nothing here is BERT-specific: an encoder (the Tokenizer page) or a causal LM (the Sampling page) works alike.
SDPA and flash attention never build the weight matrices (transformers then returns no attentions), so
`attention_maps` switches the model to "eager" for its one forward pass and back; callers hold the model's
lock, as for any use of a shared model.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hflab import byte_pieces as bp
from hflab.messages import Message, MessageError

MAX_TOKENS = 64  # heatmaps of 64 x 64 cells and 12 small multiples of them stay light in the browser
# below this, no head's attention is far from even: a random or barely trained model (issue 33.10). Measured: random
# BERT / Qwen2 inits 0.005-0.11 (bert-base-sized 0.11), the trained SmolLM2-135M-Instruct 0.85-0.91
FLAT_ATTENTION = 0.3


@dataclass(frozen=True)
class Encoded:
    """The model inputs of one (capped) text: `input_ids` and, where the tokenizer makes them, `token_type_ids`."""

    input_ids: tuple[int, ...]
    token_type_ids: tuple[int, ...] | None
    total_tokens: int  # before the cap


@dataclass(frozen=True)
class HeadSummary:
    """Mean share of one head's attention (over the query positions) that goes to each kind of key position.

    `first` is the share to position 0 ([CLS] in an encoder; in a causal LM the "attention sink" many heads park
    their attention on). `cls` / `sep` are None when the input has no such token (a causal LM), `previous` when it
    has one token.
    """

    layer: int
    head: int
    first: float
    cls: float | None
    sep: float | None
    previous: float | None
    itself: float


def token_limit(model: Any, limit: int = MAX_TOKENS) -> int:
    """The cap for `model`: `limit`, or fewer when the model has fewer positions."""
    positions = getattr(getattr(model, "config", None), "max_position_embeddings", None)
    return min(limit, int(positions)) if isinstance(positions, int) and positions > 0 else limit


def encode_capped(tokenizer: Any, text: str, pair: str | None = None,
                  limit: int = MAX_TOKENS) -> tuple[Encoded, list[Message]]:
    """`text` (and `pair`) as the model's inputs with special tokens, at most `limit` tokens (the tokenizer's own
    truncation keeps [CLS] / [SEP]); a note says how many tokens were left out."""
    full = tokenizer(text, pair, add_special_tokens=True)
    total = len(full["input_ids"])
    encoding, messages = full, []
    if total > limit:
        encoding = tokenizer(text, pair, add_special_tokens=True, truncation=True, max_length=limit)
        messages.append(Message("attention.capped", {"total": total, "shown": len(encoding["input_ids"])}, "info"))
    types = encoding.get("token_type_ids")
    return Encoded(tuple(encoding["input_ids"]), tuple(types) if types is not None else None, total), messages


def cap_ids(ids: Sequence[int], limit: int = MAX_TOKENS) -> tuple[tuple[int, ...], list[Message]]:
    """The first `limit` of a causal LM's context `ids`, with the same note as `encode_capped` when any are left out.

    Under the causal mask query q sees keys 0..q only, so the weights among the first `limit` tokens are exactly
    those of the whole context: the cap hides later rows, it changes no value.
    """
    ids = tuple(int(i) for i in ids)
    if len(ids) <= limit:
        return ids, []
    return ids[:limit], [Message("attention.capped", {"total": len(ids), "shown": limit}, "info")]


@contextmanager
def eager_attention(model: Any) -> Iterator[None]:
    """Run the block with `model`'s attention set to "eager", then restore the implementation it had."""
    previous = getattr(model.config, "_attn_implementation", None)
    switch = previous != "eager" and hasattr(model, "set_attn_implementation")
    if switch:
        model.set_attn_implementation("eager")
    try:
        yield
    finally:
        if switch:
            model.set_attn_implementation(previous)


def attention_maps(model: Any, input_ids: Sequence[int], token_type_ids: Sequence[int] | None = None):
    """The attention weights of every layer and head for one input: a float tensor [layers, heads, tokens, tokens]
    whose row q holds how query position q spreads its attention over the key positions (each row sums to 1).

    Raises MessageError when the model returns no attention weights, or the input is longer than its positions.
    """
    import torch

    name = type(model).__name__
    positions = token_limit(model, limit=len(input_ids))  # fewer than the input when the model has fewer positions
    if positions < len(input_ids):
        raise MessageError("attention.too_long", tokens=len(input_ids), limit=positions)
    device = next(model.parameters()).device
    inputs = {"input_ids": torch.tensor([list(input_ids)], device=device)}
    if token_type_ids is not None:
        inputs["token_type_ids"] = torch.tensor([list(token_type_ids)], device=device)
    try:
        with eager_attention(model), torch.no_grad():
            out = model(**inputs, output_attentions=True)
    except (TypeError, ValueError) as exc:  # a forward without `output_attentions`, or no eager implementation
        raise MessageError("attention.unavailable", model=name, error=f"{type(exc).__name__}: {exc}") from exc
    layers = getattr(out, "attentions", None)
    if not layers or any(a is None for a in layers):
        raise MessageError("attention.unavailable", model=name, error="attentions = None")
    return torch.stack([a[0] for a in layers]).float().cpu()


def axis_labels(tokenizer: Any, ids: Sequence[int]) -> list[str]:
    """One label per token: its text with spaces made visible; a token that is only part of a character (byte-level
    BPE) is labelled with the whole character and which part it is, e.g. "我 1/3"."""
    labels: list[str] = []
    for piece in bp.merge_pieces(bp.token_bytes(tokenizer, [int(i) for i in ids])):
        text = bp.visible(piece.text)
        n = piece.n_tokens
        labels += [text] if n == 1 else [f"{text} {k}/{n}" for k in range(1, n + 1)]
    return labels


def head_summaries(weights, ids: Sequence[int], cls_id: int | None, sep_id: int | None) -> list[HeadSummary]:
    """For each layer and head of `weights` [layers, heads, tokens, tokens]: the mean share of attention to the
    first position, [CLS] positions, [SEP] positions, the previous token (queries 1..n-1) and the query itself."""
    import torch

    ids_t = torch.tensor([int(i) for i in ids])

    def share_to(token_id: int | None):
        if token_id is None or not bool((ids_t == token_id).any()):
            return None
        return weights[..., ids_t == token_id].sum(-1).mean(-1)

    first, cls, sep = weights[..., 0].mean(-1), share_to(cls_id), share_to(sep_id)
    previous = weights.diagonal(offset=-1, dim1=-2, dim2=-1).mean(-1) if len(ids) > 1 else None
    itself = weights.diagonal(dim1=-2, dim2=-1).mean(-1)

    def at(values, layer: int, head: int) -> float | None:
        return None if values is None else float(values[layer, head])

    return [HeadSummary(layer, head, float(first[layer, head]), at(cls, layer, head), at(sep, layer, head),
                        at(previous, layer, head), float(itself[layer, head]))
            for layer in range(weights.shape[0]) for head in range(weights.shape[1])]


def distance_from_uniform(weights) -> float:
    """How far the least uniform head of `weights` [layers, heads, tokens, tokens] is from spreading its attention
    evenly: per head, the mean over query rows of the total variation distance (0 = even, near 1 = all on one
    key) between the row and the even spread over the keys it can see (a causal row sees itself and the earlier
    tokens); the largest over heads. Rows that see one key only are left out; 0.0 when no row sees two."""
    import torch

    n = weights.shape[-1]
    seen = torch.ones(n, n, dtype=torch.bool)
    if not bool(weights.triu(diagonal=1).any()):  # no head looks at a later token: a causal LM's masked keys
        seen = seen.tril()
    support = seen.sum(-1, keepdim=True)
    even = seen.float() / support.clamp(min=1)
    distance = 0.5 * (weights.float() - even).abs().sum(-1)  # [layers, heads, queries]
    rows = (support.squeeze(-1) > 1).float()
    if not bool(rows.any()):
        return 0.0
    return float(((distance * rows).sum(-1) / rows.sum(-1).clamp(min=1)).max())


def flat_note(weights) -> Message | None:
    """The note that every head attends almost evenly (a random or barely trained model), or None."""
    distance = distance_from_uniform(weights)
    if weights.shape[-1] < 2 or distance >= FLAT_ATTENTION:
        return None
    return Message("attention.flat", {"distance": round(100 * distance)}, "info")


@dataclass(frozen=True)
class Inspection:
    """What an attention view draws for one input: the maps [layers, heads, tokens, tokens], one axis label per
    token, the per-head summaries, and the notes (the input's cap, attention too flat to show anything)."""

    maps: Any
    labels: list[str]
    summaries: list[HeadSummary]
    notes: tuple[Message, ...] = ()


def inspect(model: Any, tokenizer: Any, input_ids: Sequence[int], token_type_ids: Sequence[int] | None = None,
            notes: Sequence[Message] = ()) -> Inspection:
    """`attention_maps`, `axis_labels` and `head_summaries` (with the tokenizer's [CLS] / [SEP]) of one input, and
    after `notes` the note that the model's attention is flat (`flat_note`); the caller holds the model's lock.
    Raises MessageError as `attention_maps` does."""
    maps = attention_maps(model, input_ids, token_type_ids)
    summaries = head_summaries(maps, input_ids, getattr(tokenizer, "cls_token_id", None),
                               getattr(tokenizer, "sep_token_id", None))
    flat = flat_note(maps)
    return Inspection(maps, axis_labels(tokenizer, input_ids), summaries, (*notes, *([flat] if flat else [])))
