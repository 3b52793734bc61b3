"""The story page's copyable code (and notebook) writes the page's story with plain transformers: the tutorial's
way exactly, the lab's way up to the page's sentence-end stop (the page's story begins the snippet's text)."""
from __future__ import annotations

import contextlib
import io
import threading

import pytest

from hflab.loading import loaders
from hflab.loading.sources import Source
from hflab.snippet.reference import LoadReference
from hflab.story.code import story_code, story_notebook
from hflab.story.tutorial import TutorialSettings, tutorial_prompt
from hflab.story.writer import StorySettings, build_messages, generate_story


@pytest.fixture(scope="module")
def qwen(tiny_models):
    source = Source("causal_lm", "local", "tiny-qwen2", str(tiny_models["causal_lm"]), "source.local")
    return loaders.load_causal_lm(source)


def run_snippet(code: str) -> dict:
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<snippet>", "exec"), namespace)  # noqa: S102 - the code the page shows
    return namespace


@pytest.mark.parametrize("creativity", [0, 6, 9])
def test_lab_snippet_text_begins_with_the_pages_story(qwen, tiny_models, creativity):
    model, tokenizer = qwen
    settings = StorySettings(style="童话", target_chars=20, creativity=creativity, seed=5, max_new_tokens=40)
    messages = build_messages("童话", "一只猫", settings.target_chars)
    page_story = generate_story(model, tokenizer, threading.RLock(), messages, settings)
    code = story_code(LoadReference("", repr(str(tiny_models["causal_lm"]))), messages, settings)
    snippet_story = run_snippet(code)["story"]
    assert snippet_story.startswith(page_story)
    assert page_story or creativity == 0  # the tiny random model's greedy text is blank


def test_tutorial_snippet_writes_exactly_the_pages_story(qwen, tiny_models):
    model, tokenizer = qwen
    settings = TutorialSettings(style="童话", target_chars=50, creativity=5, seed=3)
    prompt = tutorial_prompt("童话", "一只猫", 50)
    page_story = generate_story(model, tokenizer, threading.RLock(), prompt, settings)
    code = story_code(LoadReference("", repr(str(tiny_models["causal_lm"]))), prompt, settings)
    assert run_snippet(code)["story"] == page_story


def test_story_notebook_records_the_params():
    settings = StorySettings(style="武侠", target_chars=100, seed=9)
    spec = story_notebook(LoadReference("", "'Qwen/Qwen2-0.5B-Instruct'"), build_messages("武侠", "一匹马", 100),
                          settings)
    assert spec.settings["seed"] == 9 and spec.settings["generate_kwargs"] == settings.generate_kwargs()
    assert spec.file_name == "hflab-story.ipynb" and "model.generate(" in spec.code
    compile(spec.code, "<snippet>", "exec")
