"""Attention heatmaps: one head with the tokens on both axes, and every head of one layer as small multiples.

Token text reaches the browser only as chart data (rendered as SVG/canvas text, never as HTML). The cells are a
numbers-only frame (int8/int16 positions, float32 weights) put into the spec's named data sets after Altair has
written it, which Streamlit sends as Arrow; Vega-Lite joins the token labels in by a lookup. Passed through Altair
as rows with labels, 12 heads x 64 x 64 cells cost megabytes of JSON and 13 s.
"""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from components.i18n import t
from components.prob_chart import draw

CELL_PX = 12  # one cell of the single-head heatmap: 64 tokens and their labels fit the page
THUMB_PX = 150  # one head in the small multiples
COLUMNS = 4
TOKEN_AXIS = {"labelLimit": 90, "labelOverlap": False, "labelFontSize": 10}  # every labelled token shown
AXIS_LABELS = 32  # at most this many labels per axis: 64 labels 12 px apart overlapped (issue 33.10); the rest thinned
CELLS, LABELS = "attention_cells", "attention_labels"  # the spec's named data sets


def chart_words() -> dict[str, str]:
    """Axis, legend and tooltip titles in the session's language."""
    return {w: t(f"attention.chart.{w}") for w in ("query", "key", "weight", "head")}


def positioned(labels: Sequence[str]) -> list[str]:
    """Labels made unique by their position ("3·的"): a nominal axis would merge two tokens that read alike."""
    return [f"{i}·{label}" for i, label in enumerate(labels)]


def datasets(heads_weights, labels: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The cells of [heads, tokens, tokens] weights, one row per (head, query, key), and the position labels."""
    weights = np.asarray(heads_weights, dtype=np.float32)
    head, query, key = np.indices(weights.shape).reshape(3, -1)
    cells = pd.DataFrame({"head": head.astype(np.int8), "q": query.astype(np.int16), "k": key.astype(np.int16),
                          "w": weights.reshape(-1)})
    return {CELLS: cells, LABELS: pd.DataFrame({"pos": np.arange(len(labels), dtype=np.int16),
                                                "label": positioned(labels)})}


def _cells_chart() -> alt.Chart:
    """Rects over the named cells, with both tokens' labels looked up by position."""
    chart = alt.Chart(alt.NamedData(CELLS))
    for field, name in (("q", "query"), ("k", "key")):
        chart = chart.transform_lookup(lookup=field, from_=alt.LookupData(alt.NamedData(LABELS), key="pos",
                                                                          fields=["label"]), as_=[name])
    return chart.mark_rect()


def _spec(chart, heads_weights, labels: Sequence[str]) -> dict:
    spec = chart.to_dict(validate=False)
    spec["datasets"] = datasets(heads_weights, labels)
    return spec


def _tooltip(words: dict[str, str]) -> list:
    return [alt.Tooltip("query:N", title=words["query"]), alt.Tooltip("key:N", title=words["key"]),
            alt.Tooltip("w:Q", title=words["weight"], format=".3f")]


def label_step(n_tokens: int, most: int = AXIS_LABELS) -> int:
    """Label one token in this many on each axis, so that at most `most` labels show (1: every token)."""
    return max(1, -(-n_tokens // most))


def heatmap(weights, labels: Sequence[str], words: dict[str, str]) -> dict:
    """One head [tokens, tokens]: row = query token, column = key token, colour = weight (each row sums to 1). The
    axes label every token, or one in `label_step` when there are many (each cell's tooltip names both tokens)."""
    names = positioned(labels)
    shown = {"values": names[::label_step(len(names))]} if label_step(len(names)) > 1 else {}
    chart = _cells_chart().encode(
        x=alt.X("key:N", sort=names, title=words["key"], axis=alt.Axis(labelAngle=-60, **TOKEN_AXIS, **shown)),
        y=alt.Y("query:N", sort=names, title=words["query"], axis=alt.Axis(**TOKEN_AXIS, **shown)),
        color=alt.Color("w:Q", scale=alt.Scale(scheme="blues", domainMin=0), title=words["weight"]),
        tooltip=_tooltip(words),
    ).properties(width=alt.Step(CELL_PX), height=alt.Step(CELL_PX))  # square cells, axes outside them
    return _spec(chart, weights[None], labels)


def small_multiples(layer_weights, labels: Sequence[str], words: dict[str, str]) -> dict:
    """Every head of one layer [heads, tokens, tokens] on one shared colour scale, tokens in the tooltip."""
    chart = _cells_chart().encode(
        x=alt.X("k:O", axis=None), y=alt.Y("q:O", axis=None),
        color=alt.Color("w:Q", scale=alt.Scale(scheme="blues", domainMin=0), title=words["weight"]),
        tooltip=[alt.Tooltip("head:O", title=words["head"]), *_tooltip(words)],
    ).properties(width=THUMB_PX, height=THUMB_PX).facet(facet=alt.Facet("head:O", title=words["head"]),
                                                        columns=COLUMNS)
    return _spec(chart, layer_weights, labels)


def render_heatmap(weights, labels: Sequence[str]) -> None:
    """Draw one head's heatmap, and say so when its axes label only some tokens."""
    draw(heatmap(weights, labels, chart_words()), width="content")
    if label_step(len(labels)) > 1:
        st.caption(t("attention.thinned", n=len(labels), step=label_step(len(labels))))


def render_small_multiples(layer_weights, labels: Sequence[str]) -> None:
    """Draw all heads of one layer."""
    draw(small_multiples(layer_weights, labels, chart_words()), width="content")
