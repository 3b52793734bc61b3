"""Two learners contend for one model in real browser sessions (issue 35.2): while learner A writes a long story with
the packaged SmolLM2, learner B opens the Sampling page, which runs the same model. B's page says that another learner
is using it, B's place in line and the wait so far, with the stop-waiting button; once A's story is done, B's page
goes on by itself. Neither page shows an exception. (That the wait so far only grows is tests/core/test_manager.py's.)
A's story is the longest the page offers from a fixed image, seed and tiny caption models, so it is the same story in
every run and holds the model for tens of seconds after its first piece, while B only opens a page."""
from __future__ import annotations

import os
import re

from app_server import chromium, running_app, wait_for_app
from local_servers import refused_port

from hflab.i18n import t


def _waiting_prefix() -> str:
    """The waiting note's text up to the model's name."""
    return t("common.waiting", "zh", model="MODEL", place="P", seconds="S").split("MODEL")[0]


def test_a_learner_waiting_for_a_model_another_runs_sees_the_line(tiny_models, smollm2_dir, tmp_path):
    closed_port = refused_port()
    env = {f"HFLAB_{role.upper()}_DIR": str(path) for role, path in tiny_models.items()}
    env["HFLAB_CAUSAL_LM_DIR"] = str(smollm2_dir)  # the real 135M model: a long story holds it for many seconds
    roots = [os.environ["HFLAB_DATA_DIR"], str(tiny_models["caption"].parent), str(smollm2_dir.parent)]
    env["HFLAB_ALLOWED_ROOTS"] = os.pathsep.join(roots)  # this test's data dir, the tiny models, the real SmolLM2
    # gTTS cannot reach Google here: a proxy on a closed port refuses at once (espeak-ng speaks instead)
    env.update({name: f"http://127.0.0.1:{closed_port}" for name in ("HTTPS_PROXY", "HTTP_PROXY")}, NO_PROXY="")
    with running_app(env, log_path=tmp_path / "server.log") as url, chromium() as browser:
        a = browser.new_context(viewport={"width": 1400, "height": 2400}).new_page()
        b = browser.new_context(viewport={"width": 1400, "height": 2400}).new_page()
        for page in (a, b):
            page.goto(url)
            wait_for_app(page)
        a.goto(f"{url}/image_story")
        wait_for_app(a, 120_000)
        a.locator(".st-key-story_image_source button", has_text=t("image_story.image.example", "zh")).click()
        wait_for_app(a, 120_000)
        length = a.locator('.st-key-story_length input[type="range"]')  # the slider's thumb (react-aria)
        length.focus()
        length.press("End")  # the longest story: the model stays busy while B arrives
        wait_for_app(a, 120_000)
        assert length.input_value() == "1000"
        a.get_by_role("button", name=t("image_story.run_all", "zh")).click()
        writing = re.compile(re.escape(t("image_story.story.progress_start", "zh")) + "|" +
                             re.escape(t("image_story.story.progress", "zh", tps="TPS", eta="E").split("TPS")[0]))
        a.locator('[data-testid="stMain"]').get_by_text(writing).first.wait_for(timeout=300_000)

        b.goto(f"{url}/sampling")
        note = b.locator('[data-testid="stMain"]').get_by_text(_waiting_prefix()).first
        note.wait_for(timeout=120_000)
        first = note.inner_text()
        assert re.search(r"你排在第 1 位，已等 \d+ 秒", first), first
        # the page draws the note, then its button: wait for the button rather than count it at once
        b.get_by_role("button", name=t("common.stop_waiting", "zh")).wait_for(timeout=30_000)
        assert b.get_by_role("button", name=t("common.stop_waiting", "zh")).count() == 1

        note.wait_for(state="detached", timeout=900_000)  # A's story done: B's turn came by itself
        wait_for_app(b, 300_000)
        wait_for_app(a, 300_000)
        assert a.get_by_role("textbox", name=t("image_story.story.text", "zh")).input_value().strip()
        assert b.locator('[data-testid="stMain"]').get_by_text(_waiting_prefix()).count() == 0
        for page in (a, b):
            assert page.locator('[data-testid="stException"]').count() == 0
