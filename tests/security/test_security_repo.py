"""The repository holds no Hugging Face token: every tracked file is scanned for `hf_` + 30 or more
alphanumerics (the shape of a real token)."""
import re
import subprocess

import pytest
from app_server import ROOT

TOKEN = re.compile(rb"hf_[A-Za-z0-9]{30,}")


def test_no_token_in_tracked_files():
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    files = [f for f in listed.decode().split("\0") if f]
    assert len(files) > 20
    hits = []
    for name in files:
        path = ROOT / name
        if path.is_file() and TOKEN.search(path.read_bytes()):
            hits.append(name)
    assert hits == []


def test_pattern_catches_a_token():
    assert TOKEN.search(b'HF_TOKEN = "hf_' + b"a1B2" * 9 + b'"')
    assert not TOKEN.search(b"hf_hub_download hf_token() hf_home")
