"""Home in headless Chromium, both languages (issue 33.11 / 33.12): the model-role table fits the page (nothing cut
off on the right at a laptop's width), 从这里开始 leads to the Learning path, the shell switch rewrites the commands;
screenshots kept in artifacts/screenshots/."""
import pytest
from app_server import ROOT, chromium, running_app, wait_for_app

from hflab.i18n import t

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# how far the widest table reaches past the main column or scrolls sideways inside its box (a data frame's grid
# scrolls in .dvn-scroller), in CSS pixels (0: it fits)
OVERFLOW = """() => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const right = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
    const boxes = main.querySelectorAll('[data-testid="stTable"] table, [data-testid="stDataFrame"] .dvn-scroller');
    return Math.max(0, ...[...boxes]
        .map(el => Math.max(el.getBoundingClientRect().right - right, el.scrollWidth - el.clientWidth)));
}"""


@pytest.fixture(scope="module")
def offline_app():
    """The app as a fresh offline clone runs it: no model dirs, only the packaged assets (long source captions,
    missing roles with their commands)."""
    with running_app({}, log_path=ROOT / "artifacts" / "browser_home.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_fits_and_starts_here(offline_app, browser, lang):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 2600})  # a laptop's width with the sidebar open
    page.goto(offline_app)
    wait_for_app(page)
    if lang == "en":
        page.get_by_text(t("sidebar.language", "zh"), exact=True).click()
        page.wait_for_function("() => document.querySelector('h1')?.innerText === 'HF Lab'")
        wait_for_app(page)
    assert page.get_by_text(t("home.models", lang), exact=True).count() == 1
    assert page.evaluate(OVERFLOW) <= 1, "a table is cut off on the right"
    page.screenshot(path=str(SCREENSHOTS / f"home.{lang}.png"), full_page=True)
    page.locator('[data-testid="stRadio"] label').filter(has_text=t("home.shell.powershell", lang)).click()
    page.locator("code").filter(has_text='$env:HF_ENDPOINT="https://hf-mirror.com"; hf download').first.wait_for()
    wait_for_app(page)
    page.screenshot(path=str(SCREENSHOTS / f"home.powershell.{lang}.png"), full_page=True)
    page.get_by_text(t("home.start.link", lang, chapter=t("learn.ch.ecosystem.title", lang))).click()
    page.wait_for_url(f"{offline_app}/learn*")
    wait_for_app(page)
    assert page.locator("h1").first.inner_text() == t("nav.learn", lang)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()
