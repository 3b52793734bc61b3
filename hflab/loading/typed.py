"""What the user typed on the Models page (a Hub id or a local directory) as a `Source`.

Problems (empty, not an id, not cached offline, outside the allowed roots, a link leading out of
them, not a model directory, a config.json past the JSON limits) become a `missing` Source whose problem
key says why.
"""
from __future__ import annotations

import os
from dataclasses import replace

from hflab.loading.files import JsonRefused, check_json
from hflab.loading.network import hub_status
from hflab.loading.sources import Source, cached_snapshot, is_usable_dir
from hflab.paths import PathNotAllowed, confine, confine_tree
from hflab.settings import hf_token, user_download_token

PAGE_COPY = "models"  # the Models page loads role models in its own form: its copies get their own manager keys


def looks_like_path(text: str) -> bool:
    """True for input meant as a directory (absolute, ~, ./ or ../), not a Hub id like `org/name`."""
    return text.startswith(("/", "~", "./", "../", ".\\")) or (os.sep == "\\" and ":" in text[:3])


def resolve_user_input(text: str) -> Source:
    """A Source for a model id or local dir the user typed; problems become a `missing` Source with a reason."""
    text = (text or "").strip()
    if not text:
        return Source(None, "missing", "", None, "source.missing", "models.problem.empty")
    if looks_like_path(text):
        return _local_source(text)
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(text)
    except Exception:
        return Source(None, "missing", text, None, "source.missing", "models.problem.bad_id", params={"repo_id": text})
    snapshot = cached_snapshot(text, "config.json")
    if snapshot is not None and _has_weights(snapshot):  # the heads tab caches config.json alone: not a copy yet
        return Source(None, "cache", text, str(snapshot), "source.cache", params={"path": str(snapshot)})
    status = hub_status()
    if status.online:
        kind = "mirror" if status.is_mirror else "hub"
        return Source(None, kind, text, text, f"source.{kind}", params={"endpoint": status.endpoint})
    return Source(None, "missing", text, None, "source.missing", "models.problem.not_cached_offline",
                  f"HF_ENDPOINT=https://hf-mirror.com hf download {text}", {"repo_id": text})


def _has_weights(snapshot) -> bool:
    """True when a cached snapshot holds weights files (safetensors or pickle), not only a config."""
    return any(snapshot.glob("*.safetensors")) or any(snapshot.glob("*.bin"))


def _local_source(text: str) -> Source:
    try:
        path = confine(text)
        typed = {"path": text}  # a problem names the path as typed: the resolved one would show the server's folders
        if not path.is_dir():
            return Source(None, "missing", text, None, "source.local", "problem.dir_missing", params=typed)
        if not is_usable_dir(path, "model"):
            key = "models.problem.tokenizer_only" if is_usable_dir(path, "tokenizer") else "models.problem.no_config"
            return Source(None, "missing", text, None, "source.local", key, params=typed)
        confine_tree(text)  # every file the page will read: config, weights, card (walked only for a model dir)
        check_json(path / "config.json")  # before transformers parses it, without limits, on every view
    except PathNotAllowed as refused:
        return Source(None, "missing", text, None, "source.local", refused.key, refused.setting, dict(refused.params))
    except JsonRefused as refused:
        return Source(None, "missing", text, None, "source.local", refused.key, params=dict(refused.params))
    return Source(None, "local", path.name, str(path), "source.local", params={"path": str(path)})


def is_typed(source: Source) -> bool:
    """True for a source the user typed (a Hub id or a directory), False for the lab's configured roles."""
    return source.role is None


def hub_token(source: Source) -> str | bool | None:
    """The token for `source`'s Hub requests: a typed id sends the operator's HF_TOKEN only when the operator
    shares it (HFLAB_SHARE_TOKEN_WITH_USERS=1), else False (huggingface_hub would read HF_TOKEN by itself
    from None); the lab's own roles send HF_TOKEN."""
    return user_download_token() if is_typed(source) else hf_token()


def for_page(source: Source) -> Source:
    """The same role source as the Models page's own copy (`models|sentiment|...` in the manager), so the manager
    keeps it apart from other pages' copies; a typed source stays as it is."""
    return source if is_typed(source) else replace(source, copy=PAGE_COPY)
