"""Issue 18.2: users run the server without Streamlit's file watcher (over .venv it overflows inotify and
burns a core while idle); the setting comes from .streamlit/config.toml, so `streamlit run Home.py`,
`python dev.py app` and Community Cloud all get it. bench/idle_server_cpu.py measures the difference."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_reads_no_file_watcher_from_the_projects_config():
    probe = ("from streamlit import config; config.get_config_options(force_reparse=True); "
             "print(config.get_option('server.fileWatcherType'), config.get_option('runner.magicEnabled'))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["none", "False"]
