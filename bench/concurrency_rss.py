"""Peak server memory with eight browser sessions working at once, against the same server idle.

Starts `streamlit run Home.py` once (offline, the packaged SmolLM2 as the story model, tiny random
models for caption / translation / sentiment, since no such weights exist offline), opens every
scenario once alone (baseline: RSS after that warm-up), then runs the eight sessions of
tests/hostile/sessions.py concurrently and prints the peak RSS and its ratio to the baseline.
Usage: python bench/concurrency_rss.py [--sessions N]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hflab-bench-conc-"))
    os.environ.update({"HFLAB_DATA_DIR": str(work / "data"), "HF_HOME": str(work / "hf_home"), "HF_HUB_OFFLINE": "1"})
    os.environ.setdefault("HFLAB_ASSETS_DIR", str(Path.home() / ".cache" / "hflab-test-assets"))
    from app_server import running_app
    from hostile.sessions import PeakRSS, default_scenarios, run_all, server_process
    from tiny_models import build_all

    from hflab import offline_assets

    offline_assets.convert_smollm2()
    tiny = build_all(work / "data" / "tiny")
    env = {f"HFLAB_{role.upper()}_DIR": str(path) for role, path in tiny.items() if role != "causal_lm"}
    base = default_scenarios()
    scenarios = [base[i % len(base)] for i in range(args.sessions)]
    with running_app(env) as url:
        proc = server_process()
        asyncio.run(run_all(url, base, concurrent=False))  # warm-up: every model loaded once
        idle = proc.memory_info().rss
        start = time.perf_counter()
        with PeakRSS(proc) as rss:
            results = asyncio.run(run_all(url, scenarios, concurrent=True))
        wall = time.perf_counter() - start
    errors = sum(r["exceptions"] for r in results)
    print(f"sessions: {len(scenarios)} concurrent, page exceptions: {errors}, wall {wall:.1f} s")
    print(f"server RSS after warm-up (baseline): {idle / 2**20:.0f} MB")
    print(f"peak server RSS under concurrency:  {rss.peak / 2**20:.0f} MB ({rss.peak / idle:.2f}x baseline)")


if __name__ == "__main__":
    main()
