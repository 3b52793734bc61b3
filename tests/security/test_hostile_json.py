"""Model JSON files and JSON uploads past the lab's limits (issue 38): a config.json that nests 100,000 arrays raised
RecursionError out of the Models page; nested JSON / JSONL uploads raised it out of the Sentiment page. Every JSON
file the lab parses itself (config.json, its trained-model metadata, a pasted config, an upload) is read within
MAX_JSON_MB and MAX_JSON_DEPTH and refused with one exact message in both languages."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from apptest_utils import open_page

from components.escape import markdown_literal
from hflab.i18n import t
from hflab.loading import files, typed
from hflab.models import licences, memory
from hflab.sentiment import checkpoints
from hflab.sentiment.data import DataError, read_table

DATA = Path(os.environ["HFLAB_DATA_DIR"]).resolve()  # conftest: this run's data dir, an allowed root
BOMB = "[" * 100_000 + "]" * 100_000  # the config.json: past the interpreter's recursion limit
JUST_DEEP = "[" * 65 + "]" * 65  # parses in Python, one level past the lab's limit
DEEP_MESSAGE = {
    "zh": "{file} 没有被读取：JSON 最多只能嵌套 64 层，这个文件嵌套得更深",
    "en": "{file} was not read: JSON may nest at most 64 levels deep, and this one nests deeper",
}
BIG_MESSAGE = {
    "zh": "{file} 没有被读取：模型的 JSON 文件最多 16 MB，这个文件更大",
    "en": "{file} was not read: a model's JSON file may be at most 16 MB, and this one is larger",
}


def nested(depth: int) -> str:
    """A config-shaped JSON object whose `nested` field holds lists `depth` - 1 deep (the object is one level)."""
    return '{"model_type": "bert", "nested": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def model_dir(tiny_dir: Path, name: str, config_text: str) -> Path:
    """A copy of a tiny model (inside the allowed roots) whose config.json is `config_text`."""
    target = DATA / "hostile-json" / name
    shutil.copytree(tiny_dir, target, dirs_exist_ok=True)
    (target / "config.json").write_text(config_text, encoding="utf-8")
    return target


@pytest.mark.parametrize("text", [BOMB, JUST_DEEP, nested(65)], ids=["100k-deep", "65-deep", "config-65-deep"])
def test_a_config_nested_too_deep_is_refused_with_the_message(text, tmp_path):
    (tmp_path / "config.json").write_text(text)
    with pytest.raises(files.JsonRefused) as refused:
        files.read_json(tmp_path / "config.json")
    assert (refused.value.key, dict(refused.value.params)) == ("problem.json_too_deep", {"file": "config.json",
                                                                                          "depth": 64})
    for lang in ("zh", "en"):
        assert t(refused.value.key, lang, **refused.value.params) == DEEP_MESSAGE[lang].format(file="config.json")
    assert files.config_dict(tmp_path) == {}  # the overview and architecture views: no crash, no config rows


def test_the_depth_limit_is_exact():
    assert files.parse_json(nested(64), "config.json")["model_type"] == "bert"
    value = files.parse_json("[" * 64 + "]" * 64, "x")
    for _ in range(63):
        value = value[0]
    assert value == []  # 64 lists, one inside the other: at the limit, read as they are
    with pytest.raises(files.JsonRefused):
        files.parse_json("[" * 65 + "]" * 65, "x")
    assert files.parse_json('{"a": 1}', "x") == {"a": 1} and files.parse_json("3", "x") == 3


def test_a_config_over_the_size_limit_is_not_read(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "bert"}' + " " * (16 * 2**20))
    with pytest.raises(files.JsonRefused) as refused:
        files.read_json(tmp_path / "config.json")
    assert (refused.value.key, dict(refused.value.params)) == (
        "problem.json_too_big",
        {"file": "config.json", "mb": 16},
    )
    for lang in ("zh", "en"):
        assert t(refused.value.key, lang, **refused.value.params) == BIG_MESSAGE[lang].format(file="config.json")
    assert files.config_dict(tmp_path) == {}


def test_malformed_or_missing_json_passes_the_check_for_its_reader_to_explain(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    files.check_json(tmp_path / "config.json")
    files.check_json(tmp_path / "absent.json")
    with pytest.raises(ValueError):
        files.read_json(tmp_path / "config.json")


def test_the_labs_metadata_and_licence_readers_survive_a_bomb(tmp_path, monkeypatch):
    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path / "data"))
    trained = checkpoints.trained_root() / "finetune-bomb"
    trained.mkdir(parents=True)
    (trained / "config.json").write_text(BOMB)
    (trained / files.META_FILE).write_text(BOMB)
    assert files.read_meta(trained) is None
    assert checkpoints.list_trained() == []  # the Sentiment page's model picker
    assert licences.read_local(trained) == licences.Licence("", "none", "unknown")


def test_a_pasted_config_nested_too_deep_gets_the_message():
    with pytest.raises(files.JsonRefused) as refused:
        memory.config_from_text(BOMB[:40_000] + BOMB[-40_000:])
    assert (refused.value.key, dict(refused.value.params)) == ("problem.json_too_deep", {"file": "config.json",
                                                                                          "depth": 64})


def test_the_memory_view_refuses_a_dir_whose_config_nests_too_deep(tiny_models):
    target = model_dir(tiny_models["sentiment"], "memory-view", BOMB)
    with pytest.raises(files.JsonRefused) as refused:
        memory.config_from_dir(str(target))
    assert refused.value.key == "problem.json_too_deep"


def test_a_typed_dir_with_a_bomb_is_a_missing_source_with_the_message(tiny_models):
    target = model_dir(tiny_models["sentiment"], "typed-source", BOMB)
    source = typed.resolve_user_input(str(target))
    assert (source.kind, source.problem_key, source.params, source.fix) == (
        "missing", "problem.json_too_deep", {"file": "config.json", "depth": 64}, None)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_models_page_says_why_instead_of_crashing(lang, tiny_env):
    target = model_dir(tiny_env["sentiment"], f"models-page-{lang}", BOMB)
    at = open_page("app_pages/models.py", lang)
    at.radio(key="models_mode").set_value("custom").run()
    at.text_input(key="models_custom").input(str(target)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [DEEP_MESSAGE[lang].format(file=markdown_literal("config.json"))]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_pasted_bomb_on_the_memory_tab_gets_the_message(lang, tiny_env):
    at = open_page("app_pages/models.py", lang)
    at.radio(key=f"models_mem_from@{lang}").set_value("pasted").run()
    at.text_area(key="models_mem_config").input("[" * 40_000 + "]" * 40_000).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.value for e in at.error if e.value != t("models.lic.unknown", lang)]
    assert shown == [DEEP_MESSAGE[lang].format(file=markdown_literal("config.json"))]


@pytest.mark.parametrize("name, raw", [
    ("reviews.json", BOMB.encode()),
    ("reviews.jsonl", b'{"text": "ok", "label": 1}\n' + ('{"text": ' * 50_000 + "1" + "}" * 50_000).encode()),
    ("reviews.json", ('[{"text": ' + "[" * 70 + "]" * 70 + ', "label": 1}]').encode()),
], ids=["json-100k-deep", "jsonl-line-50k-deep", "json-cell-70-deep"])
def test_a_nested_json_upload_is_refused_with_the_message(name, raw):
    with pytest.raises(DataError) as refused:
        read_table(name, raw)
    assert (refused.value.key, dict(refused.value.params)) == ("problem.json_too_deep", {"file": name, "depth": 64})


def test_nested_cells_within_the_limit_still_load():
    table = read_table("reviews.json", b'[{"text": {"a": [1, {"b": 2}]}, "label": 1}, {"text": "x", "label": 0}]')
    assert list(table.columns) == ["text", "label"] and len(table) == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sentiment_page_says_why_for_a_nested_upload(lang, tiny_env):
    at = open_page("app_pages/sentiment.py", lang)
    at.radio(key="sentiment_data_src").set_value("upload").run()
    at.file_uploader(key="sentiment_upload_file").set_value(("reviews.json", BOMB.encode(), "application/json")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [DEEP_MESSAGE[lang].format(file=markdown_literal("reviews.json"))]
