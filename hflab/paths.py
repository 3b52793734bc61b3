"""Path confinement and atomic writes, so a shared deployment never reads or half-writes arbitrary files."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hflab.settings import get_settings


class PathNotAllowed(ValueError):
    """A user-typed path points outside the allowed roots."""


def confine(user_path: str | os.PathLike, roots: tuple[Path, ...] | None = None) -> Path:
    """Resolve `user_path` (following symlinks and `..`) and require it inside an allowed root."""
    roots = roots if roots is not None else get_settings().allowed_roots
    resolved = Path(user_path).expanduser().resolve()
    for root in roots:
        if resolved == root or root in resolved.parents:
            return resolved
    raise PathNotAllowed(str(resolved))


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary sibling dir; on success it replaces `target` in one rename, on error it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
        backup = None
        if target.exists():
            backup = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, backup)
        os.replace(tmp, target)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def atomic_write_bytes(target: Path, data: bytes) -> Path:
    """Write `data` to a temporary file beside `target`, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
