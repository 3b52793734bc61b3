"""The one load policy: the keyword arguments every `from_pretrained` of the lab is called with.

Never remote code; the operator's token only for the Hub or its mirror; weights only from safetensors unless the
operator sets HFLAB_ALLOW_PICKLE=1 (unpickling runs code); fp32 on CPU (bf16 is very slow on CPUs without bf16 units),
the checkpoint's own dtype on GPU.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hflab.messages import MessageError
from hflab.runtime.device import device
from hflab.settings import hf_token

if TYPE_CHECKING:  # sources imports offline_assets, which loads the packaged GGUF with this policy
    from hflab.loading.sources import Source

# transformers 5 swaps process-wide state while from_pretrained builds a model (PreTrainedModel.tie_weights emptied by
# no_tie_weights, torch's default dtype by local_torch_dtype, torch.linspace, the torch.nn.init functions). Two
# sessions building models at once left a tied head on the meta device ("Cannot copy out of meta tensor", found by the
# three-learner rehearsal; tests/core/test_model_building.py) and can leave that state swapped for every later load.
# Every model the lab builds (from_pretrained, from_config, a model class on a config) is built under this lock.
BUILDING = threading.RLock()
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")  # torch.load formats: unpickling runs code
_OWN = object()  # "the token the source's kind calls for"


class PickleRefused(MessageError):
    """A checkpoint whose only weights are pickle files, while the operator has not allowed pickle."""

    def __init__(self, path: str):
        super().__init__("problem.pickle_refused", path=path)


def pickle_allowed() -> bool:
    """True when the operator set HFLAB_ALLOW_PICKLE=1 (trusts every checkpoint the lab may load)."""
    return os.environ.get("HFLAB_ALLOW_PICKLE", "").strip().lower() in {"1", "true", "yes", "on"}


def safe_weights_kwargs(target: str) -> dict:
    """`from_pretrained` keyword arguments that never unpickle weights unless the operator allows it.

    `use_safetensors=True` makes transformers read safetensors only (a Hub repo without them fails to
    load); a local directory with pickle weights only is refused here with a message that says why.
    """
    if pickle_allowed():
        return {}
    local = Path(target)
    if local.is_dir() and not any(local.glob("*.safetensors")) and any(
            f.suffix in PICKLE_SUFFIXES for f in local.iterdir()):
        raise PickleRefused(target)
    return {"use_safetensors": True}


def cpu_dtype() -> Any:
    """The dtype weights load in: fp32 on CPU, the checkpoint's own ("auto") on GPU."""
    import torch

    return torch.float32 if device() == "cpu" else "auto"


def pretrained_kwargs(target: str, source: Source | None = None, *, weights: bool = False, dtype: Any = None,
                      token: Any = _OWN) -> dict:
    """Keyword arguments for `from_pretrained(target, ...)`.

    `source` None means a folder the lab made or ships (no token); `weights` adds the safetensors rule and the dtype
    (`dtype` overrides the lab's); `token` overrides the token a typed id may use (`hflab.loading.typed.hub_token`).
    """
    kwargs: dict[str, Any] = {"trust_remote_code": False}
    if token is not _OWN:
        kwargs["token"] = token
    elif source is not None and source.kind in ("hub", "mirror"):
        kwargs["token"] = hf_token()
    if weights:
        kwargs.update(safe_weights_kwargs(target))
        kwargs["dtype"] = cpu_dtype() if dtype is None else dtype
    return kwargs
