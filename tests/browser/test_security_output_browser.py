"""Output safety in real Chromium: HTML and Markdown payloads typed into every text input of every
page must not create elements or links (no <img src=x>, no onerror handler, no link or image to the
payload's URL) and must not run script (no dialog)."""
from __future__ import annotations

import os

import pytest
from app_server import chromium, running_app, wait_for_app
from hostile.scan import PAGES, URL_PATHS

from hflab.i18n import t

PAYLOAD = ('<img src=x onerror=alert(1)> <script>alert(2)</script> [click](https://evil.example/a) '
           '![pic](https://evil.example/p.png) <a href="https://evil.example/b">b</a> **bold**')
# inputs the generic "every visible input" pass may miss: page -> [(text to click first or None, widget key)]
EXPLICIT = {"app_pages/sentiment.py": [("🔮 预测", "sentiment_text")],
            "app_pages/image_story.py": [(None, "story_caption_en"), (None, "story_caption_zh")],
            "app_pages/models.py": [(t("models.pick.custom", "zh"), "models_custom")],
            "app_pages/learn.py": [(t("learn.hands_on", "zh"), "learn_gen_prompt")]}  # the first hands-on: generation
# how many boxes the payload goes into on each page: the visible, enabled text boxes at first render plus EXPLICIT's
# (a box that stops being found, or a page that loses its inputs, changes the count)
TYPED = {"app_pages/learn.py": 1, "app_pages/image_story.py": 5, "app_pages/sampling.py": 2,
         "app_pages/tokenizer.py": 4, "app_pages/sentiment.py": 6, "app_pages/models.py": 2}
INJECTED_JS = """() => {
  const bad = [];
  document.querySelectorAll('img').forEach(e => { const s = e.getAttribute('src') || '';
    if (s === 'x' || s.includes('evil.example')) bad.push('img ' + s); });
  document.querySelectorAll('[onerror], script:not([src])').forEach(e => {
    if ((e.textContent || '').includes('alert(') || e.hasAttribute('onerror')) bad.push(e.tagName + ' handler'); });
  document.querySelectorAll('a').forEach(e => { if ((e.getAttribute('href') || '').includes('evil.example'))
    bad.push('a ' + e.getAttribute('href')); });
  document.querySelectorAll('[data-testid="stMain"] strong, [data-testid="stMain"] b').forEach(e => {
    if (e.textContent === 'bold' || e.textContent === 'b') bad.push('bold from payload'); });
  return bad;
}"""


def _submit(page, box) -> None:
    box.fill(PAYLOAD)
    box.press("Control+Enter" if box.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")
    wait_for_app(page)


@pytest.fixture(scope="module")
def app_url(tiny_models, tmp_path_factory):
    env = {f"HFLAB_{role.upper()}_DIR": str(path) for role, path in tiny_models.items()}
    data_dir = tmp_path_factory.mktemp("output-safety")
    env["HFLAB_DATA_DIR"] = str(data_dir)
    env["HFLAB_ALLOWED_ROOTS"] = os.pathsep.join([str(data_dir), str(tiny_models["causal_lm"].parent)])
    with running_app(env) as url:
        yield url


@pytest.mark.parametrize("path", [p for p in PAGES if p != "app_pages/home.py"])
def test_payload_creates_no_element_link_or_script(app_url, path):
    dialogs: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{app_url}/{URL_PATHS[path]}")
        wait_for_app(page)
        typed = 0
        selector = '[data-testid="stMain"] textarea, [data-testid="stMain"] input[type="text"]'
        for i in range(page.locator(selector).count()):
            box = page.locator(selector).nth(i)
            if box.is_visible() and box.is_enabled() and not box.get_attribute("readonly"):
                _submit(page, box)
                typed += 1
        for click, key in EXPLICIT.get(path, []):
            if click:
                page.get_by_text(click, exact=True).first.click()
                wait_for_app(page)
            _submit(page, page.locator(f".st-key-{key} textarea, .st-key-{key} input").first)
            typed += 1
        found = page.evaluate(INJECTED_JS)
        exceptions = page.locator('[data-testid="stException"]').count()
        page.close()
    assert typed == TYPED[path]
    assert found == [] and dialogs == [] and exceptions == 0, (found, dialogs, exceptions)
