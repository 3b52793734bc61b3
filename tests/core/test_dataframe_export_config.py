"""Issue 38: st.dataframe's own "Download as CSV" writes cells raw, past the formula-safe CSVs of hflab/csv_safety.py;
the project's .streamlit/config.toml turns Streamlit's data export off for every data frame (the browser test
tests/browser/test_dataframe_export_browser.py checks the toolbar itself)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_reads_data_export_off_from_the_projects_config():
    probe = ("from streamlit import config; config.get_config_options(force_reparse=True); "
             "print(config.get_option('client.disableDataExport'))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True"]
