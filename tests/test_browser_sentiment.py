"""The Sentiment page in a real browser: type a review in the Predict tab and see a label."""
import pytest

from app_server import ROOT, chromium, wait_for_app
from hflab.i18n import t

SCREENSHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def app_url(tiny_app, shared_dataset):
    """The shared tiny-model app, but only where ../shared holds ChnSentiCorp."""
    return tiny_app


def test_type_a_review_and_see_a_label(app_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{app_url}/sentiment")
        wait_for_app(page, timeout_ms=180_000)  # the first run tokenizes all 12k reviews for the statistics
        assert page.locator("h1").first.inner_text() == t("nav.sentiment", "zh")
        page.get_by_role("tab", name=t("sentiment.tab.predict", "zh")).click()
        box = page.get_by_role("textbox", name=t("sentiment.predict.input", "zh"), exact=True)
        box.fill("房间干净，服务热情，下次还来。")
        box.press("Control+Enter")
        metric = page.locator('[data-testid="stMetric"]').filter(has_text=t("sentiment.predict.label", "zh"))
        metric.first.wait_for(timeout=60_000)
        value = metric.first.locator('[data-testid="stMetricValue"]').inner_text()
        assert value in (t("sentiment.label.0", "zh"), t("sentiment.label.1", "zh"))
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(SCREENSHOTS / "sentiment.predict.zh.png"), full_page=True)
        page.close()
