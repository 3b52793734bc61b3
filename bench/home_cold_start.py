"""Home page cold start: `streamlit run` -> first page rendered in Chromium, HF Lab vs a one-line
baseline app started the same way in the same run; plus which heavy modules the Home path imports.

Run: python bench/home_cold_start.py [repeats]
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from app_server import chromium, free_port  # noqa: E402

BASELINE = 'import streamlit as st\nst.title("baseline")\n'


def time_to_first_page(script: Path, browser) -> float:
    """Seconds from process start to an h1 rendered in the browser."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.headless", "true", "--server.fileWatcherType", "none"],
                            cwd=script.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = browser.new_page()
        while True:
            try:
                page.goto(f"http://127.0.0.1:{port}/", timeout=2000)
                break
            except Exception:
                time.sleep(0.05)
        page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
        elapsed = time.perf_counter() - start
        page.close()
        return elapsed
    finally:
        proc.terminate()
        proc.wait()


def heavy_imports() -> list[str]:
    """Heavy modules present after running the Home page in AppTest (should be none)."""
    code = ("import sys\nfrom streamlit.testing.v1 import AppTest\nAppTest.from_file('Home.py', default_timeout=60).run()\n"
            "print(','.join(m for m in ('torch', 'transformers', 'datasets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    return [m for m in out.stdout.strip().split(",") if m]


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        baseline = Path(tmp) / "baseline.py"
        baseline.write_text(BASELINE)
        base_t, lab_t = [], []
        for _ in range(repeats):  # interleaved so drift hits both alike
            base_t.append(time_to_first_page(baseline, browser))
            lab_t.append(time_to_first_page(ROOT / "Home.py", browser))
    b, lab = statistics.median(base_t), statistics.median(lab_t)
    print(f"baseline app: {b:.2f} s, HF Lab Home: {lab:.2f} s, ratio {lab / b:.2f}x (median of {repeats})")
    print(f"heavy modules imported on the Home path: {heavy_imports() or 'none'}")


if __name__ == "__main__":
    main()
