"""The CPU weight-format choice for the causal LM (fp32 / fp16 / int8), shared by the sampling and story pages.

Why a choice and not a fixed format: fp16 and int8 decode faster on a CPU (bench/quantize_cpu.py,
bench/decode_bound.py), but the playground's point is to show what the model computes, so the exact
fp32 model is the default wherever its load fits the memory budget. Where it does not (Qwen2-0.5B-Instruct
under Community Cloud's budget: 2.8 GB to load in fp32, bench/rehearse.py), fp16 is the default and the page says why.
"""
from __future__ import annotations

from functools import partial

import streamlit as st

from components.i18n import t
from components.model_loading import load
from components.state import forget, keep
from hflab.loading.manager import Handle
from hflab.loading.sources import Source
from hflab.runtime.quantize import available_precisions
from hflab.settings import get_settings


def default_precision(source: Source, options: tuple[str, ...]) -> str:
    """fp32 when the model's fp32 load fits the memory budget, else fp16 (half the bytes, the same distribution up
    to rounding) where it is offered."""
    from hflab.loading.loaders import fits_fp32

    return "fp32" if "fp16" not in options or fits_fp32(source) else "fp16"


def precision_choice(prefix: str, source: Source) -> str:
    """Draw the format switch where more than fp32 is usable (a CPU with torch's fbgemm kernels); return the choice.

    The default follows `default_precision` for this source (again when the source changes); the caption says
    which format runs and, when fp32 does not fit, why."""
    options = available_precisions()
    if len(options) == 1:
        return options[0]
    default = default_precision(source, options)
    key, owner = f"{prefix}_precision", f"{prefix}_precision_source"
    if st.session_state.get(owner) != source.cache_key:  # a new model gets its own default
        st.session_state[owner] = source.cache_key
        forget(key)
    keep(key, default)
    # the option names are the same in both languages; the caption under them says what each one changes
    choice = st.segmented_control(t("precision.label"), list(options), key=key,
                                  help=t("precision.help")) or default  # a segmented control can be clicked off
    st.caption(t(f"precision.note.{choice}"))
    if default != "fp32":
        from hflab.loading.loaders import estimate_load_bytes

        need, budget = estimate_load_bytes(source) // 2**20, get_settings().memory_budget_mb
        st.caption(t("precision.why_default" if choice != "fp32" else "precision.fp32_over_budget",
                     default=default, need=f"{need:,}", budget=f"{budget:,}"))
    return choice


def load_causal_lm(source: Source, precision: str) -> Handle | None:
    """`components.model_loading.load` of the causal LM in `precision`; a non-fp32 form is cached as its own model."""
    from hflab.loading import loaders

    return load(source, partial(loaders.load_causal_lm, precision=precision), t("role.causal_lm"),
                "" if precision == "fp32" else precision, width=precision)
