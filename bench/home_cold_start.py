"""Home page cold start: `streamlit run` -> first page rendered in Chromium, HF Lab vs a one-line
baseline app started the same way in the same run; plus which heavy modules the Home path imports.

Both apps get the same warm-up start (disk cache, browser) and alternate for >= 5 rounds (bench/rounds.py); each
round's time is process start -> h1 rendered, and the h1's text must be the same every round. A server that exits
before it served the page or while it was served, and a Home run that crashes in the import check, fail the run
(AppCrashed: nonzero exit, no fragment) instead of being timed or read as "no heavy modules".

Run: python bench/home_cold_start.py [--rounds 5] [--quick] [--json PATH]   (--quick: the same work)
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from app_server import chromium, free_port  # noqa: E402
from report import add_args, finish  # noqa: E402
from rounds import interleave, spread, with_extras  # noqa: E402

BASELINE = 'import streamlit as st\nst.title("baseline")\n'
START_LIMIT_S = 120  # a server that has not answered by then is reported, not waited for forever
HEAVY_CHECK = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=60).run()
if at.exception:
    sys.exit("the page raised: " + " | ".join(e.message for e in at.exception))
print("HEAVY:" + ",".join(m for m in ("torch", "transformers", "datasets") if m in sys.modules))
"""


class AppCrashed(RuntimeError):
    """A subprocess of the benchmark (the server, the import check) exited with an error: the run fails."""


def _tail(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-2000:] if path.exists() else ""


def time_to_first_page(script: Path, browser) -> with_extras:
    """The h1's text, with the seconds from process start to that h1 rendered in the browser as `first_page`."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        with open(log, "wb") as sink:
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                                     "--server.headless", "true", "--server.fileWatcherType", "none"],
                                    cwd=script.parent, stdout=sink, stderr=subprocess.STDOUT)
        try:
            page = browser.new_page()
            while True:
                if proc.poll() is not None:
                    raise AppCrashed(f"{script.name}: streamlit exited ({proc.returncode}) before it served the "
                                     f"page\n{_tail(log)}")
                if time.perf_counter() - start > START_LIMIT_S:
                    raise AppCrashed(f"{script.name}: streamlit did not answer within {START_LIMIT_S} s\n{_tail(log)}")
                try:
                    page.goto(f"http://127.0.0.1:{port}/", timeout=2000)
                    break
                except Exception:
                    time.sleep(0.05)
            h1 = page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
            elapsed = time.perf_counter() - start
            text = h1.inner_text()
            page.close()
            if proc.poll() is not None:
                raise AppCrashed(f"{script.name}: streamlit exited ({proc.returncode}) while serving\n{_tail(log)}")
            return with_extras(text, first_page=elapsed)
        finally:
            proc.terminate()
            proc.wait()


def heavy_imports(app: Path = ROOT / "Home.py") -> list[str]:
    """Heavy modules present after running the Home page in AppTest (should be none); a crashed run raises."""
    out = subprocess.run([sys.executable, "-c", HEAVY_CHECK, str(app)], cwd=ROOT, capture_output=True, text=True)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("HEAVY:")), None)
    if out.returncode != 0 or line is None:
        raise AppCrashed(f"the import check of {app.name} exited ({out.returncode}): {out.stderr[-2000:]}")
    return [m for m in line[len("HEAVY:"):].split(",") if m]


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        baseline = Path(tmp) / "baseline.py"
        baseline.write_text(BASELINE)
        t = interleave({"baseline": lambda: time_to_first_page(baseline, browser),
                        "lab": lambda: time_to_first_page(ROOT / "Home.py", browser)}, rounds=args.rounds)
    base, lab = t["baseline"].extras["first_page"], t["lab"].extras["first_page"]
    ratios = [a / b for a, b in zip(lab, base)]
    heavy = heavy_imports()
    print(f"baseline app: {spread(base)} s, HF Lab Home: {spread(lab)} s")
    result = (f"{args.rounds} interleaved rounds after one warm-up start each: HF Lab Home **{spread(lab)} s** vs a "
              f"one-line app {spread(base)} s (**{statistics.median(ratios):.2f}x**, rounds {min(ratios):.2f}-"
              f"{max(ratios):.2f}); heavy modules imported on the Home path: {', '.join(heavy) or 'none'}")
    return finish(args, "Home cold start in Chromium", f"python bench/home_cold_start.py --rounds {args.rounds}",
                  result, ok=not heavy)


if __name__ == "__main__":
    sys.exit(main())
