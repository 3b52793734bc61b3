"""Every hostile case runs under the audit hook (tests/hostile/audit.py): besides what it asserts itself, it must not
have opened, listed or deleted anything outside the allowed roots, nor connected to anything but its own loopback
servers (such a connection is refused before it is made)."""
from __future__ import annotations

import tempfile

import pytest
from hostile.audit import default_roots, recording

# the modules whose every test is a hostile case
AUDITED = ("test_hostile_", "test_remote_hosts", "test_security_limits")


@pytest.fixture(autouse=True)
def audit(request, session_dir):
    """The test's Recorder (None outside AUDITED modules). Writes may go to this run's temporary root (data dir,
    HF home, HOME and TMPDIR: tests/conftest.py) and the test's tmp_path; the `server` fixture's address is the
    test's own. A test may allow more (`audit.allow_server`) or look at what happened (`audit.touched`)."""
    if not request.path.stem.startswith(AUDITED):
        yield None
        return
    tmp_path = request.getfixturevalue("tmp_path")
    roots = default_roots([session_dir, tmp_path, tempfile.gettempdir()])
    with recording(roots) as recorder:
        if "server" in request.fixturenames:
            recorder.allow_server(request.getfixturevalue("server"))
        yield recorder
    outside = recorder.outside()
    assert outside == [], f"touched outside the allowed roots, or connected out: {outside}"
