"""Collect everything a page showed (AppTest or browser) and everything written to disk, to scan it."""
from __future__ import annotations

from pathlib import Path

PAGES = ("app_pages/home.py", "app_pages/learn.py", "app_pages/image_story.py", "app_pages/sampling.py",
         "app_pages/tokenizer.py", "app_pages/sentiment.py", "app_pages/models.py")
URL_PATHS = {"app_pages/home.py": "", "app_pages/learn.py": "learn", "app_pages/image_story.py": "image_story",
             "app_pages/sampling.py": "sampling", "app_pages/tokenizer.py": "tokenizer",
             "app_pages/sentiment.py": "sentiment", "app_pages/models.py": "models"}


def apptest_dump(at) -> str:
    """Every element's protobuf as text (values, labels, help, dataframe bytes) of an AppTest run."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(at._tree)
    return "\n".join(out)


def files_containing(root: Path, needle: bytes) -> list[Path]:
    """Files under `root` whose bytes contain `needle`."""
    hits = []
    for path in Path(root).rglob("*"):
        try:
            if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
                hits.append(path)
        except OSError:
            continue
    return hits


def snapshot_tree(root: Path) -> set[str]:
    """Relative paths of all files under `root` (to see what a run wrote)."""
    root = Path(root)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()
