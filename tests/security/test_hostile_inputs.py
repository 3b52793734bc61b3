"""Hostile inputs through every page (AppTest, the tiny models): bad images, texts, data files,
settings and model paths. Each case names the exact catalog messages it must show (EXPECTED: key, level,
and the parameters where they are deterministic) and asserts: no exception or traceback, the messages the
input added are exactly those, in the session's language, with their parameters escaped as the pages
escape them; no message is a generic wrapper around an exception text; no run hangs (AppTest's
timeout); and nothing is written outside the app's data dir."""
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

from components.escape import markdown_literal
from hflab.i18n import catalog, t

SKIP_DIRS = {".venv", ".git", "artifacts", "__pycache__", ".pytest_cache", ".hflab_data"}


@dataclass(frozen=True)
class Case:
    id: str
    page: str
    act: Callable[[AppTest], None]  # widget actions after the page opened (each ends with .run())


@dataclass(frozen=True)
class Shown:
    """A message a case must show: its catalog key, its box, and its parameters (None where they vary, such
    as an exception's wording: then the shown text must match the template with its slots)."""

    key: str
    level: str = "error"
    params: dict | None = None


# Slots that carry an exception's own text. A template with one is a generic wrapper (the exception says what
# went wrong, the catalog does not) unless it names the problem itself and only adds the detail in brackets.
EXCEPTION_SLOTS = {"error", "exc", "detail", "reason"}
NAMES_THE_PROBLEM = {"image_story.bad.corrupt", "models.err.corrupt"}
_SLOT = re.compile(r"\{(\w*)(?::[^}]*)?\}")


def is_exception_wrapper(key: str) -> bool:
    """Does the catalog template of `key` only wrap an exception's text (e.g. "Loading {what} failed: {error}")?"""
    slots = {m[1] for lang in ("zh", "en") for m in _SLOT.finditer(catalog()[key][lang])}
    return bool(slots & EXCEPTION_SLOTS) and key not in NAMES_THE_PROBLEM


def template(key: str, lang: str) -> re.Pattern:
    """The catalog string of `key` in `lang` as a pattern, each {slot} matching any text."""
    return re.compile("(.*?)".join(re.escape(part) for part in _SLOT.split(catalog()[key][lang])[::2]), re.S)


def catalog_keys(text: str, lang: str) -> list[str]:
    """Every catalog key whose `lang` template the shown `text` matches exactly."""
    return [key for key, entry in catalog().items() if entry.get(lang) and template(key, lang).fullmatch(text)]


def expected_text(shown: Shown, lang: str) -> str:
    """The text the page shows for `shown`: the catalog string, parameters through the one escaper."""
    return t(shown.key, lang, **{name: markdown_literal(value) if isinstance(value, str) else value
                                 for name, value in shown.params.items()})


def boxes(at: AppTest) -> list[tuple[str, str]]:
    """(level, text) of every error and warning box on the page, in page order."""
    return [("error", e.value) for e in at.error] + [("warning", w.value) for w in at.warning]


def added(before: list, after: list) -> list:
    """The boxes in `after` that `before` did not show (standing notes of a page are not the input's)."""
    left = list(before)
    out = []
    for box in after:
        if box in left:
            left.remove(box)
        else:
            out.append(box)
    return out


def check_messages(case_id: str, lang: str, before: list, after: list) -> None:
    """The input's messages are exactly EXPECTED[case_id]; no box on the page wraps an exception's text."""
    wrappers = [(text, keys) for _, text in after for keys in [catalog_keys(text, lang)]
                if keys and all(is_exception_wrapper(k) for k in keys)]
    assert wrappers == [], f"generic messages that only wrap an exception: {wrappers}"
    shown = added(before, after)
    described = [
        (level, catalog_keys(text, lang) or [f"NOT IN THE {lang} CATALOG: {text[:200]}"]) for level, text in shown
    ]
    expected = EXPECTED[case_id]
    assert len(described) == len(expected) and all(
        level == want.level and want.key in keys for (level, keys), want in zip(described, expected)), (
        f"shown {described}, expected {[(want.level, want.key) for want in expected]}")
    for (_, text), want in zip(shown, expected):
        assert not is_exception_wrapper(want.key), want.key
        if want.params is None:
            assert template(want.key, lang).fullmatch(text), (text, want)
        else:
            assert text == expected_text(want, lang)


def written_places() -> list[Path]:
    """Where a page must not write: the repo, HOME, the temp dir and the HF cache (conftest makes the last three
    this run's own; pytest's own temp folders are inside the temp dir and are skipped)."""
    return [ROOT, Path(os.environ["HOME"]), Path(tempfile.gettempdir()), Path(os.environ["HF_HOME"])]


def snapshot() -> dict[str, tuple[int, int]]:
    """Every file (all types) and link under `written_places()`, with its size and modification time. Skipped folders
    are not even walked (the venv alone is 60,000 entries: walking it twice per case cost more than the case)."""
    data_dir = Path(os.environ["HFLAB_DATA_DIR"]).resolve()
    out = {}
    for place in written_places():
        for folder, dirs, files in os.walk(place):
            top = Path(folder) == place
            dirs[:] = [d for d in dirs
                       if d != "__pycache__" and not (top and (d in SKIP_DIRS or d.startswith("pytest-of-")))]
            # os.walk does not follow links, so only a link can lead into the data dir
            for path in [Path(folder, name) for name in files] + [Path(folder, d) for d in dirs]:
                if path.is_symlink() and path.resolve().is_relative_to(data_dir):
                    continue
                if path.is_symlink() or path.is_file():
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


def bad_paths(tmp: Path) -> dict[str, str]:
    """name -> typed path, built inside `tmp` (an allowed root: the data dir), so each case reaches the check
    it is named after instead of stopping at the allowed-roots check."""
    (tmp / "not_a_model").mkdir(parents=True, exist_ok=True)
    (tmp / "not_a_model" / "readme.txt").write_text("hello")
    (tmp / "a_file.bin").write_bytes(b"\x00" * 10)
    return {
        "missing": str(tmp / "does-not-exist"),
        "not_a_model": str(tmp / "not_a_model"),
        "traversal": "../../../../../../etc",
        "file_not_dir": str(tmp / "a_file.bin"),
    }


PATH_ROOT = Path(os.environ["HFLAB_DATA_DIR"]).resolve() / "hostile-paths"  # conftest: this run's own data dir
PATHS = bad_paths(PATH_ROOT)


def build_cases() -> list[Case]:
    cases = [
        Case(f"image-{k}", "app_pages/image_story.py", upload_image(n, f, m)) for k, (n, f, m, _) in IMAGES.items()
    ]
    for k, (text, _) in TEXTS.items():
        cases.append(Case(f"tokenizer-text-{k}", "app_pages/tokenizer.py", tokenizer_text(text)))
        cases.append(Case(f"sentiment-text-{k}", "app_pages/sentiment.py", sentiment_text(text)))
    for k in ("empty", "whitespace", "200k_chars", "nul", "html_script", "markdown_links"):
        cases.append(Case(f"story-caption-{k}", "app_pages/image_story.py", story_caption(TEXTS[k][0])))
    for k, (name, f, _) in DATA_FILES.items():
        cases.append(Case(f"data-{k}", "app_pages/sentiment.py", sentiment_upload(name, f)))
    cases += [
        Case("setting-max_length-0", "app_pages/tokenizer.py", number("tok_max_length", 0)),
        Case("setting-max_length-1e9", "app_pages/tokenizer.py", number("tok_max_length", 10**9)),
        Case("setting-seed-negative", "app_pages/image_story.py", number("story_seed", -1)),
        Case("setting-seed-2**64", "app_pages/image_story.py", number("story_seed", 2**64)),
        Case("setting-variants-1000", "app_pages/image_story.py", number("story_n_variants", 1000)),
        Case("setting-temperature-0", "app_pages/sampling.py", slider("sampling_temperature", 0.0)),
        Case("setting-temperature-100", "app_pages/sampling.py", slider("sampling_temperature", 100.0)),
        Case("setting-top_k-0", "app_pages/sampling.py", number("sampling_top_k", 0)),
        Case("setting-top_p-0", "app_pages/sampling.py", slider("sampling_top_p", 0.0)),
        Case("setting-sampling-seed-negative", "app_pages/sampling.py", number("sampling_seed", -5)),
        Case("setting-sampling-seed-2**64", "app_pages/sampling.py", number("sampling_seed", 2**64)),
    ]
    for k in ("empty", "200k_chars", "nul", "html_script"):
        cases.append(Case(f"sampling-prompt-{k}", "app_pages/sampling.py", sampling_prompt(TEXTS[k][0])))
    for k, path in PATHS.items():
        cases.append(Case(f"models-path-{k}", "app_pages/models.py", models_custom(path)))
        cases.append(Case(f"dataset-path-{k}", "app_pages/sentiment.py", sentiment_local_dir(path)))
    return cases


CASES = build_cases()
E, W = "error", "warning"
EXPECTED: dict[str, tuple[Shown, ...]] = {
    "image-truncated_jpeg": (Shown("image_story.bad.corrupt"),),
    "image-zero_bytes": (Shown("image_story.bad.empty", params={}),),
    "image-random_bytes_png": (Shown("image_story.bad.unidentified", params={}),),
    "image-decompression_bomb": (Shown("image_story.bad.bomb", params={"limit": "89"}),),
    "image-one_pixel": (),
    "image-100x20000": (Shown("image_story.bad.aspect", params={"width": "100", "height": "20000", "ratio": "10"}),),
    "image-cmyk_jpeg": (),
    "image-png_16bit": (),
    "image-palette_transparent": (),
    "image-animated_gif": (),
    "image-multipage_tiff": (
        Shown("image_story.bad.format", params={"format": "TIFF", "allowed": "JPEG, PNG, WEBP, GIF"}),
    ),
    "image-exif_rotated": (),
    "image-svg": (Shown("image_story.bad.unidentified", params={}),),
    "image-heic": (Shown("image_story.bad.unidentified", params={}),),
    "tokenizer-text-empty": (Shown("tokenizer.bad.empty"),),
    "tokenizer-text-whitespace": (Shown("tokenizer.bad.whitespace"),),
    "tokenizer-text-200k_chars": (
        Shown("tokenizer.bad.too_long", W, {"chars": "200000", "limit": "100000"}),
        Shown("tokenizer.truncated", W, {"full": "100002", "kept": "30", "cut": "99972"}),
    ),
    "tokenizer-text-emoji_zwj": (),
    "tokenizer-text-rtl": (),
    "tokenizer-text-u2028": (Shown("tokenizer.bad.line_separator", W, {}),),
    "tokenizer-text-nul": (Shown("tokenizer.bad.control", W, {"chars": "U+0000"}),),
    "tokenizer-text-html_script": (),
    "tokenizer-text-markdown_links": (Shown("tokenizer.truncated", W, {"full": "50", "kept": "30", "cut": "20"}),),
    "sentiment-text-empty": (),
    "sentiment-text-whitespace": (),
    "sentiment-text-200k_chars": (Shown("sentiment.warn.long_text", W, {"chars": "200000", "limit": "100000"}),),
    "sentiment-text-emoji_zwj": (),
    "sentiment-text-rtl": (),
    "sentiment-text-u2028": (),
    "sentiment-text-nul": (),
    "sentiment-text-html_script": (),
    "sentiment-text-markdown_links": (),
    "story-caption-empty": (Shown("image_story.bad.caption_empty", W, {}),),
    "story-caption-whitespace": (Shown("image_story.bad.caption_empty", W, {}),),
    "story-caption-200k_chars": (Shown("image_story.bad.caption_long", W, {"length": "200000", "limit": "300"}),),
    "story-caption-nul": (),
    "story-caption-html_script": (),
    "story-caption-markdown_links": (),
    "data-not_utf8": (Shown("sentiment.err.not_utf8", params={"position": "11"}),),
    "data-wrong_columns": (Shown("sentiment.err.bad_labels"),),
    "data-empty": (Shown("sentiment.err.empty_file", params={"name": "empty.csv"}),),
    "data-huge_cell": (
        Shown("sentiment.warn.cut", W, {"count": "1", "limit": "100000"}),
        Shown("sentiment.err.empty_split", W, {"split": "train"}),
    ),
    "data-pos_neg_labels": (),
    "setting-max_length-0": (Shown("tokenizer.bad.max_length_zero", params={}),),
    "setting-max_length-1e9": (
        Shown("tokenizer.bad.max_length_large", params={"value": "1000000000", "limit": "512"}),
    ),
    "setting-seed-negative": (),
    "setting-seed-2**64": (),
    "setting-variants-1000": (),
    "setting-temperature-0": (
        Shown("sampling.bad.temperature", params={"value": "0.0"}),
        Shown("sampling.fix_settings", W, {}),
    ),
    "setting-temperature-100": (Shown("sampling.bad.temperature"), Shown("sampling.fix_settings", W, {})),
    "setting-top_k-0": (),
    "setting-top_p-0": (),
    "setting-sampling-seed-negative": (),
    "setting-sampling-seed-2**64": (),
    "sampling-prompt-empty": (Shown("reliability.text_empty", W, {}),),
    "sampling-prompt-200k_chars": (Shown("reliability.text_too_long", params={"length": 200_000, "limit": 100_000}),),
    "sampling-prompt-nul": (),
    "sampling-prompt-html_script": (),
    "models-path-missing": (Shown("problem.dir_missing", params={"path": PATHS["missing"]}),),
    "models-path-not_a_model": (Shown("models.problem.no_config", params={"path": PATHS["not_a_model"]}),),
    "models-path-traversal": (Shown("problem.path_not_allowed", params={"path": PATHS["traversal"]}),),
    "models-path-file_not_dir": (Shown("problem.dir_missing", params={"path": PATHS["file_not_dir"]}),),
    "dataset-path-missing": (Shown("problem.dir_missing", params={"path": PATHS["missing"]}),),
    "dataset-path-not_a_model": (
        Shown(
            "problem.not_a_model_dir",
            params={"path": PATHS["not_a_model"], "markers": "dataset_dict.json, dataset_info.json, state.json"},
        ),
    ),
    "dataset-path-traversal": (Shown("problem.path_not_allowed", params={"path": PATHS["traversal"]}),),
    "dataset-path-file_not_dir": (
        Shown(
            "problem.not_a_model_dir",
            params={"path": PATHS["file_not_dir"], "markers": "dataset_dict.json, dataset_info.json, state.json"},
        ),
    ),
}


def test_every_case_names_its_messages_and_none_is_a_generic_wrapper():
    assert sorted(EXPECTED) == sorted(c.id for c in CASES)
    assert [k for k, shown in EXPECTED.items() for s in shown if is_exception_wrapper(s.key)] == []
    assert is_exception_wrapper("problem.load_failed") and is_exception_wrapper("sentiment.err.unreadable")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, tiny_env):
    lang = "en" if CASES.index(case) % 2 else "zh"  # alternate: both languages are covered
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
    at.session_state["lang_en"] = lang == "en"
    at.run()
    at.switch_page(case.page).run()
    assert not at.exception, [e.value for e in at.exception]
    before, files_before = boxes(at), snapshot()
    try:
        case.act(at)
    except KeyError as exc:
        pytest.fail(f"the page has no widget for this case (page changed?): {exc}")
    assert not at.exception, [e.value for e in at.exception]
    check_messages(case.id, lang, before, boxes(at))
    after = snapshot()
    changed = sorted(p for p in after if files_before.get(p) != after[p])
    assert changed == [], f"wrote outside the data dir: {changed}"
