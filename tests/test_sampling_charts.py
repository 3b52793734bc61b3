"""The playground's charts are valid Vega-Lite (the page draws them without Altair's per-draw validation)."""
import numpy as np
import pandas as pd

from components.prob_chart import chart_spec, cumulative_curve, observed_vs_expected, stage_bars
from hflab.sampling import StepView

WORDS = {w: w for w in ("prob", "kept", "cut", "chosen", "rank", "cumulative")}


def _view() -> StepView:
    return StepView(stages=["raw", "top_k"], candidates=np.array([5, 9, 2]), logits=np.array([2.0, 1.0, 0.5]),
                    probs=np.array([[0.5, 0.3, 0.2], [0.62, 0.38, 0.0]]),
                    kept=np.array([[True, True, True], [True, True, False]]), entropy_bits=np.array([1.5, 0.9]),
                    survivors=np.array([3, 2]), mass_outside=np.array([0.0, 0.0]), top_p_curve=np.array([0.5, 0.8, 1.0]),
                    vocab_size=3, chosen=9, chosen_probs=np.array([0.3, 0.38]), how="sampled")


def test_charts_validate_against_the_vega_lite_schema():
    view = _view()
    charts = [
        stage_bars(view, ["<0xE4>", "好", "␣the"], ["Raw", "After top-k"], WORDS),
        cumulative_curve(view.top_p_curve, 0.9, WORDS),
        observed_vs_expected(pd.DataFrame({"token": ["a", "a"], "series": ["obs", "exp"], "value": [0.4, 0.5]}), WORDS),
    ]
    for chart in charts:
        assert chart.to_dict(validate=True) == chart_spec(chart)


def test_stage_bars_mark_cut_and_chosen_tokens():
    data = chart_spec(stage_bars(_view(), ["a", "b", "c"], ["Raw", "After top-k"], WORDS))["datasets"]
    rows = next(iter(data.values()))
    cut = [r["token"] for r in rows if r["stage"] == "After top-k" and r["status"] == "cut"]
    chosen = {r["token"] for r in rows if r["status"] == "chosen"}
    assert cut == ["3. c"] and chosen == {"2. b"}
