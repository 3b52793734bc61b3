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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_first_load_on_a_busy_machine_says_the_promised_waits_will_be_longer(lang, monkeypatch):
    """Issue 33.8: the waits the pages give were measured on an idle machine; under load the page says so before a
    model's first load (and not when the machine is idle)."""
    import os

    import streamlit as st

    from hflab.i18n import t
    from hflab.runtime import environment

    monkeypatch.setattr(environment, "cpu_count", lambda: 2)
    st.cache_resource.clear()  # a fresh model manager: the tokenizer's load is a first load
    monkeypatch.setattr(os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    idle = open_page("app_pages/tokenizer.py", lang)
    busy_words = t("common.busy", lang, load="L", cores="C").split("L")[0]
    assert not [c.value for c in idle.caption if c.value.startswith(busy_words)]
    st.cache_resource.clear()
    monkeypatch.setattr(os, "getloadavg", lambda: (9.4, 8.0, 7.0))
    busy = open_page("app_pages/tokenizer.py", lang)
    assert t("common.busy", lang, load="9.4", cores=2) in [c.value for c in busy.caption]


def test_busy_means_more_runnable_work_than_cores(monkeypatch):
    import os

    from hflab.runtime import environment

    monkeypatch.setattr(environment, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (2.0, 0, 0))
    assert environment.busy_cpu() is None
    monkeypatch.setattr(os, "getloadavg", lambda: (2.5, 0, 0))
    assert environment.busy_cpu() == (2.5, 2)

    def no_load_average():
        raise OSError("no load average")

    monkeypatch.setattr(os, "getloadavg", no_load_average)
    assert environment.busy_cpu() is None
