"""The Learning path in headless Chromium: a chapter's link opens its page on the requested tab with the
tutorial's example in the inputs; screenshot in artifacts/screenshots/."""
from __future__ import annotations

from app_server import ROOT, chromium, wait_for_app

from hflab.i18n import t
from hflab.learn.chapters import TOKENIZER_SENTENCES

SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def test_tokenizer_chapter_link_lands_on_the_anatomy_tab_with_the_tutorials_reviews(app_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        page.goto(app_url)  # the root first: a direct page URL on a fresh server runs outside st.navigation
        wait_for_app(page)
        page.locator('[data-testid="stSidebarNav"] a[href$="/learn"]').click()
        page.locator(".st-key-learn_open_tokenizer button").click()
        page.wait_for_function("(title) => document.querySelector('h1')?.innerText === title",
                               arg=t("nav.tokenizer", "zh"), timeout=90_000)
        page.wait_for_selector("span.hflab-chip", timeout=90_000)
        wait_for_app(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        text_area = page.locator(".st-key-tok_texts textarea")
        assert text_area.input_value() == "\n".join(TOKENIZER_SENTENCES[:2])
        selected = page.locator('[data-testid="stTab"][aria-selected="true"]')
        assert selected.count() == 1 and selected.inner_text().strip() == t("tokenizer.tab.anatomy", "zh")
        # the anatomy tab's chips are visible: they belong to the open tab
        assert page.locator("span.hflab-chip").first.is_visible()
        page.screenshot(path=str(SCREENSHOTS / "learn_tokenizer_link.zh.png"), full_page=True)
        page.close()


def test_ticked_chapters_survive_a_refresh_and_a_page_switch(app_url):
    """Issue 33.3: 12/12 ticks became 0/12 after F5; the tab's URL now carries its progress id (?lab=...)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        page.goto(app_url)
        wait_for_app(page)
        page.locator('[data-testid="stSidebarNav"] a[href$="/learn"]').click()
        wait_for_app(page)
        for chapter in ("ecosystem", "generation"):
            page.locator(f".st-key-learn_done_{chapter} label").click()
            wait_for_app(page)
        page.locator('[data-testid="stSidebarNav"] a[href$="/tokenizer"]').click()  # leave and come back
        wait_for_app(page)
        assert "lab=" in page.url
        page.locator('[data-testid="stSidebarNav"] a[href$="/learn"]').click()
        wait_for_app(page)
        page.reload()  # F5: a new session on the same URL
        wait_for_app(page)
        page.wait_for_selector(".st-key-learn_done_ecosystem input", timeout=90_000)
        ticked = [page.locator(f".st-key-learn_done_{c} input").is_checked()
                  for c in ("ecosystem", "generation", "pipeline")]
        assert ticked == [True, True, False]
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(SCREENSHOTS / "learn_after_refresh.zh.png"), full_page=False)
        page.close()
