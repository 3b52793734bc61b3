"""Facts about one checkpoint: revision, files and sizes, weights headers, config, dtype, parameters,
memory, and the page's loader.

Cheap facts (files, safetensors headers, config) are read without loading weights; parameter counts
per top-level module and measured memory come from the loaded model itself.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hflab import offline_assets
from hflab.messages import MessageError
from hflab.sources import Source

_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
                "F8_E4M3": 1, "F8_E5M2": 1}


class CorruptWeights(MessageError):
    """A weights file that cannot be parsed (truncated download, wrong format)."""

    def __init__(self, file: str, detail: str):
        super().__init__("models.err.corrupt", file=file, detail=detail[:200])
        self.file, self.detail = file, detail


@dataclass
class FileRow:
    """One file of a model: its name and size in bytes."""

    name: str
    size: int


@dataclass
class WeightsSummary:
    """What the safetensors headers say, without loading any tensor."""

    params: int = 0
    bytes: int = 0
    dtypes: dict[str, int] = field(default_factory=dict)  # dtype -> parameter count
    format: str = "none"  # safetensors | pytorch_bin | none


def local_files(target: str | Path) -> list[FileRow]:
    """Files in a model dir, recursively, with their sizes (symlinks into the HF cache are followed)."""
    root = Path(target)
    rows = [FileRow(str(p.relative_to(root)), p.stat().st_size) for p in sorted(root.rglob("*")) if p.is_file()]
    return [r for r in rows if not r.name.startswith(".")]


def revision_info(target: str | Path) -> dict[str, Any]:
    """For a dir inside the HF cache: its commit hash and the refs (branches, tags) pointing at it."""
    path = Path(target).resolve()
    if path.parent.name != "snapshots" or not _COMMIT.match(path.name):
        return {}
    refs_dir = path.parent.parent / "refs"
    refs = sorted(
        str(ref.relative_to(refs_dir)) for ref in refs_dir.rglob("*")
        if ref.is_file() and ref.read_text(encoding="utf-8").strip() == path.name
    ) if refs_dir.is_dir() else []
    return {"commit": path.name, "refs": refs}


def weights_summary(target: str | Path) -> WeightsSummary:
    """Parameter count, bytes and dtypes from safetensors headers; raises CorruptWeights on a broken file."""
    from safetensors import SafetensorError, safe_open

    root = Path(target)
    files = sorted(root.glob("*.safetensors"))
    if not files:
        return WeightsSummary(format="pytorch_bin" if any(root.glob("*.bin")) else "none")
    summary = WeightsSummary(format="safetensors")
    for file in files:
        try:
            with safe_open(str(file), framework="pt") as handle:
                for name in handle.keys():
                    tensor = handle.get_slice(name)
                    count = 1
                    for dim in tensor.get_shape():
                        count *= dim
                    dtype = tensor.get_dtype()
                    summary.params += count
                    summary.bytes += count * _DTYPE_BYTES.get(dtype, 4)
                    summary.dtypes[dtype] = summary.dtypes.get(dtype, 0) + count
        except (SafetensorError, OSError) as exc:
            raise CorruptWeights(file.name, str(exc)) from exc
    return summary


def config_dict(target: str | Path) -> dict:
    """config.json as a dict ({} when absent or unreadable)."""
    try:
        return json.loads((Path(target) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def flat_config(config: dict, prefix: str = "") -> list[tuple[str, str]]:
    """(key, value) rows of a config, nested sub-configs flattened with dots; values as text."""
    rows: list[tuple[str, str]] = []
    for key in sorted(config):
        value = config[key]
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and all(isinstance(k, str) for k in value) and key.endswith("config"):
            rows += flat_config(value, name + ".")
        else:
            rows.append((name, json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value))
    return rows


def stored_dtype(config: dict) -> str:
    """The dtype the checkpoint declares (`dtype`, formerly `torch_dtype`), or '' when it does not say."""
    return str(config.get("dtype") or config.get("torch_dtype") or "")


def parameter_counts(model) -> tuple[int, dict[str, int]]:
    """(total, {top-level module: count}); tied weights count once in the total, in each module that uses them."""
    total = sum(p.numel() for p in model.parameters())
    per_module = {name: sum(p.numel() for p in child.parameters()) for name, child in model.named_children()}
    direct = sum(p.numel() for p in model.parameters(recurse=False))
    if direct:
        per_module["(own)"] = direct
    return total, per_module


def estimated_load_bytes(params: int, on_cpu: bool, stored_bytes: int) -> int:
    """Memory the weights take once loaded: fp32 on CPU (4 bytes each), else as stored."""
    return params * 4 if on_cpu else stored_bytes


def loaded_dtype(model) -> str:
    """The dtype of the model's parameters as loaded."""
    first = next(model.parameters(), None)
    return str(first.dtype).replace("torch.", "") if first is not None else ""


def architecture_class(config):
    """The transformers class the config's `architectures` names (the checkpoint's own), or None."""
    import transformers

    names = [n for n in (getattr(config, "architectures", None) or []) if hasattr(transformers, n)]
    return getattr(transformers, names[0]) if names else None


def load_for_inspection(source: Source) -> tuple[Any, Any]:
    """(model, tokenizer or None): the checkpoint's own architecture class, never remote code; fp32 on CPU when that
    fits the memory budget (see `hflab.loading.fits_fp32`), else as stored (Qwen2-0.5B-Instruct: bfloat16)."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from hflab.loading import configure_torch, device, fits_fp32, safe_weights_kwargs
    from hflab.models import cache, typed
    from hflab.settings import hf_token

    configure_torch()
    if source.needs_conversion:
        offline_assets.convert_smollm2()
    if not source.ready or not source.target:
        raise FileNotFoundError(source.repo_id)
    if source.kind in ("hub", "mirror") and typed.is_typed(source):
        # a typed id comes through the lab's own download (the size cap before any file, the operator's token only
        # when shared), then loads from the cache folder: transformers' own Hub calls never run for it (some, like
        # the tokenizer's file listing, send HF_TOKEN from the environment whatever token they are given)
        source = replace(source, kind="cache", target=str(cache.download(source.repo_id, typed=True)))
    token = hf_token() if source.kind in ("hub", "mirror") else None
    if source.kind in ("local", "cache", "packaged"):
        weights_summary(source.target)  # a corrupt file gets a clear message before transformers tries it
    config = AutoConfig.from_pretrained(source.target, trust_remote_code=False, token=token)
    cls = architecture_class(config) or AutoModel
    # on CPU fp32, unless its load would not fit the memory budget: then in the width it is stored in
    dtype = torch.float32 if device() == "cpu" and fits_fp32(source) else "auto"
    model = cls.from_pretrained(source.target, dtype=dtype, trust_remote_code=False, token=token,
                                **safe_weights_kwargs(source.target)).eval().to(device())
    try:
        tokenizer = AutoTokenizer.from_pretrained(source.target, trust_remote_code=False, token=token)
    except Exception:  # a model without a tokenizer is still inspectable; heads then use plain ids
        tokenizer = None
    return model, tokenizer


def hub_files(repo_id: str, token: str | bool | None = None) -> tuple[list[FileRow], str]:
    """(files with sizes, commit sha) as the Hub or mirror lists them; raises the Hub's errors."""
    from huggingface_hub import HfApi

    info = HfApi(token=token).model_info(repo_id, files_metadata=True)
    return [FileRow(s.rfilename, s.size or 0) for s in (info.siblings or [])], info.sha or ""
