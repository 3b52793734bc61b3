"""Export: `save_pretrained` output as a zip, loading such a zip back, and a round-trip check."""
from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def export_zip(tokenizer: Any, work_dir: Path) -> bytes:
    """`tokenizer.save_pretrained` output as zip bytes (written in a temporary dir under `work_dir`)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        tokenizer.save_pretrained(tmp)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(Path(tmp).rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(tmp).as_posix())
    return buffer.getvalue()


def load_zip(data: bytes, target: Path) -> Any:
    """Unpack an exported zip into `target` (flat files only) and load it with AutoTokenizer."""
    from hflab.loading.loaders import load_tokenizer_dir

    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if "/" in name or "\\" in name or name.startswith("."):
                raise ValueError(f"unexpected entry in tokenizer zip: {name!r}")
            (target / name).write_bytes(zf.read(name))
    return load_tokenizer_dir(target)


@dataclass(frozen=True)
class Export:
    """An exported tokenizer zip, the files in it, and whether reloading it gives the same ids for a probe text."""

    data: bytes
    files: tuple[str, ...]
    round_trip_ok: bool


def export_checked(tokenizer: Any, work_dir: Path, probe: str) -> Export:
    """`export_zip`, then reload the zip and compare its ids for `probe` with `tokenizer`'s own."""
    data = export_zip(tokenizer, work_dir)
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        reloaded = load_zip(data, Path(tmp) / "tokenizer")
        same = reloaded(probe)["input_ids"] == tokenizer(probe)["input_ids"]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = tuple(zf.namelist())
    return Export(data, files, same)
