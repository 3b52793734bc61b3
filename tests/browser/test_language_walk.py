"""Issues 18.1 and 18.4 in Chromium, on every page: the learner sets a few inputs, switches the language twice
with the sidebar toggle, visits another page and comes back, uses the page, then switches to English and uses it
again. No exception box appears, and every input (text, selectbox, radio, segmented control, pills) still shows
what the learner chose. Screenshots of each page after the walk, in Chinese and in English, are kept in
artifacts/screenshots/."""
from __future__ import annotations

import pytest
from app_server import ROOT, chromium, wait_for_app

from hflab.i18n import t

SCREENSHOTS = ROOT / "artifacts" / "screenshots"

# page slug -> (inputs as (widget key, how, what), the page's use: click the "button" or "tab" named by a catalog key,
# or the button with a widget "key")
# how: "fill" a text box with `what`; "pick" the option `what` (index) of a selectbox; "press" the option `what`
# (index) of a radio / segmented control / pills
WALKS = {
    "": ([], None),  # Home has no input; the walk checks it stays free of errors
    "learn": ([("learn_pipe_texts", "fill", "今天心情很好\n这家店太差了"), ("learn_gen_prompt", "fill", "从前有座山")],
              ("key", "learn_classify_run")),
    "image_story": ([("story_mode", "press", 1), ("story_style", "press", 3), ("story_engine", "press", 2),
                     ("story_image_source", "press", 2), ("story_example", "press", 0)],
                    ("button", "image_story.story.run")),
    "sampling": ([("sampling_prompt", "fill", "很久很久以前"), ("sampling_precision", "press", 1)],
                 ("button", "sampling.run_button")),
    "tokenizer": ([("tok_texts", "fill", "我爱北京\nHello world"), ("tok_mode", "press", 1),
                   ("tok_truncation", "pick", 1)],
                  ("tab", "tokenizer.tab.vocab")),
    "models": ([("models_role", "pick", 1)], ("tab", "models.tab.heads")),
    "sentiment": ([("sentiment_query", "fill", "不错"), ("sentiment_explore_split", "pick", 1)],
                  ("tab", "sentiment.tab.torch")),
}


def widget(page, key: str):
    """The container of the widget `key` (a keep_choice widget's key ends with @<language>)."""
    return page.locator(f'[class*="st-key-{key}"]').first


def shown(page, key: str) -> str:
    """What the widget shows: its text, its selected option, or its checked / active button."""
    box = widget(page, key)
    for selector in ("textarea", "input[type=text]", "[role=combobox]"):
        if box.locator(selector).count():
            return box.locator(selector).first.input_value()
    if box.locator("input[type=radio]").count():
        return box.locator("label:has(input:checked)").inner_text()
    active = box.locator('[data-testid$="Active"]')
    return active.first.inner_text() if active.count() else ""


def reveal(page, box) -> None:
    """Open the expander around `box` when it is folded."""
    box.wait_for(state="attached", timeout=60_000)
    if not box.is_visible():
        page.locator('[data-testid="stExpander"]', has=box).locator("summary").first.click()
        box.wait_for(timeout=30_000)


def set_input(page, key: str, how: str, what) -> None:
    box = widget(page, key)
    reveal(page, box)
    if how == "fill":
        field = box.locator("textarea, input[type=text]").first
        field.fill(what)
        field.press("Control+Enter" if box.locator("textarea").count() else "Enter")
    elif how == "pick":
        box.locator("[role=combobox]").first.click()
        page.get_by_role("option").nth(what).click()
    else:
        box.locator('[role="radiogroup"] label, button').nth(what).click()
    wait_for_app(page, 120_000)


def switch_language(page, current: str) -> str:
    page.get_by_text(t("sidebar.language", current), exact=True).click()
    other = "en" if current == "zh" else "zh"
    page.wait_for_function("(label) => [...document.querySelectorAll('[data-testid=\"stSidebar\"] label')]"
                           ".some(l => l.innerText.trim() === label)", arg=t("sidebar.language", other), timeout=60_000)
    wait_for_app(page, 120_000)
    return other


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()


@pytest.mark.parametrize("slug", list(WALKS))
def test_inputs_survive_language_switches_and_page_visits(slug, app_url):
    inputs, use = WALKS[slug]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        page.goto(f"{app_url}/{slug}")
        wait_for_app(page, 180_000)
        for key, action, value in inputs:
            set_input(page, key, action, value)
        chosen = {key: shown(page, key) for key, _, _ in inputs}
        no_exception(page)

        switch_language(page, switch_language(page, "zh"))
        no_exception(page)
        assert {key: shown(page, key) for key in chosen} == chosen  # 18.1

        other = "models" if slug != "models" else "tokenizer"
        page.locator(f'[data-testid="stSidebarNav"] a[href$="/{other}"]').click()
        wait_for_app(page, 180_000)
        page.locator(f'[data-testid="stSidebarNav"] a[href$="/{slug}"]').first.click()
        wait_for_app(page, 180_000)
        no_exception(page)
        assert {key: shown(page, key) for key in chosen} == chosen  # 18.4

        for language in ("zh", "en"):  # used in Chinese, then switched to English and used again
            if language == "en":
                switch_language(page, "zh")
            use_page(page, use, language)
            no_exception(page)
            page.screenshot(path=str(SCREENSHOTS / f"walk.{slug or 'home'}.{language}.png"), full_page=True)
        switch_language(page, "en")
        no_exception(page)
        assert {key: shown(page, key) for key in chosen} == chosen  # back in Chinese, every input as it was left
        page.close()


def use_page(page, use, language: str) -> None:
    """Press what `use` names (a button or tab by its catalog key in `language`, or the button of a widget key)."""
    if not use:
        return
    target = (widget(page, use[1]).locator("button") if use[0] == "key"
              else page.get_by_role(use[0], name=t(use[1], language)))
    reveal(page, target.first)
    target.first.click()
    wait_for_app(page, 180_000)
