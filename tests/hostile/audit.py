"""What a test made the process do outside Python: files opened (to read or to write), folders listed or made,
files and folders deleted or renamed, sockets connected. Seen through Python's audit hooks (PEP 578).

An audit hook cannot be removed, so `install()` adds one hook once per process, and it records only while a test
has a `Recorder` switched on (`recording()`). Events come from every thread of the process (AppTest runs a page in
its script thread, the remote client reads in a worker thread), so one recorder is on at a time. A connection to an
address the test has not allowed is refused by the hook itself, before any packet leaves: a hostile case can show
that it tried, never reach anything.

Not seen: what native code does without Python's `open` (torch's and tokenizers' own file reads, libc's DNS). An
`os.open(name, dir_fd=...)` is judged relative to the working directory (its audit event does not carry the
descriptor); every other event with a descriptor is resolved through /proc/self/fd.
"""
from __future__ import annotations

import errno
import ipaddress
import mimetypes
import os
import site
import socket
import ssl
import sys
import sysconfig
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
# event -> what it does to its path argument(s); "socket.connect" is handled apart
PATH_EVENTS = {"open": "read", "os.listdir": "read", "os.scandir": "read", "os.mkdir": "write",
               "os.rename": "write", "os.remove": "delete", "os.rmdir": "delete", "shutil.rmtree": "delete"}
PATH_KINDS = frozenset(PATH_EVENTS.values())
# files of this machine that Python's own libraries read, whatever the test: MIME types (mimetypes, for uploads and
# Streamlit's media), time zones, CA certificates (ssl), the OS name (platform.freedesktop_os_release, for the openai
# client's headers) and the kernel's own pseudo-files (psutil, the memory readers in hflab.runtime); /dev/null is
# also written (subprocess.DEVNULL)
SYSTEM_READS = (*mimetypes.knownfiles, "/etc/localtime", "/usr/share/zoneinfo", "/etc/ssl", "/usr/lib/ssl",
                "/usr/share/ca-certificates", "/etc/os-release", "/usr/lib/os-release", "/proc", "/sys", "/dev/null",
                "/dev/urandom")
SYSTEM_WRITES = ("/dev/null",)

_active: Recorder | None = None
_install_lock = threading.Lock()
_installed = False


@dataclass(frozen=True)
class Roots:
    """Where a test may read and where it may write (absolute, symlinks resolved); a write is a read too."""

    read: tuple[str, ...]
    write: tuple[str, ...]

    def allows(self, kind: str, path: str) -> bool:
        """May a `kind` ("read", "write", "delete") event touch `path`? Python's own bytecode cache may be written
        anywhere it imports from."""
        if kind == "read":
            return _under(path, self.read + self.write)
        return _under(path, self.write) or ("__pycache__" in Path(path).parts and _under(path, self.read))


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _real(path: str | os.PathLike) -> str:
    return os.path.realpath(os.fspath(path))


def default_roots(write: Iterable[str | os.PathLike]) -> Roots:
    """`write` (the test's own temporary folders) to read and write; to read only: the repository (the app's code and
    packaged assets), Python (the venv, site-packages, the standard library: every import path), the offline
    assets folder (HFLAB_ASSETS_DIR) and SYSTEM_READS."""
    python = [sys.prefix, sys.exec_prefix, *sysconfig.get_paths().values(),
              *site.getsitepackages(), *(p for p in sys.path if p)]
    verify = ssl.get_default_verify_paths()
    read = [ROOT, *python, *SYSTEM_READS, *(p for p in (verify.cafile, verify.capath) if p)]
    if os.environ.get("HFLAB_ASSETS_DIR"):
        read.append(os.environ["HFLAB_ASSETS_DIR"])
    writable = [*write, *SYSTEM_WRITES]
    return Roots(tuple(dict.fromkeys(_real(p) for p in read)), tuple(dict.fromkeys(_real(p) for p in writable)))


@dataclass
class Recorder:
    """Everything one test did: `events` as (kind, target) in order; kind is "read", "write", "delete", "connect" (to
    one of the test's own servers) or "refused" (a connection the hook refused; target "host:port", "[v6]:port" or
    a socket path)."""

    roots: Roots
    servers: set[tuple[str, int]] = field(default_factory=set)  # the test's own loopback servers
    unreachable: set[str] = field(default_factory=set)  # refused like a host that does not answer, not reported
    events: list[tuple[str, str]] = field(default_factory=list)
    _folders: dict[str, str] = field(default_factory=dict, repr=False)  # folder -> its resolved path

    def allow_server(self, url_or_address: str | tuple[str, int]) -> None:
        """Let the test connect to one of its own servers: a base URL ("http://127.0.0.1:port/...") or (host, port)."""
        if isinstance(url_or_address, str):
            from urllib.parse import urlparse

            parsed = urlparse(url_or_address)
            url_or_address = (parsed.hostname or "", parsed.port or 80)
        host, port = url_or_address
        self.servers.add((_host(host), int(port)))

    def connections(self) -> list[str]:
        """Every connection the process tried while recording, allowed or not, in order."""
        return [target for kind, target in self.events if kind in ("connect", "refused")]

    def touched(self, path: str | os.PathLike) -> list[tuple[str, str]]:
        """The file events on `path` or anything under it (symlinks resolved, as the events are)."""
        real = _real(path)
        return [(kind, target) for kind, target in self.events if kind in PATH_KINDS and _under(target, [real])]

    def outside(self) -> list[tuple[str, str]]:
        """The events the test had no business causing: files touched outside `roots`, connections refused (except
        to the addresses the test named unreachable). Each once, in order."""
        return [(kind, target) for kind, target in dict.fromkeys(self.events)
                if (kind == "refused" and target.rpartition(":")[0].strip("[]") not in self.unreachable)
                or (kind in PATH_KINDS and not self.roots.allows(kind, target))]

    # the hook's side ------------------------------------------------------------------------------------------
    def take(self, event: str, args: tuple) -> None:
        """Record one audit event; a connection the test did not allow is refused here (the hook raises)."""
        if event == "socket.connect":
            return self._connect(*args[:2])
        kind = PATH_EVENTS.get(event)
        if kind is None:
            return
        if event == "open":
            path, flags = args[0], args[2]
            if isinstance(path, int):
                return  # a descriptor already open: its open was recorded
            kind = "write" if isinstance(flags, int) and flags & WRITE_FLAGS else "read"
            self.events.append((kind, self._path(path)))
        elif event == "os.rename":  # (src, dst, src_dir_fd, dst_dir_fd): both places change
            self.events += [("write", self._path(args[0], args[2])), ("write", self._path(args[1], args[3]))]
        else:  # listdir / scandir: (path,); mkdir, remove, rmdir, rmtree: (path, ..., dir_fd)
            self.events.append((kind, self._path(args[0], args[-1] if len(args) > 1 else None)))

    def _path(self, path, dir_fd=None) -> str:
        """The absolute, symlink-resolved path an event names (relative to `dir_fd`'s folder or the working dir); a
        path that cannot be told is named as such, and so judged outside every root (the hook must never fail).
        Folders are resolved once per test (a page test sees tens of thousands of events: each full resolution
        would cost it seconds); the last part is resolved whenever it is a link."""
        if isinstance(path, int):
            return _fd_path(path)
        try:
            text = "." if path is None else os.fsdecode(os.fspath(path))
            base = _fd_path(dir_fd) if isinstance(dir_fd, int) and dir_fd >= 0 else os.getcwd()
            joined = os.path.join(base, text)
            if ".." in text:  # maybe a link then "..": only the OS's own resolution says where that is
                return os.path.realpath(joined)
            normal = os.path.normpath(joined)
            folder, name = os.path.split(normal)
            real_folder = self._folders.get(folder)
            if real_folder is None:
                real_folder = self._folders[folder] = os.path.realpath(folder)
            full = os.path.join(real_folder, name)
            full = os.path.realpath(full) if os.path.islink(full) else full
            self._folders.setdefault(normal, full)  # it may be a folder that later events name files in
            return full
        except (TypeError, ValueError, OSError):
            return f"<unknown path {path!r}>"

    def _connect(self, sock: socket.socket, address) -> None:
        if isinstance(address, tuple) and len(address) >= 2:
            host, port = _host(str(address[0])), int(address[1])
            target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        else:
            host, port, target = "", 0, os.fsdecode(address)
        if (host, port) in self.servers:
            self.events.append(("connect", target))
            return
        self.events.append(("refused", target))
        raise ConnectionRefusedError(errno.ECONNREFUSED, f"refused by the test's audit hook: {target}")


def _host(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%")[0]))
    except ValueError:
        return host.lower()


def _fd_path(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return f"<descriptor {fd}>"  # no /proc: an unknown place, judged as outside every root


def _hook(event: str, args: tuple) -> None:
    recorder = _active
    if recorder is not None and (event in PATH_EVENTS or event == "socket.connect"):
        recorder.take(event, args)


def install() -> None:
    """Add the process's one audit hook (again: nothing)."""
    global _installed
    with _install_lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True


@contextmanager
def recording(roots: Roots) -> Iterator[Recorder]:
    """Switch a new Recorder on for the block; it stays readable after."""
    global _active
    install()
    if _active is not None:
        raise RuntimeError("a recorder is already on: one test records at a time")
    recorder = Recorder(roots)
    _active = recorder
    try:
        yield recorder
    finally:
        _active = None
