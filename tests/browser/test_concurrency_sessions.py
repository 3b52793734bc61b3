"""Eight real browser sessions on one server at once: they tokenize, write seeded stories and predict
sentiment simultaneously. No session errors ("Already borrowed" and the like), each one's result
equals what the same session got alone, and no session shows another's input."""
from __future__ import annotations

import asyncio
import difflib
import os
import re

import pytest
from app_server import ROOT, running_app
from hostile.sessions import PeakRSS, default_scenarios, run_all, server_process

# measured 631 MB with the tiny models (the real models' sizes are the rehearsal's, bench/rehearse_three.py): a bound
# this close catches a session that holds its own copy of the runtime's buffers; the manager's log catches a model
# loaded twice
RSS_LIMIT_MB = 1200


@pytest.mark.timeout(1800)  # 16 full page sessions (8 alone, then 8 at once) on a 2-core machine
def test_eight_sessions_at_once_equal_solo_and_stay_apart(tiny_models, tmp_path):
    data_dir, log = tmp_path / "data", tmp_path / "server.log"
    env = {f"HFLAB_{role.upper()}_DIR": str(path) for role, path in tiny_models.items()}
    env["HFLAB_DATA_DIR"] = str(data_dir)
    env["HFLAB_ALLOWED_ROOTS"] = os.pathsep.join([str(data_dir), str(tiny_models["causal_lm"].parent), str(ROOT)])
    scenarios = default_scenarios()
    assert len(scenarios) >= 8
    with running_app(env, log_path=log) as url:
        alone = asyncio.run(run_all(url, scenarios, concurrent=False))
        with PeakRSS(server_process()) as rss:
            together = asyncio.run(run_all(url, scenarios, concurrent=True))
    print(f"peak server RSS with {len(scenarios)} concurrent sessions: {rss.peak / 2**20:.0f} MB")
    for sc, solo, shared in zip(scenarios, alone, together):
        assert solo["exceptions"] == shared["exceptions"] == 0, sc.name
        assert solo["result"].strip(), sc.name
        assert solo["result"] == shared["result"], "\n".join(
            [sc.name, *difflib.unified_diff(solo["result"].split("\n"), shared["result"].split("\n"), lineterm="")][:60]
        )
        leaked = [o.marker for o in scenarios if o.marker != sc.marker and o.marker in shared["text"]]
        assert leaked == [], (sc.name, leaked)
    server_log = log.read_text(encoding="utf-8", errors="replace")
    for bad in ("Already borrowed", "Traceback", "RuntimeError"):
        assert bad not in server_log, server_log[-3000:]
    # the tiny models fit the budget together: each is loaded once for all 16 sessions and never unloaded
    # a label and its size name one model (the sentiment role's tokenizer, 0 MB, shares the classifier's id)
    loads = re.findall(r"hflab\.loading\.manager: loaded (.+? \(\d+ MB\))", server_log)
    assert loads and sorted(loads) == sorted(set(loads)), loads
    assert " unloaded " not in server_log
    assert rss.peak < RSS_LIMIT_MB * 2**20
