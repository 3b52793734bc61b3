"""A checkpoint's files as they lie on disk or on the Hub, read without loading any weight: the file list and sizes,
the cache revision, safetensors headers (parameters, bytes, dtypes) and config.json."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hflab.messages import MessageError

META_FILE = "hflab_model.json"  # what the lab saves beside a model it trained
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


def stored_dtype(config: dict) -> str:
    """The dtype the checkpoint declares (`dtype`, formerly `torch_dtype`), or '' when it does not say."""
    return str(config.get("dtype") or config.get("torch_dtype") or "")


def hub_files(repo_id: str, token: str | bool | None = None) -> tuple[list[FileRow], str]:
    """(files with sizes, commit sha) as the Hub or mirror lists them; raises the Hub's errors."""
    from huggingface_hub import HfApi

    info = HfApi(token=token).model_info(repo_id, files_metadata=True)
    return [FileRow(s.rfilename, s.size or 0) for s in (info.siblings or [])], info.sha or ""


def read_meta(model_dir: Path) -> dict | None:
    """The metadata the lab saved next to a model it trained, or None."""
    try:
        return json.loads((Path(model_dir) / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
