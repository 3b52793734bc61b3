"""The Sampling page on a server that answers as llama-server does (tests/llama_server_shape.py), where the server
draws the first byte piece of a Chinese character and withholds its log-probabilities: the chat mode's candidates and
the stepping panel both show the position's candidates, byte pieces labelled by their bytes, and no error."""
from __future__ import annotations

import pytest
from apptest_utils import open_page

from hflab.i18n import t
from hflab.sampling.prompt import EXAMPLE_PROMPTS

LEAD_BYTE = 178  # SmolLM2's token for the byte 0xE7, the first byte of 猫, 的, 知 ... (withheld when drawn)


@pytest.fixture()
def withheld_page(llama_shaped, tiny_env, monkeypatch):
    config, server = llama_shaped
    server.force_draw = LEAD_BYTE
    monkeypatch.setenv("HFLAB_REMOTE_BASE_URL", config.base_url)
    monkeypatch.setenv("HFLAB_REMOTE_MODEL", config.model)
    monkeypatch.setenv("HFLAB_REMOTE_TIMEOUT_S", "60")
    at = open_page("app_pages/sampling.py", "zh", timeout=180)
    at.toggle(key="sampling_backend").set_value(True).run()
    yield at, server
    server.force_draw = None


def test_chat_mode_shows_the_candidates_of_a_withheld_piece(withheld_page):
    at, _ = withheld_page
    assert at.text_area(key="sampling_remote_prompt").value == EXAMPLE_PROMPTS["zh"]
    assert not at.error and not at.exception, [e.value for e in at.error] + [e.value for e in at.exception]
    table = at.dataframe[0].value
    labels = list(table[t("remote.col_token", "zh")])
    assert len(labels) == 10 and "''" not in labels  # a byte piece shows its bytes, not the server's empty name
    assert any(label.startswith("'<0x") for label in labels), labels
    assert t("remote.withheld", "zh") in [c.value for c in at.caption]


def test_stepping_through_a_withheld_piece_to_a_whole_character(withheld_page):
    at, server = withheld_page
    at.toggle(key="sampling_remote_chat").set_value(False).run()  # the first position is asked: a withheld draw
    captions = [c.value for c in at.caption]
    assert t("remote_step.withheld", "zh") in captions and t("remote_step.profile.llama.cpp", "zh") in captions
    server.force_draw = None
    for _ in range(3):  # 0xE7 begins a 3-byte character: two continuation bytes make it whole
        at.button(key="sampling_remote_step").click().run()
        assert not at.error and not at.exception, [e.value for e in at.error] + [e.value for e in at.exception]
    assert at.session_state["sampling_remote_stepper"].steps[0].draw.ids == (LEAD_BYTE,)
    stepper = at.session_state["sampling_remote_stepper"]
    text = at.text[-1].value
    assert stepper.pieces()[0].complete and text == EXAMPLE_PROMPTS["zh"] + stepper.generated_bytes().decode()
    assert "\ufffd" not in text and not at.error and not at.exception


def test_after_a_step_the_pick_box_offers_the_new_positions_candidates(withheld_page):
    """Before, the run of a step drew the pick box from the position before the step: it offered the last position's
    candidates beside the new position's chart, and a pick from them landed on the new position."""
    at, server = withheld_page
    at.toggle(key="sampling_remote_chat").set_value(False).run()
    server.force_draw = None
    before = at.selectbox(key="sampling_remote_pick").options
    at.button(key="sampling_remote_step").click().run()
    after = at.selectbox(key="sampling_remote_pick").options
    assert after != before and at.run().selectbox(key="sampling_remote_pick").options == after
