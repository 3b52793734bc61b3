"""Issue 18.2: CPU used by an idle server with one browser session open, file watcher on vs off.

Starts `streamlit run Home.py` from the project folder (with its .venv inside, as a user has it), opens
the Home page in headless Chromium, then leaves it idle and counts the server's CPU seconds (process
and children) over the idle window. Watcher "auto" (Streamlit's default) and "none" (the project's config) get the
same warm-up round and alternate for >= 5 rounds (bench/rounds.py); the Home page's h1 must be the same every round.
Prints the median (range) CPU seconds per idle minute of each and their ratio.
Usage: python bench/idle_server_cpu.py [--rounds 5] [--idle 20] [--quick] [--json PATH]   (--quick: 6 s idle windows)
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

from report import add_args, finish  # noqa: E402
from rounds import interleave, spread, with_extras  # noqa: E402


def idle_cpu_per_minute(watcher: str, idle_s: float) -> with_extras:
    """Home's h1, with the CPU seconds per minute the server spends while one session sits idle on Home."""
    from app_server import chromium, running_app, wait_for_app
    from hostile.sessions import server_process

    with running_app(file_watcher=watcher) as url, chromium() as browser:
        page = browser.new_page()
        page.goto(url)
        wait_for_app(page)
        h1 = page.inner_text('[data-testid="stMain"] h1')
        time.sleep(3)  # let the first run's after-work settle
        server = server_process()
        procs = [server, *server.children(recursive=True)]
        before = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
        time.sleep(idle_s)
        after = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
        page.close()
    return with_extras(h1, cpu_per_min=(after - before) * 60.0 / idle_s)


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--idle", type=float, default=20.0)
    args = parser.parse_args()
    if args.quick:
        args.idle = min(args.idle, 6.0)
    work = Path(tempfile.mkdtemp(prefix="hflab-bench-idle-"))
    os.environ.update({"HFLAB_DATA_DIR": str(work / "data"), "HF_HOME": str(work / "hf_home"), "HF_HUB_OFFLINE": "1"})
    t = interleave({watcher: (lambda watcher=watcher: idle_cpu_per_minute(watcher, args.idle))
                    for watcher in ("auto", "none")}, rounds=args.rounds, agree=(("auto", "none"),))
    auto, none = t["auto"].extras["cpu_per_min"], t["none"].extras["cpu_per_min"]
    share = statistics.median(none) / max(statistics.median(auto), 1e-9)
    result = (f"one browser session idle on Home for {args.idle:.0f} s, {args.rounds} interleaved rounds after one "
              f"warm-up each, same page every round: file watcher on (`auto`, over a project folder holding .venv) "
              f"**{spread(auto)} CPU-s per idle minute** vs off (the project's config) **{spread(none)}**: "
              f"{share:.3f}x")
    return finish(args, "Idle server CPU, file watcher on vs off",
                  f"python bench/idle_server_cpu.py --rounds {args.rounds} --idle {args.idle:g}", result)


if __name__ == "__main__":
    sys.exit(main())
