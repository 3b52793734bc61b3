"""Statistics of a review data set, all plain pandas so tests can recompute them directly."""
from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import regex as regex_engine

from hflab.sentiment.data import DataError

TRUNCATION_LIMITS = (128, 256, 512)
REGEX_BUDGET_S = 1.0  # for all rows together: a pattern that backtracks exponentially is stopped
MAX_PATTERN_CHARS = 200
# function characters that top every frequency table but say nothing about sentiment (不, 没, 很 stay: they do)
STOPWORDS = frozenset(
    "的了是我也在有和就都这那一个上们你他她它着过到说要会对去把被为与及或而之其地得吧吗呢啊呀给让还又"
)


def split_sizes(splits: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows per split."""
    return pd.DataFrame({"split": list(splits), "rows": [len(df) for df in splits.values()]})


def label_balance(splits: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Count and share of each label per split (columns split, label, count, share)."""
    rows = []
    for name, df in splits.items():
        counts = df["label"].value_counts().sort_index()
        for label, count in counts.items():
            rows.append({"split": name, "label": int(label), "count": int(count), "share": count / len(df)})
    return pd.DataFrame(rows, columns=["split", "label", "count", "share"])


def token_lengths(tokenizer, texts: Sequence[str], batch_size: int = 2000) -> np.ndarray:
    """Token count of each text with special tokens and no truncation (the real tokenizer's view).

    A fast tokenizer counts through its own Rust backend (`encode_batch_fast`: no offsets, no Python
    lists of ids), with truncation and padding off for the call and restored after it.
    """
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or not hasattr(backend, "encode_batch_fast"):
        lengths: list[int] = []
        for start in range(0, len(texts), batch_size):
            chunk = list(texts[start : start + batch_size])
            lengths += [len(ids) for ids in tokenizer(chunk, add_special_tokens=True, truncation=False)["input_ids"]]
        return np.asarray(lengths, dtype=np.int64)
    truncation, padding = backend.truncation, backend.padding
    backend.no_truncation()
    backend.no_padding()
    try:
        return np.fromiter((len(encoding) for start in range(0, len(texts), batch_size)
                            for encoding in backend.encode_batch_fast(list(texts[start : start + batch_size]),
                                                                      add_special_tokens=True)),
                           dtype=np.int64, count=len(texts))
    finally:
        if truncation:
            backend.enable_truncation(**truncation)
        if padding:
            backend.enable_padding(**padding)


def with_lengths(df: pd.DataFrame, token_counts: np.ndarray) -> pd.DataFrame:
    """The frame plus `chars` and `tokens` columns."""
    return df.assign(chars=df["text"].str.len().astype("int64"), tokens=token_counts)


def truncation_shares(tokens: pd.Series | np.ndarray, limits: Sequence[int] = TRUNCATION_LIMITS) -> pd.DataFrame:
    """Share of reviews longer than each max_length (they would be truncated)."""
    tokens = np.asarray(tokens)
    return pd.DataFrame({"max_length": list(limits),
                         "truncated": [int((tokens > n).sum()) for n in limits],
                         "share": [float((tokens > n).mean()) if len(tokens) else 0.0 for n in limits]})


def histogram(df: pd.DataFrame, column: str, bins: int = 40, edges: np.ndarray | None = None) -> pd.DataFrame:
    """Counts per label over shared bins of `column` (`bins` equal-width ones, or the given `edges`)."""
    values = df[column].to_numpy()
    if len(values) == 0:
        return pd.DataFrame(columns=["label", "start", "end", "count"])
    edges = np.histogram_bin_edges(values, bins=bins) if edges is None else edges
    rows = []
    for label, group in df.groupby("label"):
        counts, _ = np.histogram(group[column].to_numpy(), bins=edges)
        rows += [{"label": int(label), "start": float(edges[i]), "end": float(edges[i + 1]), "count": int(c)}
                 for i, c in enumerate(counts)]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class LengthHistogram:
    """Counts per label from 0 to `upper` (bins of a round width); `tail` longer rows are left out of the chart."""

    bins: pd.DataFrame  # label, start, end, count
    upper: float
    tail: int


def round_width(span: float, bins: int) -> int:
    """A bin width of 1, 2 or 5 times a power of ten giving about `bins` bins over `span` (at least 1)."""
    raw = max(span / max(1, bins), 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def axis_top(counts) -> int:
    """A round top for a count axis starting at 0, at least 5% above the largest count: its bar is not cut at the
    chart's edge (a domain given as only domainMin=0 ended at the tallest bar, issue 33.11)."""
    most = max((float(c) for c in counts), default=0.0)
    step = round_width(most, 5)
    return max(step, int(math.ceil(most * 1.05 / step)) * step)


def length_histogram(df: pd.DataFrame, column: str, bins: int = 30, quantile: float = 0.99) -> LengthHistogram:
    """Lengths from 0 up to the `quantile` (a few very long reviews would squeeze the rest into one bar)."""
    values = df[column].to_numpy()
    if len(values) == 0:
        return LengthHistogram(histogram(df, column), 0.0, 0)
    cut = float(np.quantile(values, quantile))
    width = round_width(cut, bins)
    edges = np.arange(0, cut + width, width, dtype=float)
    edges = edges if len(edges) > 1 else np.array([0.0, float(width)])
    kept = df[df[column] <= edges[-1]]
    return LengthHistogram(histogram(kept, column, edges=edges), float(edges[-1]), int(len(df) - len(kept)))


def length_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Mean / median / max characters and tokens per label."""
    return df.groupby("label")[["chars", "tokens"]].agg(["mean", "median", "max"]).round(1)


def frequent_chars(
    df: pd.DataFrame, top: int = 20, ngram: int = 1, stopwords: frozenset[str] = frozenset()
) -> pd.DataFrame:
    """Most frequent characters (ngram=1) or character bigrams (ngram=2) per label, punctuation left out, and
    items holding one of `stopwords` (e.g. STOPWORDS) left out."""
    rows = []
    for label, group in df.groupby("label"):
        joined = "\n".join(group["text"])  # "\n" is not alphanumeric, so no bigram spans two reviews
        # counting in C (Counter over a str / zip) and filtering the few distinct keys afterwards is fast
        grams = Counter(joined) if ngram == 1 else Counter(map("".join, zip(*(joined[i:] for i in range(ngram)))))
        counter = Counter({g: n for g, n in grams.items() if g.isalnum() and stopwords.isdisjoint(g)})
        total = sum(counter.values()) or 1
        rows += [{"label": int(label), "rank": r + 1, "item": item, "count": n, "per_1000": 1000 * n / total}
                 for r, (item, n) in enumerate(counter.most_common(top))]
    return pd.DataFrame(rows, columns=["label", "rank", "item", "count", "per_1000"])


def regex_matches(texts: pd.Series, pattern: str, budget_s: float | None = None) -> pd.Series:
    """Which texts a user's `pattern` matches, within `budget_s` seconds (REGEX_BUDGET_S) for all of them.

    The `regex` package matches with the GIL released (`concurrent=True`), so other sessions' threads keep
    running, and stops at its `timeout`, so a catastrophic pattern such as `^(\\w|\\w)+$` cannot run for minutes.
    """
    budget_s = REGEX_BUDGET_S if budget_s is None else budget_s
    if len(pattern) > MAX_PATTERN_CHARS:
        raise DataError("sentiment.err.regex_too_long", limit=MAX_PATTERN_CHARS)
    try:
        compiled = regex_engine.compile(pattern)
    except regex_engine.error as exc:
        raise DataError("sentiment.err.bad_regex", error=str(exc)) from exc
    deadline = time.monotonic() + budget_s
    hits = []
    try:
        for text in texts:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            hits.append(compiled.search(text, timeout=left, concurrent=True) is not None)
    except TimeoutError as exc:
        raise DataError("sentiment.err.regex_timeout", seconds=f"{budget_s:g}") from exc
    return pd.Series(hits, index=texts.index, dtype=bool)


def search_reviews(df: pd.DataFrame, query: str = "", regex: bool = False, labels: Sequence[int] | None = None,
           min_chars: int = 0, max_chars: int | None = None) -> pd.DataFrame:
    """Rows whose text contains `query` (plain substring, or a regular expression), by label and length."""
    mask = pd.Series(True, index=df.index)
    if query and regex:
        mask &= regex_matches(df["text"], query)
    elif query:
        mask &= df["text"].str.contains(query, regex=False, na=False)
    if labels is not None:
        mask &= df["label"].isin(list(labels))
    chars = df["text"].str.len()
    mask &= chars >= min_chars
    if max_chars is not None:
        mask &= chars <= max_chars
    return df[mask]


def page(df: pd.DataFrame, number: int, size: int) -> pd.DataFrame:
    """Rows of page `number` (1-based) of `size` rows."""
    start = (max(1, number) - 1) * size
    return df.iloc[start : start + size]
