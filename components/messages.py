"""Showing core `Message`s: one box per message, in the session's language, parameters made inert."""
from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from components.escape import markdown_literal
from components.i18n import t
from hflab.messages import Message


def message_text(message: Message) -> str:
    """The catalog string of `message` with every parameter escaped (parameters may be user or model text)."""
    return t(message.key, **{name: markdown_literal(value) for name, value in message.params.items()})


def show_message(message: Message) -> None:
    """Draw `message` in the box of its level."""
    getattr(st, message.level)(message_text(message))


def show_messages(messages: Iterable[Message]) -> bool:
    """Draw each message; True when one of them is an error (the caller then stops that action)."""
    blocked = False
    for message in messages:
        show_message(message)
        blocked = blocked or message.blocking
    return blocked
