"""Showing core `Message`s: one box per message, in the session's language, parameters made inert."""
from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from components.escape import markdown_code, markdown_literal
from components.i18n import t
from hflab.messages import Message


def message_text(message: Message) -> str:
    """The catalog string of `message` with every parameter made inert (parameters may be user or model text).

    A parameter the catalog writes as a code span (`` `{endpoint}` ``) is shown verbatim in one, so a URL or
    path stays copyable exactly; every other parameter is escaped as Markdown literal text.
    """
    template = t(message.key)
    params = {}
    for name, value in message.params.items():
        in_code = f"`{{{name}}}`"
        if in_code in template:
            template = template.replace(in_code, f"{{{name}}}")
            params[name] = markdown_code(value)
        else:
            params[name] = markdown_literal(value)
    return template.format(**params) if params else template


def message_plain(message: Message) -> str:
    """The catalog string of `message` as plain text, for table cells (they render no Markdown: no escaping)."""
    return t(message.key, **message.params).replace("`", "")


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
