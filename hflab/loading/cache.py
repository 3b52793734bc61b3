"""The local HF cache: list it, delete from it, and download into it without ever leaving it half-written.

Downloads go to a staging cache beside the real one (same file system) and are moved into place only
when every file arrived: blobs first, then the snapshot, then the refs, so a ref never points at an
incomplete snapshot. A failure (no network, full disk, bad token) removes the staging dir only.
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hflab.loading.roles import ROLES
from hflab.messages import Message, MessageError
from hflab.settings import hf_token, hub_endpoint, hub_offline, max_download_mb, user_download_token

Progress = Callable[[int, int, int, int], None]  # files done, files total, bytes done, bytes total
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


@dataclass(frozen=True)
class CachedRepo:
    """One repo in the HF cache, as huggingface_hub's scan_cache_dir reports it."""

    repo_id: str
    repo_type: str
    size_on_disk: int
    nb_files: int
    last_accessed: float
    last_modified: float
    commits: tuple[str, ...]
    refs: tuple[str, ...]
    path: str


def hub_cache_dir() -> Path:
    """The hub cache huggingface_hub (and so transformers) reads: HF_HUB_CACHE, else HF_HOME/hub."""
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def list_cache(cache_dir: Path | None = None) -> tuple[list[CachedRepo], list[str]]:
    """(repos, largest first; warnings about entries huggingface_hub found corrupted)."""
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    try:
        info = scan_cache_dir(cache_dir or hub_cache_dir())
    except CacheNotFound:
        return [], []
    repos = [
        CachedRepo(
            repo_id=repo.repo_id, repo_type=repo.repo_type, size_on_disk=repo.size_on_disk, nb_files=repo.nb_files,
            last_accessed=repo.last_accessed, last_modified=repo.last_modified,
            commits=tuple(sorted(r.commit_hash for r in repo.revisions)),
            refs=tuple(sorted(ref for r in repo.revisions for ref in r.refs)), path=str(repo.repo_path),
        )
        for repo in info.repos
    ]
    return sorted(repos, key=lambda r: -r.size_on_disk), [str(w) for w in info.warnings]


def delete_repo(repo_id: str, repo_type: str = "model", cache_dir: Path | None = None) -> int:
    """Delete one cached repo (every revision) with huggingface_hub's own strategy; returns bytes freed.

    The strategy is built for this repo's folder only: `delete_revisions(hash)` would also hit any other
    repo that happens to hold the same commit hash.
    """
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.utils import DeleteCacheStrategy

    info = scan_cache_dir(cache_dir or hub_cache_dir())
    repo = next((r for r in info.repos if r.repo_id == repo_id and r.repo_type == repo_type), None)
    if repo is None:
        raise KeyError(repo_id)
    DeleteCacheStrategy(expected_freed_size=repo.size_on_disk, blobs=frozenset(), refs=frozenset(),
                        repos=frozenset({repo.repo_path}), snapshots=frozenset()).execute()
    return repo.size_on_disk


def _progress_class(progress: Progress | None):
    """A tqdm class that reports (files done, files total, bytes written, bytes total) to `progress`.

    huggingface_hub updates its byte bar from worker threads; only the calling thread (the one that
    owns the UI) invokes `progress`, when the file bar advances.
    """
    import threading

    from tqdm.auto import tqdm

    caller = threading.get_ident()
    state = {"files": [0, 0], "bytes": [0, 0]}

    class _Reporter(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs["disable"] = True
            self.kind = "bytes" if kwargs.get("unit") == "B" and "Reconstruct" in str(kwargs.get("desc")) else (
                "files" if kwargs.get("unit") != "B" else "ignored")
            super().__init__(*args, **kwargs)
            if self.kind == "files":
                state["files"] = [0, kwargs.get("total") or 0]

        def update(self, n=1):
            counter = state.get(self.kind)
            if counter is None:
                return
            counter[0] += n or 0
            counter[1] = max(counter[1], self.total or 0)
            if progress and self.kind == "files" and threading.get_ident() == caller:
                progress(*state["files"], *state["bytes"])

    return _Reporter


def _move_into_place(staged: Path, final: Path) -> None:
    """Merge a fully downloaded staged repo folder into the real cache: blobs, then snapshots, then refs."""
    if not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)
        return
    for part in ("blobs", "snapshots", "refs"):
        for src in sorted((staged / part).rglob("*")) if (staged / part).exists() else []:
            if src.is_dir() and not src.is_symlink():
                continue
            dest = final / src.relative_to(staged)
            if part == "blobs" and dest.exists():
                continue  # blobs are content-addressed: an existing one is identical
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
    for src in sorted(staged.iterdir()):
        if src.name not in ("blobs", "snapshots", "refs") and not (final / src.name).exists():
            os.replace(src, final / src.name)


class DownloadTooLarge(MessageError):
    """A repo a user typed whose files add up to more than the operator's HFLAB_MAX_DOWNLOAD_MB."""

    def __init__(self, repo_id: str, size_mb: int, max_mb: int):
        super().__init__("models.err.too_large", repo_id=repo_id, size_mb=size_mb, max_mb=max_mb)


def check_download_size(repo_id: str, repo_type: str, revision: str | None, token: str | bool) -> None:
    """Raise `DownloadTooLarge` when the repo's files (as the Hub lists them) exceed the download cap."""
    from huggingface_hub import HfApi

    info = HfApi(endpoint=hub_endpoint()).repo_info(repo_id, repo_type=repo_type, revision=revision,
                                                    files_metadata=True, token=token)
    size = sum(sibling.size or 0 for sibling in info.siblings or [])
    if size > max_download_mb() * 2**20:
        raise DownloadTooLarge(repo_id, -(-size // 2**20), max_download_mb())


def download(repo_id: str, repo_type: str = "model", revision: str | None = None,
             progress: Progress | None = None, cache_dir: Path | None = None, typed: bool = False) -> Path:
    """snapshot_download `repo_id` (HF_ENDPOINT honoured) into staging, then move it into the cache.

    The operator's HF_TOKEN goes with the lab's own downloads; a repo a user `typed` gets it only when the
    operator shares it (HFLAB_SHARE_TOKEN_WITH_USERS=1) and is refused above HFLAB_MAX_DOWNLOAD_MB.
    Returns the snapshot dir inside the real cache. Raises huggingface_hub's errors (see `explain_error`).
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.file_download import repo_folder_name

    token = user_download_token() if typed else hf_token()
    if typed:
        check_download_size(repo_id, repo_type, revision, token)
    cache = (cache_dir or hub_cache_dir()).expanduser()
    staging_root = cache.parent / "hflab-staging"
    staging_root.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(staging_root)
    staging = Path(tempfile.mkdtemp(prefix="download-", dir=staging_root))
    try:
        snapshot = Path(snapshot_download(
            repo_id, repo_type=repo_type, revision=revision, cache_dir=staging, token=token,
            endpoint=hub_endpoint(), tqdm_class=_progress_class(progress), max_workers=4,
        ))
        folder = repo_folder_name(repo_id=repo_id, repo_type=repo_type)
        _move_into_place(staging / folder, cache / folder)
        return cache / folder / "snapshots" / snapshot.name
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_abandoned(staging_root: Path, max_age_s: float = 86_400) -> None:
    """Remove staging dirs a killed process left behind (a day old: no download runs that long)."""
    import time

    for stale in staging_root.glob("download-*"):
        try:
            if time.time() - stale.stat().st_mtime > max_age_s:
                shutil.rmtree(stale, ignore_errors=True)
        except OSError:
            pass


def default_repos() -> list[tuple[str, str]]:
    """(repo_id, repo_type) of every role's model in effect (env overrides honoured), each once."""
    seen: list[tuple[str, str]] = []
    for role in ROLES.values():
        item = (role.hub_id(), "dataset" if role.kind == "dataset" else "model")
        if item not in seen:
            seen.append(item)
    return seen


@dataclass(frozen=True)
class Outcome:
    """The result of downloading one repo: the snapshot path, or the message that says why it failed."""

    repo_id: str
    repo_type: str
    path: str = ""
    error: Message | None = None

    @property
    def ok(self) -> bool:
        """True when the repo is now in the cache."""
        return self.error is None


def prepare_offline(progress: Callable[[str, int, int, int, int], None] | None = None) -> list[Outcome]:
    """Download every default repo of the lab, one after another; one failure does not stop the others."""
    outcomes = []
    for repo_id, repo_type in default_repos():
        report = (lambda *counts, rid=repo_id: progress(rid, *counts)) if progress else None
        try:
            path = download(repo_id, repo_type, progress=report)
            outcomes.append(Outcome(repo_id, repo_type, path=str(path)))
        except Exception as exc:
            outcomes.append(Outcome(repo_id, repo_type, error=explain_error(exc, repo_id)))
    return outcomes


def explain_error(exc: BaseException, repo_id: str) -> Message:
    """The message for a Hub / disk / weights error, so the page can say what happened and what to do."""
    from huggingface_hub import errors

    if isinstance(exc, MessageError):  # corrupt weights, pickle refused: the core already said why
        return exc.message
    params = {"repo_id": repo_id, "endpoint": hub_endpoint(), "error": f"{type(exc).__name__}"}
    has_token = hf_token() is not None
    if isinstance(exc, errors.GatedRepoError):
        key = "models.err.gated_no_access" if has_token else "models.err.gated_no_token"
    elif isinstance(exc, errors.RevisionNotFoundError):
        key = "models.err.revision"
    elif isinstance(exc, errors.RepositoryNotFoundError):
        key = "models.err.not_found_with_token" if has_token else "models.err.not_found"
    elif isinstance(exc, errors.HfHubHTTPError) and exc.response is not None and exc.response.status_code in (401, 403):
        key = "models.err.bad_token" if has_token else "models.err.not_found"
    elif isinstance(exc, errors.HFValidationError):
        key = "models.problem.bad_id"
    elif isinstance(exc, OSError) and exc.errno in _DISK_FULL:
        key = "models.err.disk_full"
    elif hub_offline() or "OfflineModeIsEnabled" in _names_in_chain(exc):
        key = "models.err.offline"
    elif _names_in_chain(exc) & {"RemoteProtocolError", "ReadError", "ReadTimeout", "ChunkedEncodingError"}:
        key = "models.err.interrupted"
    elif isinstance(exc, errors.LocalEntryNotFoundError) or _names_in_chain(exc) & {"ConnectError", "ConnectTimeout"}:
        key = "models.err.no_network"
    elif isinstance(exc, errors.HfHubHTTPError):
        key, params["error"] = "models.err.http", str(exc).strip().splitlines()[0][:200]
    else:
        key, params["error"] = "models.err.other", f"{type(exc).__name__}: {str(exc)[:200]}"
    return Message(key, params)


def _names_in_chain(exc: BaseException | None) -> set[str]:
    """Class names of `exc` and of every exception it was raised from (httpx errors hide in the chain)."""
    names = set()
    while exc is not None and len(names) < 20:
        names.add(type(exc).__name__)
        exc = exc.__cause__ or exc.__context__
    return names
