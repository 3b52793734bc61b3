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

MAX_PATH_BYTES = 4096  # Linux PATH_MAX: longer paths fail in the system calls themselves
MAX_NAME_BYTES = 255  # NAME_MAX: one file or folder name
SHOWN_CHARS = 200  # a typed path is shown cut to this many characters


class PathNotAllowed(MessageError):
    """A user-typed path (or a link inside it) points outside the allowed roots, or names no file at all.

    The message names only the path as the user typed it (a NUL shown as \\0, cut to SHOWN_CHARS): neither
    the allowed roots of the server nor where a link really points are shown.
    """

    def __init__(self, typed: str | os.PathLike, key: str = "problem.path_not_allowed", **params: object):
        shown = str(typed).replace("\0", "\\0")
        super().__init__(key, path=shown[:SHOWN_CHARS] + ("…" if len(shown) > SHOWN_CHARS else ""), **params)
        # the setting that widens what may be read; a path that names no file has none
        self.setting = "HFLAB_ALLOWED_ROOTS" if key in ("problem.path_not_allowed", "problem.link_outside") else None


def _inside(resolved: Path, roots: tuple[Path, ...]) -> bool:
    return any(resolved == root or root in resolved.parents for root in roots)


def _check_usable(text: str, typed: str | os.PathLike) -> None:
    """PathNotAllowed when `text` cannot name a file here: a NUL or unencodable character, too long a path or name."""
    try:
        encoded = os.fsencode(text)
    except UnicodeEncodeError:  # a lone surrogate: no file name on this system holds it
        raise PathNotAllowed(typed, "problem.path_bad_character") from None
    if b"\0" in encoded:
        raise PathNotAllowed(typed, "problem.path_bad_character")
    if len(encoded) > MAX_PATH_BYTES or any(len(name) > MAX_NAME_BYTES for name in encoded.split(b"/")):
        raise PathNotAllowed(typed, "problem.path_too_long", max_path=MAX_PATH_BYTES, max_name=MAX_NAME_BYTES)


def confine(user_path: str | os.PathLike, roots: tuple[Path, ...] | None = None) -> Path:
    """Resolve `user_path` (following symlinks and `..`) and require it inside an allowed root. PathNotAllowed
    also for a path that names no file (NUL, too long) and for `~name`: only `~` (this server's home) expands,
    so that no answer tells which users exist."""
    roots = roots if roots is not None else get_settings().allowed_roots
    text = os.fspath(user_path)
    _check_usable(text, user_path)
    if text.startswith("~") and text.split("/", 1)[0] != "~":
        raise PathNotAllowed(user_path, "problem.path_other_home")
    resolved = Path(text).expanduser().resolve()
    _check_usable(str(resolved), user_path)  # links and the working directory can make it longer
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
