"""The Sampling playground on llama-cpp-python's real server (the packaged SmolLM2 GGUF) in headless Chromium: step,
branch, undo and the stages, on a Chinese prompt whose next token is a byte piece; every character shown whole, no
"�" anywhere, no exception block; a screenshot kept in the test's tmp dir."""
from __future__ import annotations

from app_server import chromium, running_app, wait_for_app
from scripted_openai import wait_for

from hflab.i18n import t
from hflab.sampling.prompt import EXAMPLE_PROMPTS

PROMPT = "从前有一只小猫，它"
PROMPT_ZH = EXAMPLE_PROMPTS["zh"]  # the remote panel's Chinese example


def click_toggle(page, key: str) -> None:
    page.locator(f".st-key-{key} label").first.click()
    wait_for_app(page, 120_000)


def click(page, key: str) -> None:
    page.locator(f".st-key-{key} button").first.click()
    wait_for_app(page, 180_000)


def generated_text(page) -> str:
    """The text so far (prompt + steps), as the page shows it."""
    return page.locator('[data-testid="stText"]').last.inner_text()


def pick_options(page) -> list[str]:
    """The pick box's options (opens its list; leaves it open)."""
    page.locator(".st-key-sampling_remote_pick [role=combobox]").first.click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=30_000)
    return options.all_text_contents()


def test_step_branch_undo_and_stages_on_the_server(llama_server, tiny_models, tmp_path):  # noqa: F811
    unnamed = t("remote_step.unnamed", "zh")
    env = {f"HFLAB_{role.upper()}_DIR": str(path) for role, path in tiny_models.items()}
    env |= {"HFLAB_REMOTE_BASE_URL": llama_server.base_url, "HFLAB_REMOTE_MODEL": llama_server.model,
            "HFLAB_REMOTE_TIMEOUT_S": "60"}
    with running_app(env, log_path=tmp_path / "app.log") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 3200})
        page.goto(f"{url}/sampling")
        wait_for_app(page, 180_000)
        click_toggle(page, "sampling_backend")
        click_toggle(page, "sampling_remote_chat")  # raw text: stepping
        prompt = page.locator(".st-key-sampling_remote_prompt textarea")
        prompt.fill(PROMPT)
        prompt.press("Control+Enter")
        wait_for_app(page, 180_000)
        assert page.get_by_text(t("remote_step.profile.llama-cpp-python", "zh")[:20]).count() == 1
        # the next token is a byte piece: the server names such pieces "", and the page says so instead of "�"
        assert any(option.startswith(unnamed) for option in pick_options(page))
        page.keyboard.press("Escape")
        click(page, "sampling_remote_step")
        click(page, "sampling_remote_step")
        two_steps = generated_text(page)
        assert two_steps.startswith(PROMPT) and len(two_steps) > len(PROMPT)
        named = next(i for i, option in enumerate(pick_options(page)) if not option.startswith(unnamed))
        page.get_by_role("option").nth(named).click()
        wait_for_app(page, 60_000)
        click(page, "sampling_remote_pick_go")  # a branch: a candidate the server can take back as text
        branched = generated_text(page)
        assert len(branched) > len(two_steps) and branched.startswith(two_steps)
        click(page, "sampling_remote_undo")
        assert generated_text(page) == two_steps
        stage_rows = page.locator('[data-testid="stDataFrame"]').first
        assert stage_rows.count() == 1 and page.locator('[data-testid="stVegaLiteChart"]').count() >= 1
        chips = page.locator(".st-key-sampling_remote_chips button")
        assert chips.count() >= 1  # one per whole character: two steps may be the two byte pieces of one character
        chips.first.click()
        wait_for_app(page, 120_000)
        assert page.get_by_text(t("remote_step.back", "zh")).count() == 1
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "\ufffd" not in main and "\ufffd" not in branched
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(tmp_path / "sampling_remote.zh.png"), full_page=True)
        page.close()


def test_withheld_byte_pieces_on_a_llama_server(llama_shaped, tiny_models, tmp_path):  # noqa: F811
    """llama-server withholds the log-probabilities of a drawn byte piece (tests/llama_server_shape.py draws the byte
    0xE7 first): the chat mode's candidates and the stepping panel still show the position, every character whole."""
    config, server = llama_shaped
    server.force_draw = 178  # SmolLM2's token for the byte 0xE7: the first byte of a 3-byte character
    env = {f"HFLAB_{role.upper()}_DIR": str(path) for role, path in tiny_models.items()}
    env |= {"HFLAB_REMOTE_BASE_URL": config.base_url, "HFLAB_REMOTE_MODEL": config.model,
            "HFLAB_REMOTE_TIMEOUT_S": "60"}
    try:
        with running_app(env, log_path=tmp_path / "app.log") as url, chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 3200})
            page.goto(f"{url}/sampling")
            wait_for_app(page, 180_000)
            click_toggle(page, "sampling_backend")  # chat mode, the Chinese example prompt
            table = page.locator('[data-testid="stDataFrame"]').first
            table.wait_for(timeout=60_000)
            assert page.locator('[data-testid="stAlertContentError"]').count() == 0
            page.screenshot(path=str(tmp_path / "withheld_chat.zh.png"), full_page=True)
            click_toggle(page, "sampling_remote_chat")  # raw text: stepping, the first position's draw withheld
            assert page.get_by_text(t("remote_step.profile.llama.cpp", "zh")[:20]).count() == 1
            server.force_draw = None
            for _ in range(3):
                click(page, "sampling_remote_step")
            three_steps = generated_text(page)
            assert len(three_steps) > len(PROMPT_ZH) and "\ufffd" not in three_steps
            byte_piece = next(i for i, option in enumerate(pick_options(page)) if "<0x" in option)
            page.get_by_role("option").nth(byte_piece).click()
            wait_for_app(page, 60_000)
            click(page, "sampling_remote_pick_go")  # a branch to a byte piece: ids go back to llama-server
            assert wait_for(lambda: generated_text(page) != three_steps)
            click(page, "sampling_remote_undo")
            assert generated_text(page) == three_steps
            main = page.locator('[data-testid="stMain"]').inner_text()
            assert "\ufffd" not in main and page.locator('[data-testid="stException"]').count() == 0
            assert page.locator('[data-testid="stAlertContentError"]').count() == 0
            page.screenshot(path=str(tmp_path / "withheld_stepping.zh.png"), full_page=True)
            page.close()
    finally:
        server.force_draw = None
