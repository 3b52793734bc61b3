"""Loading models and tokenizers from a resolved `Source`. Knows nothing of Streamlit.

Rules: never `trust_remote_code`; fp32 on CPU (bf16 is very slow on CPUs without bf16 units),
the config dtype on GPU; weights only from safetensors (`use_safetensors=True`): a checkpoint with
pickle weights only (.bin, .pt) is refused unless the operator sets HFLAB_ALLOW_PICKLE=1; on CPU the
large Linear layers run through oneDNN where it beats MKL (non-Intel CPUs: hflab.onednn_linear;
HFLAB_ONEDNN_LINEAR=1 forces it, 0 turns it off).
"""
from __future__ import annotations

import functools
import json
import os
import threading
from pathlib import Path
from typing import Any

from hflab import offline_assets
from hflab.messages import MessageError
from hflab.settings import get_settings, hf_token
from hflab.sources import Source

_threads_lock = threading.Lock()
_threads_set = False
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")  # torch.load formats: unpickling runs code


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


def _common_kwargs(source: Source) -> dict:
    kwargs: dict[str, Any] = {"trust_remote_code": False}
    if source.kind in ("hub", "mirror"):
        kwargs["token"] = hf_token()
    return kwargs


def _model_kwargs(source: Source) -> dict:
    kwargs = {**_common_kwargs(source), **safe_weights_kwargs(source.target)}
    if device() == "cpu":
        import torch

        kwargs["dtype"] = torch.float32
    else:
        kwargs["dtype"] = "auto"
    return kwargs


def _target(source: Source) -> str:
    if not source.ready or not source.target:
        raise FileNotFoundError(source.repo_id)
    if source.role == "causal_lm" and source.kind == "packaged" and not offline_assets.smollm2_converted():
        offline_assets.convert_smollm2()
    return source.target


def _place(model):
    model.eval()
    model = model.to(device())
    if device() == "cpu":
        from hflab import onednn_linear

        onednn_linear.route(model, get_settings().onednn_linear)  # oneDNN where MKL is slow (non-Intel CPUs)
    return model


def load_tokenizer(source: Source):
    """AutoTokenizer for the source (fast, Rust-backed)."""
    from transformers import AutoTokenizer

    configure_torch()
    return AutoTokenizer.from_pretrained(_target(source), **_common_kwargs(source))


def _with_tokenizer(source: Source, auto_model: str, dtype: Any = None) -> tuple[Any, Any]:
    """(model, tokenizer) with transformers' `auto_model` class (e.g. "AutoModelForCausalLM"), placed and in eval mode;
    `dtype` overrides the lab's (then the caller places the model)."""
    import transformers

    configure_torch()
    target = _target(source)
    tokenizer = transformers.AutoTokenizer.from_pretrained(target, **_common_kwargs(source))
    kwargs = _model_kwargs(source)
    if dtype is not None:
        return getattr(transformers, auto_model).from_pretrained(target, **{**kwargs, "dtype": dtype}), tokenizer
    return _place(getattr(transformers, auto_model).from_pretrained(target, **kwargs)), tokenizer


def _stored_half_dtype(source: Source):
    """torch.bfloat16 / torch.float16 when the checkpoint's weights are stored in that width, else None."""
    import torch
    import transformers

    config = transformers.AutoConfig.from_pretrained(_target(source), **_common_kwargs(source))
    dtype = getattr(config, "dtype", None)
    dtype = getattr(torch, dtype) if isinstance(dtype, str) and hasattr(torch, dtype) else dtype
    return dtype if dtype in (torch.bfloat16, torch.float16) else None


def load_causal_lm(source: Source, precision: str = "fp32") -> tuple[Any, Any]:
    """(model, tokenizer) of a causal LM, in eval mode on the lab's device; on CPU optionally with its
    Linear layers in fp16 or int8 (hflab.quantize.quantize_for_decoding).

    A checkpoint stored in half precision (Qwen2-0.5B-Instruct is bf16) loads in that width for fp16 / int8 and
    is converted one layer at a time, giving back each layer's read checkpoint pages and freed heap: it never
    holds the fp32 model, whose load would need fp32 weights plus the checkpoint (2.8 GB for Qwen2-0.5B)."""
    if precision == "fp32":
        return _with_tokenizer(source, "AutoModelForCausalLM")
    from hflab.os_memory import drop_checkpoint_pages, trim_heap
    from hflab.quantize import quantize_for_decoding

    calls = iter(range(10**9))

    def give_back() -> None:
        if next(calls) % 8 == 0:  # reading /proc/self/smaps takes ~20 ms: about once per decoder block (7 layers)
            drop_checkpoint_pages()
            trim_heap()

    half = _stored_half_dtype(source) if device() == "cpu" else None
    model, tokenizer = _with_tokenizer(source, "AutoModelForCausalLM", dtype=half) if half else (
        _with_tokenizer(source, "AutoModelForCausalLM"))
    model = quantize_for_decoding(model, precision, inplace=True, after_each=give_back)
    drop_checkpoint_pages()
    trim_heap()
    return _place(model), tokenizer


def load_caption_model(source: Source) -> tuple[Any, Any]:
    """(BlipForConditionalGeneration, BlipProcessor): the image-to-text pipeline is gone in transformers 5."""
    from transformers import BlipForConditionalGeneration, BlipProcessor

    configure_torch()
    target = _target(source)
    processor = BlipProcessor.from_pretrained(target, **_common_kwargs(source))
    model = BlipForConditionalGeneration.from_pretrained(target, **_model_kwargs(source))
    return _place(model), processor


def load_seq2seq(source: Source) -> tuple[Any, Any]:
    """(model, tokenizer) of a translation model such as Marian opus-mt-en-zh."""
    return _with_tokenizer(source, "AutoModelForSeq2SeqLM")


@functools.lru_cache(maxsize=64)
def _hub_weights(repo_id: str) -> tuple[int, str]:
    """(bytes of the safetensors files, stored dtype) of a Hub repo not downloaded yet, from its file list and config
    (two small requests, once per process); (0, "") when the Hub does not answer."""
    from huggingface_hub import hf_hub_download

    from hflab.models.checkpoint import hub_files, stored_dtype

    try:
        files, _ = hub_files(repo_id, token=hf_token())
        config = json.loads(Path(hf_hub_download(repo_id, "config.json", token=hf_token())).read_text(encoding="utf-8"))
    except Exception:  # offline, no access, no config: the load itself will say why
        return 0, ""
    return sum(f.size for f in files if f.name.endswith(".safetensors")), stored_dtype(config)


def _checkpoint_weights(source: Source) -> tuple[int, str]:
    """(bytes of the weight files, the dtype they are stored in) of a checkpoint folder or Hub repo; (0, "") when
    unknown."""
    from hflab.models import typed
    from hflab.models.checkpoint import config_dict, stored_dtype

    # a typed id is sized by its own capped download (hflab.models.cache), never with the operator's token here
    if source.kind in ("hub", "mirror") and source.target and not typed.is_typed(source):
        return _hub_weights(source.target)
    if not source.target or not Path(source.target).is_dir():
        return 0, ""
    d = Path(source.target)
    weights = sum(f.stat().st_size for f in d.glob("*.safetensors")) or sum(f.stat().st_size for f in d.glob("*.bin"))
    return weights, stored_dtype(config_dict(d))


def estimate_load_bytes(source: Source, precision: str = "fp32") -> int:
    """Rough bytes a model needs at the peak of its CPU load (0 when unknown), what the memory budget is checked with.

    fp32 of a checkpoint stored in half precision: its fp32 weights (twice the files) plus the files themselves,
    which transformers reads in full while it builds the fp32 copy. "stored" (the checkpoint's own width) and fp16 /
    int8 (converted one layer at a time, see load_causal_lm) stay within the fp32 weights."""
    weights, dtype = _checkpoint_weights(source)
    if dtype not in ("bfloat16", "float16"):
        return weights
    if precision == "stored":
        return weights
    return weights * 3 if precision == "fp32" else weights * 2


def fits_fp32(source: Source) -> bool:
    """True when loading `source` in fp32 stays within the memory budget (HFLAB_MEMORY_BUDGET_MB)."""
    return estimate_load_bytes(source) <= get_settings().memory_budget_mb * 2**20
