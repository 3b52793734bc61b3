"""Issue 13.5: Home shows, per role, ready / downloads on first use / missing, and the one command that readies it."""
from __future__ import annotations

import pytest
from apptest_utils import open_page

from hflab import i18n
from hflab.loading.roles import ROLES
from hflab.loading.sources import Source, fix_command, resolve


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_lists_each_roles_status_and_fix_command(lang):
    at = open_page("app_pages/home.py", lang)
    assert not at.exception
    roles = at.table[0].value  # a table that wraps to the page's width (issue 33.11)
    statuses = list(roles[i18n.t("home.col.ready", lang)])
    commands = [c.value for c in at.code]
    for row, name in enumerate(ROLES):
        source = resolve(name)
        expected = "home.status.ready" if source.ready else "home.status.missing"
        assert statuses[row] == i18n.t(expected, lang)
        assert (fix_command(source) in commands) == bool(fix_command(source))
    # offline, no BLIP weights: missing, with the download command
    assert "HF_ENDPOINT=https://hf-mirror.com hf download Salesforce/blip-image-captioning-base" in commands


def test_fix_command_for_hub_mirror_and_local_sources():
    hub = Source("caption", "hub", "Salesforce/blip-image-captioning-base", "x", "source.hub")
    mirror = Source("dataset", "mirror", "lansinuote/ChnSentiCorp", "x", "source.mirror",
                    params={"endpoint": "https://hf-mirror.com"})
    local = Source("caption", "local", "x", "/models/blip", "source.local")
    assert fix_command(hub) == "hf download Salesforce/blip-image-captioning-base"
    assert (
        fix_command(mirror)
        == "HF_ENDPOINT=https://hf-mirror.com hf download --repo-type dataset lansinuote/ChnSentiCorp"
    )
    assert fix_command(local) == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_starts_with_where_to_start(lang):
    """Issue 33.12: 从这里开始 first, pointing to the Learning path's first chapter."""
    from hflab.learn.chapters import CHAPTERS

    at = open_page("app_pages/home.py", lang)
    assert not at.exception
    assert [s.value for s in at.subheader][0] == i18n.t("home.start.title", lang)
    chapter = i18n.t(CHAPTERS[0].title_key, lang)
    steps = i18n.t("home.start.steps", lang, chapter=chapter, open=i18n.t("learn.open", lang),
                   done=i18n.t("learn.done", lang))
    assert steps in [m.value for m in at.markdown]
    (link,) = at.get("page_link")
    assert link.proto.label == i18n.t("home.start.link", lang, chapter=chapter)
    assert link.proto.page.endswith("learn")  # the Learning path's url path


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("shell", ["powershell", "cmd"])
def test_home_writes_its_commands_for_the_learners_shell(shell, lang):
    """Issue 33.12: the tutorial was written on Windows: every command Home shows comes in PowerShell or cmd."""
    from hflab.snippet.shells import in_shell

    at = open_page("app_pages/home.py", lang)
    bash = [c.value for c in at.code]
    assert "HF_ENDPOINT=https://hf-mirror.com hf download Salesforce/blip-image-captioning-base" in bash
    picker = at.radio(key=f"home_shell@{lang}")
    assert picker.label == i18n.t("home.shell", lang) and picker.value == "bash"
    picker.set_value(shell).run()
    assert not at.exception
    assert [c.value for c in at.code] == [in_shell(command, shell) for command in bash]
    assert 'set "HF_ENDPOINT=https://hf-mirror.com" && hf download Salesforce/blip-image-captioning-base' in [
        c.value for c in at.code] or shell != "cmd"
    at.session_state["lang_en"] = lang == "zh"  # the choice survives a language switch
    at.run()
    assert at.radio(key=f"home_shell@{'en' if lang == 'zh' else 'zh'}").value == shell
