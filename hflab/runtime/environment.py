"""Facts about the running environment for the Home page, gathered without importing torch."""
from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

LIBRARIES = ("torch", "transformers", "datasets", "streamlit", "tokenizers", "huggingface_hub")


def library_versions() -> dict[str, str]:
    """Installed versions of the main libraries, read from package metadata (no imports)."""
    out = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def accelerator() -> str:
    """'cuda' or 'cpu'; asks torch only if something else already imported it."""
    if "torch" in sys.modules:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    return "cuda" if Path("/proc/driver/nvidia/version").exists() else "cpu"


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def busy_cpu() -> tuple[float, int] | None:
    """(1-minute load average, usable cores) when more work waits for the CPU than it has cores (other learners,
    other programs): every wait the pages promise for an idle machine then takes longer. None when the machine is
    not busy or the system has no load average (Windows)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return None
    cores = cpu_count()
    return (load, cores) if load > cores else None


def process_rss_bytes() -> int:
    """Resident memory of this process."""
    import psutil

    return psutil.Process().memory_info().rss
