"""Helpers to run one page of the app with streamlit.testing's AppTest."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def open_page(page: str, lang: str = "zh", timeout: float = 120) -> AppTest:
    """Run Home.py's navigation and switch to `page` (e.g. 'app_pages/tokenizer.py') in `lang`."""
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=timeout)
    at.session_state["lang_en"] = lang == "en"
    at.switch_page(page)
    return at.run()


def error_texts(at: AppTest) -> list[str]:
    """Texts of all st.error boxes and exceptions on the page."""
    return [e.value for e in at.error] + [str(e.value) for e in at.exception]
