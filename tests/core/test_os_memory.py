"""Giving memory back to the OS (hflab.runtime.os_memory): read checkpoint pages leave the process's resident memory, a
model using them computes the same afterwards, and a mapping with a changed page is never touched."""
from __future__ import annotations

import mmap
import sys

import pytest

from hflab.runtime import os_memory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/smaps is Linux only")


def _resident_kb(path) -> int:
    """Resident kB of this process's mappings of `path` (from /proc/self/smaps)."""
    total, inside = 0, False
    for line in open("/proc/self/smaps", encoding="utf-8"):
        head = line.split()
        if "-" in head[0] and len(head) >= 5:
            inside = len(head) == 6 and head[5] == str(path)
        elif inside and head[0] == "Rss:":
            total += int(head[1])
    return total


@pytest.mark.filterwarnings("ignore:The given buffer is not writable")
def test_read_checkpoint_pages_leave_resident_memory_and_the_tensor_reads_the_same(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors import safe_open
    from safetensors.torch import save_file

    path = (tmp_path / "w.safetensors").resolve()
    save_file({"w": torch.arange(4 << 20, dtype=torch.float32)}, str(path))  # 16 MB
    with safe_open(str(path), framework="pt") as handle:
        tensor = handle.get_tensor("w")
    with path.open("rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    view = torch.frombuffer(memoryview(mapped)[-(8 << 20):], dtype=torch.float32)  # a zero-copy view of the file
    expected = float(view.sum())
    assert _resident_kb(path) >= 8 << 10
    assert os_memory.drop_checkpoint_pages() >= path.stat().st_size
    assert _resident_kb(path) < 1024
    assert float(view.sum()) == expected and torch.equal(tensor, torch.arange(4 << 20, dtype=torch.float32))
    del view
    mapped.close()


def test_a_mapping_with_a_changed_page_is_left_alone(tmp_path):
    path = (tmp_path / "x.safetensors").resolve()
    path.write_bytes(b"\0" * (1 << 20))
    with path.open("r+b") as f:
        private = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)  # private and writable, as safetensors maps
    private[0] = 7  # a change that exists only in this process's memory
    assert all(start != _start_of(path) for start, _ in os_memory.checkpoint_mappings())
    os_memory.drop_checkpoint_pages()
    assert private[0] == 7
    private.close()


def _start_of(path) -> int:
    for line in open("/proc/self/maps", encoding="utf-8"):
        parts = line.split(maxsplit=5)
        if len(parts) == 6 and parts[5].strip() == str(path):
            return int(parts[0].split("-")[0], 16)
    raise AssertionError(f"{path} is not mapped")


def test_glibc_takes_the_allocator_settings():
    """Home.py calls it before any model loads; the effect on memory is measured by bench/rehearse.py."""
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt settings are glibc's")
    assert os_memory.configure_allocator() is True
