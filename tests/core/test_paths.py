"""Path confinement and atomic writes."""
from pathlib import Path

import pytest

from hflab.paths import PathNotAllowed, atomic_dir, atomic_write_bytes, confine


def test_confine_accepts_inside_and_refuses_outside(tmp_path):
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    assert confine(root / "a", (root.resolve(),)) == (root / "a").resolve()
    for bad in ("/etc/passwd", str(root / ".." / "x"), "~/../../etc"):
        with pytest.raises(PathNotAllowed):
            confine(bad, (root.resolve(),))


def test_confine_follows_symlinks(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to("/etc")
    with pytest.raises(PathNotAllowed):
        confine(root / "link", (root.resolve(),))


def test_atomic_dir_keeps_old_on_failure(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "good.txt").write_text("good")
    with pytest.raises(RuntimeError):
        with atomic_dir(target) as tmp:
            (tmp / "half.txt").write_text("half")
            raise RuntimeError("crash mid-write")
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    assert (target / "good.txt").read_text() == "good"


def test_atomic_dir_replaces_on_success(tmp_path):
    target = tmp_path / "model"
    with atomic_dir(target) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"]


def test_atomic_write_bytes(tmp_path):
    path = atomic_write_bytes(tmp_path / "a" / "f.bin", b"x")
    assert Path(path).read_bytes() == b"x" and len(list((tmp_path / "a").iterdir())) == 1
