"""The attention view both pages draw (the Tokenizer page's encoder, the Sampling page's causal LM): the input's
notes, layer and head pickers, one head's heatmap, every head of the layer, and what each head attends to.

The page says which model and input; the maps come from `hflab.attention.inspect`, computed once per model and
input and kept in the session (`cached_inspection`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from components.attention_chart import render_heatmap, render_small_multiples
from components.i18n import t
from components.messages import show_message, show_messages
from components.model_loading import using
from components.state import keep_offered, session_memo
from hflab.attention import HeadSummary, Inspection
from hflab.loading.manager import Handle
from hflab.messages import MessageError

ENCODER_SHARES = ("cls", "sep", "previous", "itself")
CAUSAL_SHARES = ("first", "sep", "previous", "itself")  # the first token is the causal LM's "attention sink"


def cached_inspection(state_key: str, cache_key: tuple, handle: Handle,
                      compute: Callable[[Any], Inspection]) -> Inspection | None:
    """`compute(loaded value)` under the handle's lock, kept under `state_key` in this session until `cache_key`
    changes; None after a shown message (no attention weights from the model, an input longer than its positions)."""
    def under_lock() -> Inspection:
        with using(handle) as loaded:
            return compute(loaded)

    try:
        return session_memo(state_key, cache_key, under_lock)
    except MessageError as exc:
        show_message(exc.message)
        return None


def layer_and_head(layers: int, heads: int, key: str) -> tuple[int, int]:
    """The layer and head pickers `<key>_layer` / `<key>_head`, kept across pages and within this model's counts."""
    c1, c2 = st.columns(2)
    for name, count in (("layer", layers), ("head", heads)):
        keep_offered(f"{key}_{name}", list(range(count)), 0)
    layer = c1.selectbox(t("attention.layer"), list(range(layers)), key=f"{key}_layer")
    head = c2.selectbox(t("attention.head"), list(range(heads)), key=f"{key}_head")
    return layer, head


def summary_frame(summaries: Sequence[HeadSummary], layer: int, shares: Sequence[str]) -> pd.DataFrame:
    """One row per head of `layer`, its mean share of attention in percent per kind in `shares`; a kind no head
    has (no [SEP] in the input, no previous token for one token) gets no column."""
    heads = [s for s in summaries if s.layer == layer]
    shown = [name for name in shares if any(getattr(s, name) is not None for s in heads)]
    return pd.DataFrame([{t("attention.col.head"): s.head,
                          **{t(f"attention.col.{name}"): 100 * getattr(s, name) for name in shown}} for s in heads])


def render_head_summaries(summaries: Sequence[HeadSummary], layer: int, shares: Sequence[str], title_key: str,
                          note_key: str, key: str) -> None:
    """The summary table of `layer` under its title (`title_key`, formatted with the layer) and its note."""
    st.markdown(f"**{t(title_key, layer=layer)}**")
    frame = summary_frame(summaries, layer, shares)
    percent = {column: st.column_config.NumberColumn(format="%.1f%%") for column in frame.columns[1:]}
    st.dataframe(frame, hide_index=True, width="stretch", key=f"{key}_summary", column_config=percent)
    st.caption(t(note_key))


def render_attention(view: Inspection, key: str, shares: Sequence[str], title_key: str, note_key: str) -> None:
    """The input's notes, the pickers, one head's heatmap, all heads of the picked layer and the head summaries."""
    show_messages(list(view.notes))
    layers, heads = view.maps.shape[0], view.maps.shape[1]
    layer, head = layer_and_head(layers, heads, key)
    st.markdown(f"**{t('attention.heatmap', layer=layer, head=head)}**")
    render_heatmap(view.maps[layer, head], view.labels)
    st.markdown(f"**{t('attention.heads', layer=layer, n=heads)}**")
    render_small_multiples(view.maps[layer], view.labels)
    render_head_summaries(view.summaries, layer, shares, title_key, note_key, key)
