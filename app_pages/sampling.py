"""Sampling playground: a real causal LM's next-token distribution over the full vocabulary, what
each of generate's logits processors does to it, step-by-step generation equal to model.generate,
side-by-side comparisons, many draws, a logit lens and the attention over the context. The computing lives in
hflab/sampling/."""

from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

from components.attention_view import CAUSAL_SHARES, cached_inspection, render_attention
from components.chat_markers import note_markers_kept_as_text
from components.code import show_code
from components.i18n import lang, t
from components.limits import check_text, show_caps
from components.links import take_link
from components.messages import show_message, show_messages
from components.model_loading import resolve_role, source_caption, using
from components.page import header
from components.precision import load_causal_lm, precision_choice
from components.prob_chart import cumulative_curve, draw, observed_vs_expected, stage_bars
from components.remote_backend import backend_choice, candidates, show_candidates, show_remote_error, top_k_input
from components.remote_queue import show_engine_queue
from components.remote_stepping import stepping_panel
from components.state import forget, keep, keep_choice, remember, remembered, session_memo, set_choice
from components.tabs import page_tabs
from components.token_chips import Chip, markdown_label, probability_color, render_chips
from hflab import attention
from hflab.byte_pieces import merge_pieces, piece_label, token_bytes
from hflab.chat import special_token_strings
from hflab.loading.manager import Handle
from hflab.loading.sources import Source
from hflab.messages import Message, MessageError
from hflab.sampling import tokens
from hflab.sampling.code import reproduction_code, reproduction_notebook
from hflab.sampling.lens import LensView, lens_problem, logit_lens
from hflab.sampling.processors import (
    BadLogits,
    SamplingSettings,
    StepView,
    config_rows,
    effective_generation_config,
    model_defaults,
    processor_plan,
    processor_signature,
    settings_from_plan,
    settings_problems,
)
from hflab.sampling.prompt import EXAMPLE_PROMPTS, encode_prompt, has_chat_template
from hflab.sampling.stepper import (
    ContextFull,
    Stepper,
    generate_tokens,
    joint_probability,
    max_positions,
    sample_many,
)
from hflab.settings import get_settings
from hflab.snippet.reference import LoadReference, load_reference

PAGE = "sampling"  # this page's id in links (components.links)
# what a link may ask this page to show (the Learning path's chapters) -> the widget that shows it
LINK_FIELDS = {"prompt": "sampling_prompt", "do_sample": "sampling_do_sample", "temperature": "sampling_temperature",
               "top_k": "sampling_top_k", "top_p": "sampling_top_p", "remote": "sampling_backend",
               "remote_url": "sampling_remote_url"}

CURRENT_STEP = -1  # the lens picker's value for the step not taken yet (None would show an empty picker)
KNOBS = ("do_sample", "temperature", "top_k", "top_p", "min_p", "repetition_penalty")
COMPARE_PRESETS = ({"temperature": 0.3}, {"temperature": 1.2}, {"top_p": 0.5}, {"top_p": 0.95})
CHART_WORDS = ("prob", "kept", "cut", "chosen", "rank", "cumulative", "status", "series", "value")


@dataclass(frozen=True)
class Playground:
    """The loaded model and what every tab works on: the encoded prompt, the settings and the session's stepper."""

    handle: Handle
    prompt_ids: list[int]
    settings: SamplingSettings
    config: object  # the effective GenerationConfig
    stepper: Stepper
    stepper_key: tuple
    seed: int
    top_n: int
    vocab_size: int
    max_run: int  # most tokens one click may generate

    @property
    def model(self):
        """The model, for reading its config (running it goes through `using(handle)`)."""
        return self.handle.value.model

    @property
    def tokenizer(self):
        """The tokenizer, for reading its vocabulary facts (encoding goes through `using(handle)`)."""
        return self.handle.value.tokenizer


def knob_values(settings: SamplingSettings) -> dict:
    """The widget value of each knob (the min_p slider shows "off" as 0)."""
    return {**asdict(settings), "min_p": settings.min_p or 0.0}


def reset_knobs_for_model(model_key: str) -> None:
    """A newly loaded model starts the knobs again at its own generation defaults."""
    previous = st.session_state.get("sampling_defaults_for")
    if previous != model_key:
        if previous is not None:  # the first visit keeps values set before it (a Learning-path link)
            for knob in KNOBS:
                forget(f"sampling_{knob}")
        st.session_state["sampling_defaults_for"] = model_key


def knob_widgets(prefix: str, vocab: int, start: dict) -> SamplingSettings:
    """do_sample and the five knobs as widgets keyed `<prefix>_<knob>`, kept across pages, first at `start`
    (knob -> widget value); returns the settings."""
    for knob in KNOBS:
        keep(f"{prefix}_{knob}", start[knob])
    do_sample = st.toggle(t("sampling.do_sample"), key=f"{prefix}_do_sample", help=t("sampling.do_sample_help"))
    temperature = st.slider(t("sampling.temperature"), 0.0, 2.0, step=0.05, key=f"{prefix}_temperature")
    top_k = st.number_input(t("sampling.top_k"), 0, vocab, step=1, key=f"{prefix}_top_k")
    top_p = st.slider(t("sampling.top_p"), 0.0, 1.0, step=0.01, key=f"{prefix}_top_p")
    min_p = st.slider(t("sampling.min_p"), 0.0, 1.0, step=0.01, key=f"{prefix}_min_p")
    penalty = st.slider(t("sampling.repetition_penalty"), 0.5, 2.0, step=0.05, key=f"{prefix}_repetition_penalty")
    return SamplingSettings(bool(do_sample), float(temperature), int(top_k), float(top_p),
                            float(min_p) if min_p > 0 else None, float(penalty))


def token_labels(handle: Handle, ids) -> list[str]:
    """Display text of each token id (whole characters, <0xE4> for partial UTF-8 bytes), under the model's lock."""
    with using(handle) as lm:
        return tokens.token_labels(lm.tokenizer, ids)


def stage_titles(view: StepView) -> list[str]:
    return [t(f"sampling.stage.{name}") for name in view.stages]


def chart_words() -> dict[str, str]:
    return {w: t(f"sampling.chart.{w}") for w in CHART_WORDS}


def show_model_error(exc: BadLogits | ContextFull) -> None:
    """A clear message for what the model or context refused."""
    show_message(exc.message)


def chip_emoji(p: float) -> str:
    return "🟩" if p >= 0.6 else "🟨" if p >= 0.3 else "🟧" if p >= 0.1 else "🟥"


def local_model() -> tuple[Source, str, Handle | None]:
    """Where the causal LM comes from, the weight format, and the loaded model (None when it cannot load)."""
    source = resolve_role("causal_lm")
    st.caption(t("sampling.model", model=source_caption(source)))
    if source.english_centric:
        st.info(t("sampling.english_centric"))
    precision = precision_choice("sampling", source)
    return source, precision, load_causal_lm(source, precision)


def remote_panel(remote) -> None:
    """The server instead of the local model: as a chat, its top few next tokens; as raw text, stepping, branching
    and the sampling stages on the server."""
    from hflab.remote.client import RemoteError

    show_engine_queue(remote, "sampling")
    keep("sampling_remote_prompt", EXAMPLE_PROMPTS[lang()])
    prompt = st.text_area(t("sampling.prompt"), key="sampling_remote_prompt", height=110)
    keep("sampling_remote_chat", True)
    as_chat = st.toggle(t("remote.as_chat"), key="sampling_remote_chat")
    if not check_text(prompt):
        return
    if not as_chat:
        stepping_panel(remote, prompt)
        return
    st.caption(t("remote_step.chat_note"))
    k = top_k_input("sampling")
    try:
        # asked once per settings: a silent server's failure is remembered a while, not waited for per rerun
        show_candidates(candidates(remote, prompt, k, as_chat))
    except RemoteError as err:
        show_remote_error(err)


def use_prompt(text: str) -> None:
    st.session_state["sampling_prompt"] = text


def example_buttons() -> None:
    """Both example prompts, for a model that is better at English than at the UI's Chinese."""
    label, *buttons = st.columns([2, 1, 1], vertical_alignment="center")
    label.caption(t("sampling.examples"))
    for column, example in zip(buttons, EXAMPLE_PROMPTS):
        column.button(t(f"sampling.example.{example}"), key=f"sampling_example_{example}", on_click=use_prompt,
                      args=(EXAMPLE_PROMPTS[example],))


def prompt_inputs(tokenizer, english_centric: bool) -> tuple[str, bool, int, int]:
    """The prompt (first the example in the UI's language), the chat-template switch (off when the tokenizer has
    none), the seed and the chart size."""
    if english_centric:
        example_buttons()
    keep("sampling_prompt", EXAMPLE_PROMPTS[lang()])
    prompt = st.text_area(t("sampling.prompt"), key="sampling_prompt", height=110)
    show_caps("text_chars", "new_tokens", "variants")
    keep("sampling_chat", False)
    use_chat = st.toggle(t("sampling.use_chat"), key="sampling_chat")
    if use_chat and not has_chat_template(tokenizer):
        st.warning(t("sampling.no_chat_template"))
        use_chat = False
    keep("sampling_seed", 42)
    seed = int(st.number_input(t("sampling.seed"), 0, 2**31 - 1, step=1, key="sampling_seed"))
    keep("sampling_top_n", 20)
    top_n = int(st.slider(t("sampling.top_n"), 5, 50, step=5, key="sampling_top_n"))
    return prompt, use_chat, seed, top_n


def show_encoded_prompt(wrapped: str | None, n_tokens: int, limit: int) -> None:
    """The chat-wrapped text the model sees (when wrapped) and the prompt's length against the context."""
    if wrapped is not None:
        with st.expander(t("sampling.chat_wrapped")):
            st.code(wrapped, language=None)
    st.caption(t("sampling.prompt_tokens", n=n_tokens, limit=f"{limit:,}"))


def prompt_fits(prompt_ids: list[int], limit: int) -> bool:
    """Say why the encoded prompt cannot run (empty, longer than the context); True when it can."""
    if not prompt_ids:
        st.warning(t("sampling.empty_prompt"))
        return False
    if len(prompt_ids) >= limit:
        st.error(t("sampling.prompt_too_long", n=len(prompt_ids), limit=limit))
        return False
    return True


def show_generation_config(model, settings: SamplingSettings, config) -> None:
    """The effective generation config, field by field, and the processors generate will run in its order."""
    with st.expander(t("sampling.effective_config")):
        rows = config_rows(model, settings)
        st.dataframe(pd.DataFrame({
            t(f"sampling.col.{column}"): [row["field"] if column == "field" else str(row[column]) for row in rows]
            for column in ("field", "global", "model", "yours", "effective")
        }), hide_index=True)
    st.markdown(f"**{t('sampling.processors')}**")
    plan = processor_plan(config)
    final_line = t("sampling.then_sample") if config.do_sample else t("sampling.then_greedy")
    what = t("sampling.what.sample" if config.do_sample else "sampling.what.greedy")
    st.code("\n".join([f"{i}. {processor_signature(n, a)}" for i, (n, a) in enumerate(plan, 1)] + [final_line])
            if plan else t("sampling.no_processors", what=what), language=None)


def session_stepper(handle: Handle, key: tuple, prompt_ids: list[int], seed: int) -> Stepper:
    """The session's stepper: the prompt prefilled once, its KV cache reused for every step until the key changes."""
    if st.session_state.get("sampling_stepper_key") != key:
        with using(handle) as lm:
            st.session_state["sampling_stepper"] = Stepper.start(lm.model, prompt_ids, seed)
        st.session_state["sampling_stepper_key"] = key
        st.session_state.pop("sampling_chips", None)
    return st.session_state["sampling_stepper"]


def show_view(play: Playground, view: StepView, top_p: float, current: bool) -> None:
    """Stage stats, bars per stage, the top-p curve and the candidate table of one step; for the current
    distribution also the temperature-last comparison."""
    titles, names, words = stage_titles(view), token_labels(play.handle, view.candidates), chart_words()
    st.caption(t("sampling.stats", vocab=f"{view.vocab_size:,}"))
    st.dataframe(pd.DataFrame({
        t("sampling.col.stage"): titles,
        t("sampling.col.survivors"): [f"{int(n):,}" for n in view.survivors],
        t("sampling.col.entropy"): np.round(view.entropy_bits, 3),
        t("sampling.col.outside"): [f"{m:.2%}" for m in view.mass_outside],
    }), hide_index=True)
    draw(stage_bars(view, names, titles, words))
    if view.top_p_curve is not None:
        st.caption(t("sampling.cumulative_title"))
        draw(cumulative_curve(view.top_p_curve, top_p, words), width="stretch")
    if view.chosen is not None and view.chosen not in set(int(c) for c in view.candidates):
        st.warning(t("sampling.chosen_outside", token=markdown_label(token_labels(play.handle, [view.chosen])[0]),
                     p=f"{view.chosen_probs[-1]:.4%}"))
    with st.expander(t("sampling.table_title")):
        table = {t("sampling.col.token"): names, t("sampling.col.id"): view.candidates,
                 t("sampling.col.logit"): np.round(view.logits, 4)}
        for s, title in enumerate(titles):
            table[title] = [f"{p:.4%}" for p in view.probs[s]]
        table[t("sampling.col.cut_by")] = [next((titles[s] for s in range(len(titles)) if not view.kept[s, r]), "")
                                           for r in range(len(view.candidates))]
        st.dataframe(pd.DataFrame(table), hide_index=True)
    if current and "temperature" in view.stages:
        order_comparison(play, view, names)


def order_comparison(play: Playground, view: StepView, names: list[str]) -> None:
    """On a switch: generate's order against temperature applied last (llama.cpp's default sampler chain)."""
    keep("sampling_order", False)
    if not st.toggle(t("sampling.order_toggle"), key="sampling_order"):
        return
    other = play.stepper.view(play.config, play.top_n, temperature_last=True)
    st.write(t("sampling.order_result", a=int(view.survivors[-1]), b=int(other.survivors[-1])))
    both = replace(view, stages=["transformers", "last"], probs=np.stack([view.probs[-1], other.probs[-1]]),
                   kept=np.stack([view.kept[-1], other.kept[-1]]), chosen=None)
    draw(stage_bars(both, names, [t("sampling.order.transformers"), t("sampling.order.last")], chart_words(),
                    columns=2))


def step_controls(play: Playground) -> int:
    """Step / run N / undo / reset buttons and a picked candidate, applied to the stepper; returns N."""
    model, stepper = play.model, play.stepper
    b_step, b_n, b_run, b_undo, b_reset = st.columns([2, 2, 2, 1, 1], vertical_alignment="bottom")
    finished = stepper.finished(model, play.config)
    step_clicked = b_step.button(t("sampling.step_button" if play.config.do_sample else "sampling.greedy_button"),
                                 type="primary", disabled=finished)
    keep("sampling_n", min(16, play.max_run))
    n_run = int(b_n.number_input(t("sampling.run_n"), 1, play.max_run, key="sampling_n"))
    run_clicked = b_run.button(t("sampling.run_button"), disabled=finished)
    undo_clicked = b_undo.button(t("sampling.undo"), disabled=not stepper.steps)
    reset_clicked = b_reset.button(t("sampling.reset"), disabled=not stepper.steps)
    pick_clicked = bool(st.session_state.get("sampling_pick_go"))
    try:
        with using(play.handle) as lm:
            if step_clicked:
                stepper.step(lm.model, play.config, play.top_n)
            elif run_clicked:
                stepper.run(lm.model, play.config, n_run, play.top_n)
            elif undo_clicked:
                stepper.undo(lm.model)
            elif reset_clicked:
                stepper.reset(lm.model)
            elif pick_clicked:
                stepper.step(lm.model, play.config, play.top_n, pick=st.session_state["sampling_pick"])
    except (BadLogits, ContextFull) as exc:
        show_model_error(exc)
    if step_clicked or run_clicked or undo_clicked or reset_clicked or pick_clicked:
        st.session_state.pop("sampling_chips", None)
    return n_run


def generated_chips(play: Playground, prompt_text: str) -> list:
    """The generated characters as chips coloured by probability, and the text so far; returns the character groups."""
    st.markdown(f"**{t('sampling.generated')}**")
    generated = play.stepper.generated
    with using(play.handle) as lm:
        groups = merge_pieces(token_bytes(lm.tokenizer, generated))
    if not generated:
        st.caption(t("sampling.nothing_generated"))
    else:
        probs = [joint_probability(play.stepper.steps, g.first, g.last) for g in groups]
        st.pills(t("sampling.generated"), list(range(len(groups))), key="sampling_chips", label_visibility="collapsed",
                 format_func=lambda i: f"{chip_emoji(probs[i])} {markdown_label(groups[i].text)}")
        st.caption(t("sampling.legend"))
        st.caption(t("sampling.text_so_far"))
        st.text(prompt_text + "".join(g.text for g in groups))
    if play.stepper.finished(play.model, play.config) and generated:
        st.info(t("sampling.finished"))
    return groups


def past_step(play: Playground, group, selected: int) -> None:
    """The distribution a clicked chip came from (one of its byte tokens when several make one character)."""
    index = group.first
    if group.n_tokens > 1:
        with using(play.handle) as lm:
            pieces = token_bytes(lm.tokenizer, play.stepper.generated[group.first:group.last + 1])
        index = group.first + (st.segmented_control(
            t("sampling.group_tokens", n=group.n_tokens), list(range(group.n_tokens)), default=0,
            format_func=lambda j: markdown_label(piece_label(pieces[j])), key=f"sampling_group_{selected}") or 0)
    step = play.stepper.steps[index]
    st.button(t("sampling.back_to_current"), on_click=lambda: st.session_state.pop("sampling_chips", None))
    st.markdown("#### " + t("sampling.step_title", step=index + 1,
                              token=markdown_label(token_labels(play.handle, [step.view.chosen])[0]),
                              how=t(f"sampling.how.{step.view.how}"), p=f"{step.view.chosen_probs[-1]:.2%}"))
    show_view(play, step.view, settings_from_plan(step.plan, step.do_sample).top_p, current=False)


def reset_stale_pick(options: list[int], context: tuple) -> None:
    """A hand-picked candidate belongs to one step: after any step (or once it is no longer offered, e.g. the
    browser still holding an old label) the box goes back to the top candidate."""
    if st.session_state.get("sampling_pick_context") != context or st.session_state.get("sampling_pick") not in options:
        st.session_state["sampling_pick"] = options[0]
        st.session_state["sampling_pick_context"] = context


def next_step(play: Playground) -> None:
    """The current next-token distribution, with a box to pick a candidate by hand."""
    st.markdown("#### " + t("sampling.next_title"))
    try:
        view = play.stepper.view(play.config, play.top_n)
    except BadLogits as exc:
        show_model_error(exc)
        st.stop()
    if len(play.stepper.ids) < (max_positions(play.model) or 10**9):
        options = [int(c) for c in view.candidates]
        names = token_labels(play.handle, options)
        reset_stale_pick(options, tuple(play.stepper.ids))
        p1, p2 = st.columns([3, 1], vertical_alignment="bottom")
        p1.selectbox(t("sampling.pick"), options, key="sampling_pick",
                     format_func=lambda i: f"{names[options.index(i)]}  ({view.final_probs[options.index(i)]:.2%})")
        p2.button(t("sampling.pick_button"), key="sampling_pick_go")
    show_view(play, view, play.settings.top_p, current=True)


def verify_and_code(
    play: Playground, prompt: str, use_chat: bool, model: LoadReference, precision: str, n_run: int
) -> None:
    """Check the steps against one model.generate call where one call can reproduce them; the copyable code."""
    stepper, generated = play.stepper, play.stepper.generated
    last = play.settings
    if generated and stepper.reproducible_by_generate():
        last = settings_from_plan(stepper.steps[0].plan, stepper.steps[0].do_sample)
        if st.button(t("sampling.verify_button")):
            with using(play.handle) as lm:
                theirs = generate_tokens(lm.model, stepper.prompt_ids, last, play.seed, len(generated))
            if theirs == generated:
                st.success(t("sampling.matches_generate", n=len(generated), seed=play.seed))
            else:
                st.warning(t("sampling.differs_generate", tokens=theirs))
    elif generated:
        st.caption(t("sampling.branched"))
    args = (model, prompt, use_chat, generated, play.config, last, play.seed, len(generated) or n_run)
    show_code(reproduction_code(*args), "sampling.code_title", notebook=reproduction_notebook(*args))
    if precision != "fp32":
        st.caption(t("precision.code_note", precision=precision))


def explore_tab(
    play: Playground, prompt: str, prompt_text: str, use_chat: bool, model: LoadReference, precision: str
) -> None:
    n_run = step_controls(play)
    groups = generated_chips(play, prompt_text)
    selected = st.session_state.get("sampling_chips")
    if selected is not None and selected < len(groups):
        past_step(play, groups[selected], selected)
    else:
        next_step(play)
    verify_and_code(play, prompt, use_chat, model, precision, n_run)


def compare_settings(play: Playground, count: int) -> list[SamplingSettings]:
    """`count` columns of knobs, each starting from the main settings with one preset change."""
    variants = []
    for i, col in enumerate(st.columns(count)):
        prefix = f"sampling_cmp{i}"
        start = {**knob_values(play.settings), "do_sample": True, **COMPARE_PRESETS[i]}
        with col:
            st.markdown(f"**{t('sampling.compare_setting', i=i + 1)}**")
            variants.append(knob_widgets(prefix, play.vocab_size, start))
    return variants


def run_variants(play: Playground, variants: list[SamplingSettings], n_tokens: int) -> list:
    """Each variant's steps from the same prompt and seed (None where its settings cannot run)."""
    results = []
    for variant in variants:
        if any(m.blocking for m in settings_problems(variant)):
            results.append(None)
            continue
        try:
            with using(play.handle) as lm:
                runner = Stepper.start(lm.model, play.prompt_ids, play.seed)
                runner.run(lm.model, effective_generation_config(lm.model, variant), n_tokens, play.top_n)
            results.append(runner.steps)
        except (BadLogits, ContextFull) as exc:
            show_model_error(exc)
            results.append(None)
    return results


def compared_column(play: Playground, i: int, steps, settings: SamplingSettings, diverge: int | None) -> None:
    """One variant's text, its chips (the first divergent one marked) and a step's distribution on demand."""
    if steps is None:
        show_messages(settings_problems(settings))
        return
    ids = [s.token for s in steps]
    with using(play.handle) as lm:
        groups = merge_pieces(token_bytes(lm.tokenizer, ids))
    st.text("".join(g.text for g in groups))
    chips = []
    for g in groups:
        p, marked = joint_probability(steps, g.first, g.last), diverge is not None and g.first <= diverge <= g.last
        chips.append(Chip(("▶ " if marked else "") + g.text, title=f"p={p:.2%}", background=probability_color(p),
                          selected=marked))
    render_chips(chips)
    step = st.selectbox(t("sampling.compare_step"), [None] + list(range(len(ids))), key=f"sampling_cmp_step{i}",
                        format_func=lambda k: "—" if k is None else f"{k + 1}")
    if step is not None:
        view = steps[step].view
        draw(stage_bars(view, token_labels(play.handle, view.candidates), stage_titles(view), chart_words(), columns=1))


def compare_tab(play: Playground) -> None:
    st.caption(t("sampling.compare_intro"))
    c1, c2 = st.columns(2)
    keep("sampling_cmp_count", 2)
    count = int(c1.number_input(t("sampling.compare_count"), 2, max(2, min(4, get_settings().max_variants)),
                                key="sampling_cmp_count"))
    keep("sampling_cmp_tokens", min(12, play.max_run))
    n_tokens = int(c2.number_input(t("sampling.compare_tokens"), 1, play.max_run, key="sampling_cmp_tokens"))
    variants = compare_settings(play, count)
    if st.button(t("sampling.compare_run"), type="primary"):
        remember("sampling_cmp_result", play.stepper_key, (variants, run_variants(play, variants, n_tokens)))
    stored = remembered("sampling_cmp_result", play.stepper_key)
    if not stored or len(stored[0]) != count:
        return
    ran, results = stored
    if ran != variants:
        st.info(t("sampling.compare_stale"))
    diverge = tokens.first_divergence([[s.token for s in steps] if steps else [] for steps in results])
    st.write(t("sampling.diverge", step=diverge + 1) if diverge is not None else t("sampling.no_diverge"))
    for i, col in enumerate(st.columns(count)):
        with col:
            compared_column(play, i, results[i], ran[i], diverge)


def many_tab(play: Playground) -> None:
    st.caption(t("sampling.many_intro"))
    m1, m2 = st.columns(2)
    keep("sampling_many_k", 50)
    k = int(m1.slider(t("sampling.many_k"), 10, 200, step=10, key="sampling_many_k"))
    keep("sampling_many_tokens", 3)
    n_tokens = int(m2.slider(t("sampling.many_tokens"), 1, 8, key="sampling_many_tokens"))
    if not play.config.do_sample:
        st.info(t("sampling.many_greedy"))
    if st.button(t("sampling.many_run"), type="primary"):
        try:
            with using(play.handle) as lm:
                drawn = sample_many(lm.model, play.prompt_ids, play.config, k, n_tokens, play.seed)
            remember("sampling_many_result", play.stepper_key, (play.settings, drawn.tolist()))
        except BadLogits as exc:
            show_model_error(exc)
    stored = remembered("sampling_many_result", play.stepper_key)
    if not stored:
        return
    used, rows = stored
    first_view = play.stepper.prompt_view(effective_generation_config(play.model, used), play.top_n)
    frequencies = tokens.first_token_frequencies(rows, first_view)
    names = token_labels(play.handle, [tok for tok, _, _ in frequencies])
    data = pd.DataFrame(
        [{"token": f"{name} ({tok})", "series": t("sampling.many_observed"), "value": observed}
         for name, (tok, observed, _) in zip(names, frequencies)]
        + [{"token": f"{name} ({tok})", "series": t("sampling.many_expected"), "value": expected}
           for name, (tok, _, expected) in zip(names, frequencies)])
    draw(observed_vs_expected(data, chart_words()), width="stretch")
    with using(play.handle) as lm:
        counts = tokens.continuation_counts(lm.tokenizer, rows)
    st.caption(t("sampling.many_table"))
    st.dataframe(pd.DataFrame({t("sampling.col.continuation"): [text for text, _ in counts],
                               t("sampling.col.count"): [n for _, n in counts]}), hide_index=True)


def lens_context(play: Playground, step: int) -> tuple[list[int], int | None]:
    """The context a lens step reads and the token chosen after it (None for the current, not yet chosen step)."""
    if step == CURRENT_STEP:
        return list(play.stepper.ids), None
    return list(play.stepper.ids[:len(play.prompt_ids) + step]), play.stepper.steps[step].token


def lens_view(play: Playground, ids: list[int], chosen: int | None) -> LensView:
    """The lens of one context, computed once per model, context and tracked token (kept in the session)."""
    def compute() -> LensView:
        with using(play.handle) as lm:
            return logit_lens(lm.model, ids, chosen)

    return session_memo("sampling_lens", (play.handle.key, tuple(ids), chosen), compute)


def lens_row_label(layer: int, n_layers: int) -> str:
    if layer == 0:
        return t("sampling.lens.embeddings")
    return t("sampling.lens.final" if layer == n_layers else "sampling.lens.layer", i=layer)


def lens_table(play: Playground, view: LensView) -> None:
    """Layer x rank: each cell a token and its probability, its background as strong as the probability."""
    names = token_labels(play.handle, view.top_ids.reshape(-1).tolist())
    ranks = [t("sampling.lens.col.rank", r=r + 1) for r in range(view.top_ids.shape[1])]
    layer_col, rank_col, prob_col = (t("sampling.lens.col.layer"), t("sampling.lens.col.chosen_rank"),
                                     t("sampling.lens.col.chosen_prob"))
    cells = pd.DataFrame([[f"{names[row * len(ranks) + r]}  {p:.1%}" for r, p in enumerate(probs)]
                          for row, probs in enumerate(view.top_probs)], columns=ranks)
    cells.insert(0, layer_col, [lens_row_label(layer, view.n_layers) for layer in view.layers])
    cells[rank_col] = [int(r) for r in view.tracked_ranks]
    cells[prob_col] = [f"{p:.2%}" for p in view.tracked_probs]
    colours = pd.DataFrame("", index=cells.index, columns=cells.columns)
    colours[ranks] = [[f"background-color: {probability_color(p)}" for p in probs] for probs in view.top_probs]
    colours[prob_col] = [f"background-color: {probability_color(p)}" for p in view.tracked_probs]
    # every row on screen: in the default ten-row box the final layer, the row the captions point to, was scrolled
    # out of sight (issue 33.10)
    st.dataframe(cells.style.apply(lambda _: colours, axis=None), hide_index=True, height="content")


def lens_tab(play: Playground) -> None:
    """Logit lens of the current step (or a generated one): each layer's top next tokens, the chosen token's rank."""
    st.caption(t("sampling.lens.intro"))
    st.info(t("sampling.lens.approx"))
    # labels computed now, in this run's language (format_func may be called outside the run); latest step first
    labels = {CURRENT_STEP: t("sampling.lens.current")} | {k: t("sampling.lens.past", step=k + 1)
                                                   for k in range(len(play.stepper.steps) - 1, -1, -1)}
    widget_key = keep_choice("sampling_lens_step", CURRENT_STEP)
    if st.session_state[widget_key] not in labels:  # that step was undone
        set_choice("sampling_lens_step", CURRENT_STEP)
    step = st.selectbox(t("sampling.lens.step"), list(labels), key=widget_key, format_func=labels.get)
    ids, chosen = lens_context(play, step)
    problem = lens_problem(play.model, len(ids))
    if problem is not None:
        show_message(problem)
        return
    try:
        view = lens_view(play, ids, chosen)
    except MessageError as exc:
        show_message(exc.message)
        return
    tracked = markdown_label(token_labels(play.handle, [view.tracked])[0])
    st.caption(t("sampling.lens.context", n=len(ids), layers=view.n_layers))
    st.markdown(t("sampling.lens.tracked_current" if chosen is None else "sampling.lens.tracked_past", token=tracked))
    if len(view.layers) < view.n_layers + 1:
        st.caption(t("sampling.lens.rows_capped", shown=len(view.layers)))
    lens_table(play, view)


def attention_view(play: Playground) -> attention.Inspection | None:
    """The current context (its first tokens up to the cap) through the model with its attention weights, computed
    once per model and context (kept in the session); None after a shown message."""
    ids, notes = attention.cap_ids(play.stepper.ids, attention.token_limit(play.model))
    if notes:  # causal: the first tokens see only each other, so the capped weights are the whole context's
        notes.append(Message("sampling.attention.capped_exact", {"shown": len(ids)}, "info"))
    return cached_inspection("sampling_attention", (play.handle.key, id(play.model), ids), play.handle,
                             lambda lm: attention.inspect(lm.model, lm.tokenizer, ids, notes=notes))


def attention_tab(play: Playground) -> None:
    """Attention over the current context (prompt + generated tokens): layer and head pickers, one head's heatmap,
    all heads of the layer, and each head's share to the first token, the previous token and itself."""
    st.markdown(t("sampling.attention.intro"))
    st.caption(t("sampling.attention.context", n=len(play.stepper.ids), prompt=len(play.prompt_ids),
                 generated=len(play.stepper.generated)))
    view = attention_view(play)
    if view is not None:
        render_attention(view, "sampling_attn", CAUSAL_SHARES, "sampling.attention.summary",
                         "sampling.attention.summary_note")


def main() -> None:
    """The page, top to bottom; a function, so no module global keeps the model alive after the manager unloads it
    (widget callbacks hold this module's globals)."""
    header("nav.sampling", "sampling.intro")
    take_link(PAGE, LINK_FIELDS)
    remote = backend_choice("sampling")
    if remote is not None:
        remote_panel(remote)
        st.stop()
    source, precision, handle = local_model()
    if handle is None:
        st.stop()
    model, tokenizer = handle.value.model, handle.value.tokenizer  # their configs; runs go through using(handle)
    reset_knobs_for_model(source.cache_key)
    vocab_size = int(model.config.get_text_config().vocab_size)

    left, right = st.columns([3, 2], gap="large")
    with left:
        prompt, use_chat, seed, top_n = prompt_inputs(tokenizer, source.english_centric)
    with right:
        st.markdown(f"**{t('sampling.settings')}**")
        settings = knob_widgets("sampling", vocab_size, knob_values(model_defaults(model)))
        st.caption(t("sampling.model_defaults_note"))
    if not check_text(prompt):
        st.stop()
    with using(handle) as lm:
        prompt_text, prompt_ids = encode_prompt(lm.tokenizer, prompt, use_chat)
    limit = max_positions(model) or 10**9
    with left:
        show_encoded_prompt(prompt_text if use_chat else None, len(prompt_ids), limit)
        if use_chat:
            note_markers_kept_as_text([{"role": "user", "content": prompt}], special_token_strings(tokenizer))
    if not prompt_fits(prompt_ids, limit):
        st.stop()
    if show_messages(settings_problems(settings)):
        st.warning(t("sampling.fix_settings"))
        st.stop()
    config = effective_generation_config(model, settings)
    show_generation_config(model, settings, config)

    stepper_key = (source.cache_key, tuple(prompt_ids), seed)
    play = Playground(handle, prompt_ids, settings, config, session_stepper(handle, stepper_key, prompt_ids, seed),
                      stepper_key, seed, top_n, vocab_size, max(1, min(get_settings().max_new_tokens, 256)))
    tab_names = ("explore", "compare", "many", "lens", "attention", "notes")
    tabs = page_tabs(PAGE, tab_names, lambda name: t(f"sampling.tab.{name}"), key="sampling_tab")
    with tabs["explore"]:
        explore_tab(play, prompt, prompt_text, use_chat, load_reference(source), precision)
    with tabs["compare"]:
        compare_tab(play)
    with tabs["many"]:
        many_tab(play)
    with tabs["lens"]:
        if tabs["lens"].open:  # a forward pass over the whole context: only while the tab is on screen
            lens_tab(play)
    with tabs["attention"]:
        if tabs["attention"].open:  # a forward pass under eager attention: only while the tab is on screen
            attention_tab(play)
    with tabs["notes"]:
        st.markdown(t("sampling.notes"))


main()
