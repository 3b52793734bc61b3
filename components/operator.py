"""Operator actions: what changes the server every visitor shares (deleting cached models, "prepare for offline"
downloads into the shared HF cache) runs only where the operator allows it (hflab.settings.operator_actions)."""
from __future__ import annotations

import streamlit as st

from components.i18n import t
from hflab.remote.hosts import is_loopback_address
from hflab.settings import operator_actions


def app_on_loopback() -> bool:
    """True when the server listens on a loopback address only: a personal install that no one else reaches."""
    return is_loopback_address(st.get_option("server.address"))


def operator_actions_allowed() -> bool:
    """Whether this session may run operator actions; when not, a note says why and how the operator allows them."""
    if operator_actions(app_on_loopback()):
        return True
    st.info(t("operator.actions_off"))
    return False
