"""The device models run on and torch's thread count, set once per process."""
from __future__ import annotations

import os
import threading

_threads_lock = threading.Lock()
_threads_set = False


def configure_torch() -> None:
    """Set torch's intra-op threads once per process (HFLAB_TORCH_THREADS or all cores)."""
    global _threads_set
    with _threads_lock:
        if _threads_set:
            return
        import torch

        torch.set_num_threads(int(os.environ.get("HFLAB_TORCH_THREADS", os.cpu_count() or 1)))
        _threads_set = True


def device() -> str:
    """'cuda' when a GPU is usable, else 'cpu'."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
