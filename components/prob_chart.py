"""Altair charts of next-token probabilities: bars per processing stage, the top-p cumulative curve,
observed frequencies against probabilities. Token text reaches the browser only as chart data
(rendered as SVG/canvas text, never as HTML)."""
from __future__ import annotations

from typing import Sequence

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
    """Draw an Altair chart from its unvalidated spec (see `chart_spec`)."""
    st.vega_lite_chart(chart_spec(chart), **kwargs)


def stage_bars_data(view, labels: Sequence[str], stage_titles: Sequence[str]) -> pd.DataFrame:
    """One row per (stage, candidate): probability, kept or cut, chosen or not."""
    rows = []
    for s, title in enumerate(stage_titles):
        for r, token in enumerate(view.candidates):
            rows.append({"stage": title, "order": s, "rank": r + 1, "token": f"{r + 1}. {labels[r]}",
                         "p": float(view.probs[s, r]), "kept": bool(view.kept[s, r]),
                         "chosen": view.chosen is not None and int(token) == view.chosen})
    return pd.DataFrame(rows)


def stage_bars(view, labels: Sequence[str], stage_titles: Sequence[str], words: dict[str, str],
               columns: int = 3) -> alt.FacetChart:
    """Horizontal bars of the top candidates, one panel per stage; cut tokens grey, the chosen one blue."""
    data = stage_bars_data(view, labels, stage_titles)
    data["status"] = [words["chosen"] if c else (words["kept"] if k else words["cut"])
                      for c, k in zip(data["chosen"], data["kept"])]
    order = list(data["token"].iloc[: len(view.candidates)])
    height = max(120, 21 * len(view.candidates))
    base = alt.Chart(data).encode(
        y=alt.Y("token:N", sort=order, title=None, axis=alt.Axis(labelLimit=140)),
        x=alt.X("p:Q", title=words["prob"], axis=alt.Axis(format="%"),
              scale=alt.Scale(domain=[0, min(1.0, max(0.05, float(data["p"].max()) * 1.15))])),
        tooltip=[alt.Tooltip("token:N"), alt.Tooltip("p:Q", format=".4%"), alt.Tooltip("status:N")],
    )
    bars = base.mark_bar().encode(
        color=alt.Color("status:N", title=None,
                        scale=alt.Scale(domain=[words["kept"], words["cut"], words["chosen"]],
                                        range=[KEPT_COLOR, CUT_COLOR, CHOSEN_COLOR]),
                        legend=alt.Legend(orient="top")))
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(text=alt.Text("p:Q", format=".1%"))
    return (bars + text).properties(width=210, height=height).facet(
        facet=alt.Facet("stage:N", sort=list(stage_titles), title=None), columns=columns)


def cumulative_curve(curve, top_p: float, words: dict[str, str]) -> alt.LayerChart:
    """Cumulative probability by rank of the distribution top-p receives, with the top_p threshold."""
    data = pd.DataFrame({"rank": range(1, len(curve) + 1), "cum": curve})
    line = alt.Chart(data).mark_line(point=len(curve) <= 60, color=KEPT_COLOR).encode(
        x=alt.X("rank:Q", title=words["rank"]),
        y=alt.Y("cum:Q", title=words["cumulative"], scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("rank:Q"), alt.Tooltip("cum:Q", format=".3%")],
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
        tooltip=[alt.Tooltip("token:N"), alt.Tooltip("series:N"), alt.Tooltip("value:Q", format=".2%")],
    ).properties(height=300)
