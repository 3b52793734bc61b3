"""The Models page in headless Chromium: load a role, walk every tab, no error block; screenshots kept."""

from app_server import ROOT, chromium, wait_for_app

from hflab.i18n import t

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
TABS = ("overview", "heads", "architecture", "cache", "loaded")


def test_models_page_in_a_browser(app_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(app_url)  # the entrypoint runs first, as for a visitor, so st.navigation is in place
        wait_for_app(page)
        page.goto(f"{app_url}/models")
        wait_for_app(page)
        assert page.locator("h1").first.inner_text() == t("nav.models", "zh")
        page.get_by_role("button", name=t("models.load_button", "zh")).click()
        page.get_by_text(t("models.ov.per_module", "zh")).first.wait_for(timeout=120_000)
        wait_for_app(page)
        for name in TABS:
            page.get_by_role("tab", name=t(f"models.tab.{name}", "zh")).click()
            page.wait_for_timeout(300)
            assert page.locator('[data-testid="stException"]').count() == 0
            page.screenshot(path=str(SCREENSHOTS / f"models.{name}.zh.png"), full_page=True)
        page.get_by_role("tab", name=t("models.tab.heads", "zh")).click()
        page.get_by_role("button", name=t("models.heads.run", "zh")).click()
        page.get_by_text(t("models.heads.outputs", "zh")).first.wait_for(timeout=120_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(SCREENSHOTS / "models.head_run.zh.png"), full_page=True)
        page.close()
