"""The real app in headless Chromium: every page renders without an error block, the language
toggle persists across pages, and a screenshot per page is kept in artifacts/screenshots/."""

import re

import pytest
from app_server import ROOT, chromium, wait_for_app

from hflab.i18n import t

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PAGES = {"": "app.title", "image_story": "nav.image_story", "sampling": "nav.sampling",
         "tokenizer": "nav.tokenizer", "sentiment": "nav.sentiment", "models": "nav.models"}


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_every_page_renders(app_url, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    for path, title_key in PAGES.items():
        page.goto(f"{app_url}/{path}")
        wait_for_app(page)
        assert page.locator("h1").first.inner_text() == t(title_key, "zh")
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(SCREENSHOTS / f"{path or 'home'}.zh.png"), full_page=True)
    page.close()


def test_language_toggle_persists_across_pages(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_text(t("sidebar.language", "zh"), exact=True).click()
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText === 'HF Lab'")
    for path in ("tokenizer", "models"):
        page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').click()
        page.wait_for_url(re.compile(rf"/{path}\?lab="))  # the tab keeps its progress id (components/progress.py)
        wait_for_app(page)
        assert page.locator("h1").first.inner_text() == t(PAGES[path], "en")
        page.screenshot(path=str(SCREENSHOTS / f"{path}.en.png"), full_page=True)
    page.close()
