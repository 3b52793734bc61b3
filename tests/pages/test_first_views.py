"""No page's first view, offline and with no model available, shows an error box or raises: a missing model
is information with its fix; errors are for the button a learner presses that needs it."""
from __future__ import annotations

from pathlib import Path

import pytest
from apptest_utils import ROOT, open_page

PAGES = sorted(f"app_pages/{path.name}" for path in (ROOT / "app_pages").glob("*.py"))


def test_every_page_is_listed():
    assert {Path(page).stem for page in PAGES} >= {"home", "learn", "image_story", "sampling", "tokenizer",
                                                   "sentiment", "models"}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_first_view_has_no_error_box(page, lang):
    at = open_page(page, lang)
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []



def missing_words(role: str, lang: str) -> tuple[str, str]:
    """(the catalog's words between the first two parameters of `role`'s missing message, its fix command)."""
    from hflab.i18n import t
    from hflab.loading.sources import resolve

    source = resolve(role)
    assert not source.ready and source.fix
    return t(source.problem().key, lang).split("}")[1].split("{")[0], source.fix


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_missing_models_are_information_with_their_fix(lang):
    words, fix = missing_words("caption", lang)
    home = open_page("app_pages/home.py", lang)
    assert any(words in box.value for box in home.info)
    story = open_page("app_pages/image_story.py", lang)
    assert any(words in box.value for box in story.warning)
    assert fix in [c.value for c in home.code] and fix in [c.value for c in story.code]
