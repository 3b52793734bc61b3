"""The tutorial's original story step (教程原版): its numbers and prompt, hard-coded from the tutorial's app.py."""
from pathlib import Path

import pytest

from hflab.story.tutorial import (
    CHARS_STEP,
    DEFAULT_CHARS,
    DEFAULT_CREATIVITY,
    DEFAULT_STYLE,
    MAX_CHARS,
    MIN_CHARS,
    TutorialSettings,
    tutorial_cut,
    tutorial_prompt,
    tutorial_temperature,
)

# temperature = max(0.3, min(2.0, 0.3 + (creativity / 10) * 1.7)) for creativity 0..10, worked out by hand
TUTORIAL_TEMPERATURES = [0.3, 0.47, 0.64, 0.81, 0.98, 1.15, 1.32, 1.49, 1.66, 1.83, 2.0]

# the tutorial's prompt for style 温馨, max_length 300 and the caption 一只猫坐在沙发上, copied from its app.py
TUTORIAL_PROMPT = ("任务:根据图片描述写温馨风格故事\n"
                   "要求:1. 纯中文;2. 字数控制在300字左右;3. 符合风格特点,语句通顺\n"
                   "图片描述:一只猫坐在沙发上\n"
                   "故事:")


@pytest.mark.parametrize("creativity", range(11))
def test_temperature_for_every_creativity_equals_the_tutorials(creativity):
    assert tutorial_temperature(creativity) == pytest.approx(TUTORIAL_TEMPERATURES[creativity], abs=1e-12)
    assert TutorialSettings(creativity=creativity).generate_kwargs()["temperature"] == pytest.approx(
        TUTORIAL_TEMPERATURES[creativity], abs=1e-12)


def test_prompt_string_equals_the_tutorials():
    assert tutorial_prompt("温馨", "一只猫坐在沙发上", 300) == TUTORIAL_PROMPT


def test_always_samples_with_top_p_and_one_token_per_character():
    settings = TutorialSettings(target_chars=450, creativity=0)
    assert settings.generate_kwargs() == {"max_new_tokens": 450, "temperature": 0.3, "do_sample": True, "top_p": 0.9}


def test_defaults_and_slider_equal_the_tutorials():
    assert (MIN_CHARS, MAX_CHARS, CHARS_STEP, DEFAULT_CHARS, DEFAULT_CREATIVITY) == (50, 1000, 50, 300, 5)
    assert TutorialSettings().style == "温馨"


def test_hard_cut_back_to_the_last_full_stop_with_the_marker():
    story = "小猫坐在窗台上。它看着外面的雨。今天还能出去玩吗"
    assert tutorial_cut(story, 100) == story
    assert tutorial_cut(story, 20) == "小猫坐在窗台上。它看着外面的雨" + "......(故事已截断以符合字数要求)"
    assert tutorial_cut("没有句号的一句很长很长的话", 5) == "没有句号的" + "......(故事已截断以符合字数要求)"


def test_settings_round_trip_through_params():
    from hflab.story.bundle import settings_from_params

    settings = TutorialSettings(style="童话", target_chars=200, creativity=8, seed=7)
    assert settings_from_params({"settings": settings.as_dict()}) == settings


def test_the_same_inputs_both_ways():
    from hflab.story.tutorial import from_lab, to_lab
    from hflab.story.writer import StorySettings

    lab = StorySettings(style="武侠", target_chars=120, creativity=7, seed=9)
    assert from_lab(lab) == TutorialSettings(style="武侠", target_chars=100, creativity=7, seed=9)
    assert from_lab(StorySettings(target_chars=1000)).target_chars == 1000
    back = to_lab(TutorialSettings(style="童话", target_chars=250, creativity=2, seed=5), 333)
    assert (back.style, back.target_chars, back.creativity, back.seed, back.max_new_tokens) == ("童话", 250, 2, 5, 333)
    assert (back.top_p, back.repetition_penalty) == (StorySettings().top_p, StorySettings().repetition_penalty)


def test_the_story_page_uses_the_tutorials_words():
    """Issue 13.4: the tutorial says 创意值 and 故事最大字数; the story page's Chinese says the same, in both modes."""
    from hflab.i18n import catalog

    story = {key: entry["zh"] for key, entry in catalog().items() if key.startswith("image_story.")}
    assert not [key for key, text in story.items() if "创造力" in text]
    assert story["image_story.story.creativity"] == "创意值"
    assert story["image_story.tutorial.creativity"] == "创意值(0-10)"  # the tutorial's slider label, as written
    assert story["image_story.tutorial.length"] == "故事最大字数"


def test_caption_settings_are_the_tutorials_call():
    """Issue 37.7: the tutorial captions with `model.generate(**inputs, max_length=50, num_beams=3)`, no penalty."""
    from hflab.learn.tutorial_code import _STORY
    from hflab.story.tutorial import CAPTION, TRANSLATION_MAX_NEW_TOKENS

    assert "model.generate(**inputs, max_length=50, num_beams=3)" in _STORY
    assert "translator(caption, max_length=50)" in _STORY
    assert CAPTION.generate_kwargs() == {"num_beams": 3, "max_length": 50, "do_sample": False}
    assert "repetition_penalty" not in CAPTION.generate_kwargs() and TRANSLATION_MAX_NEW_TOKENS == 50 - 1


def test_presets_are_the_tutorials_examples():
    """The tutorial's gr.Examples rows (image, 故事最大字数, 风格, 创意值), each with an image the page can show."""
    import ast
    import re

    from hflab.learn.tutorial_code import _DEPLOY_UI
    from hflab.story.drawn import DRAWINGS
    from hflab.story.tutorial import EXAMPLES
    from hflab.story.writer import STYLES

    rows = ast.literal_eval(re.search(r"examples=(\[.*?\]\s*\])", _DEPLOY_UI, re.S).group(1))
    assert [[f"./example_images/{e.tutorial_file}", e.max_chars, e.style, e.creativity] for e in EXAMPLES] == rows
    shipped = {p.stem for p in (Path(__file__).parents[2] / "hflab" / "story" / "examples").glob("*.jpg")}
    assert all(e.image in shipped | set(DRAWINGS) and e.style in STYLES for e in EXAMPLES)
    assert (EXAMPLES[0].max_chars, EXAMPLES[0].style, EXAMPLES[0].creativity) == (
        DEFAULT_CHARS, DEFAULT_STYLE, DEFAULT_CREATIVITY)


def test_drawn_examples_open_as_images():
    from hflab.story.drawn import DRAWINGS, drawn_example
    from hflab.story.images import open_image

    for name in DRAWINGS:
        data = drawn_example(name)
        assert data == drawn_example(name)  # the same picture every time
        image = open_image(data, f"{name}.jpg")
        assert image.source_format == "JPEG" and image.image.mode == "RGB"


def test_a_fresh_seed_per_call_in_the_seed_boxs_range():
    from hflab.story.tutorial import SEED_LIMIT, fresh_seed

    seeds = {fresh_seed() for _ in range(20)}
    assert len(seeds) > 1 and all(0 <= s < SEED_LIMIT for s in seeds)
