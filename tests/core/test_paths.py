"""Path confinement and atomic writes."""
from pathlib import Path

import pytest

from hflab.paths import PathNotAllowed, atomic_dir, atomic_write_bytes, confine, confine_tree


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


def test_confine_tree_refuses_a_link_to_a_file_outside(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "model").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.json").write_text('{"secret": 1}')
    (root / "model" / "config.json").symlink_to(outside / "secret.json")
    typed = str(root / "model")
    confine(typed, (root,))  # the directory itself is inside ...
    with pytest.raises(PathNotAllowed) as refused:  # ... but a file read from it would not be
        confine_tree(typed, (root,))
    assert (refused.value.key, dict(refused.value.params)) == (
        "problem.link_outside", {"path": str(Path(typed) / "config.json")})


def test_confine_tree_refuses_a_linked_dir_and_walks_link_loops_once(tmp_path):
    root = tmp_path / "root"
    (root / "model" / "sub").mkdir(parents=True)
    (root / "model" / "sub" / "again").symlink_to(root / "model")  # a loop inside the root: allowed
    assert confine_tree(root / "model", (root,)) == (root / "model").resolve()
    (root / "model" / "etc").symlink_to("/etc")
    with pytest.raises(PathNotAllowed):
        confine_tree(root / "model", (root,))


def test_refusal_names_only_the_path_as_typed(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to("/etc")
    with pytest.raises(PathNotAllowed) as refused:
        confine(str(root / "link"), (root,))
    assert dict(refused.value.params) == {"path": str(root / "link")}  # not where it leads, not the roots
