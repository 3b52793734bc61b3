"""Giving memory back to the operating system: freed heap (glibc `malloc_trim`) and read checkpoint pages.

Why: on Community Cloud the app has 2.7 GB, and two kinds of memory stay in the process after it is no longer used.
glibc keeps freed small blocks (most weight tensors of a layer are under its 32 MB mmap threshold), and the pages of
a memory-mapped safetensors file that a load has read stay resident until the whole file is unmapped.
"""
from __future__ import annotations

import ctypes
import gc
import sys

MADV_DONTNEED = 4  # linux/mman.h
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc malloc.h mallopt parameters
MMAP_THRESHOLD = 4 << 20


def _libc():
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True) if sys.platform.startswith("linux") else None
    except OSError:  # musl or another libc: nothing to trim
        return None


def configure_allocator() -> bool:
    """Make glibc give large blocks straight back: every allocation of 4 MB or more (weights, activations, KV
    caches) gets its own mapping, returned to the OS when freed; without this glibc raises its threshold to the
    largest block freed so far (up to 32 MB) and keeps later tensors in a heap that only grows. Two arenas, not
    8 per core: Streamlit runs every session in its own thread. True when glibc took both settings."""
    libc = _libc()
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(libc.mallopt(M_ARENA_MAX, 2))


def release_memory() -> None:
    """Collect garbage, then hand freed heap pages back to the OS (without it an unloaded model's memory stays in
    the process and the next model's load adds to it)."""
    gc.collect()
    trim_heap()


def trim_heap() -> None:
    """glibc's `malloc_trim(0)`: return the free heap to the OS (a no-op elsewhere)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def resident_mb(pid: int | str = "self") -> dict[str, int]:
    """A process's resident memory in MB (Linux; this one by default): "rss" in all, "anon" (heap, tensors) and
    "file" (mapped libraries and checkpoints); empty elsewhere."""
    names = {"VmRSS:": "rss", "RssAnon:": "anon", "RssFile:": "file"}
    try:
        lines = open(f"/proc/{pid}/status", encoding="ascii", errors="replace").read().splitlines()
    except OSError:
        return {}
    return {names[f[0]]: int(f[1]) // 1024 for f in map(str.split, lines) if f and f[0] in names}


def describe_resident() -> str:
    """"process RSS 1234 MB (anon 1100, file 134)" for the server log; "" where it cannot be read."""
    mb = resident_mb()
    return f"process RSS {mb['rss']} MB (anon {mb['anon']}, file {mb['file']})" if len(mb) == 3 else ""


def checkpoint_mappings() -> list[tuple[int, int]]:
    """(start, length) of every mapping of a .safetensors file in this process with no changed page (Linux).

    safetensors maps files private and writable; a page written to (a weight trained in place) becomes an anonymous
    copy that exists only in memory, so a mapping with any anonymous page is left alone."""
    try:
        lines = open("/proc/self/smaps", encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        return []
    spans, current = [], None
    for line in lines:
        head = line.split(maxsplit=5)
        if "-" in head[0] and len(head) >= 5:  # a mapping's header line: "start-end perms offset dev inode [path]"
            start, end = (int(x, 16) for x in head[0].split("-"))
            current = [start, end - start, 0] if len(head) == 6 and head[5].endswith(".safetensors") else None
            if current:
                spans.append(current)
        elif current and head[0] == "Anonymous:":  # a written page of a private file mapping is an anonymous copy
            current[2] += int(head[1])
    return [(start, length) for start, length, changed_kb in spans if changed_kb == 0]


def drop_checkpoint_pages() -> int:
    """Take the read pages of mapped safetensors files out of this process's resident memory; returns the bytes
    of the mappings advised.

    Safe for any tensor still using them: a clean page of a file mapping is read again from the page cache (or
    the file) on its next use, unchanged. The page cache itself is reclaimable memory the kernel frees on demand."""
    libc = _libc()
    if libc is None:
        return 0
    libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    total = 0
    for start, length in checkpoint_mappings():
        if libc.madvise(start, length, MADV_DONTNEED) == 0:
            total += length
    return total
