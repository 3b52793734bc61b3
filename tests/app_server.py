"""Start `streamlit run Home.py` on a free port and drive it with Playwright in Debian's Chromium."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from local_servers import PortTaken, lost_port, on_free_port
from local_servers import free_port as free_port  # the browser tests and bench/home_cold_start.py take it from here

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("HFLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


@contextmanager
def running_app(env: dict[str, str] | None = None, log_path: Path | None = None,
                file_watcher: str | None = "none", python: str = sys.executable, script: str = "Home.py",
                cwd: Path = ROOT) -> Iterator[str]:
    """Run the app as a real server with `python` (another venv's, for the rehearsal); yield its base URL; stop it.

    `file_watcher=None` leaves the watcher to .streamlit/config.toml (what a user gets); `script` in `cwd` serves
    another app (its folder's .streamlit/config.toml, if any, applies instead of the project's). A port another
    process took before the server bound it is replaced by a new one (local_servers.on_free_port)."""
    with on_free_port(lambda port: _app_process(port, env, log_path, file_watcher, python, script, cwd)) as url:
        yield url


@contextmanager
def _app_process(port: int, env: dict[str, str] | None, log_path: Path | None, file_watcher: str | None,
                 python: str, script: str, cwd: Path) -> Iterator[str]:
    """`running_app` on `port`; PortTaken when the server exits because another process took it."""
    cmd = [python, "-m", "streamlit", "run", script, "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    if file_watcher is not None:
        cmd += ["--server.fileWatcherType", file_watcher]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path or os.devnull, "wb")
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None:  # it exited before it answered: lost its port, or a real failure
                output = Path(log_path).read_text(errors="replace") if log_path else ""
                if lost_port(port, output):
                    raise PortTaken(f"port {port}")
                raise RuntimeError(f"streamlit exited before it answered: {output[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium browser from Playwright, using the system binary."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit finished running the script (no 'running' indicator, app view present)."""
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    page.wait_for_function(
        # the status widget appears only after a delay; the app root's script state is authoritative
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && document.querySelector("
        "'[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state') === 'notRunning'", timeout=timeout_ms
    )
    # widgets whose code is loaded lazily show skeletons first (often on a fresh browser)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout_ms)
    page.wait_for_timeout(300)


def tiny_app_server(module_name: str, tiny_models: dict, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """A real server on the tiny models (one per test module, its log under artifacts/ named after the module), with
    `extra_env`; yields its URL."""
    env = {f"HFLAB_{role.upper()}_DIR": str(path) for role, path in tiny_models.items()} | (extra_env or {})
    with running_app(env, log_path=ROOT / "artifacts" / f"{module_name.replace('test_', '')}.log") as url:
        yield url
