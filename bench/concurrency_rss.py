"""Peak server memory with eight browser sessions working at once, against the same server idle.

Starts `streamlit run Home.py` once (offline, the packaged SmolLM2 as the story model, tiny random
models for caption / translation / sentiment, since no such weights exist offline), opens every
scenario once alone (baseline: RSS after that warm-up), then runs the eight sessions of
tests/hostile/sessions.py concurrently, >= 5 rounds on the same server (a later round's peak above the first's would
be memory growing per session), and prints the median (range) peak RSS and its ratio to the baseline. Every round
must end with no page exception in any session. About 4 minutes a round on 2 cores.
Usage: python bench/concurrency_rss.py [--sessions N] [--rounds 5] [--quick] [--json PATH]   (--quick: 4 sessions)
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from report import add_args, finish  # noqa: E402
from rounds import interleave, spread, with_extras  # noqa: E402


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.quick:
        args.sessions = min(args.sessions, 4)
    work = Path(tempfile.mkdtemp(prefix="hflab-bench-conc-"))
    os.environ.update({"HFLAB_DATA_DIR": str(work / "data"), "HF_HOME": str(work / "hf_home"), "HF_HUB_OFFLINE": "1"})
    os.environ.setdefault("HFLAB_ASSETS_DIR", str(Path.home() / ".cache" / "hflab-test-assets"))
    from app_server import running_app
    from hostile.sessions import PeakRSS, default_scenarios, run_all, server_process
    from tiny_models import build_all

    from hflab.loading import offline_assets

    offline_assets.convert_smollm2()
    tiny = build_all(work / "data" / "tiny")
    env = {f"HFLAB_{role.upper()}_DIR": str(path) for role, path in tiny.items() if role != "causal_lm"}
    base = default_scenarios()
    scenarios = [base[i % len(base)] for i in range(args.sessions)]
    with running_app(env) as url:
        proc = server_process()
        asyncio.run(run_all(url, base, concurrent=False))  # warm-up: every model loaded once
        idle = proc.memory_info().rss

        def concurrent():
            with PeakRSS(proc) as rss:
                results = asyncio.run(run_all(url, scenarios, concurrent=True))
            return with_extras(sum(r["exceptions"] for r in results), peak_mb=rss.peak / 2**20)

        # one path: the warm-up round is the sequential pass above, so interleave's own warm-up is a first
        # concurrent round (untimed), and every round must end with 0 page exceptions like it
        t = interleave({"concurrent": concurrent}, rounds=args.rounds, same=lambda a, b: a == b == 0)
    peaks, idle_mb = t["concurrent"].extras["peak_mb"], idle / 2**20
    result = (f"{len(scenarios)} concurrent sessions (tokenize, stories with the packaged SmolLM2, sentiment "
              f"predictions), {args.rounds} rounds on one server after a warm-up that loaded every model, 0 page "
              f"exceptions every round, {t['concurrent'].text(0)} wall a round: RSS after warm-up {idle_mb:.0f} MB, "
              f"**peak {spread(peaks, 0)} MB** ({max(peaks) / idle_mb:.2f}x at most): models are shared, not "
              f"loaded per session")
    return finish(args, "Server memory with concurrent sessions",
                  f"python bench/concurrency_rss.py --sessions {args.sessions} --rounds {args.rounds}", result)


if __name__ == "__main__":
    sys.exit(main())
