"""Issue 18.2: CPU used by an idle server with one browser session open, file watcher on vs off.

Starts `streamlit run Home.py` from the project folder (with its .venv inside, as a user has it), opens
the Home page in headless Chromium, then leaves it idle and counts the server's CPU seconds (process
and children) over the idle window. Rounds alternate watcher "auto" (Streamlit's default) and "none"
(the project's config); prints the median CPU seconds per idle minute of each and their ratio.
Usage: python bench/idle_server_cpu.py [--rounds 3] [--idle 30]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def idle_cpu_per_minute(watcher: str, idle_s: float) -> float:
    """CPU seconds per minute the server spends while one session sits idle on Home."""
    from app_server import chromium, running_app, wait_for_app
    from hostile.sessions import server_process

    with running_app(file_watcher=watcher) as url, chromium() as browser:
        page = browser.new_page()
        page.goto(url)
        wait_for_app(page)
        time.sleep(3)  # let the first run's after-work settle
        server = server_process()
        procs = [server, *server.children(recursive=True)]
        before = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
        time.sleep(idle_s)
        after = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
        page.close()
    return (after - before) * 60.0 / idle_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=float, default=30.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hflab-bench-idle-"))
    os.environ.update({"HFLAB_DATA_DIR": str(work / "data"), "HF_HOME": str(work / "hf_home"), "HF_HUB_OFFLINE": "1"})
    results: dict[str, list[float]] = {"auto": [], "none": []}
    for _ in range(args.rounds):
        for watcher in ("auto", "none"):  # interleaved rounds
            results[watcher].append(idle_cpu_per_minute(watcher, args.idle))
            print(f"round: watcher={watcher}: {results[watcher][-1]:.2f} CPU-s per idle minute", flush=True)
    auto, none = statistics.median(results["auto"]), statistics.median(results["none"])
    print(f"idle server, one session open: watcher auto {auto:.2f} CPU-s/min "
          f"(range {min(results['auto']):.2f}-{max(results['auto']):.2f}), watcher none {none:.2f} CPU-s/min "
          f"(range {min(results['none']):.2f}-{max(results['none']):.2f}); none/auto = {none / max(auto, 1e-9):.3f}")


if __name__ == "__main__":
    main()
