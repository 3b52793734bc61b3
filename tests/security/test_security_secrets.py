"""HF_TOKEN (and OPENAI_API_KEY) come only from the environment or st.secrets and never appear in
page output, server logs or files the app writes. The token values are generated at run time."""
from __future__ import annotations

import ast
import os
import secrets
from pathlib import Path

from app_server import ROOT, chromium, running_app, wait_for_app
from hostile.scan import PAGES, URL_PATHS, apptest_dump, files_containing
from streamlit.testing.v1 import AppTest

FAKE_HF = "hf_" + secrets.token_hex(20)
FAKE_OPENAI = "sk-" + secrets.token_hex(20)
SECRET_NAMES = ("HF_TOKEN", "OPENAI_API_KEY")
ENV_READERS = ("environ", "environ.get", "getenv")


def _app_sources() -> list[Path]:
    return [ROOT / "Home.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "components").glob("*.py")),
            *sorted((ROOT / "hflab").rglob("*.py"))]


def _parse(source: str) -> ast.Module:
    """ast.parse, asked again when CPython 3.11's AST constructor reports a recursion depth mismatch: its depth counter
    is shared by every thread (python/cpython#106905), so a thread parsing at the same moment (a page's script run
    that an earlier test left going) can trip it; the source itself parses."""
    for _ in range(2):
        try:
            return ast.parse(source)
        except SystemError as exc:
            if "AST constructor recursion depth mismatch" not in str(exc):
                raise
    return ast.parse(source)


def _reads_a_secret(source: str) -> bool:
    """Does this module's code (not its string literals, such as a copyable snippet shown to learners) read
    HF_TOKEN or OPENAI_API_KEY: os.environ[...], os.environ.get(...), os.getenv(...)?"""
    for node in ast.walk(_parse(source)):
        if isinstance(node, ast.Subscript):
            target, name = node.value, node.slice
        elif isinstance(node, ast.Call) and node.args:
            target, name = node.func, node.args[0]
        else:
            continue
        if (isinstance(name, ast.Constant) and name.value in SECRET_NAMES
                and ast.unparse(target).endswith(ENV_READERS)):
            return True
    return False


def test_the_scans_cover_every_page_of_the_navigation():
    """tests/hostile/scan.py PAGES is every page Home.py's st.navigation serves (it once left out learn.py)."""
    served = [node.value for node in ast.walk(_parse((ROOT / "Home.py").read_text(encoding="utf-8")))
              if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("app_pages/")]
    assert served and sorted(PAGES) == sorted(served) == sorted(
        f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py")
    )
    assert set(URL_PATHS) == set(PAGES)


def test_secrets_are_read_in_one_place():
    """Only hflab/settings.py reads the secret variables from the environment."""
    readers = {str(p.relative_to(ROOT)) for p in _app_sources() if _reads_a_secret(p.read_text(encoding="utf-8"))}
    assert readers <= {"hflab/settings.py"}, readers
    assert _reads_a_secret('import os\nos.environ["HF_TOKEN"]') and _reads_a_secret("os.getenv('OPENAI_API_KEY')")
    assert not _reads_a_secret('SNIPPET = """client = InferenceClient(token=os.environ["HF_TOKEN"])"""')


def test_st_secrets_reaches_the_environment_and_nothing_shows_it(monkeypatch, tiny_env):
    """A token given only in st.secrets is exported to the env; no page shows it, in either language."""
    from hflab.settings import hf_token

    saved = {name: os.environ.pop(name, None) for name in SECRET_NAMES}
    try:
        for lang in ("zh", "en"):
            at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
            at.secrets["HF_TOKEN"] = FAKE_HF
            at.secrets["OPENAI_API_KEY"] = FAKE_OPENAI
            at.session_state["lang_en"] = lang == "en"
            at.run()  # AppTest applies st.secrets on a first run without switch_page
            for page in PAGES:
                at.switch_page(page).run()
                assert not at.exception, (page, [e.value for e in at.exception])
                dump = apptest_dump(at)
                assert FAKE_HF not in dump and FAKE_OPENAI not in dump, page
        assert hf_token() == FAKE_HF
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


def test_token_never_in_pages_logs_or_files(tiny_models, tmp_path):
    """Real server with fake secrets in its env: every page in Chromium, then scan HTML, log, data dir."""
    data_dir, log = tmp_path / "data", tmp_path / "server.log"
    env = {f"HFLAB_{role.upper()}_DIR": str(path) for role, path in tiny_models.items()}
    env.update(
        {
            "HF_TOKEN": FAKE_HF,
            "OPENAI_API_KEY": FAKE_OPENAI,
            "HFLAB_DATA_DIR": str(data_dir),
            "HFLAB_ALLOWED_ROOTS": os.pathsep.join([str(data_dir), str(tiny_models["causal_lm"].parent), str(ROOT)]),
        }
    )
    html = []
    with running_app(env, log_path=log) as url, chromium() as browser:
        page = browser.new_page()
        for path in PAGES:
            page.goto(f"{url}/{URL_PATHS[path]}")
            wait_for_app(page)
            html.append(page.content())
        page.close()
    for fake in (FAKE_HF, FAKE_OPENAI):
        assert all(fake not in h for h in html)
        assert fake not in log.read_text(encoding="utf-8", errors="replace")
        assert files_containing(data_dir, fake.encode()) == []


def test_token_never_shown_on_the_error_and_download_paths(tiny_env, closed_port, monkeypatch, capfd, caplog):
    """With a fake HF_TOKEN (shared with users, so the download does send it), drive a typed missing model dir,
    a bad upload and a Models-page download against an unreachable Hub: each path shows its own message, and
    the token is in no page output, log line or file the run wrote (data dir, HF_HOME, the temp dir)."""
    import logging
    import tempfile

    from apptest_utils import open_page

    from components.escape import markdown_literal
    from hflab.i18n import t

    monkeypatch.setenv("HF_TOKEN", FAKE_HF)
    monkeypatch.setenv("HFLAB_SHARE_TOKEN_WITH_USERS", "1")
    caplog.set_level(logging.DEBUG)
    missing = str(Path(os.environ["HFLAB_DATA_DIR"]).resolve() / "no-such-model")
    shown = []

    at = open_page("app_pages/models.py", "en")
    at.radio(key="models_mode").set_value("custom").run()
    at.text_input(key="models_custom").input(missing).run()
    assert t("problem.dir_missing", "en", path=markdown_literal(missing)) in [e.value for e in at.error]
    shown.append(apptest_dump(at))
    at.text_input(key="models_dl_repo").input("org/private-model")
    next(b for b in at.button if b.label == t("models.dl.button", "en")).click().run()
    no_network = t("models.err.no_network", "en", repo_id=markdown_literal("org/private-model"),
                   endpoint=closed_port)  # a code span in the catalog: shown verbatim
    assert no_network in [e.value for e in at.error]
    shown.append(apptest_dump(at))

    at = open_page("app_pages/sentiment.py", "zh")
    at.radio(key="sentiment_data_src").set_value("upload").run()
    at.file_uploader(key="sentiment_upload_file").set_value(("bad.csv", b"\xff\xfe\x00garbage", "text/csv")).run()
    assert not at.exception and at.error, "the bad upload must be explained"
    shown.append(apptest_dump(at))

    logs = capfd.readouterr()
    assert all(FAKE_HF not in dump for dump in shown)
    assert FAKE_HF not in logs.out + logs.err + caplog.text
    places = [Path(os.environ["HFLAB_DATA_DIR"]), Path(os.environ["HF_HOME"]), Path(tempfile.gettempdir())]
    assert [hit for place in places for hit in files_containing(place, FAKE_HF.encode())] == []
