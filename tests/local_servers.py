"""Real OpenAI-compatible servers for tests: a free loopback port and a server process run until its ready path
answers (tests/core/test_remote_servers.py, the remote stepping tests, the browser test of remote stepping).

A port picked free is closed again before the server binds it, and another process may take it in between: a server
that exits saying its address is in use (`PortTaken`) is started again on a new port (`on_free_port`)."""
from __future__ import annotations

import errno
import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path

import pytest

PORT_ATTEMPTS = 3
# uvicorn's "[Errno 98] ... address already in use", Streamlit's "Port 8501 is already in use"
ADDRESS_IN_USE = re.compile(r"already in use", re.IGNORECASE)


class PortTaken(Exception):
    """The server could not listen: another process took its port after free_port() picked it."""


def free_port() -> int:
    """A loopback port free at this moment."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_REFUSING: list[socket.socket] = []  # the one socket behind refused_port(), held while the test process lives


def refused_port() -> int:
    """A loopback port this test process holds bound and never listens on, for the whole run: connections to it are
    refused at once ("no network" without mocks), and no other process can take it meanwhile (as it could take a
    port picked and closed again)."""
    if not _REFUSING:
        held = socket.socket()
        held.bind(("127.0.0.1", 0))
        _REFUSING.append(held)
    return _REFUSING[0].getsockname()[1]


def port_in_use(port: int) -> bool:
    """Whether something listens on loopback `port` now."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a closed connection's TIME_WAIT does not count
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def lost_port(port: int, output: str) -> bool:
    """Whether a server that exited before it answered did so because `port` was taken: its `output` says so, or
    another process listens there now."""
    return bool(ADDRESS_IN_USE.search(output)) or port_in_use(port)


@contextmanager
def on_free_port(start: Callable[[int], AbstractContextManager[str]], attempts: int = PORT_ATTEMPTS) -> Iterator[str]:
    """`start(port)` (a context manager that yields the server's URL once it answers) on a free loopback port; when
    it raises PortTaken, again on a new port, `attempts` times in all."""
    for attempt in range(1, attempts + 1):
        with ExitStack() as stack:
            try:
                url = stack.enter_context(start(free_port()))
            except PortTaken:
                if attempt == attempts:
                    raise
                continue
            yield url
            return


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
                    output = log.read_text(errors="replace")
                    if lost_port(port, output):
                        raise PortTaken(f"port {port}: {output[-500:]}")
                    pytest.fail(f"server exited: {output[-2000:]}")
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


@contextmanager
def server_on_free_port(make_cmd: Callable[[int], list[str]], ready_path: str, log: Path,
                       timeout: float = 240) -> Iterator[str]:
    """`server_process` of `make_cmd(port)` on a free port, started again on a new one if the port was taken."""
    with on_free_port(lambda port: server_process(make_cmd(port), port, ready_path, log, timeout)) as url:
        yield url
