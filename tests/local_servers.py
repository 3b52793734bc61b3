"""Real OpenAI-compatible servers for tests: a free loopback port and a server process run until its ready path
answers (tests/core/test_remote_servers.py, the remote stepping tests, the browser test of remote stepping)."""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    """A loopback port free at this moment."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server_process(cmd: list[str], port: int, ready_path: str, log: Path, timeout: float = 240):
    """Run a server process, wait until `ready_path` answers (any HTTP status), stop it afterwards."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"server exited: {log.read_text(errors='replace')[-2000:]}")
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2)
                    break
                except urllib.error.HTTPError:
                    break  # it answers: up
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"server did not start: {log.read_text(errors='replace')[-2000:]}")
                    time.sleep(0.5)
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
