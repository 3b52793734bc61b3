"""One-command setup for any OS with Python 3.11+: `python dev.py app`, `python dev.py test` or
`python dev.py test --fast` (the core unit tests only, for quick checks while working), `python dev.py lint` (ruff).

Creates .venv if needed, installs the pinned requirements (offline assets with --no-deps), then runs
the app or the whole test suite with that environment's Python. For the tests it also tries to build
llama.cpp's server (requirements-llama.txt, once per venv); if that fails, its tests skip and say why.
"""
from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def pip(*args: str) -> None:
    """Run pip inside the project's virtual environment."""
    subprocess.run([str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q", *args], cwd=ROOT, check=True)


def try_llama_server() -> None:
    """Build llama-cpp-python[server] from source if it is not installed; a failure only skips its tests."""
    if subprocess.run([str(PY), "-c", "import llama_cpp.server"], capture_output=True).returncode == 0:
        return
    print("building llama.cpp's server for the remote-backend tests (about 10 minutes on 2 cores, once)...", flush=True)
    env = {**os.environ, "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 1),
           "CMAKE_ARGS": os.environ.get("CMAKE_ARGS", "-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF "
                                                      "-DLLAMA_BUILD_TOOLS=OFF -DLLAMA_CURL=OFF")}
    done = subprocess.run([str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r",
                           "requirements-llama.txt"], cwd=ROOT, env=env)
    if done.returncode != 0:
        print("warning: llama-cpp-python did not build; the llama.cpp server tests will skip", flush=True)


def setup(requirements: str) -> None:
    """Create the venv and install `requirements` plus the offline assets."""
    if not PY.exists():
        venv.create(VENV, with_pip=True)
    pip("-r", requirements)
    pip("--no-deps", "-r", "requirements-offline.txt")


def main() -> int:
    """Entry point: `app` (default), `test [--fast]` or `lint`; extra arguments go to streamlit / pytest."""
    command, extra = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("app", [])
    if command == "app":
        setup("requirements.txt")
        return subprocess.call([str(PY), "-m", "streamlit", "run", "Home.py", *extra], cwd=ROOT)
    if command == "lint":
        setup("requirements-test.txt")
        return subprocess.call([str(PY), "-m", "ruff", "check", "."], cwd=ROOT)
    if command == "test":
        setup("requirements-test.txt")
        if "--fast" in extra:
            extra.remove("--fast")
            return subprocess.call([str(PY), "-m", "pytest", "-q", "-m", "core and not slow and not notebook", "tests/core", *extra],
                                   cwd=ROOT)
        try_llama_server()
        return subprocess.call([str(PY), "-m", "pytest", "-q", "--durations=25", "tests", *extra], cwd=ROOT)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
