"""Issue 38: a port picked free is closed again before the test's server binds it, and another process may take it in
between. The server helpers (tests/local_servers.py, tests/app_server.py) start such a server again on a new port;
a server that fails for another reason still fails the test at once. The race is made certain here: the first port
handed out is one this test already listens on."""
from __future__ import annotations

import socket
import sys
import urllib.request

import local_servers
import pytest


@pytest.fixture()
def first_port_taken(monkeypatch):
    """free_port() hands out a port another server listens on first, then free ones; yields the taken port."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port, real = taken.getsockname()[1], local_servers.free_port
        handed = iter([port])
        monkeypatch.setattr(local_servers, "free_port", lambda: next(handed, None) or real())
        yield port


def http_server(folder):
    return lambda port: [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory",
                         str(folder)]


def test_a_server_whose_port_was_taken_starts_again_on_a_new_one(first_port_taken, tmp_path):
    (tmp_path / "ready.txt").write_text("ok")
    with local_servers.server_on_free_port(http_server(tmp_path), "/ready.txt", tmp_path / "server.log") as url:
        root = url.removesuffix("/v1")
        assert not root.endswith(f":{first_port_taken}")
        assert urllib.request.urlopen(f"{root}/ready.txt", timeout=10).read() == b"ok"


def test_a_server_that_fails_for_another_reason_is_not_started_again(tmp_path):
    starts = []

    def failing(port):
        starts.append(port)
        return [sys.executable, "-c", "raise SystemExit('no model file')"]

    with pytest.raises(pytest.fail.Exception, match="no model file"):
        with local_servers.server_on_free_port(failing, "/", tmp_path / "server.log"):
            pass
    assert len(starts) == 1


def test_the_app_whose_port_was_taken_starts_again_on_a_new_one(first_port_taken, tmp_path):
    """Streamlit without a log file: the port found taken after it exited says why."""
    from app_server import running_app

    (tmp_path / "tiny.py").write_text("import streamlit as st\n\nst.write('hello')\n")
    with running_app(script="tiny.py", cwd=tmp_path) as url:
        assert not url.endswith(f":{first_port_taken}")
        assert urllib.request.urlopen(f"{url}/_stcore/health", timeout=10).read() == b"ok"
