"""Typed paths that name no file (issue 38): a NUL byte, a lone surrogate, `~name`, over-long paths and names.
`confine` refuses each with the lab's PathNotAllowed and its exact catalog message (before, a NUL raised
`ValueError: embedded null byte` and `~nobody` a RuntimeError out of the Models and Sentiment pages); the pages
show that message in both languages and nothing else."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from apptest_utils import open_page

from components.escape import markdown_literal
from hflab.i18n import t
from hflab.paths import PathNotAllowed, confine

DATA = Path(os.environ["HFLAB_DATA_DIR"]).resolve()  # conftest: this run's data dir, an allowed root
LIMITS = {"max_path": 4096, "max_name": 255}


def refusal(typed: str) -> PathNotAllowed:
    with pytest.raises(PathNotAllowed) as refused:
        confine(typed)
    return refused.value


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("typed, shown", [
    (f"{DATA}/models\0/bert", f"{DATA}/models\\0/bert"),
    ("\0", "\\0"),
    (f"{DATA}/\ud800", f"{DATA}/\ud800"),
], ids=["nul-inside", "nul-alone", "lone-surrogate"])
def test_a_character_no_file_name_holds_is_refused(typed, shown, lang):
    refused = refusal(typed)
    assert (refused.key, dict(refused.params), refused.setting) == ("problem.path_bad_character", {"path": shown}, None)
    assert (
        t(refused.key, lang, **refused.params)
        == {
            "zh": f"{shown} 不是可用的路径：其中有文件名不能包含的字符（例如空字符 \\0）",
            "en": f"{shown} is not a usable path: it holds a character no file name can hold (such as the NUL "
            "character \\0)",
        }[lang]
    )


@pytest.mark.parametrize("typed", ["~root", "~nobody-here-7f3a/models", "~root/../../etc", "~~"])
def test_another_users_home_is_refused_alike_whether_the_user_exists_or_not(typed):
    refused = refusal(typed)
    assert (refused.key, dict(refused.params)) == ("problem.path_other_home", {"path": typed})
    assert t(refused.key, "en", **refused.params) == (
        f"{typed} is not a usable path: a path may start with ~ (the server's home directory) but not with ~name; "
        "type the full path")


def test_the_servers_own_home_still_expands(monkeypatch):
    monkeypatch.setenv("HOME", str(DATA))
    (DATA / "home-model").mkdir(parents=True, exist_ok=True)
    assert confine("~/home-model") == DATA / "home-model"
    assert confine("~") == DATA


@pytest.mark.parametrize("typed", [
    str(DATA / ("n" * 256)),  # one name over NAME_MAX
    str(DATA / "/".join(["d" * 200] * 21)),  # names within it, the whole over PATH_MAX
    "./" + "x/" * 2100,
], ids=["name-over-255", "path-over-4096", "relative-over-4096"])
def test_an_over_long_path_or_name_is_refused_and_shown_cut(typed):
    refused = refusal(typed)
    assert (refused.key, dict(refused.params)) == ("problem.path_too_long", {"path": typed[:200] + "…", **LIMITS})
    assert t(refused.key, "zh", **refused.params) == (
        f"{typed[:200]}… 太长：路径最多 4096 字节，其中每一级文件夹或文件名最多 255 字节")


def test_a_path_that_only_grows_too_long_once_resolved_is_refused(monkeypatch):
    """`./` is joined to the working directory before the length check that the system call would fail."""
    deep = DATA / ("c" * 200)
    deep.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(deep)
    typed = "./" + "/".join(["e" * 250] * 16)  # 4,017 bytes as typed, over 4,096 once the cwd is in front
    assert len(typed.encode()) <= LIMITS["max_path"]
    assert refusal(typed).key == "problem.path_too_long"


def test_names_at_the_limits_still_pass():
    inside = DATA / ("n" * 255)
    inside.mkdir(parents=True, exist_ok=True)
    assert confine(str(inside)) == inside


def message(key: str, lang: str, **params) -> str:
    """The catalog string as the page shows it: parameters made literal by the one escaper."""
    return t(key, lang, **{name: markdown_literal(value) if isinstance(value, str) else value
                           for name, value in params.items()})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_models_page_shows_the_message_for_a_nul_byte(lang, tiny_env):
    at = open_page("app_pages/models.py", lang)
    at.radio(key="models_mode").set_value("custom").run()
    at.text_input(key="models_custom").input(f"{DATA}/x\0y").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [message("problem.path_bad_character", lang, path=f"{DATA}/x\\0y")]
    assert not [c for c in at.code if "HFLAB_ALLOWED_ROOTS" in c.value]  # no setting makes such a path readable


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sentiment_page_shows_the_message_for_another_users_home(lang, tiny_env):
    at = open_page("app_pages/sentiment.py", lang)
    at.radio(key="sentiment_data_src").set_value("local").run()
    at.text_input(key="sentiment_local_dir").input("~nobody-here-7f3a/data").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [message("problem.path_other_home", lang, path="~nobody-here-7f3a/data")]


@pytest.mark.parametrize("typed", ["./no_such_model_dir", "./no/such/dir"])
def test_a_missing_relative_path_is_named_as_typed_not_as_the_servers_folder(typed):
    """A relative path resolves under the app's working directory: the message names what the learner typed, never
    the server's install folder (./no_such_model_dir showed "Directory does not exist: /srv/app/no_such_model_dir")
    """
    from hflab.loading.sources import resolve
    from hflab.loading.typed import resolve_user_input

    typed_model = resolve_user_input(typed)
    configured = resolve("dataset", local_dir=typed)
    for source in (typed_model, configured):
        assert (source.problem_key, source.params) == ("problem.dir_missing", {"path": typed})
