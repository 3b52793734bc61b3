"""Altair charts of next-token probabilities: bars per processing stage, the top-p cumulative curve,
observed frequencies against probabilities. Token text reaches the browser only as chart data
(rendered as SVG/canvas text, never as HTML)."""
from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

KEPT_COLOR, CUT_COLOR, CHOSEN_COLOR = "#FF9D00", "#c7c7c7", "#1f6feb"


def chart_spec(chart) -> dict:
    """The Vega-Lite spec of `chart` without Altair's JSON-schema validation.

    Validating the faceted stage chart costs about 90 ms of CPU per draw (st.altair_chart always
    validates), more than computing all stages over 151,936 tokens; these specs are fixed, and
    tests/test_sampling_charts.py validates them once.
    """
    return chart.to_dict(validate=False)


def draw(chart, **kwargs) -> None:
    """Draw an Altair chart from its unvalidated spec (see `chart_spec`), or a ready Vega-Lite spec dict."""
    st.vega_lite_chart(chart if isinstance(chart, dict) else chart_spec(chart), **kwargs)


def stage_bars_data(view, labels: Sequence[str], stage_titles: Sequence[str], words: dict[str, str]) -> list[dict]:
    """One row per (stage, candidate): probability, kept or cut, chosen or not, and the status word shown."""
    rows = []
    for s, title in enumerate(stage_titles):
        for r, token in enumerate(view.candidates):
            kept, chosen = bool(view.kept[s, r]), view.chosen is not None and int(token) == view.chosen
            rows.append({"stage": title, "order": s, "rank": r + 1, "token": f"{r + 1}. {labels[r]}",
                         "p": float(view.probs[s, r]), "kept": kept, "chosen": chosen,
                         "status": words["chosen"] if chosen else (words["kept"] if kept else words["cut"])})
    return rows


def balanced_columns(panels: int, most: int = 3) -> int:
    """Columns for `panels` facet panels, at most `most` a row, the rows as even as they can be: 4 stages as 2 + 2,
    not 3 with the 4th alone on a row of its own (issue 33.11); 5 as 3 + 2."""
    rows = max(1, math.ceil(panels / most))
    return max(1, math.ceil(panels / rows))


def stage_bars(view, labels: Sequence[str], stage_titles: Sequence[str], words: dict[str, str],
               columns: int | None = None) -> dict:
    """Vega-Lite spec: horizontal bars of the top candidates, one panel per stage; cut tokens grey, the chosen one blue.
    `columns` panels a row; by default the stages in even rows of at most three (`balanced_columns`).

    Written as the spec itself, not through Altair: composing a layered facet in Altair deep-copies its
    parts and costs ~70 ms per step, more than computing every stage over 151,936 tokens.
    tests/test_sampling_charts.py checks it equals Altair's own spec of the same chart.
    """
    rows = stage_bars_data(view, labels, stage_titles, words)
    order = [row["token"] for row in rows[: len(view.candidates)]]
    top = max((row["p"] for row in rows), default=0.0)
    encoding = {
        "tooltip": [{"field": "token", "type": "nominal"},
                    {"field": "p", "format": ".4%", "title": words["prob"], "type": "quantitative"},
                    {"field": "status", "title": words["status"], "type": "nominal"}],
        "x": {"axis": {"format": "%"}, "field": "p", "scale": {"domain": [0, min(1.0, max(0.05, top * 1.15))]},
              "title": words["prob"], "type": "quantitative"},
        "y": {"axis": {"labelLimit": 140}, "field": "token", "sort": order, "title": None, "type": "nominal"},
    }
    color = {"field": "status", "legend": {"orient": "top"}, "title": None, "type": "nominal",
             "scale": {"domain": [words["kept"], words["cut"], words["chosen"]],
                       "range": [KEPT_COLOR, CUT_COLOR, CHOSEN_COLOR]}}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": rows},
        "facet": {"field": "stage", "sort": list(stage_titles), "title": None, "type": "nominal"},
        "columns": balanced_columns(len(stage_titles)) if columns is None else columns,
        "spec": {
            "layer": [
                {"mark": {"type": "bar"}, "encoding": {**encoding, "color": color}},
                {"mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10},
                 "encoding": {**encoding, "text": {"field": "p", "format": ".1%", "type": "quantitative"}}},
            ],
            "height": max(120, 21 * len(view.candidates)),
            "width": 210,
        },
    }


def cumulative_curve(curve, top_p: float, words: dict[str, str]) -> alt.LayerChart:
    """Cumulative probability by rank of the distribution top-p receives, with the top_p threshold."""
    data = pd.DataFrame({"rank": range(1, len(curve) + 1), "cum": curve})
    line = (
        alt.Chart(data)
        .mark_line(point=len(curve) <= 60, color=KEPT_COLOR)
        .encode(
            x=alt.X("rank:Q", title=words["rank"]),
            y=alt.Y("cum:Q", title=words["cumulative"], scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("rank:Q", title=words["rank"]),
                alt.Tooltip("cum:Q", format=".3%", title=words["cumulative"]),
            ],
        )
    )
    rule = alt.Chart(pd.DataFrame({"p": [top_p]})).mark_rule(strokeDash=[6, 4], color="#d62728").encode(y="p:Q")
    return (line + rule).properties(height=220)


def observed_vs_expected(data: pd.DataFrame, words: dict[str, str]) -> alt.Chart:
    """Grouped bars: `data` has columns token, series, value (observed frequency or probability)."""
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("token:N", sort=None, title=None, axis=alt.Axis(labelAngle=-40, labelLimit=120, labelOverlap=False)),
        xOffset="series:N",
        y=alt.Y("value:Q", title=words["prob"], axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=[KEPT_COLOR, CHOSEN_COLOR]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("token:N"), alt.Tooltip("series:N", title=words["series"]),
                 alt.Tooltip("value:Q", format=".2%", title=words["value"])],
    ).properties(height=300)
