"""Resolution order: local dir -> HF cache -> Hub/mirror -> packaged asset -> missing with a fix."""
import shutil
import socket
import time
from pathlib import Path

import pytest
from local_servers import refused_port

from hflab.loading import network
from hflab.loading.sources import resolve


@pytest.fixture()
def closed_port_endpoint(monkeypatch):
    """A Hub endpoint on a loopback port nobody listens on: 'no network' without mocks."""
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{refused_port()}")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    network._cache.clear()
    yield
    network._cache.clear()


@pytest.fixture()
def listening_endpoint(monkeypatch):
    """A Hub endpoint on a loopback port that accepts connections (reachable)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.getsockname()[1]}")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    network._cache.clear()
    yield
    server.close()
    network._cache.clear()


def test_local_dir_wins(tiny_models):
    src = resolve("causal_lm", local_dir=str(tiny_models["causal_lm"]))
    assert (src.kind, src.target) == ("local", str(tiny_models["causal_lm"].resolve()))


def test_env_dir_is_used(tiny_env):
    assert resolve("sentiment").kind == "local"


def test_local_dir_that_is_not_a_model(session_dir):
    empty = session_dir / "data" / "empty_dir"
    empty.mkdir(parents=True, exist_ok=True)
    src = resolve("causal_lm", local_dir=str(empty))
    assert not src.ready and src.problem_key == "problem.not_a_model_dir"


def test_missing_local_dir(session_dir):
    src = resolve("causal_lm", local_dir=str(session_dir / "data" / "nope"))
    assert not src.ready and src.problem_key == "problem.dir_missing"


def test_path_traversal_is_refused(session_dir):
    src = resolve("causal_lm", local_dir=str(session_dir / "data" / ".." / ".." / ".." / ".." / "etc"))
    assert not src.ready and src.problem_key == "problem.path_not_allowed"


def test_hf_cache_is_used(tiny_models, monkeypatch):
    from huggingface_hub import constants

    repo = Path(constants.HF_HUB_CACHE) / "models--someone--tiny"
    snap = repo / "snapshots" / ("a" * 40)
    snap.mkdir(parents=True, exist_ok=True)
    (snap / "config.json").write_text("{}")
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text("a" * 40)
    src = resolve("causal_lm", hub_id="someone/tiny")
    assert (src.kind, src.target) == ("cache", str(snap))


def test_offline_falls_back_to_packaged_assets():
    assert resolve("causal_lm").label_key == "source.packaged.smollm2"
    assert resolve("tokenizer").label_key == "source.packaged.bert_vocab"


def test_missing_role_says_how_to_fix():
    src = resolve("caption")
    assert not src.ready and src.problem_key == "problem.missing"
    assert "hf download Salesforce/blip-image-captioning-base" in src.fix and "HF_ENDPOINT" in src.fix


def test_unreachable_hub_is_detected_fast(closed_port_endpoint):
    start = time.monotonic()
    src = resolve("caption")
    assert time.monotonic() - start < 10  # a liveness bound, not a benchmark: the old failure mode hung 60 s
    assert not src.ready and not network.hub_status().reachable


def test_reachable_mirror_is_used(listening_endpoint):
    src = resolve("caption")
    assert src.kind == "mirror" and src.target == "Salesforce/blip-image-captioning-base"


def test_hub_offline_flag_skips_the_network(monkeypatch, listening_endpoint):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    network._cache.clear()
    assert resolve("caption").kind == "missing"


def test_a_link_out_of_the_allowed_roots_is_refused(tiny_models, session_dir, tmp_path):
    # tmp_path is outside the allowed roots (data dir, project, shared, HF home)
    (tmp_path / "secret.json").write_text('{"model_type": "bert", "secret": "outside"}')
    linked = session_dir / "data" / "sources_linked_config"
    shutil.copytree(tiny_models["sentiment"], linked, dirs_exist_ok=True)
    (linked / "config.json").unlink()
    (linked / "config.json").symlink_to(tmp_path / "secret.json")
    src = resolve("sentiment", local_dir=str(linked))
    assert not src.ready and (src.problem_key, src.params) == ("problem.link_outside",
                                                                {"path": str(linked / "config.json")})
