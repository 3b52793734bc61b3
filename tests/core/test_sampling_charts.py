"""The playground's charts are valid Vega-Lite (the page draws them without Altair's per-draw validation), and
the hand-written stage chart is exactly the spec Altair itself writes for that chart."""
import altair as alt
import numpy as np
import pandas as pd
import pytest

from components.prob_chart import (
    CHOSEN_COLOR,
    CUT_COLOR,
    KEPT_COLOR,
    chart_spec,
    cumulative_curve,
    observed_vs_expected,
    stage_bars,
)
from hflab.sampling.processors import StepView

WORDS = {w: w for w in ("prob", "kept", "cut", "chosen", "rank", "cumulative", "status", "series", "value")}


def _view() -> StepView:
    return StepView(
        stages=["raw", "top_k"],
        candidates=np.array([5, 9, 2]),
        logits=np.array([2.0, 1.0, 0.5]),
        probs=np.array([[0.5, 0.3, 0.2], [0.62, 0.38, 0.0]]),
        kept=np.array([[True, True, True], [True, True, False]]),
        entropy_bits=np.array([1.5, 0.9]),
        survivors=np.array([3, 2]),
        mass_outside=np.array([0.0, 0.0]),
        top_p_curve=np.array([0.5, 0.8, 1.0]),
        vocab_size=3,
        chosen=9,
        chosen_probs=np.array([0.3, 0.38]),
        how="sampled",
    )


def _altair_stage_bars(view, labels, titles, columns):
    """The stage chart composed with Altair: the oracle for the page's hand-written spec."""
    data = pd.DataFrame(stage_bars(view, labels, titles, WORDS, columns)["data"]["values"])
    order = list(data["token"].iloc[: len(view.candidates)])
    base = alt.Chart().encode(
        y=alt.Y("token:N", sort=order, title=None, axis=alt.Axis(labelLimit=140)),
        x=alt.X("p:Q", title=WORDS["prob"], axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, min(1.0, max(0.05, float(data["p"].max()) * 1.15))])),
        tooltip=[alt.Tooltip("token:N"), alt.Tooltip("p:Q", format=".4%", title=WORDS["prob"]),
                 alt.Tooltip("status:N", title=WORDS["status"])])
    bars = base.mark_bar().encode(
        color=alt.Color(
            "status:N",
            title=None,
            legend=alt.Legend(orient="top"),
            scale=alt.Scale(
                domain=[WORDS["kept"], WORDS["cut"], WORDS["chosen"]], range=[KEPT_COLOR, CUT_COLOR, CHOSEN_COLOR]
            ),
        )
    )
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(text=alt.Text("p:Q", format=".1%"))
    return (bars + text).properties(width=210, height=max(120, 21 * len(view.candidates))).facet(
        facet=alt.Facet("stage:N", sort=list(titles), title=None), columns=columns, data=data)


@pytest.mark.parametrize("columns", [1, 3])
def test_stage_bars_spec_is_altairs_own_and_valid(columns):
    view, labels, titles = _view(), ["<0xE4>", "好", "␣the"], ["Raw", "After top-k"]
    ours = stage_bars(view, labels, titles, WORDS, columns)
    theirs = _altair_stage_bars(view, labels, titles, columns).to_dict(validate=True)
    datasets = theirs.pop("datasets")
    theirs["data"] = {"values": datasets[theirs["data"]["name"]]}
    for key in ("$schema", "config"):
        theirs.pop(key)
    assert {k: v for k, v in ours.items() if k != "$schema"} == theirs
    alt.FacetChart.from_dict(ours, validate=True)  # the schema accepts the spec as drawn


def test_charts_validate_against_the_vega_lite_schema():
    view = _view()
    charts = [
        cumulative_curve(view.top_p_curve, 0.9, WORDS),
        observed_vs_expected(pd.DataFrame({"token": ["a", "a"], "series": ["obs", "exp"], "value": [0.4, 0.5]}), WORDS),
    ]
    for chart in charts:
        assert chart.to_dict(validate=True) == chart_spec(chart)


def test_stage_bars_mark_cut_and_chosen_tokens():
    rows = stage_bars(_view(), ["a", "b", "c"], ["Raw", "After top-k"], WORDS)["data"]["values"]
    cut = [r["token"] for r in rows if r["stage"] == "After top-k" and r["status"] == "cut"]
    chosen = {r["token"] for r in rows if r["status"] == "chosen"}
    assert cut == ["3. c"] and chosen == {"2. b"}


@pytest.mark.parametrize(("panels", "columns"), [(1, 1), (2, 2), (3, 3), (4, 2), (5, 3), (6, 3)])
def test_stage_panels_share_their_rows_evenly(panels, columns):
    """Issue 33.11: four stages drawn three to a row left the fourth alone on its row."""
    from components.prob_chart import balanced_columns

    assert balanced_columns(panels) == columns
    view = _view()
    titles = [f"stage {i}" for i in range(panels)]
    stretched = StepView(**{**view.__dict__, "stages": titles, "probs": np.resize(view.probs, (panels, 3)),
                            "kept": np.resize(view.kept, (panels, 3))})
    assert stage_bars(stretched, ["a", "b", "c"], titles, WORDS)["columns"] == columns
