"""The Sampling playground in headless Chromium with the tiny Qwen2: run tokens, click a chip to see
that step's distribution, compare two settings; no exception block; screenshots kept."""

import re

from app_server import ROOT, chromium, wait_for_app

from hflab.i18n import t

SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def test_sampling_page_in_chromium(app_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 3000})
        page.goto(f"{app_url}/sampling")
        wait_for_app(page, 180_000)
        assert page.locator("h1").first.inner_text() == t("nav.sampling", "zh")
        page.get_by_role("button", name=t("sampling.run_button", "zh")).click()
        chips = page.locator('.st-key-sampling_chips button')
        chips.first.wait_for(timeout=120_000)
        wait_for_app(page, 120_000)
        assert chips.count() >= 1
        chips.first.click()
        page.get_by_text(t("sampling.step_title", "zh", step=1, token="", how="", p="").split("：")[0]).first.wait_for(
            timeout=60_000
        )
        wait_for_app(page, 60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1
        page.screenshot(path=str(SCREENSHOTS / "sampling.steps.zh.png"))
        page.get_by_role("tab", name=t("sampling.tab.compare", "zh")).click()
        page.get_by_role("button", name=t("sampling.compare_run", "zh")).click()
        page.get_by_text(t("sampling.diverge", "zh", step=1)[:4]).or_(
            page.get_by_text(t("sampling.no_diverge", "zh"))).first.wait_for(timeout=120_000)
        wait_for_app(page, 60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(SCREENSHOTS / "sampling.compare.zh.png"))
        page.close()


def _options(page, box) -> list[str]:
    """The texts of a selectbox's options (opens and closes its list)."""
    box.get_by_role("button", name="Open").click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=30_000)
    texts = options.all_text_contents()
    page.keyboard.press("Escape")
    return texts


def test_pick_box_and_inputs_in_chromium(app_url):
    """Issue 18.6: after a step the pick box offers the new top candidate, not the old choice, and continuing
    with it works; issue 18.4: the prompt survives a visit to another page."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 3000})
        page.goto(f"{app_url}/sampling")
        wait_for_app(page, 180_000)
        box = page.locator(".st-key-sampling_pick")
        shown = box.get_by_role("combobox")
        for action in ("sampling.pick_button", "sampling.step_button"):  # a hand-picked step, then a sampled one
            stale = _options(page, box)[3]
            box.get_by_role("button", name="Open").click()
            page.get_by_role("option").nth(3).click()
            wait_for_app(page, 60_000)
            assert shown.input_value() == stale
            page.get_by_role("button", name=t(action, "zh")).click()
            wait_for_app(page, 120_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert shown.input_value() == _options(page, box)[0]  # the new top candidate, not the old choice
        page.get_by_role("button", name=t("sampling.pick_button", "zh")).click()
        wait_for_app(page, 120_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text(t("sampling.branched", "zh")).count() == 1
        page.screenshot(path=str(SCREENSHOTS / "sampling.pick.zh.png"))

        prompt = page.locator(".st-key-sampling_prompt textarea")
        prompt.fill("The cat sat on")
        prompt.press("Control+Enter")
        wait_for_app(page, 120_000)
        page.locator('[data-testid="stSidebarNav"] a').first.click()
        wait_for_app(page, 60_000)
        page.locator('[data-testid="stSidebarNav"] a[href$="/sampling"]').click()
        page.wait_for_url(re.compile(r"/sampling\?lab="))  # the tab keeps its progress id (components/progress.py)
        wait_for_app(page, 120_000)
        assert page.locator(".st-key-sampling_prompt textarea").input_value() == "The cat sat on"
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()
