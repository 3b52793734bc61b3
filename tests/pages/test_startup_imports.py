"""The Home page start-up path imports neither torch nor transformers."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("Home.py", default_timeout=60).run()
assert not at.exception, at.exception
print(sorted(m for m in ("torch", "transformers") if m in sys.modules))
"""


def test_home_does_not_import_torch_or_transformers():
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
