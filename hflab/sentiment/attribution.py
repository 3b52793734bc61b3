"""Why this label: Integrated Gradients on the word embeddings, per character.

The definition is Captum's `LayerIntegratedGradients` on `model.get_input_embeddings()` (BERT's
`embeddings.word_embeddings`): the word-embedding output is moved along the straight path from the baseline's
embeddings x0 to the input's x, while position and token-type embeddings, LayerNorm and the rest of the forward
stay as in the real model (a forward hook replaces only that module's output). The gradient of the target
class's logit is taken at every point of the path (all points in batches, one backward each), averaged with the
quadrature weights, and multiplied by (x - x0); summing over the hidden dimension gives one number per token.
Completeness: the attributions add up to F(x) - F(x0); what is left over is the convergence delta, which
shrinks as the number of steps grows.

The baseline keeps [CLS] / [SEP] and replaces every other token with [PAD] or [MASK]. Tokens map back to the
characters they came from through the tokenizer's offsets (one Chinese character per token; [UNK] and word
pieces colour their whole span).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hflab.messages import Message, MessageError

BASELINES = ("pad", "mask")
METHODS = ("gausslegendre", "riemann_trapezoid", "riemann_right")  # Captum's names; Gauss-Legendre is its default
STEP_CHOICES = (4, 8, 16, 32, 64)
DEFAULT_STEPS = 8  # Gauss-Legendre converges fast: 8 points leave a delta far below 1% on the lab's models
# tokens explained (with [CLS]/[SEP]): a BERT-base classifier takes about 1 s on 2 cores at the default steps
MAX_TOKENS = 64
TOKENS_PER_CHUNK = 512  # path points per forward/backward = TOKENS_PER_CHUNK // tokens: bounded activation memory


@dataclass(frozen=True)
class Segment:
    """A piece of the text: the characters of one token (or of tokens sharing characters), or text no token covers."""

    start: int
    end: int
    text: str
    value: float | None  # the summed attribution of its tokens; None for spaces and the unexplained rest
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attribution:
    """Integrated Gradients of one text for one target class."""

    text: str
    target: int
    baseline: str  # "pad" or "mask"
    steps: int
    method: str
    tokens: list[str]  # the explained tokens, [CLS] and [SEP] included
    baseline_tokens: list[str]
    token_values: np.ndarray  # [tokens] float64: attribution per token (exactly 0 where input and baseline agree)
    segments: list[Segment]
    logit: float  # F(x): the target logit of the text
    baseline_logit: float  # F(x0): the target logit of the baseline
    truncated_at: int | None  # character offset where the explained part ends, when the text was longer

    @property
    def total(self) -> float:
        return float(self.token_values.sum())

    @property
    def delta(self) -> float:
        """Captum's convergence delta: sum of attributions minus (F(x) - F(x0))."""
        return self.total - (self.logit - self.baseline_logit)

    @property
    def relative_delta(self) -> float:
        """|delta| as a share of |F(x) - F(x0)| (inf when the two logits are equal)."""
        gap = abs(self.logit - self.baseline_logit)
        return abs(self.delta) / gap if gap else float("inf")


def path_points(steps: int, method: str = "gausslegendre") -> tuple[np.ndarray, np.ndarray]:
    """(alphas in [0, 1], weights summing to 1) of the quadrature along the path, as Captum defines them."""
    if steps < 1 or (method == "riemann_trapezoid" and steps < 2):
        raise ValueError(f"too few steps for {method}: {steps}")
    if method == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        return 0.5 * (nodes + 1), 0.5 * weights
    if method == "riemann_trapezoid":
        weights = np.full(steps, 1.0 / (steps - 1))
        weights[[0, -1]] *= 0.5
        return np.linspace(0.0, 1.0, steps), weights
    if method == "riemann_right":
        return np.arange(1, steps + 1) / steps, np.full(steps, 1.0 / steps)
    raise ValueError(f"unknown method {method!r}")


def attribution_problem(model, tokenizer, baseline: str) -> Message | None:
    """Why this model / tokenizer cannot be explained with `baseline` (None when it can)."""
    embeddings = model.get_input_embeddings() if hasattr(model, "get_input_embeddings") else None
    if embeddings is None:
        return Message("sentiment.why.no_embeddings", {"model": type(model).__name__})
    if not getattr(tokenizer, "is_fast", False):
        return Message("sentiment.why.no_offsets", {"tokenizer": type(tokenizer).__name__})
    token = tokenizer.pad_token if baseline == "pad" else tokenizer.mask_token
    if token is None:
        return Message("sentiment.why.no_baseline_token", {"token": "[PAD]" if baseline == "pad" else "[MASK]"})
    return None


def explained_tokens(tokenizer, text: str, max_tokens: int = MAX_TOKENS):
    """(token ids, their character offsets, which are added specials, where the explained part ends or None)."""
    enc = tokenizer(text, truncation=True, max_length=max_tokens, return_offsets_mapping=True)
    ids, offsets = list(enc["input_ids"]), [tuple(o) for o in enc["offset_mapping"]]
    special = added_specials(tokenizer, ids, offsets)
    cut = max((end for (_, end), is_special in zip(offsets, special) if not is_special), default=0)
    return ids, offsets, special, cut if text[cut:].strip() else None


def added_specials(tokenizer, ids: list[int], offsets: list[tuple[int, int]]) -> list[bool]:
    """True for the [CLS] / [SEP] the tokenizer added (no characters), which the baseline keeps; an [UNK] that
    stands for a character, or a special token typed as text, is part of the input."""
    special = set(tokenizer.all_special_ids)
    return [i in special and start == end for i, (start, end) in zip(ids, offsets)]


def baseline_ids(tokenizer, ids: list[int], special: list[bool], baseline: str) -> list[int]:
    """`ids` with every token but the added specials replaced by [PAD] or [MASK]."""
    replace = tokenizer.pad_token_id if baseline == "pad" else tokenizer.mask_token_id
    return [i if is_special else replace for i, is_special in zip(ids, special)]


def segments_of(text: str, offsets: list[tuple[int, int]], tokens: list[str], values: np.ndarray,
                special: list[bool]) -> list[Segment]:
    """The text in order: one segment per token span (tokens whose spans overlap share one), gaps without a value."""
    spans: list[list] = []  # [start, end, value, tokens]
    for (start, end), token, value, is_special in zip(offsets, tokens, values, special):
        if is_special or end <= start:
            continue
        if spans and start < spans[-1][1]:  # shares characters with the previous token (byte pieces)
            spans[-1][1] = max(spans[-1][1], end)
            spans[-1][2] += float(value)
            spans[-1][3] += (token,)
        else:
            spans.append([start, end, float(value), (token,)])
    out: list[Segment] = []
    at = 0
    for start, end, value, toks in spans:
        if start > at:
            out.append(Segment(at, start, text[at:start], None))
        out.append(Segment(start, end, text[start:end], value, toks))
        at = end
    if at < len(text):
        out.append(Segment(at, len(text), text[at:], None))
    return out


def _target_logits(model, ids, n_rows: int, word_embeddings=None):
    """The logits of `n_rows` copies of `ids`, with the word-embedding output replaced by `word_embeddings`."""
    import torch

    input_ids = torch.tensor([ids], dtype=torch.long, device=next(model.parameters()).device).expand(n_rows, -1)
    hook = None
    if word_embeddings is not None:
        hook = model.get_input_embeddings().register_forward_hook(lambda module, args, output: word_embeddings)
    try:
        return model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                     token_type_ids=torch.zeros_like(input_ids)).logits
    finally:
        if hook is not None:
            hook.remove()


def integrated_gradients(model, tokenizer, text: str, target: int | None = None, baseline: str = "pad",
                         steps: int = DEFAULT_STEPS, method: str = "gausslegendre",
                         max_tokens: int = MAX_TOKENS) -> Attribution:
    """Integrated Gradients of the `target` logit (default: the predicted class) for the first `max_tokens` tokens.

    Raises MessageError when the model or tokenizer cannot be explained, or the text has no tokens.
    """
    import torch

    problem = attribution_problem(model, tokenizer, baseline)
    if problem is not None:
        raise MessageError(problem.key, problem.level, **problem.params)
    ids, offsets, special, truncated_at = explained_tokens(tokenizer, text, max_tokens)
    if all(special):
        raise MessageError("sentiment.why.empty", "warning")
    base_ids = baseline_ids(tokenizer, ids, special, baseline)
    alphas, weights = path_points(steps, method)
    was_training = model.training
    model.eval()
    try:
        embed = model.get_input_embeddings()
        device = next(model.parameters()).device
        with torch.no_grad():
            x = embed(torch.tensor([ids], device=device))[0]
            x0 = embed(torch.tensor([base_ids], device=device))[0]
            both = torch.cat([_target_logits(model, ids, 1), _target_logits(model, base_ids, 1)])
        if target is None:
            target = int(both[0].argmax())
        diff = x - x0
        grads = torch.zeros_like(x, dtype=torch.float64)
        chunk = max(1, TOKENS_PER_CHUNK // len(ids))
        for lo in range(0, steps, chunk):
            a = torch.tensor(alphas[lo:lo + chunk], dtype=x.dtype, device=device)[:, None, None]
            path = (x0 + a * diff).requires_grad_(True)
            logits = _target_logits(model, ids, len(a), path)
            (grad,) = torch.autograd.grad(logits[:, target].sum(), path)
            w = torch.tensor(weights[lo:lo + chunk], dtype=torch.float64, device=device)[:, None, None]
            grads += (grad.double() * w).sum(0)
    finally:
        model.train(was_training)
    values = (diff.double() * grads).sum(-1).cpu().numpy()
    tokens = tokenizer.convert_ids_to_tokens(ids)
    return Attribution(text=text, target=target, baseline=baseline, steps=steps, method=method, tokens=tokens,
                       baseline_tokens=tokenizer.convert_ids_to_tokens(base_ids), token_values=values,
                       segments=segments_of(text, offsets, tokens, values, special),
                       logit=float(both[0, target]), baseline_logit=float(both[1, target]),
                       truncated_at=truncated_at)
