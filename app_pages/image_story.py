"""Image story: image -> BLIP caption (editable) -> Chinese caption -> styled Chinese story (streamed) -> speech.

The script runs top to bottom in pipeline order: "Run all" simply switches every step on as the
script reaches it, so each result lands in its own editable widget before that widget is drawn.
"""
import functools
import json
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import streamlit as st

from components.i18n import t
from components.limits import show_caps
from components.models import explain_missing, load, resolve_role, source_caption
from components.page import header
from components.precision import load_causal_lm, precision_choice
from components.remote_backend import backend_choice, remote_record, show_remote_error, stream_story
from hflab import loading
from hflab.settings import get_settings
from hflab.story import bundle, files, tts
from hflab.story.caption import CaptionSettings, check_caption, generate_caption
from hflab.story.images import ImageProblem, PreparedImage, open_image
from hflab.story.story import (
    MAX_CHARS,
    MIN_CHARS,
    STYLES,
    StorySettings,
    build_messages,
    creativity_to_temperature,
    cut_at_sentence,
    finish_story,
    markdown_literal,
    stream_local,
    token_budget,
)
from hflab.story.translate import translate_en_zh

EXAMPLES = Path(__file__).resolve().parent.parent / "hflab" / "story" / "examples"
HISTORY_LIMIT = 10
ENGINE_CHOICES = {"auto": tts.ENGINES, "gtts": ("gtts",), "espeak": ("espeak",)}
ss = st.session_state
# widget values, set here rather than as widget defaults so they survive a visit to another page
# (Streamlit drops the state of widgets that a run did not draw; `story_kept` is a plain key and stays)
DEFAULTS = {"story_image_source": "upload", "story_num_beams": 3, "story_max_length": 30, "story_caption_rp": 1.2,
            "story_caption_en": "", "story_caption_zh": "", "story_style": "温馨", "story_length": 300,
            "story_creativity": 6, "story_top_p": 0.9, "story_rp": 1.1, "story_seed": 42, "story_n_variants": 1,
            "story_text": "", "story_engine": "auto", "story_example": "chelsea"}
for _key, _default in DEFAULTS.items():
    if _key not in ss:
        ss[_key] = ss.get("story_kept", {}).get(_key, _default)

header("nav.image_story", "image_story.intro")

if not ss.get("story_cleaned"):  # once per session: drop speech and bundles older than the cleanup setting
    files.cleanup_old_files()
    ss.story_cleaned = True

interrupted = ss.pop("story_streaming", None)
if interrupted:  # the last run was stopped mid-story (stop button or any other click): keep what was written
    partial = finish_story(interrupted["text"])
    if partial:
        ss.story_text = partial
    ss.story_params = None  # a stopped story cannot be regenerated from its settings: no bundle for it
    ss.story_notice = ("image_story.story.stopped", {"chars": len(partial)})


@contextmanager
def timed_step(name: str, pipeline):
    """Run one step inside the run-all status box (or its own), recording and showing its time."""
    box = pipeline or st.status(t(f"image_story.status.{name}"), expanded=False)
    start = time.perf_counter()
    try:
        yield box
    except Exception as exc:  # a model failing mid-step becomes a message; Streamlit's stop/rerun are BaseException
        box.update(state="error")
        st.error(t("image_story.step_failed", step=t(f"image_story.status.{name}"),
                   error=markdown_literal(f"{type(exc).__name__}: {exc}"[:400])))
        run["ok"] = False
        ss.pop("story_streaming", None)
        return
    seconds = time.perf_counter() - start
    ss.setdefault("story_timings", {})[name] = seconds
    box.write(t("image_story.status.step_done", step=t(f"image_story.status.{name}"), seconds=f"{seconds:.1f}"))
    if pipeline is None:
        box.update(label=t("image_story.status.step_done", step=t(f"image_story.status.{name}"),
                           seconds=f"{seconds:.1f}"), state="complete")


def take_image(sig: tuple, data: bytes, name: str) -> None:
    """Open a newly chosen image once (not on every rerun); remember the problem if it is unusable."""
    if ss.get("story_image_sig") == sig:
        return
    ss.story_image_sig = sig
    try:
        ss.story_image, ss.story_image_problem = open_image(data, name), None
    except ImageProblem as problem:
        ss.story_image, ss.story_image_problem = None, (problem.key, problem.params)


# 1. Image ------------------------------------------------------------------------------------------
st.subheader(t("image_story.step.image"))
kind = st.segmented_control(t("image_story.image.source"), ["upload", "camera", "example"],
                            format_func=lambda k: t(f"image_story.image.{k}"), key="story_image_source")
if kind == "camera":
    shot = st.camera_input(t("image_story.image.camera"), key="story_camera")
    if shot is not None:
        take_image(("camera", shot.file_id), shot.getvalue(), "camera.jpg")
elif kind == "example":
    examples = sorted(EXAMPLES.glob("*.jpg"))
    choice = st.pills(t("image_story.image.example"), [p.stem for p in examples],
                      format_func=lambda stem: t(f"image_story.example.{stem}"), key="story_example")
    if choice is not None:
        path = EXAMPLES / f"{choice}.jpg"
        take_image(("example", path.name), path.read_bytes(), path.name)
else:
    # no `type=` filter: Streamlit's own rejection message is English-only; open_image explains in both languages
    upload = st.file_uploader(t("image_story.image.upload_label"), key="story_upload",
                              help=t("image_story.image.upload_help"))
    show_caps("upload_mb")
    if upload is not None:
        take_image(("upload", upload.file_id), upload.getvalue(), upload.name)
    elif (ss.get("story_image_sig") or ("",))[0] == "upload":  # the user removed the file: forget it and its problem
        ss.story_image_sig = ss.story_image = ss.story_image_problem = None

if ss.get("story_image_problem"):
    key, params = ss.story_image_problem
    st.error(t(key, **params))
image: PreparedImage | None = ss.get("story_image")
if image is not None:
    left, right = st.columns([2, 3])
    left.image(image.image, width="stretch")
    with right:
        st.text(t("image_story.image.facts", name=image.name, format=image.source_format, mode=image.source_mode,
                  width=image.source_size[0], height=image.source_size[1]))
        for note_key, note_params in image.notes:
            st.caption(t(note_key, **note_params))

run_all = st.button(t("image_story.run_all"), type="primary", key="story_run_all", help=t("image_story.run_all_help"))
pipeline = st.status(t("image_story.status.running"), expanded=True) if run_all else None
run = {"ok": run_all}  # "ok" becomes False at the first step that fails, so later steps do not run on bad input
run_started = time.perf_counter()

# 2. Captions ---------------------------------------------------------------------------------------
st.subheader(t("image_story.step.caption"))
caption_source = resolve_role("caption")
st.caption(t("image_story.model_line", model=caption_source.repo_id, source=source_caption(caption_source)))
with st.expander(t("image_story.caption.settings")):
    c1, c2, c3 = st.columns(3)
    caption_settings = CaptionSettings(
        num_beams=c1.slider(t("image_story.caption.num_beams"), 1, 8, key="story_num_beams"),
        max_length=c2.slider(t("image_story.caption.max_length"), 10, 60, key="story_max_length"),
        repetition_penalty=c3.slider(t("image_story.caption.repetition_penalty"), 1.0, 2.0, step=0.05,
                                     key="story_caption_rp"),
    )
if not caption_source.ready:
    explain_missing(caption_source)
    st.info(t("image_story.caption.type_it"))
caption_clicked = st.button(t("image_story.caption.run"), key="story_caption_run",
                            disabled=not caption_source.ready or image is None)
if (run["ok"] and caption_source.ready and image is not None) or caption_clicked:
    with timed_step("caption", pipeline):
        handle = load(caption_source, loading.load_caption_model, t("role.caption"))
        if handle is not None:
            model, processor = handle.value
            with handle.lock:
                generated = generate_caption(model, processor, image.image, caption_settings)
            ss.story_caption_en = generated
            ss.story_caption_meta = {**bundle.model_record(caption_source, model), **caption_settings.as_dict(),
                                     "generated": generated}
        else:
            run["ok"] = False

col_en, col_zh = st.columns(2)
col_en.text_area(t("image_story.caption.en"), key="story_caption_en", height=110)

translation_source = resolve_role("translation")
with col_zh:
    translate_clicked = st.button(t("image_story.caption.translate"), key="story_translate",
                                  disabled=not translation_source.ready)
    if not translation_source.ready:
        explain_missing(translation_source)
        st.info(t("image_story.caption.type_zh"))
    if (run["ok"] and translation_source.ready) or translate_clicked:
        problem = check_caption(ss.get("story_caption_en", ""))
        if problem:
            st.warning(t(problem[0], **problem[1]))
            run["ok"] = False
        else:
            with timed_step("translate", pipeline):
                handle = load(translation_source, loading.load_seq2seq, t("role.translation"))
                if handle is not None:
                    model, tokenizer = handle.value
                    with handle.lock:
                        ss.story_caption_zh = translate_en_zh(model, tokenizer, ss.story_caption_en)
                    ss.story_translation_meta = {**bundle.model_record(translation_source, model),
                                                 "generated": ss.story_caption_zh}
                else:
                    run["ok"] = False
    st.text_area(t("image_story.caption.zh"), key="story_caption_zh", height=110)

# 3. Story ------------------------------------------------------------------------------------------
st.subheader(t("image_story.step.story"))
lm_source = resolve_role("causal_lm")
st.caption(t("image_story.model_line", model=lm_source.repo_id, source=source_caption(lm_source)))
if lm_source.label_key == "source.packaged.smollm2":
    st.warning(t("image_story.lm.english_centric"))
if not lm_source.ready:
    explain_missing(lm_source)
# -- remote backend (issue 9): the story can stream from an OpenAI-compatible server instead --
remote = backend_choice("story", stop=False)
story_ready = lm_source.ready if remote is None else remote.problem() is None
precision = precision_choice("story") if remote is None and lm_source.ready else "fp32"
remote_failures = []
# -- end remote backend --

style = st.pills(t("image_story.story.style"), STYLES, format_func=lambda s: t(f"image_story.style.{STYLES.index(s)}"),
                key="story_style") or DEFAULTS["story_style"]
s2, s3 = st.columns(2)
target_chars = s2.slider(t("image_story.story.length"), MIN_CHARS, MAX_CHARS, step=10, key="story_length")
creativity = s3.slider(t("image_story.story.creativity"), 0, 10, key="story_creativity")
s3.caption(t("image_story.story.temperature", creativity=creativity, temperature=creativity_to_temperature(creativity)))
s4, s5, s6, s7 = st.columns(4)
top_p = s4.slider("top_p", 0.05, 1.0, step=0.05, key="story_top_p", help=t("image_story.story.top_p_help"))
repetition_penalty = s5.slider(t("image_story.story.repetition_penalty"), 1.0, 2.0, step=0.05, key="story_rp")
seed = int(s6.number_input(t("image_story.story.seed"), 0, 2**31 - 1, key="story_seed"))
max_variants = max(1, min(4, get_settings().max_variants))
n_variants = s7.number_input(t("image_story.story.variants"), 1, max_variants, key="story_n_variants",
                             help=t("image_story.story.variants_help"))
show_caps("new_tokens", "variants")
settings = StorySettings(style=style, target_chars=target_chars, creativity=creativity, top_p=top_p,
                         repetition_penalty=repetition_penalty, seed=seed,
                         max_new_tokens=token_budget(target_chars, get_settings().max_new_tokens))
story_caption = (ss.get("story_caption_zh") or "").strip() or (ss.get("story_caption_en") or "").strip()
messages = build_messages(style, story_caption, target_chars, ss.get("story_caption_en") or "")
with st.expander(t("image_story.story.messages")):
    st.code(json.dumps(messages, ensure_ascii=False, indent=2), language="json", wrap_lines=True)
    st.caption(t("image_story.story.kwargs"))
    st.code(json.dumps(settings.generate_kwargs(), indent=2), language="json")

story_clicked = st.button(t("image_story.story.run"), key="story_run", disabled=not story_ready)
stop_slot = st.empty()


def shown(chunks, partial: dict):
    """Literal text for st.write_stream, while keeping the raw text in session state in case the run is stopped."""
    for chunk in chunks:
        partial["text"] += chunk
        yield markdown_literal(chunk)


if (run["ok"] and story_ready) or story_clicked:
    problem = check_caption(story_caption)
    if problem:
        st.warning(t(problem[0], **problem[1]))
        run["ok"] = False
    else:
        with timed_step("story", pipeline):
            handle = load_causal_lm(lm_source, precision) if remote is None else None
            if handle is None and remote is None:
                run["ok"] = False
            else:
                model, tokenizer = handle.value if handle else (None, None)
                seeds = [seed + i for i in range(int(n_variants))]
                columns = st.columns(len(seeds)) if len(seeds) > 1 else [st.container()]
                stop_slot.button(t("image_story.story.stop"), key="story_stop", icon=":material/stop_circle:")
                variants = []
                for number, (column, variant_seed) in enumerate(zip(columns, seeds), start=1):
                    with column:
                        if len(seeds) > 1:
                            st.caption(t("image_story.story.variant", number=number, seed=variant_seed))
                        placeholder = st.empty()
                        ss.story_streaming = partial = {"text": ""}
                        chunks = cut_at_sentence(stream_local(model, tokenizer, handle.lock, messages,
                                                              replace(settings, seed=variant_seed)) if remote is None
                                                 else stream_story(remote, messages, replace(settings, seed=variant_seed),
                                                                   remote_failures), target_chars)
                        try:
                            with placeholder.container():
                                st.write_stream(shown(chunks, partial))
                        finally:
                            chunks.close()
                        del ss.story_streaming
                        placeholder.empty()
                        variants.append({"seed": variant_seed, "text": finish_story(partial["text"])})
                stop_slot.empty()
                for failure in remote_failures:  # remote backend (issue 9)
                    show_remote_error(failure)
                good = [v for v in variants if v["text"]]
                if not good:
                    st.warning(t("image_story.bad.story_empty"))
                    run["ok"] = False
                else:
                    ss.story_variants = variants if len(variants) > 1 else []
                    ss.story_text = good[0]["text"]
                    ss.story_params = {
                        "image": None if image is None else {"name": image.name, "format": image.source_format,
                                                             "mode": image.source_mode, "size": list(image.source_size)},
                        "caption": ss.get("story_caption_meta", {"source": "typed"}) | {"used": ss.get("story_caption_en", "")},
                        "translation": ss.get("story_translation_meta", {"source": "typed"}) | {"used": ss.get("story_caption_zh", "")},
                        "story": {**(remote_record(remote) if remote is not None else
                                     {**bundle.model_record(lm_source, model), "precision": precision}),
                                  "settings": replace(settings, seed=good[0]["seed"]).as_dict(),
                                  "messages": messages, "variant_seeds": seeds},
                    }
                    ss.story_speech = None
                    history = ss.setdefault("story_history", [])
                    history.append({"id": f"{time.time():.6f}", "time": time.strftime("%H:%M:%S"), "image": image,
                                    "caption_en": ss.get("story_caption_en", ""), "caption_zh": ss.get("story_caption_zh", ""),
                                    "story": ss.story_text, "params": ss.story_params, "speech": None, "variants": ss.story_variants})
                    del history[:-HISTORY_LIMIT]


def keep_variant(text: str, variant_seed: int) -> None:
    """Make one variant the story (its seed becomes the one recorded for regeneration)."""
    ss.story_text = text
    params = ss.get("story_params")
    if params:  # a new dict: the history keeps the record as it was generated
        ss.story_params = {**params, "story": {**params["story"], "settings": {**params["story"]["settings"],
                                                                               "seed": variant_seed}}}
    ss.story_notice = ("image_story.story.kept", {"seed": variant_seed})


if ss.get("story_variants"):
    for column, variant in zip(st.columns(len(ss.story_variants)), ss.story_variants):
        with column:
            st.caption(t("image_story.story.variant_seed", seed=variant["seed"]))
            with st.container(height=260):
                st.markdown(markdown_literal(variant["text"]) or "—")
            st.button(t("image_story.story.keep"), key=f"story_keep_{variant['seed']}", on_click=keep_variant,
                      args=(variant["text"], variant["seed"]), icon=":material/star:")
if ss.get("story_notice"):
    key, params = ss.pop("story_notice")
    st.info(t(key, **params))
st.text_area(t("image_story.story.text"), key="story_text", height=260, help=t("image_story.story.text_help"))
if ss.get("story_text"):
    st.caption(t("image_story.story.count", chars=len("".join(ss.story_text.split())), target=target_chars))

# 4. Speech -----------------------------------------------------------------------------------------
st.subheader(t("image_story.step.speech"))
engine_choice = st.segmented_control(t("image_story.speech.engine"), list(ENGINE_CHOICES),
                                     format_func=lambda k: t(f"image_story.speech.engine.{k}"), key="story_engine")
speak_clicked = st.button(t("image_story.speech.run"), key="story_speak", disabled=not ss.get("story_text"))
if (run["ok"] and ss.get("story_text")) or speak_clicked:
    text = (ss.get("story_text") or "").strip()
    if not text:
        st.warning(t("image_story.bad.speech_empty"))
    elif len(text) > tts.MAX_SPEECH_CHARS:
        st.warning(t("image_story.bad.speech_long", length=len(text), limit=tts.MAX_SPEECH_CHARS))
    else:
        with timed_step("speech", pipeline) as box:
            try:
                speech = tts.synthesize(text, ENGINE_CHOICES[engine_choice or "auto"])
            except tts.SpeechFailed as failed:
                box.update(state="error")
                st.error(t("image_story.speech.failed", reasons=markdown_literal(str(failed))))
                speech = None
        if speech is not None:
            ss.story_speech = {"engine": speech.engine, "path": str(speech.path), "mime": speech.mime,
                               "failures": speech.failures, "cached": speech.cached, "text": text}
            if ss.get("story_history"):
                ss.story_history[-1]["speech"] = ss.story_speech

speech_state = ss.get("story_speech")
if speech_state and Path(speech_state["path"]).is_file():
    for engine, reason in speech_state["failures"]:
        st.warning(t("image_story.speech.fallback", engine=t(f"image_story.speech.engine.{engine}"),
                     reason=markdown_literal(reason)))
    st.success(t("image_story.speech.spoken_by", engine=t(f"image_story.speech.engine.{speech_state['engine']}")) +
               (t("image_story.speech.from_cache") if speech_state["cached"] else ""))
    audio_bytes = Path(speech_state["path"]).read_bytes()
    st.audio(audio_bytes, format=speech_state["mime"])
    extension = Path(speech_state["path"]).suffix.lstrip(".")
    st.download_button(t("image_story.speech.download", ext=extension.upper()), audio_bytes,
                       file_name=f"story.{extension}", mime=speech_state["mime"], on_click="ignore",
                       key="story_audio_download")
    if speech_state["text"] != (ss.get("story_text") or "").strip():
        st.caption(t("image_story.speech.stale"))

if pipeline is not None:
    pipeline.update(label=t("image_story.status.done", seconds=f"{time.perf_counter() - run_started:.1f}"),
                    state="complete" if run["ok"] else "error", expanded=False)
if ss.get("story_timings"):
    st.caption(t("image_story.status.timings") + " · ".join(
        t("image_story.status.step_done", step=t(f"image_story.status.{name}"), seconds=f"{secs:.1f}")
        for name, secs in ss.story_timings.items()))


# 5. Bundle and history -----------------------------------------------------------------------------
def bundle_bytes(record: dict, speech_state: dict | None) -> bytes:
    """Build the zip (called only when the download is clicked) and keep a copy under the story dir."""
    data = bundle.bundle_from_record(record, speech_state)
    bundle.save_bundle(data)
    return data


def current_record() -> dict | None:
    """The latest story as it is now on the page (edited captions and story text included)."""
    if not ss.get("story_history") or not ss.get("story_params"):
        return None
    return {**ss.story_history[-1], "caption_en": ss.get("story_caption_en", ""),
            "caption_zh": ss.get("story_caption_zh", ""), "story": ss.get("story_text", ""), "params": ss.story_params}


def restore(record: dict) -> None:
    """Bring a story from this session's history back onto the page."""
    ss.story_image, ss.story_image_problem = record["image"], None
    ss.story_caption_en, ss.story_caption_zh = record["caption_en"], record["caption_zh"]
    ss.story_text, ss.story_params = record["story"], record["params"]
    ss.story_variants, ss.story_speech = record.get("variants") or [], record["speech"]
    ss.story_notice = ("image_story.history.restored", {"time": record["time"]})


st.subheader(t("image_story.step.bundle"))
record = current_record()
if record is None:
    st.caption(t("image_story.bundle.none"))
else:
    st.download_button(t("image_story.bundle.download"), functools.partial(bundle_bytes, record, speech_state),
                       file_name="image-story.zip", mime="application/zip", on_click="ignore",
                       key="story_bundle_download", icon=":material/folder_zip:")
    st.caption(t("image_story.bundle.contents"))
history = ss.get("story_history") or []
if history:
    with st.expander(t("image_story.history.title", count=len(history))):
        for past in reversed(history):
            h1, h2 = st.columns([5, 1])
            h1.text(f"{past['time']} · {past['params']['story']['settings']['style']} · {past['story'][:60]}…")
            h2.button(t("image_story.history.restore"), key=f"story_restore_{past['id']}", on_click=restore, args=(past,))

ss.story_kept = {key: ss.get(key) for key in DEFAULTS}
