"""The Models page in headless Chromium: load a role, walk every tab, no error block; an error that reads
as written; screenshots kept."""
import re

from app_server import ROOT, chromium, running_app, wait_for_app
from local_servers import refused_port

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


def test_no_network_error_reads_as_written(tiny_models):
    """Issue 18.14: the endpoint in the error had a literal backslash ("https://huggingface\\.co") and the
    mirror URL auto-linked the Chinese text after it; the browser shows the catalog text exactly."""
    endpoint = f"http://127.0.0.1:{refused_port()}"  # nobody listens: "no network" without mocks
    env = {f"HFLAB_{role.upper()}_DIR": str(path) for role, path in tiny_models.items()}
    env.update({"HF_HUB_OFFLINE": "0", "HF_ENDPOINT": endpoint})
    with running_app(env, log_path=ROOT / "artifacts" / "browser_models_no_network.log") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url)
        wait_for_app(page)
        page.goto(f"{url}/models")
        wait_for_app(page)
        page.get_by_role("tab", name=t("models.tab.cache", "zh")).click()
        page.get_by_label(t("models.dl.repo", "zh")).fill("org/model")
        page.get_by_role("button", name=t("models.dl.button", "zh"), exact=True).click()
        alert = page.locator('[data-testid="stAlertContentError"] >> visible=true').first  # the cache tab's
        alert.wait_for(timeout=60_000)
        alert.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "models.no_network.zh.png"), full_page=True)
        expected = t("models.err.no_network", "zh", endpoint=endpoint).replace("`", "")
        assert alert.inner_text().strip() == expected
        links = [link.inner_text() for link in alert.locator("a").all()]
        assert not [text for text in links if re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text)], links
        page.close()
