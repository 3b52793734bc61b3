"""The Sampling playground in headless Chromium with the tiny Qwen2: run tokens, click a chip to see
that step's distribution, compare two settings; no exception block; screenshots kept."""

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
        page.get_by_text(t("sampling.step_title", "zh", step=1, token="", how="", p="").split("：")[0]).first.wait_for(timeout=60_000)
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
