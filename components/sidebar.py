"""The sidebar every page shares: language toggle, online/offline mode, device and memory."""
from __future__ import annotations

import streamlit as st

from components.i18n import LANG_KEY, t
from hflab.loading.network import hub_status
from hflab.runtime.environment import accelerator, cpu_count, process_rss_bytes
from hflab.settings import get_settings


def render_sidebar() -> None:
    """Draw the shared sidebar; called by the entrypoint on every rerun so state persists across pages."""
    if LANG_KEY in st.session_state:
        # re-assigning a widget's key keeps its value even on a run where the widget is not drawn
        st.session_state[LANG_KEY] = st.session_state[LANG_KEY]
    with st.sidebar:
        st.toggle(t("sidebar.language"), key=LANG_KEY, help=t("sidebar.language_help"))
        status = hub_status()
        if status.online:
            st.caption(t("sidebar.mode_online", endpoint=status.endpoint))
        else:
            st.caption(t("sidebar.mode_offline"))
        st.caption(t("sidebar.device", device=accelerator(), cores=cpu_count()))
        st.caption(t("sidebar.memory", rss=process_rss_bytes() // 2**20, budget=get_settings().memory_budget_mb))
