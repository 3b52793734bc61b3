"""The audit hook that every hostile case runs under (tests/hostile/audit.py) sees what it claims to: a read, a
write, a listing, a rename and deletions outside the allowed roots, and a connection, which it also refuses; and
it sees nothing once switched off. Without these, "nothing outside the roots" could pass because nothing was seen."""
from __future__ import annotations

import errno
import os
import shutil
import socket

import pytest
from hostile.audit import Roots, default_roots, recording


def test_files_read_written_listed_renamed_and_deleted_outside_the_roots_are_reported(tmp_path):
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    (outside / "tree").mkdir(parents=True)
    (outside / "secret").write_text("s")
    (outside / "tree" / "leaf").write_text("l")
    roots = Roots(read=(), write=(str(allowed.resolve()),))
    with recording(roots) as audit:
        allowed.mkdir()
        (allowed / "mine").write_text("ok")  # inside: recorded, not reported
        (outside / "secret").read_text()
        (outside / "new").write_text("w")
        os.listdir(outside)
        os.rename(outside / "new", outside / "moved")
        os.remove(outside / "moved")
        shutil.rmtree(outside / "tree")
    real = str(outside.resolve())
    found = audit.outside()
    assert {("read", f"{real}/secret"), ("write", f"{real}/new"), ("read", real), ("write", f"{real}/moved"),
            ("delete", f"{real}/moved"), ("delete", f"{real}/tree"), ("delete", f"{real}/tree/leaf")} <= set(found)
    assert [event for event in found if not event[1].startswith(real)] == []
    assert audit.touched(allowed) == [("write", str(allowed.resolve())), ("write", str((allowed / "mine").resolve()))]


def test_a_connection_the_test_did_not_allow_is_refused_and_reported(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        with recording(default_roots([tmp_path])) as audit:  # Python may import a codec on the way
            with pytest.raises(ConnectionRefusedError) as refused:
                socket.create_connection(("127.0.0.1", port), timeout=5)
            audit.allow_server(f"http://127.0.0.1:{port}/v1")
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert refused.value.errno == errno.ECONNREFUSED
    assert audit.connections() == [f"127.0.0.1:{port}", f"127.0.0.1:{port}"]
    assert audit.outside() == [("refused", f"127.0.0.1:{port}")]  # the first try, before it was allowed


def test_nothing_is_recorded_once_the_recorder_is_off(tmp_path):
    with recording(Roots((), ())) as audit:
        pass
    (tmp_path / "after").write_text("x")
    assert audit.events == []
