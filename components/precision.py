"""The CPU weight-format choice for the causal LM (fp32 / fp16 / int8), shared by the sampling and story pages.

Why a choice and not a default: fp16 and int8 decode faster on a CPU (bench/quantize_cpu.py,
bench/decode_bound.py), but the playground's point is to show what the model computes, so the exact
fp32 model stays the default and the others say what they change.
"""
from __future__ import annotations

from functools import partial

import streamlit as st

from components.i18n import t
from components.model_loading import load
from components.state import keep
from hflab.manager import Handle
from hflab.quantize import available_precisions
from hflab.sources import Source


def precision_choice(prefix: str) -> str:
    """Draw the format switch where more than fp32 is usable (a CPU with torch's fbgemm kernels); return the choice."""
    options = available_precisions()
    if len(options) == 1:
        return options[0]
    # the option names are the same in both languages; the caption under them says what each one changes
    keep(f"{prefix}_precision", "fp32")
    choice = st.segmented_control(t("precision.label"), list(options), key=f"{prefix}_precision",
                                  help=t("precision.help")) or "fp32"  # a segmented control can be clicked off
    st.caption(t(f"precision.note.{choice}"))
    return choice


def load_causal_lm(source: Source, precision: str) -> Handle | None:
    """`components.model_loading.load` of the causal LM in `precision`; a non-fp32 form is cached as its own model."""
    from hflab import loading

    return load(source, partial(loading.load_causal_lm, precision=precision), t("role.causal_lm"),
                "" if precision == "fp32" else precision)
