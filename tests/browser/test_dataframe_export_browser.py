"""Issue 38: every CSV the app writes is formula-safe (hflab/csv_safety.py), but st.dataframe's toolbar has a
"Download as CSV" of its own that writes the cells raw: a review, a token or a file name starting with `=` would open
as a formula in a spreadsheet. Streamlit's supported switch is the app-wide `client.disableDataExport` (the toolbar's
download and the read-only grid's clipboard copy), set in .streamlit/config.toml so `streamlit run Home.py`,
`python dev.py app` and Community Cloud all get it from the first page view.

A control app without that setting shows the download button in the same toolbar, so the check can fail; the app's
own data frames keep their search and fullscreen buttons."""
from __future__ import annotations

import pytest
from app_server import ROOT, chromium, running_app, wait_for_app

DOWNLOAD, KEPT = "Download as CSV", {"Search", "Fullscreen"}
CONTROL = """import pandas as pd
import streamlit as st

st.dataframe(pd.DataFrame({"text": ["=1+1", "plain"]}))
"""


def toolbar_labels(page) -> set[str]:
    """The buttons of the first data frame's toolbar, shown by hovering over it (their aria-labels without the
    element's name after the colon)."""
    frame = page.locator('[data-testid="stDataFrame"]').first
    frame.wait_for(timeout=60_000)
    frame.hover()
    buttons = page.locator('[data-testid="stElementContainer"]').filter(has=frame).locator(
        '[data-testid="stElementToolbarButton"] button')
    buttons.first.wait_for(state="visible", timeout=30_000)
    return {label.split(":")[0] for label in (b.get_attribute("aria-label") or "" for b in buttons.all())}


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_a_dataframe_without_the_setting_offers_the_raw_csv_download(browser, tmp_path):
    (tmp_path / "control.py").write_text(CONTROL)
    with running_app(script="control.py", cwd=tmp_path) as url:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(url)
        labels = toolbar_labels(page)
        page.close()
    assert DOWNLOAD in labels and KEPT <= labels, labels


def test_the_apps_dataframes_have_no_csv_download_and_keep_search_and_fullscreen(browser):
    with running_app({}, log_path=ROOT / "artifacts" / "browser_dataframe_export.log") as url:
        page = browser.new_page(viewport={"width": 1200, "height": 2000})
        page.goto(url)
        wait_for_app(page)  # Home: its environment table is a data frame
        labels = toolbar_labels(page)
        page.close()
    assert DOWNLOAD not in labels and KEPT <= labels, labels
