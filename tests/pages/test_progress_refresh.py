"""Issue 33.3: a refresh (a new session on the same URL) gets the Learning path's ticks, the language and the typed
inputs back; another tab (no id, or another id) starts fresh; an id the lab did not make never reaches the disk."""
import pytest
from apptest_utils import ROOT
from streamlit.testing.v1 import AppTest

from hflab.i18n import t
from hflab.learn import progress
from hflab.learn.chapters import CHAPTERS

LEARN = "app_pages/learn.py"


def fresh_session(page: str, lab: str | None = None) -> AppTest:
    """A new browser session on `page` (a refresh when `lab` is the tab's id from its URL)."""
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
    if lab is not None:
        at.query_params["lab"] = lab
    at.switch_page(page)
    return at.run()


def tick(at: AppTest, chapter_id: str) -> AppTest:
    return next(c for c in at.checkbox if c.key == f"learn_done_{chapter_id}").check().run()


def test_ticks_language_and_inputs_survive_a_refresh(tiny_env):
    at = fresh_session(LEARN)
    lab = at.query_params["lab"]  # what the tab's URL now carries
    assert progress.valid_id(lab)
    for chapter in CHAPTERS[:3]:
        at = tick(at, chapter.id)
    at.toggle(key="lang_en").set_value(True).run()
    at.switch_page("app_pages/tokenizer.py").run()
    at.text_area(key="tok_texts").input("刷新以后还在吗").run()

    again = fresh_session(LEARN, lab)  # F5: a new session, the same URL
    assert not again.exception, [e.value for e in again.exception]
    assert [c.value for c in again.checkbox if c.key.startswith("learn_done_")] == [True] * 3 + [False] * (
        len(CHAPTERS) - 3)
    assert t("learn.progress", "en", done=3, total=len(CHAPTERS)) in again.get("progress")[0].proto.text
    again.switch_page("app_pages/tokenizer.py").run()
    assert again.text_area(key="tok_texts").value == "刷新以后还在吗"


def test_another_tab_starts_fresh(tiny_env):
    first = fresh_session(LEARN)
    tick(first, CHAPTERS[0].id)
    other = fresh_session(LEARN)  # no id in its URL: a tab of its own
    assert other.query_params["lab"] != first.query_params["lab"]
    assert not any(c.value for c in other.checkbox if c.key.startswith("learn_done_"))


@pytest.mark.parametrize("lab", ["../../etc/passwd", "x" * 23, "", "a/b", "%2e%2e%2fsecret00000000"])
def test_an_id_the_lab_did_not_make_is_replaced_and_never_read(tiny_env, lab):
    at = fresh_session(LEARN, lab)
    assert not at.exception
    assert at.query_params["lab"] != lab and progress.valid_id(at.query_params["lab"])
    assert progress.load(lab) == {} and progress.save(lab, {"lang_en": True}) is False


def test_a_state_over_the_cap_is_not_kept_and_the_page_works():
    lab = progress.new_id()
    assert progress.save(lab, {"tok_texts": "字" * 10})
    assert progress.save(lab, {"tok_texts": "字" * progress.MAX_BYTES}) is False
    assert progress.load(lab) == {"tok_texts": "字" * 10}  # the last state that fit is kept, whole
    assert progress.save(lab, {"nested": {"a": 1}, "n": 3}) and progress.load(lab) == {"n": 3}  # plain values only


def test_the_server_switch_and_its_inputs_survive_leaving_the_page_and_a_refresh(tiny_env, server, monkeypatch):
    """Seen in Chromium (issue 35): after F5, or after a visit to another page, the Sampling page was back on the
    local model although the learner had chosen the server."""
    monkeypatch.setenv("HFLAB_REMOTE_BASE_URL", f"{server}/ok/v1")
    monkeypatch.setenv("HFLAB_REMOTE_MODEL", "scripted")
    at = fresh_session("app_pages/sampling.py")
    lab = at.query_params["lab"]
    at.toggle(key="sampling_backend").set_value(True).run()
    at.toggle(key="sampling_remote_chat").set_value(False).run()
    at.text_area(key="sampling_remote_prompt").input("服务器上的提示词").run()
    at.text_input(key="sampling_remote_model").input("typed-model").run()
    at.switch_page("app_pages/home.py").run()
    at.switch_page("app_pages/sampling.py").run()  # left and came back
    assert at.toggle(key="sampling_backend").value and not at.toggle(key="sampling_remote_chat").value
    assert at.text_input(key="sampling_remote_model").value == "typed-model"
    assert at.text_area(key="sampling_remote_prompt").value == "服务器上的提示词"

    again = fresh_session("app_pages/sampling.py", lab)  # F5
    assert not again.exception, [e.value for e in again.exception]
    assert again.toggle(key="sampling_backend").value and not again.toggle(key="sampling_remote_chat").value
    assert again.text_area(key="sampling_remote_prompt").value == "服务器上的提示词"
    assert again.text_input(key="sampling_remote_model").value == "scripted"  # typed server details: not on disk
