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
    starts = [c.first_line for c in CHAPTERS]
    ranges = [r for c in CHAPTERS for r in c.lines]
    assert all(start <= end for start, end in ranges)
    assert all(a[1] < b[0] for c in CHAPTERS for a, b in zip(c.lines, c.lines[1:]))  # a chapter's ranges in order
    covered = sorted(line for start, end in ranges for line in range(start, end + 1))
    assert len(covered) == len(set(covered))  # no tutorial line is cited by two chapters
    assert starts[ids.index("pipeline")] < starts[ids.index("datasets")] < starts[ids.index("tokenizer")]
    assert starts[ids.index("story")] < starts[ids.index("auto_model")] < starts[ids.index("subword")]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.id)
def test_every_chapter_has_text_code_and_an_existing_page(chapter):
    for key in (chapter.title_key, chapter.summary_key, chapter.note_key):
        assert catalog()[key]["zh"] and catalog()[key]["en"]
    assert chapter.original.strip() and chapter.modern.strip()
    assert (ROOT / "app_pages" / f"{chapter.target.page}.py").is_file()
    assert all(isinstance(value, (str, int, float, bool)) for value in chapter.target.show_for("zh").values())


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
                  if not re.search(r"[\u4e00-\u9fff]", entry["zh"])
                  and re.search(r"[A-Za-z]", re.sub(r"\{\w+\}", "", entry["zh"]))}  # (punctuation and {fields}: no words)
    assert all(IDENTIFIER_ONLY.match(text) for text in latin_only.values()), latin_only
    assert all("_" in text or "." in text or "(" in text for text in latin_only.values()), latin_only


TUTORIAL = ROOT.parent / "shared" / "seed" / "hf-learning-notes.zh.txt"
# tutorial lines (1-based) the chapters must cite, with what is written there
CITED = {
    "generation": {19: "temperature、top_k、top_p"},
    "datasets": {97: "load_dataset", 142: "Dataset.from_dict", 270: "dataset.map(", 278: "batched=True"},
    "torch_dataset": {163: "class Mydataset(Dataset)", 290: "class Mydataset(Dataset)", 315: "squeeze(0)",
                      334: "batch_size=32", 339: "torch.Size([32, 128])"},
    "tokenizer": {206: "batch_encode_plus"},
    "inference_api": {385: "API_URL", 979: "The future of AI is"},
}


def cites(chapter, line: int) -> bool:
    return any(start <= line <= end for start, end in chapter.lines)


@pytest.mark.parametrize("chapter_id", CITED)
def test_chapters_cite_the_tutorials_sections(chapter_id):
    """Issue 13: the datasets chapter cites dataset.map(..., batched=True); the PyTorch one the Mydataset that
    tokenizes in __getitem__ with squeeze(0) and the DataLoader(batch_size=32) giving [32, 128]."""
    chapter = chapters.chapter(chapter_id)
    assert all(cites(chapter, line) for line in CITED[chapter_id]), chapter.lines
    if TUTORIAL.is_file():  # the tutorial itself, where this checkout sits beside ../shared
        lines = TUTORIAL.read_text(encoding="utf-8").splitlines()
        assert all(text in lines[line - 1] for line, text in CITED[chapter_id].items())


def test_chapter_snippets_show_what_their_lines_cite():
    assert "batched=True" in chapters.chapter("datasets").original
    torch_original = chapters.chapter("torch_dataset").original
    assert "squeeze(0)" in torch_original and "batch_size=32" in torch_original


def test_generation_prompt_is_in_the_learners_language():
    target = chapters.chapter("generation").target
    assert target.show_for("zh")["prompt"] == chapters.PIPELINE_SENTENCE  # the tutorial's own sentence
    assert target.show_for("en")["prompt"] == "The future of AI is"  # its pipeline("text-generation")
    assert re.search(r"[\u4e00-\u9fff]", target.show_for("zh")["prompt"])


def test_story_link_opens_the_tutorial_mode_with_its_defaults():
    from hflab.story import tutorial

    values = chapters.chapter("story").target.show_for("zh")
    assert values["mode"] == "tutorial"
    assert (values["tutorial_creativity"], values["tutorial_length"], values["style"]) == (
        tutorial.DEFAULT_CREATIVITY, tutorial.DEFAULT_CHARS, tutorial.DEFAULT_STYLE) == (5, 300, "温馨")
    assert "creativity" not in values  # the lab mode's slider is not the tutorial's
