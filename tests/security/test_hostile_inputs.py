"""Hostile inputs through every page (AppTest, the tiny models): bad images, texts, data files,
settings and model paths. Each case asserts: no exception or traceback, every message shown is a
catalog string in the session's language, "reject" cases do show a message, "accept" cases show no
error, no run hangs (AppTest's timeout), and nothing is written outside the app's data dir."""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from app_server import ROOT
from hostile.files import DATA_FILES, IMAGES, TEXTS
from streamlit.testing.v1 import AppTest

from hflab.i18n import catalog

SKIP_DIRS = {".venv", ".git", "artifacts", "__pycache__", ".pytest_cache", ".hflab_data"}


@dataclass(frozen=True)
class Case:
    id: str
    page: str
    act: Callable[[AppTest], None]  # widget actions after the page opened (each ends with .run())
    expect: str  # "reject" | "accept" | "any"


def _templates(lang: str) -> list[re.Pattern]:
    out = []
    for entry in catalog().values():
        text = entry.get(lang, "")
        if len(re.sub(r"\{[^}]*\}", "", text).strip()) < 4:
            continue  # a template that is (almost) only placeholders proves nothing
        parts = re.split(r"\{[^}]*\}", text.replace("\\", ""))
        out.append(re.compile(".*?".join(re.escape(p) for p in parts), re.S))
    return out


TEMPLATES = {lang: _templates(lang) for lang in ("zh", "en")}


def from_catalog(message: str, lang: str) -> bool:
    """Is `message` one of the catalog's strings in `lang` (placeholders filled)?"""
    plain = message.replace("\\", "")
    return any(p.fullmatch(plain) or p.search(plain) and len(p.pattern) > 20 for p in TEMPLATES[lang])


def written_places() -> list[Path]:
    """Where a page must not write: the repo, HOME, the temp dir and the HF cache (conftest makes the last three
    this run's own; pytest's own temp folders are inside the temp dir and are skipped)."""
    return [ROOT, Path(os.environ["HOME"]), Path(tempfile.gettempdir()), Path(os.environ["HF_HOME"])]


def snapshot() -> dict[str, tuple[int, int]]:
    """Every file (all types) and link under `written_places()`, with its size and modification time."""
    data_dir = Path(os.environ["HFLAB_DATA_DIR"]).resolve()
    out = {}
    for place in written_places():
        for path in place.rglob("*"):
            rel = path.relative_to(place)
            if rel.parts and (rel.parts[0] in SKIP_DIRS or rel.parts[0].startswith("pytest-of-")):
                continue
            if "__pycache__" in rel.parts or path.resolve().is_relative_to(data_dir):
                continue
            if path.is_file() or path.is_symlink():
                stat = path.lstat()
                out[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return out


# ---------------------------------------------------------------- actions


def upload_image(name: str, factory, mime: str):
    def act(at: AppTest) -> None:
        at.file_uploader(key="story_upload").set_value((name, factory(), mime)).run()
    return act


def tokenizer_text(text: str):
    def act(at: AppTest) -> None:
        at.text_area(key="tok_texts").input(text).run()
    return act


def sentiment_text(text: str):
    def act(at: AppTest) -> None:
        at.text_area(key="sentiment_text").input(text).run()
    return act


def story_caption(text: str):
    def act(at: AppTest) -> None:
        at.text_area(key="story_caption_en").input(text).run()
        at.button(key="story_run").click().run()
    return act


def sentiment_upload(name: str, factory):
    def act(at: AppTest) -> None:
        at.radio(key="sentiment_data_src").set_value("upload").run()
        at.file_uploader(key="sentiment_upload_file").set_value((name, factory(), "text/csv")).run()
    return act


def number(key: str, value):
    def act(at: AppTest) -> None:
        at.number_input(key=key).set_value(value).run()
    return act


def slider(key: str, value):
    def act(at: AppTest) -> None:
        at.slider(key=key).set_value(value).run()
    return act


def sampling_prompt(text: str):
    def act(at: AppTest) -> None:
        at.text_area(key="sampling_prompt").input(text).run()
    return act


def models_custom(path: str):
    def act(at: AppTest) -> None:
        at.radio(key="models_mode").set_value("custom").run()
        at.text_input(key="models_custom").input(path).run()
    return act


def sentiment_local_dir(path: str):
    def act(at: AppTest) -> None:
        at.radio(key="sentiment_data_src").set_value("local").run()
        at.text_input(key="sentiment_local_dir").input(path).run()
    return act


def bad_paths(tmp: Path) -> dict[str, tuple[str, str]]:
    """name -> (typed path, expectation); built per run inside a tmp dir."""
    (tmp / "not_a_model").mkdir(parents=True, exist_ok=True)
    (tmp / "not_a_model" / "readme.txt").write_text("hello")
    (tmp / "a_file.bin").write_bytes(b"\x00" * 10)
    return {
        "missing": (str(tmp / "does-not-exist"), "reject"),
        "not_a_model": (str(tmp / "not_a_model"), "reject"),
        "traversal": ("../../../../../../etc", "reject"),
        "file_not_dir": (str(tmp / "a_file.bin"), "reject"),
    }


PATH_ROOT = Path(__import__("tempfile").gettempdir()) / "hflab-hostile-paths"


def build_cases() -> list[Case]:
    cases = [Case(f"image-{k}", "app_pages/image_story.py", upload_image(n, f, m), e) for k, (n, f, m, e) in IMAGES.items()]
    for k, (text, e) in TEXTS.items():
        cases.append(Case(f"tokenizer-text-{k}", "app_pages/tokenizer.py", tokenizer_text(text), e))
        cases.append(Case(f"sentiment-text-{k}", "app_pages/sentiment.py", sentiment_text(text), e))
    for k in ("empty", "whitespace", "200k_chars", "nul", "html_script", "markdown_links"):
        text, e = TEXTS[k]
        cases.append(Case(f"story-caption-{k}", "app_pages/image_story.py", story_caption(text),
                          "reject" if k in ("empty", "whitespace", "200k_chars") else "any"))
    for k, (name, f, e) in DATA_FILES.items():
        cases.append(Case(f"data-{k}", "app_pages/sentiment.py", sentiment_upload(name, f), e))
    cases += [
        Case("setting-max_length-0", "app_pages/tokenizer.py", number("tok_max_length", 0), "any"),
        Case("setting-max_length-1e9", "app_pages/tokenizer.py", number("tok_max_length", 10**9), "any"),
        Case("setting-seed-negative", "app_pages/image_story.py", number("story_seed", -1), "any"),
        Case("setting-seed-2**64", "app_pages/image_story.py", number("story_seed", 2**64), "any"),
        Case("setting-variants-1000", "app_pages/image_story.py", number("story_n_variants", 1000), "any"),
        Case("setting-temperature-0", "app_pages/sampling.py", slider("sampling_temperature", 0.0), "any"),
        Case("setting-temperature-100", "app_pages/sampling.py", slider("sampling_temperature", 100.0), "any"),
        Case("setting-top_k-0", "app_pages/sampling.py", number("sampling_top_k", 0), "any"),
        Case("setting-top_p-0", "app_pages/sampling.py", slider("sampling_top_p", 0.0), "any"),
        Case("setting-sampling-seed-negative", "app_pages/sampling.py", number("sampling_seed", -5), "any"),
        Case("setting-sampling-seed-2**64", "app_pages/sampling.py", number("sampling_seed", 2**64), "any"),
    ]
    for k in ("empty", "200k_chars", "nul", "html_script"):
        text, e = TEXTS[k]
        cases.append(Case(f"sampling-prompt-{k}", "app_pages/sampling.py", sampling_prompt(text), e))
    for k, (path, e) in bad_paths(PATH_ROOT).items():
        cases.append(Case(f"models-path-{k}", "app_pages/models.py", models_custom(path), e))
        cases.append(Case(f"dataset-path-{k}", "app_pages/sentiment.py", sentiment_local_dir(path), e))
    return cases


CASES = build_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, tiny_env):
    lang = "en" if CASES.index(case) % 2 else "zh"  # alternate: both languages are covered
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
    at.session_state["lang_en"] = lang == "en"
    at.run()
    at.switch_page(case.page).run()
    assert not at.exception, [e.value for e in at.exception]
    before = snapshot()
    try:
        case.act(at)
    except KeyError as exc:
        pytest.fail(f"the page has no widget for this case (page changed?): {exc}")
    assert not at.exception, [e.value for e in at.exception]
    messages = [e.value for e in at.error] + [w.value for w in at.warning]
    foreign = [m for m in messages if not from_catalog(m, lang)]
    assert foreign == [], f"messages not from the {lang} catalog: {foreign}"
    if case.expect == "reject":
        assert messages, "a bad input must be explained"
    if case.expect == "accept":
        assert [e.value for e in at.error] == []
    after = snapshot()
    changed = sorted(p for p in after if before.get(p) != after[p])
    assert changed == [], f"wrote outside the data dir: {changed}"
