"""An unloaded model is freed once the manager lets go: no page keeps it alive after a run (issue 19: a page-level
global named `model` in the sampling script was held by its widgets' callbacks, so an evicted 1.4 GB model
stayed in memory beside the next one)."""
from __future__ import annotations

import gc
import weakref

import pytest
import torch
from apptest_utils import error_texts, open_page

from hflab.i18n import t


def modules_of(value) -> list[torch.nn.Module]:
    """The torch modules a manager handle holds (a model, or a (model, tokenizer) pair); tokenizers are small and
    the page's last result may keep one until the next run."""
    parts = value if isinstance(value, (tuple, list)) else (value,)
    return [part for part in parts if isinstance(part, torch.nn.Module)]


def unload_all_and_collect() -> list[str]:
    """Unload every model the manager holds; the labels of those still alive after a garbage collection."""
    from components.model_loading import manager

    held = manager()
    alive = {}
    for row in held.snapshot():
        handle = held.get(row["key"], lambda: None)
        alive.update({f"{row['key']}#{n}": weakref.ref(m) for n, m in enumerate(modules_of(handle.value))})
        del handle
        held.unload(row["key"])
    gc.collect()
    return [label for label, ref in alive.items() if ref() is not None]


def step_sampling(at) -> None:
    next(b for b in at.button if b.label == t("sampling.step_button", "en")).click().run()


@pytest.mark.parametrize("page, tab, act", [
    ("app_pages/sampling.py", None, step_sampling),
    ("app_pages/tokenizer.py", "attention", None),
    ("app_pages/sentiment.py", None, None),
])
def test_a_model_the_manager_unloads_is_freed_while_the_page_stays_open(tiny_env, review_env, page, tab, act):
    unload_all_and_collect()  # what earlier tests left loaded
    at = open_page(page, "en", tab=tab)
    if act:
        act(at)
    assert not error_texts(at)
    from components.model_loading import manager

    assert manager().snapshot()  # the page loaded something to free
    assert unload_all_and_collect() == []
    at.run()  # the page loads its model again
    assert not error_texts(at)


def test_every_page_runs_in_a_main_function():
    """Page files hold imports, constants and functions, and end by calling main(): no value the page computes is a
    module global, which its widgets' callbacks would keep alive."""
    import ast
    from pathlib import Path

    from apptest_utils import ROOT

    def constant(node) -> bool:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [n for t in targets for n in (t.elts if isinstance(t, ast.Tuple) else [t])]
        return all(isinstance(n, ast.Name) and n.id.isupper() for n in names)

    pages = sorted(Path(ROOT, "app_pages").glob("*.py"))
    assert len(pages) >= 7
    for page in pages:
        body = ast.parse(page.read_text(encoding="utf-8")).body
        *rest, last = body[1:] if isinstance(body[0], ast.Expr) else body  # the docstring
        assert ast.unparse(last) == "main()", page.name
        loose = [ast.unparse(node)[:60] for node in rest
                 if not isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))
                 and not (isinstance(node, (ast.Assign, ast.AnnAssign)) and constant(node))]
        assert loose == [], page.name
