"""HF cache and downloads, through the real huggingface_hub client (no mocks).

A tiny local HTTP server (tests/fake_hub.py) answers like the Hub (repo info, file tree, resolve, and the
status codes plus X-Error-Code headers huggingface_hub reads); "no network" is a closed loopback port."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_hub import COMMIT, FakeHub

from hflab.loading import cache, network

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def tiny_repo(tiny_models):
    return {p.name: p.read_bytes() for p in tiny_models["sentiment"].iterdir() if p.is_file()}


@pytest.fixture()
def hub(tiny_repo, monkeypatch, online):
    """A running fake Hub with one model and one data set; HF_ENDPOINT points at it, offline mode off."""
    servers = []

    def start(error=None, broken_file=None):
        server = FakeHub(
            {
                ("model", "org/tiny-bert"): tiny_repo,
                ("dataset", "org/tiny-data"): {"README.md": b"---\nlicense: mit\n---\n", "train.csv": b"a,b\n1,2\n"},
            },
            error,
            broken_file,
        )
        servers.append(server)
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        return server

    yield start
    for server in servers:
        server.close()


def _tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.exists() else []


def test_download_moves_a_complete_snapshot_into_the_cache(hub, tmp_path, tiny_repo):
    hub()
    progress = []
    snapshot = cache.download("org/tiny-bert", cache_dir=tmp_path / "hub", progress=lambda *c: progress.append(c))
    assert snapshot == tmp_path / "hub" / "models--org--tiny-bert" / "snapshots" / COMMIT
    assert {p.name: p.read_bytes() for p in snapshot.iterdir()} == tiny_repo
    assert progress[-1][:2] == (len(tiny_repo), len(tiny_repo))
    assert _tree(tmp_path / "hflab-staging") == []  # nothing left behind
    repos, warnings = cache.list_cache(tmp_path / "hub")
    assert warnings == [] and [(r.repo_id, r.commits, r.refs, r.nb_files) for r in repos] == [
        ("org/tiny-bert", (COMMIT,), ("main",), len(tiny_repo))]
    assert repos[0].size_on_disk == sum(len(b) for b in tiny_repo.values())


def test_download_again_merges_into_the_existing_entry(hub, tmp_path):
    hub()
    first = cache.download("org/tiny-bert", cache_dir=tmp_path / "hub")
    before = _tree(tmp_path / "hub")
    assert cache.download("org/tiny-bert", cache_dir=tmp_path / "hub") == first
    assert _tree(tmp_path / "hub") == before


def test_list_and_delete_on_a_temporary_cache(hub, tmp_path):
    hub()
    cache.download("org/tiny-bert", cache_dir=tmp_path / "hub")
    cache.download("org/tiny-data", "dataset", cache_dir=tmp_path / "hub")
    repos, _ = cache.list_cache(tmp_path / "hub")
    assert {(r.repo_type, r.repo_id) for r in repos} == {("model", "org/tiny-bert"), ("dataset", "org/tiny-data")}
    freed = cache.delete_repo("org/tiny-bert", "model", tmp_path / "hub")
    assert freed == next(r.size_on_disk for r in repos if r.repo_id == "org/tiny-bert")
    repos, warnings = cache.list_cache(tmp_path / "hub")
    assert [r.repo_id for r in repos] == ["org/tiny-data"] and warnings == []
    assert not (tmp_path / "hub" / "models--org--tiny-bert").exists()
    with pytest.raises(KeyError):
        cache.delete_repo("org/tiny-bert", "model", tmp_path / "hub")


def test_empty_or_absent_cache_lists_nothing(tmp_path):
    assert cache.list_cache(tmp_path / "nowhere") == ([], [])


def _fails_with(exc_key, repo_id, tmp_path, **kwargs):
    with pytest.raises(Exception) as caught:
        cache.download(repo_id, cache_dir=tmp_path / "hub", **kwargs)
    message = cache.explain_error(caught.value, repo_id)
    assert message.key == exc_key, caught.value
    params = message.params
    assert _tree(tmp_path / "hub") == [] and _tree(tmp_path / "hflab-staging") == []  # cache left as it was
    return params


def test_unreachable_endpoint_gives_the_no_network_message(tmp_path, closed_port):
    params = _fails_with("models.err.no_network", "org/tiny-bert", tmp_path)
    assert params["endpoint"] == closed_port
    from hflab.i18n import t

    assert "hf-mirror.com" in t("models.err.no_network", "zh", **params)


def test_offline_mode_gives_the_offline_message(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    _fails_with("models.err.offline", "org/tiny-bert", tmp_path)


def test_missing_repo(hub, tmp_path):
    hub()
    _fails_with("models.err.not_found", "org/does-not-exist", tmp_path)


def test_gated_repo_without_and_with_a_token(hub, tmp_path, monkeypatch):
    hub(error=(401, "GatedRepo", "Access to model org/gated is restricted."))
    _fails_with("models.err.gated_no_token", "org/gated", tmp_path)
    monkeypatch.setenv("HF_TOKEN", "hf_valid_but_no_access")
    _fails_with("models.err.gated_no_access", "org/gated", tmp_path)


def test_private_repo_with_a_wrong_token(hub, tmp_path, monkeypatch):
    hub(error=(401, None, "Invalid credentials in Authorization header"))
    monkeypatch.setenv("HF_TOKEN", "hf_wrong")
    _fails_with("models.err.bad_token", "org/private", tmp_path)


def test_private_repo_hidden_from_the_token(hub, tmp_path, monkeypatch):
    hub(error=(404, "RepoNotFound", "Repository not found"))
    monkeypatch.setenv("HF_TOKEN", "hf_other_user")
    _fails_with("models.err.not_found_with_token", "org/private", tmp_path)


DISK_FULL_SCRIPT = """
import resource, signal, sys
from pathlib import Path
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes past the limit fail with EFBIG, like a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
from hflab.loading import cache
try:
    cache.download("org/tiny-bert", cache_dir=Path(sys.argv[1]))
except Exception as exc:
    print(cache.explain_error(exc, "org/tiny-bert").key)
"""


def test_full_disk_during_download_leaves_the_cache_unchanged(hub, tmp_path):
    hub()
    out = subprocess.run([sys.executable, "-c", DISK_FULL_SCRIPT, str(tmp_path / "hub")], cwd=ROOT, env=os.environ,
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1:] == ["models.err.disk_full"], out.stderr[-2000:]
    assert _tree(tmp_path / "hub") == [] and _tree(tmp_path / "hflab-staging") == []


def test_prepare_for_offline_then_resolve_offline(hub, monkeypatch):
    from huggingface_hub import constants

    from hflab.loading.roles import ROLES
    from hflab.loading.sources import resolve

    hub()
    for role in ROLES.values():
        monkeypatch.setenv(role.env_id, "org/tiny-data" if role.kind == "dataset" else "org/tiny-bert")
    assert cache.default_repos() == [("org/tiny-bert", "model"), ("org/tiny-data", "dataset")]
    seen = []
    outcomes = cache.prepare_offline(lambda repo_id, *counts: seen.append(repo_id))
    try:
        assert [(o.repo_id, o.ok) for o in outcomes] == [("org/tiny-bert", True), ("org/tiny-data", True)]
        assert set(seen) == {"org/tiny-bert", "org/tiny-data"}
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
        network._cache.clear()
        assert resolve("sentiment").kind == "cache" and resolve("caption").kind == "cache"
    finally:
        for outcome in outcomes:
            if outcome.ok:
                cache.delete_repo(outcome.repo_id, outcome.repo_type)


def test_prepare_for_offline_reports_each_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    outcomes = cache.prepare_offline()
    assert outcomes and all(o.error.key == "models.err.offline" for o in outcomes)


def test_interrupted_download_leaves_the_cache_unchanged(hub, tmp_path):
    hub(broken_file="model.safetensors")
    _fails_with("models.err.interrupted", "org/tiny-bert", tmp_path)


def test_abandoned_staging_dirs_are_removed(hub, tmp_path):
    hub()
    stale, fresh = tmp_path / "hflab-staging" / "download-old", tmp_path / "hflab-staging" / "download-running"
    for d in (stale, fresh):
        (d / "blobs").mkdir(parents=True)
    os.utime(stale, (0, 0))
    cache.download("org/tiny-bert", cache_dir=tmp_path / "hub")
    assert not stale.exists() and fresh.exists()


def test_a_typed_download_does_not_carry_the_operators_token(hub, tmp_path, monkeypatch):
    """Issue 15.9: a repo a user typed is fetched without HF_TOKEN unless the operator shares it."""
    server = hub()
    monkeypatch.setenv("HF_TOKEN", "hf_operator_secret")
    cache.download("org/tiny-bert", cache_dir=tmp_path / "hub", typed=True)
    assert server.authorizations and set(server.authorizations) == {None}
    server.authorizations.clear()
    cache.download("org/tiny-bert", cache_dir=tmp_path / "lab")  # the lab's own downloads keep the token
    assert set(server.authorizations) == {"Bearer hf_operator_secret"}


def test_a_typed_download_carries_the_token_when_the_operator_shares_it(hub, tmp_path, monkeypatch):
    server = hub()
    monkeypatch.setenv("HF_TOKEN", "hf_operator_secret")
    monkeypatch.setenv("HFLAB_SHARE_TOKEN_WITH_USERS", "1")
    cache.download("org/tiny-bert", cache_dir=tmp_path / "hub", typed=True)
    assert server.authorizations and set(server.authorizations) == {"Bearer hf_operator_secret"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_typed_download_over_the_size_cap_is_refused_before_any_file(hub, tmp_path, monkeypatch, tiny_repo, lang):
    """Issue 15.9: the cap is checked from the repo's listed file sizes; nothing is fetched or written."""
    from hflab.i18n import t

    server = hub()
    monkeypatch.setenv("HFLAB_MAX_DOWNLOAD_MB", "0")
    with pytest.raises(cache.DownloadTooLarge) as caught:
        cache.download("org/tiny-bert", cache_dir=tmp_path / "hub", typed=True)
    size_mb = -(-sum(len(b) for b in tiny_repo.values()) // 2**20)
    message = cache.explain_error(caught.value, "org/tiny-bert")
    assert (message.key, message.params) == ("models.err.too_large",
                                             {"repo_id": "org/tiny-bert", "size_mb": size_mb, "max_mb": 0})
    expected = {"zh": f"org/tiny-bert 的文件共约 {size_mb} MB，超过了本站允许下载的上限 0 MB（管理员可以用 "
                      "HFLAB_MAX_DOWNLOAD_MB 调整）。没有下载任何文件。",
                "en": f"The files of org/tiny-bert add up to about {size_mb} MB, more than this site's download "
                      "limit of 0 MB (the operator can change HFLAB_MAX_DOWNLOAD_MB). Nothing was downloaded."}
    assert t(message.key, lang, **message.params) == expected[lang]
    assert not any("/resolve/" in r for r in server.requests)
    assert _tree(tmp_path) == []
