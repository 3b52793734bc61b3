"""The Sentiment page in a real browser: type a review in the Predict tab and see a label."""
import pytest
from app_server import ROOT, chromium, tiny_app_server, wait_for_app

from hflab.i18n import t

SCREENSHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def app_url(request, tiny_models, review_dataset):
    """A server on the tiny models with the dataset role on the small ChnSentiCorp-shaped data set."""
    yield from tiny_app_server(request.module.__name__, tiny_models, {"HFLAB_DATASET_DIR": str(review_dataset)})


def test_type_a_review_and_see_a_label(app_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{app_url}/sentiment")
        wait_for_app(page, timeout_ms=180_000)  # the first run tokenizes every review for the statistics
        assert page.locator("h1").first.inner_text() == t("nav.sentiment", "zh")
        page.screenshot(path=str(SCREENSHOTS / "sentiment.explore.zh.png"), full_page=True)
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
        page.get_by_role("tab", name=t("sentiment.tab.evaluate", "zh")).click()
        page.get_by_role("button", name=t("sentiment.eval.run", "zh"), exact=True).click()
        page.get_by_text(t("sentiment.eval.errors", "zh", count=0)[:6]).first.wait_for(timeout=60_000)
        wait_for_app(page)
        page.screenshot(path=str(SCREENSHOTS / "sentiment.evaluate.zh.png"), full_page=True)
        page.close()


def test_upload_a_file_explore_it_and_open_a_row_in_the_tokenizer(app_url, tmp_path):
    """The upload path in a real browser (AppTest cannot upload files): a CSV with Chinese column names
    and "pos"/"neg" labels is mapped, explored, and a clicked row opens in the Tokenizer page."""
    import csv

    rows = [(f"第{i}条评论：{'服务很好，下次再来' if i % 2 else '房间太小，很失望'}", "pos" if i % 2 else "neg")
            for i in range(40)]
    upload = tmp_path / "我的评论.csv"
    with upload.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([("评论", "标签"), *rows])
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{app_url}/sentiment")
        wait_for_app(page, timeout_ms=180_000)
        page.get_by_text(t("sentiment.data.src.upload", "zh"), exact=True).click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(upload))
        table = page.locator('.st-key-sentiment_table [data-testid="stDataFrame"]')
        table.wait_for(timeout=120_000)
        wait_for_app(page, timeout_ms=120_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text(t("sentiment.explore.matches", "zh", count=40)).count() >= 1
        page.screenshot(path=str(SCREENSHOTS / "sentiment.upload.zh.png"))
        table.scroll_into_view_if_needed()
        box = table.bounding_box()
        page.mouse.move(box["x"] + 18, box["y"] + 35 + 17)
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the selection box of the first data row
        page.locator("h1").filter(has_text=t("nav.tokenizer", "zh")).wait_for(timeout=120_000)
        wait_for_app(page, timeout_ms=120_000)
        from hflab.sentiment import data as sdata

        # the table lists the page's split (80/10/10, fixed seed) in order: its first row is what was clicked
        shown = sdata.upload_data(upload.name, sdata.map_columns(sdata.read_table(upload.name, upload.read_bytes()),
                                                                 "评论", "标签")).all_rows()
        assert page.get_by_role("textbox").first.input_value() == shown["text"].iloc[0]
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()


def test_inputs_survive_a_data_source_round_trip_and_a_page_visit(app_url):
    """Issue 18.4 in a real browser: a typed search and a switch that is on by default keep their values when
    the data source goes to upload and back (the widgets vanish for a run) and after a visit to Home."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{app_url}/sentiment")
        wait_for_app(page, timeout_ms=180_000)
        table = page.locator(".st-key-sentiment_table")
        table.wait_for(timeout=120_000)
        search = page.locator(".st-key-sentiment_query input")
        search.fill("服务")
        search.press("Enter")
        page.get_by_text(t("sentiment.explore.matches", "zh", count=0)[:2]).first.wait_for(timeout=60_000)
        stopwords = page.locator(".st-key-sentiment_stopwords input")
        assert stopwords.is_checked()
        page.get_by_text(t("sentiment.data.src.upload", "zh"), exact=True).click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.wait_for(state="attached", timeout=60_000)
        page.get_by_text(t("sentiment.data.src.role", "zh"), exact=True).click()
        table.wait_for(timeout=120_000)
        wait_for_app(page, timeout_ms=120_000)
        assert stopwords.is_checked() and search.input_value() == "服务"
        page.locator('[data-testid="stSidebarNav"] a').first.click()
        table.wait_for(state="detached", timeout=60_000)  # on the Home page now
        wait_for_app(page, timeout_ms=120_000)
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text=t("nav.sentiment", "zh")).click()
        table.wait_for(timeout=120_000)
        wait_for_app(page, timeout_ms=120_000)
        assert stopwords.is_checked() and search.input_value() == "服务"
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()
