"""requirements.txt resolved as Community Cloud installs it (uv first, pip as fallback), offline: two package indexes
built here from tiny fake wheels and served on loopback, one standing for PyPI (torch 2.13.0 is the CUDA build, with
nvidia-*, cuda-* and triton) and one for PyTorch's CPU index (torch 2.13.0+cpu, and other packages at other versions,
as the real one carries). Only the index URLs of the real file are rewritten; every resolution is a real one."""
from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from local_servers import refused_port
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from uv import find_uv_bin

import dev

ROOT = Path(__file__).resolve().parents[2]
HOSTS = {"https://download.pytorch.org/": "pytorch/", "https://pypi.org/": "pypi/"}  # real index -> its stand-in
LINUX = ("manylinux_2_28_x86_64", "manylinux_2_28_aarch64")
MAC, WINDOWS = "macosx_11_0_arm64", "win_amd64"
CUDA_DEPS = ("nvidia-cublas-cu12==12.9.1.4", "triton==3.5.1", "cuda-bindings==13.5.0")
# uv's names for the targets: Cloud (Linux x86_64, Python 3.12 by default), Apple silicon, Windows
TARGETS = {"cloud": "x86_64-manylinux_2_28", "macos": "aarch64-apple-darwin", "windows": "x86_64-pc-windows-msvc"}


def requirement_pins(text: str) -> dict[str, str]:
    """name -> pinned public version of every `name==version` line (option lines and comments left out)."""
    pins = {}
    for line in text.splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith(("#", "-")):
            req = Requirement(line)
            pins[canonicalize_name(req.name)] = Version(next(iter(req.specifier)).version).public
    return pins


def fake_wheel(folder: Path, name: str, version: str, platform: str = "any", requires=()) -> str:
    """A valid wheel holding only its METADATA, WHEEL and RECORD; returns its file name."""
    stem = f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}"
    tag = f"py3-none-{platform}"
    files = {f"{stem}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                                             + "".join(f"Requires-Dist: {r}\n" for r in requires),
             f"{stem}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: hflab-tests\nRoot-Is-Purelib: true\n"
                                          f"Tag: {tag}\n"}
    digest = lambda text: base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()  # noqa: E731
    files[f"{stem}.dist-info/RECORD"] = "".join(f"{path},sha256={digest(text)},{len(text.encode())}\n"
                                                for path, text in files.items()) + f"{stem}.dist-info/RECORD,,\n"
    with zipfile.ZipFile(folder / f"{stem}-{tag}.whl", "w") as wheel:
        for path, text in files.items():
            wheel.writestr(path, text)
    return f"{stem}-{tag}.whl"


def simple_index(root: Path, wheels: list[tuple]) -> None:
    """A PEP 503 index at `root`: one page per project (`root/<name>/`, as PyTorch's `whl/cpu/torch/`) linking its
    wheels (name, version, platform, requires), which lie in `root/files/`, `+` written %2B as the real pages do."""
    (root / "files").mkdir(parents=True)
    pages: dict[str, list[str]] = {}
    for name, version, platform, requires in wheels:
        wheel = fake_wheel(root / "files", name, version, platform, requires)
        pages.setdefault(canonicalize_name(name), []).append(wheel)
    for name, files in pages.items():
        (root / name).mkdir()
        links = "".join(f'<a href="../files/{f.replace("+", "%2B")}">{f}</a>\n' for f in files)
        (root / name / "index.html").write_text(f"<html><body>\n{links}</body></html>\n", encoding="utf-8")
    links = "".join(f'<a href="{name}/">{name}</a>\n' for name in pages)
    (root / "index.html").write_text(f"<html><body>\n{links}</body></html>\n", encoding="utf-8")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the index folder without logging every request to stderr."""

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """Both stand-in indexes served on loopback: (base URL, pins of the real requirements.txt, work folder)."""
    work = tmp_path_factory.mktemp("indexes")
    pins = requirement_pins((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    others = [name for name in pins if name != "torch"]
    # PyPI: every pin and a newer release of it (a lost pin would take that); torch's Linux wheels are CUDA builds
    simple_index(work / "pypi" / "simple", [(n, v, "any", ()) for n in others for v in (pins[n], "999.0")]
                 + [("torch", "2.13.0", platform, CUDA_DEPS) for platform in LINUX]
                 + [("torch", "2.13.0", platform, ()) for platform in (MAC, WINDOWS)]
                 + [("nvidia-cublas-cu12", "12.9.1.4", platform, ()) for platform in LINUX]
                 + [("triton", "3.5.1", platform, ()) for platform in LINUX]
                 + [("cuda-bindings", "13.5.0", platform, ()) for platform in LINUX])
    # PyTorch's CPU index: +cpu builds for Linux and Windows, plain torch for macOS, other packages at other versions
    simple_index(work / "pytorch" / "whl" / "cpu", [("torch", "2.13.0+cpu", p, ()) for p in (*LINUX, WINDOWS)]
                 + [("torch", "2.13.0", MAC, ())] + [(n, "0.1", "any", ()) for n in others])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(work)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", pins, work
    server.shutdown()
    server.server_close()


def rewritten(base: str, work: Path, name: str, page: str | None = None) -> Path:
    """requirements.txt with only its index URLs pointed at the stand-ins (or every find-links at `page`)."""
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert all(url.startswith(tuple(HOSTS)) for url in re.findall(r"https?://\S+", text))  # each has its stand-in
    for host, stand_in in HOSTS.items():
        text = text.replace(host, base + stand_in)
    if page is not None:
        text = re.sub(r"(?m)^--find-links \S+", f"--find-links {page}", text)
    assert [a for a in text.splitlines() if not a.startswith("-")] == [
        a for a in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines() if not a.startswith("-")]
    path = work / name
    path.write_text(text, encoding="utf-8")
    return path


def clean_env(work: Path) -> dict[str, str]:
    """This process's environment without pip's or uv's settings (this machine's pip config adds local indexes)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "UV_CACHE_DIR": str(work / "uv-cache"),
            "UV_PYTHON_DOWNLOADS": "never"}


def uv_compile(base: str, work: Path, requirements: Path, target: str) -> subprocess.CompletedProcess:
    """`uv pip compile` for Python 3.12 (Cloud's default) on `target`, PyPI's stand-in as the default index."""
    return subprocess.run([find_uv_bin(), "pip", "compile", str(requirements), "--index-url", base + "pypi/simple/",
                           "--python", sys.executable, "--python-version", "3.12", "--python-platform", target,
                           "--no-config", "--no-header", "--no-annotate", "--quiet"],
                          capture_output=True, text=True, env=clean_env(work), timeout=300)


def uv_resolved(base: str, work: Path, requirements: Path, target: str) -> dict[str, str]:
    """name -> version uv resolves `requirements` to for `target`."""
    done = uv_compile(base, work, requirements, target)
    assert done.returncode == 0, done.stderr
    return {canonicalize_name(name): version for name, version in re.findall(r"(?m)^(\S+)==(\S+)$", done.stdout)}


def pip_resolved(base: str, work: Path, requirements: Path, *extra: str) -> dict[str, str]:
    """name -> version `pip install --dry-run --report` resolves `requirements` to on this machine."""
    report = work / "pip-report.json"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-cache-dir",
                           "--disable-pip-version-check", "--index-url", base + "pypi/simple/", "--report",
                           str(report), "-q", "-r", str(requirements), *extra],
                          capture_output=True, text=True, env=clean_env(work), timeout=300)
    assert done.returncode == 0, done.stderr
    return {canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
            for item in json.loads(report.read_text(encoding="utf-8"))["install"]}


def assert_pins_kept(resolved: dict[str, str], pins: dict[str, str]) -> None:
    """Every pinned package at its pin (torch's local +cpu label aside), nothing of CUDA."""
    assert {name: Version(resolved.get(name, "0")).public for name in pins} == pins
    assert not [name for name in resolved if name.startswith(("nvidia-", "cuda-")) or name == "triton"]


def test_uv_takes_the_cpu_build_on_cloud_and_plain_torch_on_macos(indexes):
    base, pins, work = indexes
    requirements = rewritten(base, work, "requirements-uv.txt")
    expected = {"cloud": "2.13.0+cpu", "macos": "2.13.0", "windows": "2.13.0+cpu"}  # Windows: the CPU index's build
    for target, torch_version in expected.items():
        resolved = uv_resolved(base, work, requirements, TARGETS[target])
        assert resolved["torch"] == torch_version, target
        assert_pins_kept(resolved, pins)


def test_pip_takes_the_cpu_build(indexes):
    base, pins, work = indexes
    resolved = pip_resolved(base, work, rewritten(base, work, "requirements-pip.txt"))
    assert resolved["torch"] == ("2.13.0" if sys.platform == "darwin" else "2.13.0+cpu")
    assert_pins_kept(resolved, pins)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    return refused_port()


def test_the_pytorch_page_out_of_reach_stops_uv_and_pip_falls_back_to_plain_torch(indexes):
    base, pins, work = indexes
    dead = f"http://127.0.0.1:{closed_port()}/whl/cpu/torch/"
    requirements = rewritten(base, work, "requirements-dead.txt", page=dead)
    failed = uv_compile(base, work, requirements, TARGETS["cloud"])
    assert failed.returncode != 0 and "find-links" in failed.stderr  # Cloud then runs pip
    resolved = pip_resolved(base, work, requirements, "--retries", "0")
    assert resolved["torch"] == "2.13.0" and resolved["nvidia-cublas-cu12"] == "12.9.1.4"  # installs, CUDA build
    assert {name: resolved[name] for name in pins} == pins


def test_dev_setup_leaves_out_a_page_this_host_cannot_reach(indexes, tmp_path):
    base, _, _ = indexes
    root, folder = tmp_path / "repo", tmp_path / "copies"
    root.mkdir(), folder.mkdir()
    dead = f"http://127.0.0.1:{closed_port()}/whl/cpu/torch/"
    (root / "requirements.txt").write_text(f"# app\n--find-links {dead}\n--find-links {base}pytorch/whl/cpu/torch/"
                                           "\ntorch==2.13.0\n", encoding="utf-8")
    (root / "requirements-test.txt").write_text("-r requirements.txt\npytest==9.2.0\n", encoding="utf-8")
    chosen = dev.installable("requirements-test.txt", folder, root)
    assert chosen == folder / "requirements-test.txt"
    assert chosen.read_text(encoding="utf-8") == "-r requirements.txt\npytest==9.2.0\n"
    assert (folder / "requirements.txt").read_text(encoding="utf-8") == (
        f"# app\n--find-links {base}pytorch/whl/cpu/torch/\ntorch==2.13.0\n")
    (root / "requirements.txt").write_text(f"--find-links {base}pytorch/whl/cpu/torch/\n", encoding="utf-8")
    assert dev.installable("requirements-test.txt", folder, root) == root / "requirements-test.txt"
