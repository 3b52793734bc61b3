"""Streamlit-only Markdown in headless Chromium (issue 38). `$x^2$`, `:red[...]`, `:material/...:` and `:smile:` are
Streamlit's own extensions: a CommonMark check of the escaper cannot fail on them, the browser can.

First a control app of two Markdown elements proves the check can fail: Streamlit turns the raw payload into KaTeX, a
coloured span, a material icon, an emoji and bold, while `markdown_literal` of the same text shows it literally. Then
the payload is typed into two inputs the pages echo, one drawn as HTML (the Tokenizer page's source text) and one in
a Markdown message box (a typed model path on the Models page), and shows literally there too.
(test_security_output_browser.py covers HTML, links and images typed into every input.)"""
from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest
from app_server import chromium, free_port, wait_for_app

from components.escape import markdown_literal
from hflab.i18n import t

PAYLOAD = "$x^2$ :red[red] :material/home: :smile: **bold** <b>b</b>"
SMILE = "\U0001F604"  # what Streamlit's Markdown makes of :smile:
CONTROL = """import streamlit as st

with st.container(key="raw"):
    st.markdown({raw!r})
with st.container(key="escaped"):
    st.markdown({escaped!r})
"""
# what Streamlit's Markdown made of the payload inside one element
RENDERED_JS = """(el) => ({
  text: el.innerText,
  katex: el.querySelectorAll('.katex').length,
  icons: [...el.querySelectorAll('span')].filter(s => getComputedStyle(s).fontFamily.includes('Material Symbols'))
    .length,
  coloured: [...el.querySelectorAll('span')].filter(s => s.textContent === 'red').length,
  bold: [...el.querySelectorAll('strong, b')].map(b => b.textContent),
})"""
LITERAL = {"katex": 0, "icons": 0, "coloured": 0, "bold": []}


def rendered(locator) -> dict:
    return locator.evaluate(RENDERED_JS)


def shown_literally(found: dict, text: str) -> None:
    """`found` (RENDERED_JS of one element) shows `text` as typed: nothing of it became an element or an emoji."""
    assert {k: v for k, v in found.items() if k != "text"} == LITERAL, found
    assert found["text"] == text and SMILE not in found["text"]


@pytest.fixture(scope="module")
def control_url(tmp_path_factory):
    """A one-file Streamlit app with the payload raw and through markdown_literal; yields its URL."""
    folder = tmp_path_factory.mktemp("markdown-control")
    (folder / "control.py").write_text(CONTROL.format(raw=PAYLOAD, escaped=markdown_literal(PAYLOAD)))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "control.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true",
                               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                              cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                assert time.monotonic() < deadline, "the control app did not start"
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_streamlit_renders_the_raw_payload_and_shows_the_escaped_one_literally(control_url):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(control_url)
        escaped = page.locator(".st-key-escaped [data-testid='stMarkdownContainer']")
        escaped.wait_for(timeout=60_000)
        # both boxes are drawn before their Markdown is (a CI run read the raw one empty)
        page.wait_for_function("() => [...document.querySelectorAll(\".st-key-raw [data-testid='stMarkdownContainer'], "
                               ".st-key-escaped [data-testid='stMarkdownContainer']\")].filter(e => e.innerText.trim())"
                               ".length === 2", timeout=60_000)
        raw = rendered(page.locator(".st-key-raw [data-testid='stMarkdownContainer']"))
        found = rendered(escaped)
        page.close()
    # the check can fail: each payload, unescaped, becomes what it is named after
    assert raw["katex"] >= 1 and raw["icons"] == 1 and raw["coloured"] == 1 and "bold" in raw["bold"], raw
    assert SMILE in raw["text"] and ":smile:" not in raw["text"], raw
    shown_literally(found, PAYLOAD)


def open_page(browser, app_url: str, path: str):
    """A page of the app opened from its sidebar (a direct URL on a fresh server runs outside st.navigation)."""
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(app_url)
    wait_for_app(page)
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').click()
    return page


def test_the_tokenizer_pages_source_text_shows_the_payload_literally(app_url):
    with chromium() as browser:
        page = open_page(browser, app_url, "tokenizer")
        box = page.locator(".st-key-tok_texts textarea")
        box.fill(PAYLOAD)
        box.press("Control+Enter")
        source = page.locator("div.hflab-source").filter(has_text="x^2").first
        source.wait_for(timeout=90_000)
        found = rendered(source)
        in_main = rendered(page.locator('[data-testid="stMain"]'))
        page.close()
    shown_literally(found, PAYLOAD)
    assert in_main["katex"] == 0 and SMILE not in in_main["text"]  # chips and pills show the tokens as text too


def test_a_typed_model_path_shows_the_payload_literally_in_its_message(app_url):
    typed = f"/nonexistent/{PAYLOAD}"
    with chromium() as browser:
        page = open_page(browser, app_url, "models")
        page.get_by_text(t("models.pick.custom", "zh"), exact=True).first.click()
        box = page.locator(".st-key-models_custom input")
        box.wait_for(timeout=60_000)
        box.fill(typed)
        box.press("Enter")
        alert = page.locator('[data-testid="stAlert"]').filter(has_text="HFLAB_ALLOWED_ROOTS").first
        alert.wait_for(timeout=90_000)
        found = rendered(alert.locator('[data-testid="stMarkdownContainer"]').first)
        page.close()
    shown_literally(found, t("problem.path_not_allowed", "zh", path=typed))
