"""What survives a refresh: a learner's Learning-path ticks, language and the inputs they would otherwise retype,
kept on the server under a random id that lives in the tab's URL (`?lab=<id>`).

The id is the only key (128 random bits, like a session): a refresh or a bookmarked link brings the progress
back, a new tab or another browser starts fresh. Values are plain (text, numbers, booleans), capped in size,
written atomically; an id that is not one the lab made is refused before any path is built from it.
"""
from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hflab.paths import atomic_write_bytes
from hflab.settings import get_settings

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")  # secrets.token_urlsafe(16)
MAX_BYTES = 64 * 1024  # a few chapters' inputs; a bigger state is not kept (the page keeps working)
MAX_KEYS = 200


def new_id() -> str:
    """A fresh random id for a tab's progress."""
    return secrets.token_urlsafe(16)


def valid_id(progress_id: object) -> bool:
    """True for an id of the shape `new_id` makes (anything else never reaches the file system)."""
    return isinstance(progress_id, str) and bool(ID_PATTERN.match(progress_id))


def _path(progress_id: str) -> Path:
    return get_settings().data_dir / "progress" / f"{progress_id}.json"


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Only str keys with str / int / float / bool values, at most MAX_KEYS of them."""
    plain = {k: v for k, v in values.items() if isinstance(k, str) and isinstance(v, (str, int, float, bool))}
    return dict(list(plain.items())[:MAX_KEYS])


def load(progress_id: str) -> dict[str, Any]:
    """The values saved under `progress_id` ({} for an unknown, invalid, oversized or unreadable one)."""
    if not valid_id(progress_id):
        return {}
    path = _path(progress_id)
    try:
        if path.stat().st_size > MAX_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return _plain(data) if isinstance(data, dict) else {}


def save(progress_id: str, values: Mapping[str, Any]) -> bool:
    """Keep `values` under `progress_id`; False (nothing written) for an invalid id or a state over MAX_BYTES."""
    if not valid_id(progress_id):
        return False
    data = json.dumps(_plain(values), ensure_ascii=False, sort_keys=True).encode("utf-8")
    if len(data) > MAX_BYTES:
        return False
    atomic_write_bytes(_path(progress_id), data)
    return True
