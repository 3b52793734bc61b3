"""Image story: image -> BLIP caption (editable) -> Chinese caption -> styled Chinese story (streamed) -> speech.

The page runs top to bottom in pipeline order: "Run all" switches every step on as the script
reaches it, so each result lands in its own editable widget before that widget is drawn. The first
step that fails stops the run, and the status box at the top of the pipeline says where and why.
"""
from __future__ import annotations

import functools
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

from components.admission import heavy_job
from components.chat_markers import note_markers_kept_as_text
from components.code import show_code
from components.escape import markdown_lines
from components.i18n import t
from components.limits import cap_value, show_caps, show_upload_caps
from components.links import take_link
from components.messages import message_text, show_message
from components.model_loading import explain_missing, load, resolve_role, source_caption, using
from components.page import header
from components.precision import load_causal_lm, precision_choice
from components.remote_backend import backend_choice, remote_record, show_remote_error, stream_story
from components.remote_queue import show_engine_queue
from components.state import keep, kept
from hflab.loading import loaders
from hflab.loading.manager import Handle
from hflab.loading.sources import Source
from hflab.messages import Message, MessageError
from hflab.settings import get_settings
from hflab.snippet.reference import load_reference
from hflab.story import bundle, files, tts, tutorial
from hflab.story.caption import CaptionSettings, caption_controls, check_caption, generate_caption
from hflab.story.code import story_code, story_notebook
from hflab.story.drawn import DRAWINGS, drawn_example
from hflab.story.images import ImageProblem, PreparedImage, open_image
from hflab.story.translate import translate_en_zh
from hflab.story.writer import (
    DEFAULT_CHARS,
    ENGLISH_CENTRIC_DEFAULT_CHARS,
    MAX_CHARS,
    MIN_CHARS,
    STYLES,
    StorySettings,
    StreamProgress,
    build_messages,
    chars_per_token,
    creativity_to_temperature,
    ends_at_sentence,
    finish_story,
    stream_local,
    token_budget,
)

PAGE = "image_story"  # this page's id in links (components.links)
# what a link may ask this page to show (the Learning path's story chapter) -> the widget that shows it
LINK_FIELDS = {"mode": "story_mode", "style": "story_style", "tutorial_length": "story_tutorial_length",
               "tutorial_creativity": "story_tutorial_creativity", "tutorial_example": "story_tutorial_example"}

EXAMPLES = Path(__file__).resolve().parent.parent / "hflab" / "story" / "examples"
HISTORY_LIMIT = 10
ENGINE_CHOICES = {"auto": tts.ENGINES, "gtts": ("gtts",), "espeak": ("espeak",)}
MODES = ("lab", "tutorial")
PROGRESS_EVERY_S = 0.5  # how often the speed line beside the stop button is redrawn


@dataclass
class PipelineRun:
    """One press of "Run all steps": on until a step fails; its status box at the top says how it went."""

    box: object | None  # the st.status drawn under the button, None when the button was not pressed
    started: float
    failed_step: str | None = None

    @property
    def active(self) -> bool:
        """True while "Run all" is running and no step has failed."""
        return self.box is not None and self.failed_step is None

    def fail(self, step: str, message: Message) -> None:
        """Say why `step` failed where it is drawn and, in a run, at the top; the later steps then do not run."""
        show_message(message)
        if self.box is None or self.failed_step is not None:
            return
        self.failed_step = step
        with self.box:
            show_message(message)
        self.box.update(label=t("image_story.status.stopped", step=t(f"image_story.status.{step}")), state="error",
                        expanded=True)

    def finish(self) -> None:
        """Close the status box of a run in which every step worked."""
        if self.active:
            self.box.update(label=t("image_story.status.done", seconds=f"{time.perf_counter() - self.started:.1f}"),
                            state="complete", expanded=False)


@contextmanager
def timed_step(run: PipelineRun, name: str):
    """Run one step inside the run's status box (or its own), recording its time; a failure stops the run."""
    box = run.box or st.status(t(f"image_story.status.{name}"), expanded=False)
    start = time.perf_counter()
    try:
        yield box
    except MessageError as failure:  # a failure the step explains itself (model missing, no speech engine...)
        box.update(state="error")
        run.fail(name, failure.message)
        return
    except Exception as exc:  # a model failing mid-step; Streamlit's stop / rerun are BaseException and pass
        box.update(state="error")
        run.fail(name, Message("image_story.step_failed", {"step": t(f"image_story.status.{name}"),
                                                           "error": f"{type(exc).__name__}: {exc}"[:400]}))
        st.session_state.pop("story_streaming", None)
        return
    seconds = time.perf_counter() - start
    st.session_state.setdefault("story_timings", {})[name] = seconds
    step, took = t(f"image_story.status.{name}"), f"{seconds:.1f}"
    box.write(t("image_story.status.step_done", step=step, seconds=took))
    if run.box is None:  # the complete state draws its own check mark
        box.update(label=t("image_story.status.step_time", step=step, seconds=took), state="complete")


def loaded(handle: Handle | None) -> Handle:
    """The loaded model's handle; None (the load failed and said why) stops the step."""
    if handle is None:
        raise MessageError("image_story.status.load_failed")
    return handle


def restore_stopped_story() -> None:
    """The last run was stopped mid-story (stop button or any other click): keep what was written."""
    state = st.session_state
    interrupted = state.pop("story_streaming", None)
    if interrupted:
        partial = finish_story(interrupted["text"])
        if partial:
            state.story_text = partial
        state.story_params = None  # a stopped story cannot be regenerated from its settings: no bundle for it
        state.story_notice = Message("image_story.story.stopped", {"chars": len(partial)}, "info")


# 1. Image ------------------------------------------------------------------------------------------
def take_image(sig: tuple, data: bytes, name: str) -> None:
    """Open a newly chosen image once (not on every rerun); remember the problem if it is unusable."""
    state = st.session_state
    if state.get("story_image_sig") == sig:
        return
    state.story_image_sig = sig
    try:
        state.story_image, state.story_image_problem = open_image(data, name), None
    except ImageProblem as problem:
        state.story_image, state.story_image_problem = None, problem.message


def choose_image() -> None:
    """The image source (upload, camera or an example) and the chosen file."""
    keep("story_image_source", "upload")
    kind = st.segmented_control(t("image_story.image.source"), ["upload", "camera", "example"],
                                format_func=lambda k: t(f"image_story.image.{k}"), key="story_image_source")
    if kind == "camera":
        shot = st.camera_input(t("image_story.image.camera"), key="story_camera")
        if shot is not None:
            take_image(("camera", shot.file_id), shot.getvalue(), "camera.jpg")
    elif kind == "example":
        keep("story_example", "chelsea")
        stems = [p.stem for p in sorted(EXAMPLES.glob("*.jpg"))] + list(DRAWINGS)
        choice = st.pills(t("image_story.image.example"), stems,
                          format_func=lambda stem: t(f"image_story.example.{stem}"), key="story_example")
        if choice in DRAWINGS:  # the tutorial's examples whose photos it does not publish: drawn in code
            take_image(("example", f"{choice}.jpg"), drawn_example(choice), f"{choice}.jpg")
        elif choice is not None:
            path = EXAMPLES / f"{choice}.jpg"
            take_image(("example", path.name), path.read_bytes(), path.name)
    else:
        # no `type=` filter: Streamlit's own rejection message is English-only; open_image explains in both languages
        upload = st.file_uploader(t("image_story.image.upload_label"), key="story_upload",
                                  help=t("image_story.image.upload_help", mb=cap_value("upload_mb")))
        show_upload_caps()
        if upload is not None:
            take_image(("upload", upload.file_id), upload.getvalue(), upload.name)
        elif (st.session_state.get("story_image_sig") or ("",))[0] == "upload":  # the file was removed: forget it
            st.session_state.story_image_sig = st.session_state.story_image = None
            st.session_state.story_image_problem = None


def show_image(image: PreparedImage | None, problem: Message | None) -> None:
    """The image's problem, or the image with its facts and what was done to it."""
    if problem is not None:
        show_message(problem)
    if image is None:
        return
    left, right = st.columns([2, 3])
    left.image(image.image, width="stretch")
    with right:
        st.text(t("image_story.image.facts", name=image.name, format=image.source_format, mode=image.source_mode,
                  width=image.source_size[0], height=image.source_size[1]))
        for note_key, note_params in image.notes:
            st.caption(t(note_key, **note_params))


def start_run() -> PipelineRun:
    """The "Run all steps" button and, when pressed, the status box that follows the run."""
    pressed = st.button(
        t("image_story.run_all"), type="primary", key="story_run_all", help=t("image_story.run_all_help")
    )
    box = st.status(t("image_story.status.running"), expanded=True) if pressed else None
    return PipelineRun(box, time.perf_counter())


# 2. Captions ---------------------------------------------------------------------------------------
def caption_settings(mode: str) -> CaptionSettings:
    """Beam-search settings in an expander; the tutorial's mode uses the tutorial's own call, shown, not set."""
    if mode == "tutorial":
        st.caption(t("image_story.caption.tutorial_settings", num_beams=tutorial.CAPTION.num_beams,
                     max_length=tutorial.CAPTION.max_length))
        return tutorial.CAPTION
    with st.expander(t("image_story.caption.settings")):
        c1, c2, c3 = st.columns(3)
        for key, default in (("story_num_beams", 3), ("story_max_length", 30), ("story_caption_rp", 1.2)):
            keep(key, default)
        return CaptionSettings(
            num_beams=c1.slider(t("image_story.caption.num_beams"), 1, 8, key="story_num_beams"),
            max_length=c2.slider(t("image_story.caption.max_length"), 10, 60, key="story_max_length"),
            repetition_penalty=c3.slider(t("image_story.caption.repetition_penalty"), 1.0, 2.0, step=0.05,
                                         key="story_caption_rp"),
        )


def caption_step(run: PipelineRun, image: PreparedImage | None, mode: str) -> None:
    """BLIP's English caption of the image, into the caption box drawn next."""
    source = resolve_role("caption")
    st.caption(t("image_story.model_line", model=source.repo_id, source=source_caption(source)))
    settings = caption_settings(mode)
    if not source.ready:
        explain_missing(source, "warning")  # a first view: the button that needs it is disabled
        st.info(t("image_story.caption.type_it"))
    clicked = st.button(
        t("image_story.caption.run"), key="story_caption_run", disabled=not source.ready or image is None
    )
    if not ((run.active and source.ready and image is not None) or clicked):
        return
    with timed_step(run, "caption"):
        handle = loaded(load(source, loaders.load_caption_model, t("role.caption")))
        with using(handle) as captioner:
            generated = generate_caption(captioner.model, captioner.processor, image.image, settings)
        st.session_state.story_caption_en = generated
        st.session_state.story_caption_meta = bundle.caption_record(source, captioner.model, settings.as_dict(),
                                                                    generated)


def translation_step(run: PipelineRun, mode: str) -> None:
    """The English caption (editable) beside its Chinese translation (editable; the tutorial's max_length 50 in its
    mode)."""
    state = st.session_state
    col_en, col_zh = st.columns(2)
    keep("story_caption_en", "")
    col_en.text_area(t("image_story.caption.en"), key="story_caption_en", height=110)
    source = resolve_role("translation")
    with col_zh:
        clicked = st.button(t("image_story.caption.translate"), key="story_translate", disabled=not source.ready)
        if not source.ready:
            explain_missing(source, "warning")  # a first view: the button that needs it is disabled
            st.info(t("image_story.caption.type_zh"))
        if (run.active and source.ready) or clicked:
            problem = check_caption(state.get("story_caption_en", ""))
            if problem:
                run.fail("translate", problem)
            else:
                with timed_step(run, "translate"):
                    handle = loaded(load(source, loaders.load_seq2seq, t("role.translation")))
                    with using(handle) as translator:
                        state.story_caption_zh = translate_en_zh(
                            translator.model, translator.tokenizer, state.story_caption_en,
                            **({"max_new_tokens": tutorial.TRANSLATION_MAX_NEW_TOKENS} if mode == "tutorial" else {}))
                    state.story_translation_meta = bundle.translation_record(source, translator.model,
                                                                             state.story_caption_zh)
        keep("story_caption_zh", "")
        st.text_area(t("image_story.caption.zh"), key="story_caption_zh", height=110)


# 3. Story ------------------------------------------------------------------------------------------
def choose_mode() -> str:
    """The lab's way of captioning and writing, or the tutorial's original (教程原版), with why they differ."""
    keep("story_mode", "lab")
    mode = st.segmented_control(t("image_story.mode.label"), MODES, format_func=lambda m: t(f"image_story.mode.{m}"),
                                key="story_mode") or "lab"
    st.caption(t(f"image_story.mode.{mode}_note"))
    return mode


def apply_tutorial_example() -> None:
    """A newly chosen example of the tutorial (by the learner or a Learning-path link): its image, 故事最大字数,
    风格 and 创意值 go into the widgets before they are drawn, in the tutorial's mode."""
    state = st.session_state
    chosen = kept("story_tutorial_example")  # also on a run after the lab's mode, which does not draw the presets
    if chosen == state.get("story_tutorial_example_applied"):
        return
    state.story_tutorial_example_applied = chosen
    if chosen is None:
        return
    example = tutorial.tutorial_example(chosen)
    state.story_mode, state.story_image_source, state.story_example = "tutorial", "example", example.image
    state.story_tutorial_length, state.story_style = example.max_chars, example.style
    state.story_tutorial_creativity = example.creativity


def choose_tutorial_example() -> None:
    """The tutorial's three examples (its gr.Examples rows) as presets, with the image that stands in for its photo."""
    keep("story_tutorial_example", None)
    chosen = st.pills(t("image_story.tutorial.examples"), [e.id for e in tutorial.EXAMPLES],
                      format_func=lambda i: t("image_story.tutorial.example", file=tutorial.tutorial_example(i)
                                              .tutorial_file, **example_labels(tutorial.tutorial_example(i))),
                      key="story_tutorial_example")
    if chosen is not None:
        example = tutorial.tutorial_example(chosen)
        st.caption(t("image_story.tutorial.example_image", file=example.tutorial_file,
                     image=t(f"image_story.example.{example.image}")))


def example_labels(example: tutorial.TutorialExample) -> dict:
    """The words of one tutorial example's label."""
    return {"chars": example.max_chars, "style": t(f"image_story.style.{STYLES.index(example.style)}"),
            "creativity": example.creativity}


def choose_style() -> str:
    """One of the tutorial's eleven styles (stored as its Chinese name, shown translated)."""
    keep("story_style", "温馨")
    return (
        st.pills(
            t("image_story.story.style"),
            STYLES,
            format_func=lambda s: t(f"image_story.style.{STYLES.index(s)}"),
            key="story_style",
        )
        or "温馨"
    )


def seed_input(column) -> int:
    """The sampling seed (both modes share it, so they can be compared on the same seed)."""
    keep("story_seed", 42)
    return int(column.number_input(t("image_story.story.seed"), 0, 2**31 - 1, key="story_seed"))


def lab_settings(style: str, english_centric: bool, measured: float | None) -> StorySettings:
    """The lab's sliders: length, creativity (0 = greedy), top_p, repetition penalty, seed, variants."""
    s2, s3 = st.columns(2)
    keep("story_length", ENGLISH_CENTRIC_DEFAULT_CHARS if english_centric else DEFAULT_CHARS)
    target_chars = s2.slider(t("image_story.story.length"), MIN_CHARS, MAX_CHARS, step=10, key="story_length")
    keep("story_creativity", 6)
    creativity = s3.slider(t("image_story.story.creativity"), 0, 10, key="story_creativity")
    s3.caption(t("image_story.story.temperature", creativity=creativity,
                 temperature=creativity_to_temperature(creativity)))
    s4, s5, s6 = st.columns(3)
    keep("story_top_p", 0.9)
    top_p = s4.slider("top_p", 0.05, 1.0, step=0.05, key="story_top_p", help=t("image_story.story.top_p_help"))
    keep("story_rp", 1.1)
    repetition_penalty = s5.slider(t("image_story.story.repetition_penalty"), 1.0, 2.0, step=0.05, key="story_rp")
    return StorySettings(style=style, target_chars=target_chars, creativity=creativity, top_p=top_p,
                         repetition_penalty=repetition_penalty, seed=seed_input(s6),
                         max_new_tokens=token_budget(target_chars, get_settings().max_new_tokens, measured))


def reuse_last_seed() -> None:
    """Turning "fixed seed" on starts from the last story's seed, so the learner can write that story again."""
    state = st.session_state
    if state.get("story_fixed_seed") and state.get("story_last_seed") is not None:
        state.story_seed = state.story_last_seed


def tutorial_seed(column) -> int:
    """The tutorial never seeds, so each click tells a new story: a fresh seed per click (shown afterwards), or,
    with "fixed seed" on, the number in the seed box (prefilled with the last story's seed)."""
    state = st.session_state
    keep("story_fixed_seed", False)
    fixed = column.toggle(t("image_story.tutorial.fixed_seed"), key="story_fixed_seed", on_change=reuse_last_seed,
                          help=t("image_story.tutorial.fixed_seed_help"))
    if fixed:
        return seed_input(column)
    if state.get("story_next_seed") is None:
        state.story_next_seed = tutorial.fresh_seed()
    return state.story_next_seed


def seed_used(mode: str, seed: int) -> None:
    """After a click in the tutorial's mode with a fresh seed: remember and show it; the next click draws anew."""
    state = st.session_state
    if mode != "tutorial" or state.get("story_fixed_seed"):
        return
    state.story_last_seed = seed
    state.story_next_seed = None
    if not state.get("story_notice"):
        state.story_notice = Message("image_story.tutorial.seed_used", {"seed": seed}, "info")


def show_last_seed(mode: str) -> None:
    """Under the buttons, in the tutorial's mode with fresh seeds: the seed of the last story (to reuse it)."""
    state = st.session_state
    if mode == "tutorial" and not state.get("story_fixed_seed") and state.get("story_last_seed") is not None:
        st.caption(t("image_story.tutorial.last_seed", seed=state.story_last_seed))


def tutorial_settings(style: str) -> tutorial.TutorialSettings:
    """The tutorial's own controls: 故事最大字数 (step 50) and 创意值 (default 5); it always samples with top_p 0.9."""
    s2, s3, s4 = st.columns([2, 2, 2])
    keep("story_tutorial_length", tutorial.DEFAULT_CHARS)
    max_chars = s2.slider(t("image_story.tutorial.length"), tutorial.MIN_CHARS, tutorial.MAX_CHARS,
                          step=tutorial.CHARS_STEP, key="story_tutorial_length")
    keep("story_tutorial_creativity", tutorial.DEFAULT_CREATIVITY)
    creativity = s3.slider(t("image_story.tutorial.creativity"), 0, 10, key="story_tutorial_creativity")
    s3.caption(t("image_story.tutorial.temperature", creativity=creativity,
                 temperature=f"{tutorial.tutorial_temperature(creativity):.2f}"))
    return tutorial.TutorialSettings(style=style, target_chars=max_chars, creativity=creativity,
                                     seed=tutorial_seed(s4))


def english_choice(english_centric: bool) -> str:
    """With the English-centric offline model the lab's mode can ask for an English story (readable from it)."""
    if not english_centric:
        return "zh"
    keep("story_english", False)
    english = st.toggle(t("image_story.offline.english"), key="story_english",
                        help=t("image_story.offline.english_help"))
    return "en" if english else "zh"


def offline_preset() -> None:
    """The readable offline demo: the lab's mode, an English story of about 100 letters, one variant."""
    state = st.session_state
    state.story_mode, state.story_english = "lab", True
    state.story_length, state.story_n_variants = ENGLISH_CENTRIC_DEFAULT_CHARS, 1


def offline_demo(mode: str, target_chars: int) -> None:
    """Only the small offline model is here: say what that means in this mode and offer the short preset."""
    key = "image_story.offline.tutorial" if mode == "tutorial" else "image_story.offline.lab"
    st.info(t(key, chars=target_chars, short=ENGLISH_CENTRIC_DEFAULT_CHARS))
    st.button(t("image_story.offline.preset", chars=ENGLISH_CENTRIC_DEFAULT_CHARS), key="story_offline_preset",
              on_click=offline_preset, icon=":material/bolt:")


def variants_input() -> int:
    """How many variants to write side by side (seed, seed+1, ...)."""
    keep("story_n_variants", 1)
    return int(
        st.columns(4)[0].number_input(
            t("image_story.story.variants"),
            1,
            max(1, min(4, get_settings().max_variants)),
            key="story_n_variants",
            help=t("image_story.story.variants_help"),
        )
    )


def show_prompt(prompt, settings) -> None:
    """What the model receives: the chat messages (lab) or the raw prompt text (tutorial), and generate's arguments."""
    with st.expander(t("image_story.story.messages" if isinstance(prompt, list) else "image_story.tutorial.prompt")):
        if isinstance(prompt, list):
            st.code(json.dumps(prompt, ensure_ascii=False, indent=2), language="json", wrap_lines=True)
        else:
            st.code(prompt, language="text", wrap_lines=True)
        st.caption(t("image_story.story.kwargs"))
        st.code(json.dumps(settings.generate_kwargs(), indent=2), language="json")


def progress_text(progress: StreamProgress) -> str:
    """'12.3 tokens/s · about 20 s left' for the line beside the stop button."""
    left = progress.seconds_left()
    if left is None:
        return t("image_story.story.progress_start")
    return t("image_story.story.progress", tps=f"{progress.tokens_per_s():.1f}", eta=f"{left:.0f}")


def shown(chunks, partial: dict, progress: StreamProgress, speed_slot):
    """Literal text for st.write_stream, keeping the raw text in session state in case the run is stopped."""
    drawn = 0.0
    for chunk in chunks:
        partial["text"] += chunk
        progress.add(chunk)
        if time.perf_counter() - drawn > PROGRESS_EVERY_S:
            speed_slot.caption(progress_text(progress))
            drawn = time.perf_counter()
        yield markdown_lines(chunk)


def measured_chars_per_token(source: Source, handle: Handle, english_centric: bool) -> float:
    """The model's characters per token in the language it writes (measured once per model, kept per session)."""
    measured = st.session_state.setdefault("story_chars_per_token", {})
    if source.cache_key not in measured:
        with using(handle) as lm:
            measured[source.cache_key] = chars_per_token(lm.tokenizer, "en" if english_centric else "zh")
    return measured[source.cache_key]


def stream_variants(prompt, settings, seeds: list[int], chunk_source, stop_slot) -> list[dict]:
    """Stream one story per seed (side by side when several), with a stop button, speed and time left."""
    columns = st.columns(len(seeds)) if len(seeds) > 1 else [st.container()]
    stop_col, speed_col = stop_slot.container().columns([1, 4], vertical_alignment="center")
    stop_col.button(t("image_story.story.stop"), key="story_stop", icon=":material/stop_circle:")
    speed_slot = speed_col.empty()
    variants = []
    for number, (column, seed) in enumerate(zip(columns, seeds), start=1):
        with column:
            if len(seeds) > 1:
                st.caption(t("image_story.story.variant", number=number, seed=seed))
            placeholder = st.empty()
            st.session_state.story_streaming = partial = {"text": ""}
            progress = StreamProgress(settings.max_new_tokens, settings.target_chars)
            chunks = settings.limit(chunk_source(replace(settings, seed=seed), progress))
            try:
                with placeholder.container():
                    st.write_stream(shown(chunks, partial, progress, speed_slot))
            finally:
                chunks.close()
            del st.session_state.story_streaming
            placeholder.empty()
            variants.append({"seed": seed, "text": settings.finish(partial["text"])})
    stop_slot.empty()
    return variants


def keep_story(image, prompt, settings, variants: list[dict], writer: dict) -> None:
    """Make the first good variant the story, record its params and add it to the session's history."""
    state = st.session_state
    good = [v for v in variants if v["text"]]
    state.story_variants = variants if len(variants) > 1 else []
    state.story_text = good[0]["text"]
    state.story_params = bundle.story_params(
        image, (state.get("story_caption_meta"), state.get("story_caption_en", "")),
        (state.get("story_translation_meta"), state.get("story_caption_zh", "")), writer,
        replace(settings, seed=good[0]["seed"]).as_dict(), prompt, [v["seed"] for v in variants])
    state.story_speech = None
    history = state.setdefault("story_history", [])
    history.append(bundle.history_record(image, state.get("story_caption_en", ""), state.get("story_caption_zh", ""),
                                         state.story_text, state.story_params, state.story_variants))
    del history[:-HISTORY_LIMIT]


def write_story(run: PipelineRun, image, source: Source, remote, precision: str, prompt, settings, n_variants: int,
                english_centric: bool, stop_slot) -> None:
    """Load the model (or use the server), size the token budget from it, stream the variants, keep the story."""
    with timed_step(run, "story"), heavy_job("admission.job.story"):
        failures = []  # a server's errors end its stream and are shown after it
        if remote is None:
            handle = loaded(load_causal_lm(source, precision))
            model, tokenizer = handle.value  # stream_local runs them under handle.lock, in its own thread
            if isinstance(settings, StorySettings):
                measured = measured_chars_per_token(source, handle, english_centric)
                settings = replace(settings, max_new_tokens=token_budget(
                    settings.target_chars, get_settings().max_new_tokens, measured))

            def chunk_source(variant_settings, progress):
                return stream_local(model, tokenizer, handle.lock, prompt, variant_settings, progress)

            writer = {**bundle.model_record(source, model), "precision": precision}
        else:
            def chunk_source(variant_settings, progress):
                return stream_story(remote, prompt, variant_settings, failures)

            writer = remote_record(remote)
        variants = stream_variants(prompt, settings, [settings.seed + i for i in range(n_variants)], chunk_source,
                                   stop_slot)
        for failure in failures:
            show_remote_error(failure)
        if not any(v["text"] for v in variants):
            raise MessageError("image_story.bad.story_empty", level="warning")
        keep_story(image, prompt, settings, variants, writer)
        if isinstance(settings, StorySettings) and not ends_at_sentence(st.session_state.story_text):
            # the lab promises a sentence end: when the token budget ran out first, it says so
            st.session_state.story_notice = Message("image_story.story.cut", {"tokens": settings.max_new_tokens},
                                                    "warning")


def compare_modes(run: PipelineRun, source: Source, precision: str, english_centric: bool, caption: str,
                  settings, language: str = "zh") -> None:
    """The same caption, style, creativity, length and seed written the lab's way and the tutorial's way."""
    with timed_step(run, "story"), heavy_job("admission.job.story"):
        handle = loaded(load_causal_lm(source, precision))
        model, tokenizer = handle.value  # stream_local runs them under handle.lock, in its own thread
        measured = measured_chars_per_token(source, handle, english_centric)
        budget = token_budget(settings.target_chars, get_settings().max_new_tokens, measured)
        if isinstance(settings, StorySettings):
            lab_way, tutorial_way = replace(settings, max_new_tokens=budget), tutorial.from_lab(settings)
        else:
            lab_way, tutorial_way = tutorial.to_lab(settings, budget), settings
        caption_en = st.session_state.get("story_caption_en") or ""
        ways = (("lab", build_messages(lab_way.style, caption, lab_way.target_chars, caption_en, language), lab_way),
                ("tutorial", tutorial.tutorial_prompt(tutorial_way.style, caption, tutorial_way.target_chars),
                 tutorial_way))
        with st.spinner(t("image_story.status.story")):
            st.session_state.story_comparison = [
                {"mode": mode, "temperature": way.temperature,
                 "text": way.finish("".join(way.limit(stream_local(model, tokenizer, handle.lock, prompt, way))))}
                for mode, prompt, way in ways]


def show_comparison(comparison: list[dict]) -> None:
    """The two ways' stories side by side."""
    for column, written in zip(st.columns(len(comparison)), comparison):
        with column:
            st.caption(t("image_story.compare.column", mode=t(f"image_story.mode.{written['mode']}"),
                         temperature=f"{written['temperature']:.2f}"))
            with st.container(height=260):
                st.markdown(markdown_lines(written["text"]) or "—")


def story_step(run: PipelineRun, image: PreparedImage | None, mode: str) -> int:
    """Model, settings and the streamed story in `mode`; returns the target length (for the character count)."""
    state = st.session_state
    source = resolve_role("causal_lm")
    english_centric = source.english_centric
    st.caption(t("image_story.model_line", model=source.repo_id, source=source_caption(source)))
    if english_centric:
        st.warning(t("image_story.lm.english_centric"))
    if not source.ready:
        explain_missing(source, "warning")  # a first view: the button that needs it is disabled
    remote = backend_choice("story", stop=False) if mode == "lab" else None
    ready = source.ready if remote is None else remote.problem() is None
    precision = precision_choice("story", source) if remote is None and source.ready else "fp32"
    style = choose_style()
    caption = (state.get("story_caption_zh") or "").strip() or (state.get("story_caption_en") or "").strip()
    language = "zh"
    if mode == "lab":
        measured = state.get("story_chars_per_token", {}).get(source.cache_key) if remote is None else None
        language = english_choice(english_centric and remote is None)
        settings = lab_settings(style, english_centric, measured)
        prompt = build_messages(style, caption, settings.target_chars, state.get("story_caption_en") or "", language)
    else:
        settings = tutorial_settings(style)
        prompt = tutorial.tutorial_prompt(style, caption, settings.target_chars)
    if mode == "lab":
        note_markers_kept_as_text(prompt)
    if controls := caption_controls(caption):
        show_message(controls)
    if english_centric and remote is None and (mode == "tutorial" or language == "zh"):
        offline_demo(mode, settings.target_chars)
    n_variants = variants_input()
    show_caps("new_tokens", "variants")
    show_prompt(prompt, settings)
    if remote is None:
        reference = load_reference(source)
        show_code(story_code(reference, prompt, settings), "image_story.code_title",
                  notebook=story_notebook(reference, prompt, settings))
    else:
        show_engine_queue(remote, "story")  # a shared server's busy slots: why the story may wait to start
    story_col, compare_col = st.columns([1, 3])
    clicked = story_col.button(t("image_story.story.run"), key="story_run", disabled=not ready)
    compare = compare_col.button(t("image_story.compare.run"), key="story_compare", help=t("image_story.compare.help"),
                                 disabled=remote is not None or not source.ready)
    stop_slot = st.empty()
    if (run.active and ready) or clicked or compare:
        problem = check_caption(caption)
        if problem:
            run.fail("story", problem)
        elif compare:
            compare_modes(run, source, precision, english_centric, caption, settings, language)
            seed_used(mode, settings.seed)
        else:
            write_story(run, image, source, remote, precision, prompt, settings, n_variants, english_centric, stop_slot)
            seed_used(mode, settings.seed)
    show_last_seed(mode)
    if state.get("story_comparison"):
        show_comparison(state.story_comparison)
    return settings.target_chars


def keep_variant(text: str, variant_seed: int) -> None:
    """Make one variant the story (its seed becomes the one recorded for regeneration)."""
    state = st.session_state
    state.story_text = text
    if state.get("story_params"):  # a new dict: the history keeps the record as it was generated
        state.story_params = bundle.with_seed(state.story_params, variant_seed)
    state.story_notice = Message("image_story.story.kept", {"seed": variant_seed}, "info")


def show_variants(variants: list[dict]) -> None:
    """The variants side by side, each with a button that keeps it."""
    for column, variant in zip(st.columns(len(variants)), variants):
        with column:
            st.caption(t("image_story.story.variant_seed", seed=variant["seed"]))
            with st.container(height=260):
                st.markdown(markdown_lines(variant["text"]) or "—")
            st.button(t("image_story.story.keep"), key=f"story_keep_{variant['seed']}", on_click=keep_variant,
                      args=(variant["text"], variant["seed"]), icon=":material/star:")


def story_text(target_chars: int, mode: str) -> None:
    """The story (editable: speech and the bundle use it) and its length; the help says how `mode` ends a story."""
    keep("story_text", "")
    st.text_area(t("image_story.story.text"), key="story_text", height=260,
                 help=t(f"image_story.story.text_help_{mode}"))
    if st.session_state.get("story_text"):
        st.caption(t("image_story.story.count", chars=len("".join(st.session_state.story_text.split())),
                     target=target_chars))


# 4. Speech -----------------------------------------------------------------------------------------
def speech_step(run: PipelineRun) -> None:
    """Read the story aloud with the chosen engine (auto: gTTS, then espeak-ng)."""
    state = st.session_state
    keep("story_engine", "auto")
    engine_choice = st.segmented_control(t("image_story.speech.engine"), list(ENGINE_CHOICES),
                                         format_func=lambda k: t(f"image_story.speech.engine.{k}"), key="story_engine")
    clicked = st.button(t("image_story.speech.run"), key="story_speak", disabled=not state.get("story_text"))
    if not ((run.active and state.get("story_text")) or clicked):
        return
    text = (state.get("story_text") or "").strip()
    if not text:
        run.fail("speech", Message("image_story.bad.speech_empty", level="warning"))
    elif len(text) > tts.MAX_SPEECH_CHARS:
        run.fail("speech", Message("image_story.bad.speech_long", {"length": len(text), "limit": tts.MAX_SPEECH_CHARS},
                                   "warning"))
    else:
        with timed_step(run, "speech"):
            try:
                speech = tts.synthesize(text, ENGINE_CHOICES[engine_choice or "auto"])
            except tts.SpeechFailed as failed:
                show_speech_failures(failed.failures)
                raise
            state.story_speech = {"engine": speech.engine, "path": str(speech.path), "mime": speech.mime,
                                  "failures": speech.failures, "cached": speech.cached, "text": text}
            if state.get("story_history"):
                state.story_history[-1]["speech"] = state.story_speech


def show_speech_failures(failures: list[tuple[str, Message]]) -> None:
    """One warning per engine that failed, with the reason in the catalog's words."""
    for engine, reason in failures:
        st.warning(t("image_story.speech.fallback", engine=t(f"image_story.speech.engine.{engine}"),
                     reason=message_text(reason)))


def show_speech(speech: dict | None, story: str) -> None:
    """The audio player and download, which engine spoke, and whether the story changed since."""
    if not speech or not Path(speech["path"]).is_file():
        return
    show_speech_failures(speech["failures"])
    st.success(t("image_story.speech.spoken_by", engine=t(f"image_story.speech.engine.{speech['engine']}")) +
               (t("image_story.speech.from_cache") if speech["cached"] else ""))
    audio_bytes = Path(speech["path"]).read_bytes()
    st.audio(audio_bytes, format=speech["mime"])
    extension = Path(speech["path"]).suffix.lstrip(".")
    st.download_button(
        t("image_story.speech.download", ext=extension.upper()),
        audio_bytes,
        file_name=f"story.{extension}",
        mime=speech["mime"],
        on_click="ignore",
        key="story_audio_download",
    )
    if speech["text"] != story.strip():
        st.caption(t("image_story.speech.stale"))


def show_timings(timings: dict[str, float]) -> None:
    """The latest time of each step."""
    if timings:
        st.caption(t("image_story.status.timings") + " · ".join(
            t("image_story.status.step_time", step=t(f"image_story.status.{name}"), seconds=f"{secs:.1f}")
            for name, secs in timings.items()))


# 5. Bundle and history -----------------------------------------------------------------------------
def bundle_bytes(record: dict, speech: dict | None) -> bytes:
    """Build the zip (called only when the download is clicked) and keep a copy under the story dir."""
    data = bundle.bundle_from_record(record, speech)
    bundle.save_bundle(data)
    return data


def restore(record: dict) -> None:
    """Bring a story from this session's history back onto the page."""
    state = st.session_state
    state.story_image, state.story_image_problem = record["image"], None
    state.story_caption_en, state.story_caption_zh = record["caption_en"], record["caption_zh"]
    state.story_text, state.story_params = record["story"], record["params"]
    state.story_variants, state.story_speech = record.get("variants") or [], record["speech"]
    state.story_notice = Message("image_story.history.restored", {"time": record["time"]}, "info")


def bundle_download(history: list[dict], params: dict | None, speech: dict | None) -> None:
    """The latest story as it is now on the page (edited captions and story text included), as a zip."""
    if not history or not params:
        st.caption(t("image_story.bundle.none"))
        return
    state = st.session_state
    record = {**history[-1], "caption_en": state.get("story_caption_en", ""),
              "caption_zh": state.get("story_caption_zh", ""), "story": state.get("story_text", ""), "params": params}
    st.download_button(t("image_story.bundle.download"), functools.partial(bundle_bytes, record, speech),
                       file_name="image-story.zip", mime="application/zip", on_click="ignore",
                       key="story_bundle_download", icon=":material/folder_zip:")
    st.caption(t("image_story.bundle.contents"))


def show_history(history: list[dict]) -> None:
    """This session's stories, newest first, each with a restore button."""
    if not history:
        return
    with st.expander(t("image_story.history.title", count=len(history))):
        for past in reversed(history):
            h1, h2 = st.columns([5, 1])
            h1.text(f"{past['time']} · {past['params']['story']['settings']['style']} · {past['story'][:60]}…")
            h2.button(
                t("image_story.history.restore"), key=f"story_restore_{past['id']}", on_click=restore, args=(past,)
            )


# The page ------------------------------------------------------------------------------------------
def main() -> None:
    """The page as a storyboard: image, run-all, captions, story, speech, bundle and history."""
    state = st.session_state
    header("nav.image_story", "image_story.intro")
    take_link(PAGE, LINK_FIELDS)
    apply_tutorial_example()
    if not state.get("story_cleaned"):  # once per session: drop speech and bundles older than the cleanup setting
        files.cleanup_old_files()
        state.story_cleaned = True
    restore_stopped_story()

    mode = choose_mode()  # the tutorial's mode covers the caption and the story
    if mode == "tutorial":
        choose_tutorial_example()

    st.subheader(t("image_story.step.image"))
    choose_image()
    show_image(state.get("story_image"), state.get("story_image_problem"))
    run = start_run()

    st.subheader(t("image_story.step.caption"))
    caption_step(run, state.get("story_image"), mode)
    translation_step(run, mode)

    st.subheader(t("image_story.step.story"))
    target_chars = story_step(run, state.get("story_image"), mode)
    if state.get("story_variants"):
        show_variants(state.story_variants)
    if state.get("story_notice"):
        show_message(state.pop("story_notice"))
    story_text(target_chars, mode)

    st.subheader(t("image_story.step.speech"))
    speech_step(run)
    show_speech(state.get("story_speech"), state.get("story_text") or "")
    run.finish()
    show_timings(state.get("story_timings") or {})

    st.subheader(t("image_story.step.bundle"))
    bundle_download(state.get("story_history") or [], state.get("story_params"), state.get("story_speech"))
    show_history(state.get("story_history") or [])


main()
