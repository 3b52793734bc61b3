"""components.limits: caps come from settings / config and are shown in the user's language; texts
over the cap are refused with a message, batches and token counts are clamped."""
import pytest
from streamlit.testing.v1 import AppTest

from hflab.i18n import t

SCRIPT = """
import streamlit as st
from components import limits
st.session_state.setdefault("lang_en", {lang_en})
limits.show_caps(*limits.CAPS)
st.session_state["ok_short"] = limits.check_text("abc")
st.session_state["ok_empty"] = limits.check_text("  \\n ")
st.session_state["ok_long"] = limits.check_text("x" * 11)
st.session_state["kept"] = len(limits.cap_texts(list(range(5))))
st.session_state["tokens"] = limits.cap_new_tokens(10**9)
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_caps_shown_and_enforced(lang, monkeypatch):
    monkeypatch.setenv("HFLAB_MAX_TEXT_CHARS", "10")
    monkeypatch.setenv("HFLAB_MAX_BATCH_TEXTS", "3")
    monkeypatch.setenv("HFLAB_MAX_NEW_TOKENS", "7")
    at = AppTest.from_string(SCRIPT.format(lang_en=lang == "en"), default_timeout=30).run()
    assert not at.exception
    caption = at.caption[0].value
    for name, n in (("text_chars", 10), ("batch_texts", 3), ("new_tokens", 7), ("upload_mb", 20)):
        assert t(f"reliability.cap.{name}", lang, n=n) in caption
    state = at.session_state
    assert (state["ok_short"], state["ok_empty"], state["ok_long"]) == (True, False, False)
    assert (state["kept"], state["tokens"]) == (3, 7)
    assert at.error[0].value == t("reliability.text_too_long", lang, length=11, limit=10)
    assert at.warning[0].value == t("reliability.text_empty", lang)
    assert t("reliability.too_many_texts", lang, count=5, limit=3) in [w.value for w in at.warning]
