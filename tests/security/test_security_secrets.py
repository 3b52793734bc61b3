"""HF_TOKEN (and OPENAI_API_KEY) come only from the environment or st.secrets and never appear in
page output, server logs or files the app writes. The token values are generated at run time."""
from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from app_server import ROOT, chromium, running_app, wait_for_app
from hostile.scan import PAGES, URL_PATHS, apptest_dump, files_containing
from streamlit.testing.v1 import AppTest

FAKE_HF = "hf_" + secrets.token_hex(20)
FAKE_OPENAI = "sk-" + secrets.token_hex(20)
SECRET_NAMES = ("HF_TOKEN", "OPENAI_API_KEY")
ENV_READ = re.compile(r"""(environ\s*(\.get\(|\[)|getenv\()\s*["'](HF_TOKEN|OPENAI_API_KEY)["']""")


def _app_sources() -> list[Path]:
    return [ROOT / "Home.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "components").glob("*.py")),
            *sorted((ROOT / "hflab").rglob("*.py"))]


def test_secrets_are_read_in_one_place():
    """Only hflab/settings.py reads the secret variables from the environment."""
    readers = {str(p.relative_to(ROOT)) for p in _app_sources() if ENV_READ.search(p.read_text(encoding="utf-8"))}
    assert readers <= {"hflab/settings.py"}, readers


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
    env.update({"HF_TOKEN": FAKE_HF, "OPENAI_API_KEY": FAKE_OPENAI, "HFLAB_DATA_DIR": str(data_dir),
                "HFLAB_ALLOWED_ROOTS": os.pathsep.join([str(data_dir), str(tiny_models["causal_lm"].parent), str(ROOT)])})
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
