"""The one shape of a user-facing problem: a catalog key, its parameters and a level.

Every check in the core returns `Message`s and every failure raises a `MessageError`, so pages show
all of them with one component (components.messages) in the session's language.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LEVELS = ("error", "warning", "info")


@dataclass(frozen=True)
class Message:
    """A catalog `key`, the `params` its string is formatted with, and a `level` (error / warning / info)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    level: str = "error"

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown message level {self.level!r}")

    @property
    def blocking(self) -> bool:
        """An error stops the action it is about; warnings and infos only explain."""
        return self.level == "error"


class MessageError(ValueError):
    """A failure the user can understand: raised with a catalog key and its parameters."""

    def __init__(self, key: str, level: str = "error", **params: Any):
        super().__init__(key)
        self.message = Message(key, params, level)

    @property
    def key(self) -> str:
        """The catalog key of the message."""
        return self.message.key

    @property
    def params(self) -> Mapping[str, Any]:
        """The parameters of the message."""
        return self.message.params
