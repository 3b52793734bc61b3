"""The deployment chapter's Space bundle (issue 37.3): built, unpacked, its app.py imported with Gradio on tiny models
built in code, and its caption -> story -> speech function run offline (gTTS cannot reach Google here: the app
falls back to espeak-ng, and says so when that is missing too)."""
from __future__ import annotations

import ast
import importlib.util
import io
import os
import time
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from hflab.learn import space_bundle
from hflab.snippet.notebook import requirement_pins

TUTORIAL_PRESETS = [(300, "温馨", 5), (400, "童话", 8), (200, "爱情", 7)]
NO_GRADIO = "gradio is a test requirement: pip install --no-deps -r the file that pins it (its pillow<13 clashes)"


def unpacked(tmp_path: Path, lang: str = "zh") -> Path:
    folder = tmp_path / space_bundle.BUNDLE_NAME
    with zipfile.ZipFile(io.BytesIO(space_bundle.bundle_zip(lang))) as archive:
        archive.extractall(folder)
    return folder


def front_matter(readme: str) -> dict:
    assert readme.startswith("---\n")
    return yaml.safe_load(readme.split("---\n", 2)[1])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bundle_holds_a_space(tmp_path, lang):
    folder = unpacked(tmp_path, lang)
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert names == sorted(["README.md", "app.py", "packages.txt", "requirements.txt", "example_images/README.md",
                            *(f"example_images/{name}" for name, *_ in space_bundle.EXAMPLES)])
    settings = front_matter((folder / "README.md").read_text(encoding="utf-8"))
    pytest.importorskip("gradio", reason=NO_GRADIO)
    assert settings["sdk"] == "gradio" and settings["app_file"] == "app.py"
    assert settings["sdk_version"] == space_bundle.GRADIO_VERSION == metadata.version("gradio")
    assert settings["preload_from_hub"] == list(space_bundle.model_ids())
    assert (folder / "packages.txt").read_text() == "espeak-ng\n"
    compile((folder / "app.py").read_text(encoding="utf-8"), "app.py", "exec")


def test_requirements_are_pinned_take_the_cpu_torch_and_fit_gradio():
    pytest.importorskip("gradio", reason=NO_GRADIO)
    lines = space_bundle.requirements_txt().strip().split("\n")
    assert lines[0] == "--find-links https://download.pytorch.org/whl/cpu/torch/"
    pins = {Requirement(line).name.lower(): Requirement(line) for line in lines[1:]}
    assert all(len(req.specifier) == 1 and next(iter(req.specifier)).operator == "==" for req in pins.values())
    lab = requirement_pins()
    for name in ("torch", "transformers", "tokenizers", "gtts", "sentencepiece"):
        assert str(next(iter(pins[name].specifier)).version) == lab[name]
    # the Space's Gradio (its SDK) must accept every pin: Pillow is the one the lab runs newer
    for needed in map(Requirement, metadata.requires("gradio") or ()):
        if needed.marker is None and needed.name.lower() in pins:
            assert next(iter(pins[needed.name.lower()].specifier)).version in needed.specifier, needed


def test_app_keeps_the_tutorials_presets_and_drops_what_breaks():
    assert [tuple(preset) for _name, *preset in space_bundle.EXAMPLES] == TUTORIAL_PRESETS
    tree = ast.parse(space_bundle.app_py())
    keywords = {node.arg for node in ast.walk(tree) if isinstance(node, ast.keyword)}
    assert not keywords & {"trust_remote_code", "torch_dtype", "show_copy_button", "show_download_button"}
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert "pipeline" not in called


class OfflineTTS:
    """gTTS as it behaves without a network: the request fails."""

    def __init__(self, *args, **kwargs):
        pass

    def save(self, path):
        raise ConnectionError("Failed to connect. Probable cause: Unknown")


@pytest.fixture()
def space_app(tiny_models, tmp_path, monkeypatch):
    """The bundle's app.py imported as the Space would run it, its models swapped for the tiny ones (the app's
    CAPTION_MODEL / TRANSLATION_MODEL / STORY_MODEL variables), in the unpacked folder."""
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    pytest.importorskip("gradio", reason=NO_GRADIO)
    folder = unpacked(tmp_path)
    monkeypatch.chdir(folder)
    for variable, role in (("CAPTION_MODEL", "caption"), ("TRANSLATION_MODEL", "translation"),
                           ("STORY_MODEL", "causal_lm")):
        monkeypatch.setenv(variable, str(tiny_models[role]))
    spec = importlib.util.spec_from_file_location("space_app", folder / "app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    monkeypatch.setattr(app, "gTTS", OfflineTTS)
    return app


def test_app_builds_the_tutorials_ui_and_runs_caption_story_speech(space_app, tmp_path):
    import gradio as gr
    from image_files import colour_photo

    app = space_app
    assert isinstance(app.demo, gr.Blocks)
    labels = {getattr(block, "label", None) for block in app.demo.blocks.values()}
    assert {"上传图片", "故事最大字数", "故事风格", "创意值(0-10)", "🖼️ 图片描述", "📖 生成的故事"} <= labels
    image = colour_photo()
    english = app.processor.decode(app.model.generate(**app.processor(image, return_tensors="pt"), max_length=50,
                                                      num_beams=3)[0], skip_special_tokens=True)
    chinese = any("\u4e00" <= c <= "\u9fff" for c in english)
    caption, story, audio = app.process_image(image, 50.0, "温馨", 5)  # a Gradio slider may send a float
    assert caption == (english if chinese else app.translate(english))
    assert caption not in (app.NO_IMAGE, app.UNREADABLE) and isinstance(story, str)
    assert len(story) <= 50 or story.endswith("......(故事已截断以符合字数要求)")
    if story:  # a tiny random model may write nothing; then nothing is spoken
        assert audio.endswith(".wav") and Path(audio).read_bytes()[:4] == b"RIFF"  # espeak-ng's offline voice
    else:
        assert audio is None


def test_speech_falls_back_to_espeak_and_cleans_old_files(space_app):
    old = Path(space_app.AUDIO_SAVE_DIR) / "story_audio_old.mp3"
    old.write_bytes(b"ID3")
    four_days_ago = time.time() - 4 * 86400
    os.utime(old, (four_days_ago, four_days_ago))
    audio = space_app.text_to_speech("从前有一只小猫。")
    assert Path(audio).is_file() and Path(audio).read_bytes()[:4] == b"RIFF"
    assert not old.exists()  # the tutorial's 3-day cleanup
    assert space_app.text_to_speech(space_app.NO_STORY) is None


def test_speech_without_any_engine_says_why(space_app, monkeypatch, capsys):
    monkeypatch.setattr(space_app.shutil, "which", lambda name: None)
    assert space_app.text_to_speech("从前有一只小猫。") is None
    assert "espeak-ng" in capsys.readouterr().out


def test_no_image_gives_the_tutorials_messages(space_app):
    assert space_app.process_image(None, 300, "温馨", 5) == (space_app.NO_IMAGE, space_app.NO_STORY, None)
