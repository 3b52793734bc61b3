"""The Sampling page's stepping panel on llama-cpp-python's real server, in English (the browser test walks it in
Chinese): the server named, its probabilities and sampler order said, step / undo / reset moving the text so far, the
stage table's rows and columns in English, and the server's unnamed byte pieces labelled in English."""
from __future__ import annotations

import pytest
from apptest_utils import open_page

from hflab.i18n import t

PROMPT = "从前有一只小猫，它"  # its next token is a byte piece: the English label must say so


@pytest.fixture()
def stepping_page(llama_server, tiny_env, monkeypatch):
    monkeypatch.setenv("HFLAB_REMOTE_BASE_URL", llama_server.base_url)
    monkeypatch.setenv("HFLAB_REMOTE_MODEL", llama_server.model)
    monkeypatch.setenv("HFLAB_REMOTE_TIMEOUT_S", "60")
    at = open_page("app_pages/sampling.py", "en", timeout=180)
    at.toggle(key="sampling_backend").set_value(True).run()
    at.toggle(key="sampling_remote_chat").set_value(False).run()
    at.text_area(key="sampling_remote_prompt").set_value(PROMPT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text_so_far(at) -> str:
    return at.text[-1].value


def test_the_stepping_panel_speaks_english(stepping_page):
    at = stepping_page
    captions = [c.value for c in at.caption]
    for key in ("remote_step.intro", "remote_step.profile.llama-cpp-python", "remote_step.raw",
                "remote_step.no_penalty", "remote_step.nothing"):
        assert t(key, "en") in captions, key
    assert at.button(key="sampling_remote_step").label == t("remote_step.step", "en")
    options = at.selectbox(key="sampling_remote_pick").options  # as drawn: format_func applied
    assert any(option.startswith(t("remote_step.unnamed", "en")) for option in options), options
    stage_table = at.dataframe[0].value
    assert list(stage_table.columns) == [t(f"remote_step.col.{c}", "en") for c in ("stage", "exact", "outside")]
    # defaults: temperature 1 and top-p 1 change nothing, so only top-k (50) is a stage
    assert list(stage_table[t("remote_step.col.stage", "en")]) == [
        t(f"sampling.stage.{name}", "en") for name in ("raw", "top_k")]
    at.slider(key="sampling_remote_temperature").set_value(0.7).run()
    at.slider(key="sampling_remote_top_p").set_value(0.9).run()
    # llama-cpp-python's sampler order: top-k, top-p, then temperature last
    assert list(at.dataframe[0].value[t("remote_step.col.stage", "en")]) == [
        t(f"sampling.stage.{name}", "en") for name in ("raw", "top_k", "top_p", "temperature")]


def test_step_undo_and_reset_move_the_text_so_far(stepping_page):
    at = stepping_page
    at.button(key="sampling_remote_step").click().run()
    one = text_so_far(at)
    at.button(key="sampling_remote_step").click().run()
    two = text_so_far(at)
    assert one.startswith(PROMPT) and len(one) >= len(PROMPT) and two.startswith(one) and len(two) > len(PROMPT)
    assert len(at.session_state["sampling_remote_stepper"].steps) == 2
    at.button(key="sampling_remote_undo").click().run()
    assert text_so_far(at) == one and len(at.session_state["sampling_remote_stepper"].steps) == 1
    at.button(key="sampling_remote_reset").click().run()
    assert [c.value for c in at.caption].count(t("remote_step.nothing", "en")) == 1
    assert not at.exception, [e.value for e in at.exception]
