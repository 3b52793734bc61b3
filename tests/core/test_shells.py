"""Issue 33.12: the lab's bash commands as Windows learners type them, and a README a Chinese reader can start from
(its 中文说明 near the top, the two commands with their Windows form, "two commands" meaning two)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from hflab.loading.roles import ROLES
from hflab.loading.sources import _missing
from hflab.snippet.shells import SHELLS, in_shell

README = Path(__file__).resolve().parents[2] / "README.md"


def test_a_variable_for_one_command_in_each_shell():
    command = "HF_ENDPOINT=https://hf-mirror.com hf download Salesforce/blip-image-captioning-base"
    assert in_shell(command, "bash") == command
    assert in_shell(command, "powershell") == (
        '$env:HF_ENDPOINT="https://hf-mirror.com"; hf download Salesforce/blip-image-captioning-base')
    # quoted: `set VAR=value && ...` would keep the space before && in the value
    assert in_shell(command, "cmd") == (
        'set "HF_ENDPOINT=https://hf-mirror.com" && hf download Salesforce/blip-image-captioning-base')


def test_the_alternative_in_a_comment_is_translated_too():
    command = _missing(ROLES["causal_lm"], "Qwen/Qwen2-0.5B-Instruct").fix
    assert command == ("pip install --no-deps -r requirements-offline.txt   "
                       "# HF_ENDPOINT=https://hf-mirror.com hf download Qwen/Qwen2-0.5B-Instruct")
    assert in_shell(command, "powershell") == ("pip install --no-deps -r requirements-offline.txt   "
                                               '# $env:HF_ENDPOINT="https://hf-mirror.com"; hf download '
                                               "Qwen/Qwen2-0.5B-Instruct")
    assert in_shell(command, "cmd").splitlines() == [  # cmd has no comment after a command: a REM line
        "pip install --no-deps -r requirements-offline.txt",
        'REM set "HF_ENDPOINT=https://hf-mirror.com" && hf download Qwen/Qwen2-0.5B-Instruct']


@pytest.mark.parametrize("shell", SHELLS)
def test_plain_commands_stay_as_they_are(shell):
    assert in_shell("hf download --repo-type dataset lansinuote/ChnSentiCorp", shell) == (
        "hf download --repo-type dataset lansinuote/ChnSentiCorp")
    assert in_shell("python dev.py app", shell) == "python dev.py app"


def test_export_and_several_variables():
    assert in_shell("export HF_ENDPOINT=https://hf-mirror.com", "cmd") == 'set "HF_ENDPOINT=https://hf-mirror.com"'
    assert in_shell("HF_HUB_OFFLINE=1 A=b python dev.py app", "powershell") == (
        '$env:HF_HUB_OFFLINE="1"; $env:A="b"; python dev.py app')
    with pytest.raises(ValueError):
        in_shell("ls", "fish")


def sections(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, flags=re.MULTILINE)


def test_the_readme_starts_with_a_chinese_section_with_both_commands_and_their_windows_form():
    text = README.read_text(encoding="utf-8")
    assert sections(text)[0] == "中文说明"
    chinese = text.split("## 中文说明", 1)[1].split("\n## ", 1)[0]
    for command in ("python dev.py app", "python dev.py test"):
        assert command in chinese
    assert "PowerShell" in chinese and "cmd" in chinese and "离线" in chinese
    offline = "HF_HUB_OFFLINE=1 python dev.py app"
    for shell in SHELLS:  # the offline start, as each shell writes it
        assert f"`{in_shell(offline, shell)}`" in chinese, shell
        assert f"`{in_shell('export HF_ENDPOINT=https://hf-mirror.com', shell)}`" in chinese, shell


def test_the_readmes_two_commands_are_two():
    text = README.read_text(encoding="utf-8")
    block = text.split("## Two commands", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == [
        "python dev.py app", "python dev.py test"]
