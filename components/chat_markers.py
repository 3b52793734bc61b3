"""Saying that chat markers a user typed were kept as plain text (issue: typed markers must not open turns)."""
from __future__ import annotations

from components.messages import show_message
from hflab.chat import REMOTE_MARKERS, markers_in
from hflab.messages import Message


def note_markers_kept_as_text(messages: list[dict], markers: list[str] | None = None) -> None:
    """An info box naming the chat markers found in the messages, when there are any."""
    found = markers_in(messages, REMOTE_MARKERS if markers is None else markers)
    if found:
        show_message(Message("chat.markers_as_text", {"markers": " ".join(found)}, "info"))
