"""The chapters: the tutorial's order, both snippets, catalog keys in both languages, plain-data targets."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from hflab.i18n import catalog
from hflab.learn import chapters
from hflab.learn.chapters import CHAPTERS, progress

ROOT = Path(__file__).resolve().parents[2]


def test_chapters_follow_the_tutorials_order():
    ids = [c.id for c in CHAPTERS]
    assert ids == ["ecosystem", "generation", "pipeline", "datasets", "torch_dataset", "tokenizer", "vocab",
                   "inference_api", "licences", "story", "auto_model", "subword"]
    starts = [c.lines[0] for c in CHAPTERS]
    assert all(start <= end for start, end in (c.lines for c in CHAPTERS))
    assert starts[ids.index("pipeline")] < starts[ids.index("datasets")] < starts[ids.index("tokenizer")]
    assert starts[ids.index("story")] < starts[ids.index("auto_model")] < starts[ids.index("subword")]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.id)
def test_every_chapter_has_text_code_and_an_existing_page(chapter):
    for key in (chapter.title_key, chapter.summary_key, chapter.note_key):
        assert catalog()[key]["zh"] and catalog()[key]["en"]
    assert chapter.original.strip() and chapter.modern.strip()
    assert (ROOT / chapter.target.page).is_file()
    assert all(isinstance(value, (str, int, float, bool)) for value in chapter.target.values.values())


def test_snippets_hold_no_token_and_no_local_paths():
    for chapter in CHAPTERS:
        for code in (chapter.original, chapter.modern):
            assert "hf_" not in code.replace("hf_token", "").replace("HF_TOKEN", "")
            assert ":\\" not in code and "D:" not in code
            assert "trust_remote_code=True" not in chapter.modern


def test_changed_apis_are_said_in_the_modern_code():
    assert "batch_encode_plus" in chapters.chapter("tokenizer").original
    assert "batch_encode_plus" not in chapters.chapter("tokenizer").modern.split("#")[0]
    story = chapters.chapter("story").modern
    assert "BlipProcessor" in story and "torch_dtype" not in story and "dtype=" in story


def test_progress_counts_done_and_lists_the_rest_in_order():
    assert progress(set()) == (0, list(CHAPTERS))
    count, left = progress({"pipeline", "story"})
    assert count == 2
    assert [c.id for c in left] == [c.id for c in CHAPTERS if c.id not in ("pipeline", "story")]


IDENTIFIER_ONLY = re.compile(r'^[A-Za-z0-9_."()=+:：,\- ]+$')


def test_chinese_strings_are_chinese_or_identifiers():
    latin_only = {key: entry["zh"] for key, entry in catalog().items()
                  if key.startswith("learn.") or key == "nav.learn"
                  if not re.search(r"[\u4e00-\u9fff]", entry["zh"])}
    assert all(IDENTIFIER_ONLY.match(text) for text in latin_only.values()), latin_only
    assert all("_" in text or "." in text or "(" in text for text in latin_only.values()), latin_only
