"""A checkpoint's files as they lie on disk or on the Hub, read without loading any weight: the file list and sizes,
the cache revision, safetensors headers (parameters, bytes, dtypes) and config.json.

Every JSON file the lab parses itself goes through `read_json` / `parse_json`, within a size and a nesting limit:
a typed directory's config.json that nests 100,000 arrays would otherwise raise RecursionError out of a page."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hflab.messages import MessageError

META_FILE = "hflab_model.json"  # what the lab saves beside a model it trained
MAX_JSON_MB = 16  # real configs and metadata take kilobytes; the largest configs (many labels) about 1 MB
MAX_JSON_DEPTH = 64  # containers inside containers: transformers' configs nest 4 or 5 deep
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
                "F8_E4M3": 1, "F8_E5M2": 1}


class JsonRefused(MessageError):
    """A JSON file past the lab's limits (`problem.json_too_big` / `problem.json_too_deep`): it is not parsed."""


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


def _depth(value: Any) -> int:
    """How many containers nest in `value` (0 for a number or string), counted level by level without recursion;
    counting stops just past MAX_JSON_DEPTH."""
    depth, level = 0, [value]
    while depth <= MAX_JSON_DEPTH:
        containers = [v for v in level if isinstance(v, (dict, list))]
        if not containers:
            break
        depth += 1
        level = [child for v in containers for child in (v.values() if isinstance(v, dict) else v)]
    return depth


def parse_json(text: str, name: str) -> Any:
    """`json.loads(text)` nested at most MAX_JSON_DEPTH deep, else JsonRefused naming `name` (the file or upload);
    ValueError for text that is not JSON, as json.loads raises."""
    try:
        data = json.loads(text)
    except RecursionError:  # nested past the interpreter's own limit: json's C parser stops cleanly
        raise JsonRefused("problem.json_too_deep", file=name, depth=MAX_JSON_DEPTH) from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise JsonRefused("problem.json_too_deep", file=name, depth=MAX_JSON_DEPTH)
    return data


def read_json(path: str | Path) -> Any:
    """A JSON file of a model (config, metadata) within MAX_JSON_MB and MAX_JSON_DEPTH, else JsonRefused;
    OSError / ValueError where it cannot be read or is no JSON."""
    path = Path(path)
    if path.stat().st_size > MAX_JSON_MB * 2**20:
        raise JsonRefused("problem.json_too_big", file=path.name, mb=MAX_JSON_MB)
    return parse_json(path.read_text(encoding="utf-8"), path.name)


def check_json(path: str | Path) -> None:
    """Raise JsonRefused when the JSON file at `path` is past the limits; a missing or malformed file passes (the
    reader that needs it says what is wrong), so that a directory is refused before any parser without limits
    (transformers' own) reads it."""
    try:
        read_json(path)
    except JsonRefused:
        raise
    except (OSError, ValueError):
        return


def config_dict(target: str | Path) -> dict:
    """config.json as a dict ({} when absent, unreadable or past the JSON limits)."""
    try:
        data = read_json(Path(target) / "config.json")
    except (OSError, ValueError):  # JsonRefused included: the page has said why when the source was resolved
        return {}
    return data if isinstance(data, dict) else {}


def stored_dtype(config: dict) -> str:
    """The dtype the checkpoint declares (`dtype`, formerly `torch_dtype`), or '' when it does not say."""
    return str(config.get("dtype") or config.get("torch_dtype") or "")


def hub_files(repo_id: str, token: str | bool | None = None) -> tuple[list[FileRow], str]:
    """(files with sizes, commit sha) as the Hub or mirror lists them; raises the Hub's errors."""
    from huggingface_hub import HfApi

    info = HfApi(token=token).model_info(repo_id, files_metadata=True)
    return [FileRow(s.rfilename, s.size or 0) for s in (info.siblings or [])], info.sha or ""


def read_meta(model_dir: Path) -> dict | None:
    """The metadata the lab saved next to a model it trained, or None (also past the JSON limits, or not a dict)."""
    try:
        data = read_json(Path(model_dir) / META_FILE)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
