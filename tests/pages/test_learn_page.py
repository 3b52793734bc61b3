"""The learning path in AppTest: opens in both languages, every chapter's link lands on its page with the
tutorial's example in session state, ticks survive a visit elsewhere, hands-on steps show their results."""
from __future__ import annotations

from pathlib import Path

import pytest
from apptest_utils import error_texts, open_page

from hflab.i18n import t
from hflab.learn.chapters import CHAPTERS, TAB_REQUEST_KEY

PAGE = "app_pages/learn.py"


def current_page(at) -> str:
    """The script the last run finished on, relative to the app root (AppTest keeps it privately)."""
    info = at._registered_pages[at._finished_page_script_hash]
    return Path(info["script_path"]).resolve().relative_to(Path(PAGE).resolve().parents[1]).as_posix()


def button(at, key: str):
    return next(b for b in at.button if b.key == key)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_opens_with_every_chapter(lang, tiny_env):
    at = open_page(PAGE, lang)
    assert not at.exception, [e.value for e in at.exception]
    assert not error_texts(at)
    assert [title.value for title in at.title][:1] == [t("nav.learn", lang)]
    assert [s.value for s in at.subheader] == [f"{n}. {t(c.title_key, lang)}" for n, c in enumerate(CHAPTERS, 1)]
    assert [c.key for c in at.checkbox if c.key.startswith("learn_done_")] == [f"learn_done_{c.id}" for c in CHAPTERS]
    assert t("learn.progress", lang, done=0, total=len(CHAPTERS)) in at.get("progress")[0].proto.text


# pages that still overwrite a target value on arrival; strict: once the page honours it, drop the mark
NOT_YET_HONOURED = {
    "generation": "the Sampling page's init_defaults() resets the knobs to the model's defaults on first visit",
}
CHAPTER_PARAMS = [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(reason=NOT_YET_HONOURED[c.id], strict=True)]
                               if c.id in NOT_YET_HONOURED else []) for c in CHAPTERS]


@pytest.mark.parametrize("chapter", CHAPTER_PARAMS)
def test_chapter_link_opens_its_page_with_the_example(chapter, tiny_env):
    at = open_page(PAGE)
    button(at, f"learn_open_{chapter.id}").click().run()
    assert current_page(at) == chapter.target.page
    for key, value in chapter.target.values.items():  # a translated choice (state.keep_choice) keeps it under kept::
        assert at.session_state[key if key in at.session_state else f"kept::{key}"] == value, key
    assert at.session_state[TAB_REQUEST_KEY] == {"page": chapter.target.page, "tab": chapter.target.tab}


def test_ticks_are_kept_after_visiting_another_page(tiny_env):
    at = open_page(PAGE)
    at.checkbox(key="learn_done_pipeline").check().run()
    at.checkbox(key="learn_done_story").check().run()
    assert t("learn.progress", "zh", done=2, total=len(CHAPTERS)) in at.get("progress")[0].proto.text
    at.switch_page("app_pages/tokenizer.py").run()
    at.switch_page(PAGE).run()
    assert at.checkbox(key="learn_done_pipeline").value and at.checkbox(key="learn_done_story").value
    assert not at.checkbox(key="learn_done_datasets").value
    text = at.get("progress")[0].proto.text
    assert t("learn.progress", "zh", done=2, total=len(CHAPTERS)) in text
    assert t("learn.ch.datasets.title", "zh") in text and t("learn.ch.pipeline.title", "zh") not in text


def test_classification_step_shows_the_pipeline_and_the_forward(tiny_env):
    at = open_page(PAGE, "en")
    button(at, "learn_classify_run").click().run()
    assert not error_texts(at)
    frames = [f.value for f in at.dataframe]
    table = next(f for f in frames if t("learn.pipe.col.label", "en") in f.columns)
    assert list(table[t("learn.pipe.col.text", "en")]) == ["你好,我是一款语言模型"]
    score = table[t("learn.pipe.col.score", "en")].iloc[0]
    assert f"{score:.6f}" in table[t("learn.pipe.col.direct", "en")].iloc[0]
    assert t("learn.pipe.none_missing", "en") in [s.value for s in at.success]


def test_fill_mask_without_an_mlm_head_says_so(tiny_env):
    at = open_page(PAGE)
    button(at, "learn_fill_run").click().run()
    assert not error_texts(at)
    assert any("BertForSequenceClassification" in i.value for i in at.info)


def test_offline_without_models_shows_information_not_errors(monkeypatch):
    monkeypatch.delenv("HFLAB_SENTIMENT_DIR", raising=False)
    at = open_page(PAGE)
    assert not error_texts(at)
    assert any(t("learn.fill.none_offline", "zh", model="bert\\-base\\-chinese") == i.value for i in at.info)


def test_data_steps_show_map_timings_and_batches(tiny_env):
    at = open_page(PAGE)
    at.number_input(key="learn_map_copies").set_value(5).run()
    button(at, "learn_map_run").click().run()
    button(at, "learn_batch_run").click().run()
    assert not error_texts(at)
    frames = [f.value for f in at.dataframe]
    timing = next(f for f in frames if t("learn.data.col.seconds", "zh") in f.columns)
    assert list(timing[t("learn.data.col.rows", "zh")]) == [15, 15]
    pads = next(f for f in frames if t("learn.batch.col.pad", "zh") in f.columns)
    assert pads[t("learn.batch.col.shape", "zh")].iloc[0].endswith(", 128]")


def test_chinese_labels_are_chinese_or_identifiers(tiny_env):
    import re

    at = open_page(PAGE)
    for step in ("learn_classify_run", "learn_map_run", "learn_batch_run"):
        button(at, step).click().run()
    labels = [b.label for b in at.button] + [c.label for c in at.checkbox] + [s.label for s in at.selectbox]
    labels += [str(column) for frame in at.dataframe for column in frame.value.columns]
    labels += [e.label for e in at.get("expander")]
    chinese = re.compile(r"[\u4e00-\u9fff]")
    identifier = re.compile(r'^[A-Za-z0-9_."()=+:：,\- ]+$')
    # identifiers: API / argument names (a "_", "." or call), and the data set's own columns
    english = [label for label in labels if not chinese.search(label)
               and not any(mark in label for mark in "_.(") and label not in ("text", "label")]
    assert english == [] and all(chinese.search(label) or identifier.match(label) for label in labels)
