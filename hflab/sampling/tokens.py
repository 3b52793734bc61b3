"""What the playground shows about token ids: their labels, where runs diverge, how often each first
token was drawn against its probability, and the distinct continuations of many draws."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from hflab.byte_pieces import piece_label, token_bytes, visible
from hflab.sampling.processors import StepView


def token_labels(tokenizer, ids: Sequence[int]) -> list[str]:
    """Display text of each token id: whole characters, <0xE4> for partial UTF-8 bytes, spaces made visible;
    `[id N]` for an id beyond the vocabulary (an embedding row no token uses)."""
    ids = [int(i) for i in ids]
    pieces = tokenizer.convert_ids_to_tokens(ids)
    return [f"[id {i}]" if piece is None else visible(piece_label(b))
            for i, piece, b in zip(ids, pieces, token_bytes(tokenizer, ids))]


def first_divergence(token_lists: Sequence[Sequence[int]]) -> int | None:
    """The first step (0-based) at which the runs took different tokens (a shorter run differs too), or None."""
    longest = max((len(x) for x in token_lists), default=0)
    return next((k for k in range(longest) if len({tuple(x[k:k + 1]) for x in token_lists}) > 1), None)


def first_token_frequencies(rows: Sequence[Sequence[int]], first_view: StepView,
                            n_top: int = 15) -> list[tuple[int, float, float]]:
    """(token, observed share among the draws, final-stage probability) for the `n_top` most likely first tokens
    and every other first token drawn (most drawn first); the probability is NaN outside the view's candidates."""
    counts = Counter(int(r[0]) for r in rows)
    top = [int(c) for c in first_view.candidates[:n_top]]
    drawn = [tok for tok, _ in counts.most_common() if tok not in top]
    final = dict(zip((int(c) for c in first_view.candidates), first_view.final_probs))
    return [(tok, counts.get(tok, 0) / len(rows), float(final.get(tok, float("nan")))) for tok in top + drawn]


def continuation_counts(tokenizer, rows: Sequence[Sequence[int]]) -> list[tuple[str, int]]:
    """Each distinct decoded continuation (spaces made visible) with how many draws gave it, most frequent first."""
    return Counter(visible(tokenizer.decode(r)) for r in rows).most_common()
