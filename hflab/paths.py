"""Path confinement and atomic writes, so a shared deployment never reads or half-writes arbitrary files."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hflab.messages import MessageError
from hflab.settings import get_settings


class PathNotAllowed(MessageError):
    """A user-typed path (or a link inside it) points outside the allowed roots.

    The message names only the path as the user typed it: neither the allowed roots of the server
    nor where a link really points are shown.
    """

    def __init__(self, typed: str | os.PathLike, key: str = "problem.path_not_allowed"):
        super().__init__(key, path=str(typed))


def _inside(resolved: Path, roots: tuple[Path, ...]) -> bool:
    return any(resolved == root or root in resolved.parents for root in roots)


def confine(user_path: str | os.PathLike, roots: tuple[Path, ...] | None = None) -> Path:
    """Resolve `user_path` (following symlinks and `..`) and require it inside an allowed root."""
    roots = roots if roots is not None else get_settings().allowed_roots
    resolved = Path(user_path).expanduser().resolve()
    if not _inside(resolved, roots):
        raise PathNotAllowed(user_path)
    return resolved


def confine_tree(user_dir: str | os.PathLike, roots: tuple[Path, ...] | None = None) -> Path:
    """`confine` the directory and every entry beneath it, so that no file read from it later (config,
    weights, card) is a symlink to a file outside the allowed roots. Raises PathNotAllowed naming the
    first offending entry as it appears under the typed directory."""
    roots = roots if roots is not None else get_settings().allowed_roots
    directory = confine(user_dir, roots)
    seen = {directory}
    for folder, subdirs, files in os.walk(directory, followlinks=True):
        for name in [*subdirs, *files]:
            entry = Path(folder) / name
            if not _inside(entry.resolve(), roots):
                raise PathNotAllowed(Path(user_dir) / entry.relative_to(directory), "problem.link_outside")
        # a linked sub-dir is walked once: a link to a parent would loop forever
        subdirs[:] = [d for d in subdirs if (Path(folder) / d).resolve() not in seen]
        seen.update((Path(folder) / d).resolve() for d in subdirs)
    return directory


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
