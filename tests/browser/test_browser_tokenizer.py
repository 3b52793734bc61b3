"""The Tokenizer page in headless Chromium: clicking a token highlights exactly the characters its
offsets name in the source text; screenshots go to artifacts/screenshots/."""
from __future__ import annotations

from app_server import ROOT, chromium, wait_for_app

from hflab.i18n import t
from hflab.loading import offline_assets
from hflab.tokenizer.examples import EXAMPLES

SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def test_clicking_a_token_highlights_its_span(app_url):
    from transformers import AutoTokenizer

    text = EXAMPLES["mixed"][0][0]
    oracle = AutoTokenizer.from_pretrained(offline_assets.bert_tokenizer_dir())(text, return_offsets_mapping=True)
    tokens = oracle.tokens()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        # open the root first: on a fresh server a direct page URL runs the page outside Home.py's st.navigation
        page.goto(app_url)
        wait_for_app(page)
        page.locator('[data-testid="stSidebarNav"] a[href$="/tokenizer"]').click()
        page.wait_for_selector("span.hflab-chip", timeout=90_000)
        wait_for_app(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator("mark.hflab-span").count() == 0
        for pos in (2, 5):  # "##15", then "好"
            page.get_by_role("radio", name=f"{pos}·{tokens[pos]}", exact=True).click()
            page.wait_for_function(
                "(expected) => { const m = document.querySelector('mark.hflab-span'); return m && m.innerText === "
                "expected; }",
                arg=text[oracle["offset_mapping"][pos][0] : oracle["offset_mapping"][pos][1]],
                timeout=60_000,
            )
            wait_for_app(page)
            start, end = oracle["offset_mapping"][pos]
            assert page.locator("mark.hflab-span").inner_text() == text[start:end]
            # the whole source text is shown around the mark, unchanged
            assert page.locator("div.hflab-source").first.inner_text() == text
        # the chips carry the span in their hover text
        assert text[start:end] in page.locator("div.hflab-chips span.hflab-chip").nth(pos).get_attribute("title")
        page.screenshot(path=str(SCREENSHOTS / "tokenizer_span.zh.png"), full_page=True)
        page.close()


def _open_tokenizer(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    page.goto(app_url)  # the root first: a direct page URL on a fresh server runs outside st.navigation
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"] a[href$="/tokenizer"]').click()
    page.wait_for_selector("span.hflab-chip", timeout=90_000)
    wait_for_app(page)
    return page


def _switch_language(page, current: str) -> None:
    page.get_by_text(t("sidebar.language", current), exact=True).click()
    other = "en" if current == "zh" else "zh"
    page.wait_for_function("(title) => document.querySelector('h1')?.innerText === title",
                           arg=t("nav.tokenizer", other), timeout=60_000)
    wait_for_app(page)


def test_language_switched_twice_then_an_example_is_picked(app_url):
    """Issue 18.1: the example selectbox kept a translated label and crashed use_example after a language switch."""
    with chromium() as browser:
        page = _open_tokenizer(browser, app_url)
        _switch_language(page, "zh")
        _switch_language(page, "en")
        page.get_by_role("combobox", name=t("tokenizer.example", "zh")).click()
        page.get_by_role("option", name=t("tokenizer.example.pair", "zh"), exact=True).click()
        page.wait_for_selector(f'textarea[aria-label="{t("tokenizer.pairs", "zh")}"]', timeout=60_000)
        wait_for_app(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator(f'textarea[aria-label="{t("tokenizer.pairs", "zh")}"]').input_value().startswith(
            EXAMPLES["pair"][1][0])
        page.close()


def test_adding_tokens_keeps_the_learner_on_the_surgery_tab(app_url):
    """Issue 18.5: after add_tokens a banner drawn above the tabs re-created them and showed the first tab."""
    with chromium() as browser:
        page = _open_tokenizer(browser, app_url)
        surgery_tab = page.get_by_role("tab", name=t("tokenizer.tab.surgery", "zh"))
        surgery_tab.click()
        page.get_by_role("button", name=t("tokenizer.surgery.add", "zh"), exact=True).click()
        page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')]"
                               ".some(m => m.innerText.includes('21130'))", timeout=60_000)
        wait_for_app(page)
        assert surgery_tab.get_attribute("aria-selected") == "true"
        assert page.get_by_role("tab", name=t("tokenizer.tab.anatomy", "zh")).get_attribute("aria-selected") == "false"
        page.screenshot(path=str(SCREENSHOTS / "tokenizer_surgery.zh.png"), full_page=True)
        page.close()
