"""The image story's own directory under the app data dir: unique names, and age-based cleanup confined to it."""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from hflab.settings import get_settings


def story_dir() -> Path:
    """`<data dir>/story`: speech, bundles and nothing else of the story page live here."""
    return get_settings().data_dir / "story"


def unique_path(sub: str, stem: str, ext: str) -> Path:
    """A new file name under `story_dir()/sub` that no other session can pick (time + random suffix)."""
    name = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:10]}.{ext}"
    return story_dir() / sub / name


def cleanup_old_files(days: int | None = None, root: Path | None = None, now: float | None = None) -> list[Path]:
    """Delete regular files older than `days` (HFLAB_CLEANUP_DAYS, default 3) under `root` (default story_dir()).

    Symlinks are never followed or deleted, and every candidate must resolve inside `root`, so nothing
    outside the directory can be touched.
    """
    days = get_settings().cleanup_days if days is None else days
    root = (root or story_dir())
    if not root.is_dir() or root.is_symlink():
        return []
    root = root.resolve()
    cutoff = (time.time() if now is None else now) - days * 86400
    removed: list[Path] = []
    for dirpath, _dirnames, filenames in os.walk(root, followlinks=False):
        for name in filenames:
            path = Path(dirpath) / name
            try:
                if path.is_symlink() or not path.is_file() or root not in path.resolve().parents:
                    continue
                if path.lstat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except OSError:  # raced with another session's cleanup or write
                continue
    return removed
