"""llama.cpp's own `llama-server`, built once: parallel slots and continuous batching on one model.

Why: llama-cpp-python's Python server serves one request at a time (every request takes the same pair of locks
around its one model, llama_cpp/server/app.py `get_llama_proxy`), so a class behind it waits in line as it does
in-process. llama.cpp's native server decodes `--parallel N` requests in one batch.

`native_server()` builds it from the llama.cpp sources vendored in the source distribution of the installed
llama-cpp-python (`pip download --no-binary :all: --no-deps`, CMake, 2 jobs, niced) and caches the binary under
.venv/llama-native/<version>/, so it builds once. A build that failed or ran past its time limit is remembered
there (failed.txt: the reason and the log's path) and not tried again; delete that folder to retry.
The flags are dev.PORTABLE_CPU_FLAGS, the portable AVX2 set dev.py builds llama-cpp-python with, not -march=native:
on a VM that hides AMX from the kernel, a native build on an AMX CPU dies on its first tile instruction (dev.py
`try_llama_server`).

Usage: python bench/llama_native.py   (builds if needed; prints the binary's path, or why there is none)
"""
from __future__ import annotations

import fcntl
import importlib.metadata
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from dev import PORTABLE_CPU_FLAGS  # noqa: E402  (the flags dev.py builds llama-cpp-python with)

CACHE = ROOT / ".venv" / "llama-native"
BUILD_LIMIT_S = 20 * 60  # download, configure and build together; past it the build is given up
CMAKE_OPTIONS = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=OFF",  # one self-contained binary: only it is kept, the build folder is removed
    "-DLLAMA_BUILD_SERVER=ON",
    "-DLLAMA_BUILD_TOOLS=ON",  # the server lives under tools/ and is only configured with the tools
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    *PORTABLE_CPU_FLAGS,
)


def installed_version() -> str | None:
    """The llama-cpp-python version installed in this environment, or None."""
    try:
        return importlib.metadata.version("llama-cpp-python")
    except importlib.metadata.PackageNotFoundError:
        return None


def native_server(build: bool = True, limit_s: float = BUILD_LIMIT_S) -> tuple[Path | None, str]:
    """(path of `llama-server`, "") once built, building it now if needed and `build`; else (None, why not)."""
    version = installed_version()
    if version is None:
        return None, "llama-cpp-python is not installed (its source distribution holds the llama.cpp sources)"
    folder = CACHE / version
    binary, failed = folder / "bin" / "llama-server", folder / "failed.txt"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second caller waits for the first build instead of starting its own
        if binary.is_file():
            return binary, ""
        if failed.is_file():
            return None, failed.read_text(encoding="utf-8").strip()
        if not build:
            return None, f"not built yet (python bench/llama_native.py builds it into {folder})"
        log = folder / "build.log"
        try:
            _build(version, binary, log, time.monotonic() + limit_s)
        except BuildFailed as failure:
            reason = f"the llama-server build failed: {failure} (log: {log})"
            failed.write_text(reason + "\n", encoding="utf-8")
            return None, reason
    return binary, ""


def choose_server(choice: str) -> tuple[str, Path | None, str]:
    """For a benchmark's --server auto|native|python: ("native" or "python", the native binary or None, why not
    native: "" when it is)."""
    if choice == "python":
        return "python", None, "--server python"
    binary, reason = native_server()
    if binary is None and choice == "native":
        raise SystemExit(f"--server native: {reason}")
    return ("native", binary, "") if binary else ("python", None, reason)


def server_command(kind: str, binary: Path | None, gguf: Path, port: int, *, alias: str, threads: int,
                   slots: int = 1, ctx: int = 1024) -> list[str]:
    """A llama.cpp server's command line on loopback: native `llama-server` with `slots` slots of `ctx` tokens each
    and continuous batching, or llama-cpp-python's server (one slot) that lets a new request wait instead of cutting
    the one streaming (its default `interrupt_requests` ends a stream when another request arrives)."""
    if kind == "native":
        return [str(binary), "-m", str(gguf), "--host", "127.0.0.1", "--port", str(port), "--alias", alias,
                "--parallel", str(slots), "--cont-batching", "--ctx-size", str(ctx * slots),
                "--threads", str(threads), "--threads-batch", str(threads)]
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", alias, "--host",
            "127.0.0.1", "--port", str(port), "--n_ctx", str(ctx), "--n_threads", str(threads), "--n_threads_batch",
            str(threads), "--interrupt_requests", "false"]


def server_label(kind: str) -> str:
    """How a result row names the server it measured."""
    return ("llama.cpp's native `llama-server` (portable AVX2 build, bench/llama_native.py)" if kind == "native"
            else "llama-cpp-python's Python server (portable AVX2 build; one request at a time)")


class BuildFailed(RuntimeError):
    """One step of the build failed or ran out of time; the message says which."""


def _build(version: str, binary: Path, log: Path, deadline: float) -> None:
    """Download the sdist, configure and build `llama-server`, check that it runs, keep only the binary."""
    with tempfile.TemporaryDirectory(prefix="llama-native-") as tmp, open(log, "w", encoding="utf-8") as out:
        work = Path(tmp)
        _step("download", [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-binary",
                           ":all:", "--no-deps", "-d", str(work / "sdist"), f"llama-cpp-python=={version}"],
              out, deadline)
        archives = sorted((work / "sdist").glob("*.tar.gz"))
        if not archives:
            raise BuildFailed(f"pip download gave no source archive of llama-cpp-python {version}")
        with tarfile.open(archives[0]) as archive:
            archive.extractall(work / "src", filter="data")
        sources = sorted((work / "src").glob("*/vendor/llama.cpp"))
        if not sources:
            raise BuildFailed("the source archive holds no vendor/llama.cpp")
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        _step("configure", ["cmake", "-S", str(sources[0]), "-B", str(work / "build"), *generator, *CMAKE_OPTIONS],
              out, deadline)
        _step("build", ["cmake", "--build", str(work / "build"), "--target", "llama-server", "-j", "2"], out,
              deadline)
        built = work / "build" / "bin" / "llama-server"
        if not built.is_file():
            raise BuildFailed(f"the build ended without {built.relative_to(work)}")
        _step("check", [str(built), "--version"], out, deadline)
        binary.parent.mkdir(parents=True, exist_ok=True)
        partial = binary.with_suffix(".part")
        shutil.copy2(built, partial)
        partial.replace(binary)  # a binary in place is a whole one: the cache test is `binary.is_file()`


def _step(name: str, cmd: list[str], out, deadline: float) -> None:
    """Run one build step niced, its output into the log; past `deadline` its whole process group is killed."""
    out.write(f"\n$ {' '.join(cmd)}\n")
    out.flush()
    left = deadline - time.monotonic()
    if left <= 0:
        raise BuildFailed(f"{name}: the build's time limit ran out before it")
    # its own session: on a timeout the compilers cmake started are killed with it, not left running
    proc = subprocess.Popen(["nice", "-n", "10", *cmd], stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        code = proc.wait(timeout=left)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise BuildFailed(f"{name}: still running when the build's time limit ran out") from None
    if code != 0:
        raise BuildFailed(f"{name} exited with status {code}")


def main() -> int:
    """Build (once) and print the binary's path, or why there is none."""
    binary, reason = native_server()
    print(binary or reason)
    return 0 if binary else 1


if __name__ == "__main__":
    sys.exit(main())
