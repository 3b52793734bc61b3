"""Process-wide settings read from environment variables (the UI passes `st.secrets` in as env).

Every value has a default that fits Streamlit Community Cloud (2 cores, 2.7 GB RAM).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with `get_settings()` so env changes are picked up."""

    data_dir: Path
    memory_budget_mb: int
    allowed_roots: tuple[Path, ...]
    dataset_dir: Path | None
    network_timeout_s: float
    cleanup_days: int
    max_text_chars: int
    max_batch_texts: int
    max_new_tokens: int
    max_variants: int
    max_upload_rows: int  # rows of an uploaded table, checked before it is parsed in full
    max_upload_columns: int
    max_jobs_per_session: int  # heavy jobs (stories, trainings) one session runs at once; 0: no cap
    max_heavy_jobs: int  # heavy jobs running at once on the server, the rest wait in line; 0: no cap
    onednn_linear: str  # "auto" (oneDNN where it is faster: hflab.runtime.onednn_linear.preferred), "on", "off"

    @property
    def models_dir(self) -> Path:
        """Where the lab saves models it trains or converts."""
        return self.data_dir / "models"

    @property
    def assets_dir(self) -> Path:
        """Where packaged offline assets are unpacked or converted once."""
        return Path(os.environ.get("HFLAB_ASSETS_DIR", self.data_dir / "assets")).expanduser()


def get_settings() -> Settings:
    """Read settings from the environment now (cheap; call per use, do not cache)."""
    data_dir = Path(os.environ.get("HFLAB_DATA_DIR", Path.home() / ".cache" / "hflab")).expanduser()
    dataset = os.environ.get("HFLAB_DATASET_DIR")
    default_shared = shared_dir() / "data" / "ChnSentiCorp"
    dataset_dir = Path(dataset).expanduser() if dataset else (default_shared if default_shared.is_dir() else None)
    roots_env = os.environ.get("HFLAB_ALLOWED_ROOTS")
    if roots_env:
        roots = tuple(Path(p).expanduser().resolve() for p in roots_env.split(os.pathsep) if p)
    else:
        roots = tuple(
            p.resolve()
            for p in (data_dir, PROJECT_ROOT, shared_dir(), hf_home())
        )
    return Settings(
        data_dir=data_dir,
        memory_budget_mb=_env_int("HFLAB_MEMORY_BUDGET_MB", 2000),
        allowed_roots=roots,
        dataset_dir=dataset_dir,
        network_timeout_s=_env_float("HFLAB_NETWORK_TIMEOUT_S", 2.0),
        cleanup_days=_env_int("HFLAB_CLEANUP_DAYS", 3),
        max_text_chars=_env_int("HFLAB_MAX_TEXT_CHARS", 100_000),
        max_batch_texts=_env_int("HFLAB_MAX_BATCH_TEXTS", 5_000),
        max_new_tokens=_env_int("HFLAB_MAX_NEW_TOKENS", 1024),
        max_variants=_env_int("HFLAB_MAX_VARIANTS", 4),
        max_upload_rows=_env_int("HFLAB_MAX_UPLOAD_ROWS", 200_000),
        max_upload_columns=_env_int("HFLAB_MAX_UPLOAD_COLUMNS", 64),
        max_jobs_per_session=_env_int("HFLAB_MAX_JOBS_PER_SESSION", 0),
        max_heavy_jobs=_env_int("HFLAB_MAX_HEAVY_JOBS", 0),
        onednn_linear=_switch(os.environ.get("HFLAB_ONEDNN_LINEAR", "auto")),
    )


def _switch(value: str) -> str:
    """A switch setting (HFLAB_ONEDNN_LINEAR, HFLAB_OPERATOR_ACTIONS) as "on" (1, true, yes, on), "off" (0, false,
    no, off) or "auto" (anything else, unset included)."""
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return "on"
    if value in {"0", "false", "no", "off"}:
        return "off"
    return "auto"


def shared_dir() -> Path:
    """The developer's folder beside the project (HFLAB_SHARED_DIR, default `../shared`): its
    data/ChnSentiCorp is the default data set dir and it is an allowed root. A dev convenience only;
    the tests point it at a folder that does not exist, so they run as on a clean clone."""
    return Path(os.environ.get("HFLAB_SHARED_DIR") or PROJECT_ROOT.parent / "shared").expanduser()


def hf_home() -> Path:
    """The Hugging Face home dir (HF_HOME), as huggingface_hub computes it, without importing it."""
    return Path(
        os.environ.get("HF_HOME", Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "huggingface")
    ).expanduser()


def hub_endpoint() -> str:
    """The Hub base URL in use: HF_ENDPOINT (a mirror) or the official Hub."""
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def hub_offline() -> bool:
    """True when the user forbids Hub access (HF_HUB_OFFLINE=1)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def hf_token() -> str | None:
    """The Hub token from the environment only; never log or display it."""
    return os.environ.get("HF_TOKEN") or None


def user_download_token() -> str | bool:
    """The token for downloads a user typed: the operator's HF_TOKEN only when HFLAB_SHARE_TOKEN_WITH_USERS=1,
    else False (huggingface_hub reads HF_TOKEN by itself when given None, so "no token" must be said)."""
    shared = os.environ.get("HFLAB_SHARE_TOKEN_WITH_USERS", "").strip().lower() in {"1", "true", "yes", "on"}
    return (hf_token() or False) if shared else False


def operator_actions(app_on_loopback: bool) -> bool:
    """Whether a session may change what every visitor shares: delete cached models, "prepare for offline" downloads
    into the shared HF cache. HFLAB_OPERATOR_ACTIONS=1 / 0 decides; unset, only an app that listens on loopback
    (a personal install: no one else reaches it) allows them, so a public deployment is safe by default."""
    mode = _switch(os.environ.get("HFLAB_OPERATOR_ACTIONS", ""))
    return mode == "on" or (mode == "auto" and app_on_loopback)


def max_download_mb() -> int:
    """Largest repo (sum of its file sizes, MB) a user may download from the Models page (HFLAB_MAX_DOWNLOAD_MB)."""
    return _env_int("HFLAB_MAX_DOWNLOAD_MB", 2048)


def _env_megabytes(name: str, default_mb: float) -> int:
    """A size setting given in MB (fractions allowed) as bytes; unset, malformed or not positive: the default."""
    try:
        value = float(os.environ.get(name, default_mb))
    except ValueError:
        value = default_mb
    return int((value if value > 0 else default_mb) * 2**20)


def remote_max_reply_bytes() -> int:
    """Most bytes the lab reads of one non-streamed reply (or error body) of a remote server, after which it stops
    reading and says so (HFLAB_REMOTE_MAX_REPLY_MB, default 8): a hostile 300 MB answer must not fill the memory."""
    return _env_megabytes("HFLAB_REMOTE_MAX_REPLY_MB", 8)


def remote_max_stream_bytes() -> int:
    """Most bytes the lab reads of one streamed reply of a remote server in all, SSE framing and keep-alives
    included (HFLAB_REMOTE_MAX_STREAM_MB, default 4): a story is a few KB, a flood is cut off."""
    return _env_megabytes("HFLAB_REMOTE_MAX_STREAM_MB", 4)
