"""The Sampling playground on a server: step, branch and undo through /v1/completions, the generated characters, and
the sampling stages rebuilt from the server's candidates. The logic lives in hflab.sampling.remote; this draws it."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from components.i18n import t
from components.messages import show_messages
from components.prob_chart import draw, stage_bars
from components.remote_backend import asked, show_remote_error
from components.state import keep
from components.token_chips import markdown_label
from hflab.remote.client import RemoteConfig, RemoteError
from hflab.sampling.processors import SamplingSettings, settings_problems
from hflab.sampling.remote import (
    Answer,
    RemoteStepper,
    ServerProfile,
    ask,
    detect_profile,
    prompt_ids,
    rebuild_stages,
)

PREFIX = "sampling_remote"
ACTION_KEY = f"{PREFIX}_action"  # the action a button asked for, applied by the next run
CHART_WORDS = ("prob", "kept", "cut", "chosen", "status")


def candidate_labels(answer: Answer) -> list[str]:
    """Each candidate's display text; the server's unnamed byte pieces say so instead of showing "�" or nothing."""
    return [c.label or t("remote_step.unnamed") for c in answer.candidates]


def profile_notes(profile: ServerProfile) -> None:
    """Which server this is, what its probabilities are and its sampler order."""
    st.caption(t(f"remote_step.profile.{profile.name}"))
    st.caption(t("remote_step.raw" if profile.raw else "remote_step.unknown_probs"))
    if profile.order:
        which = t("remote_step.order.last" if profile.temperature_last else "remote_step.order.first")
        st.caption(t("remote_step.order", order=" → ".join(profile.order), which=which))
    else:
        st.caption(t("remote_step.order_unknown"))
    st.caption(t("remote_step.no_penalty"))


def knobs() -> SamplingSettings:
    """do_sample and the four warpers the server can rebuild (no repetition penalty: it needs every logit)."""
    for knob, default in (("do_sample", True), ("temperature", 1.0), ("top_k", 50), ("top_p", 1.0), ("min_p", 0.0)):
        keep(f"{PREFIX}_{knob}", default)
    do_sample = st.toggle(t("sampling.do_sample"), key=f"{PREFIX}_do_sample", help=t("sampling.do_sample_help"))
    c1, c2, c3, c4 = st.columns(4)
    temperature = c1.slider(t("sampling.temperature"), 0.0, 2.0, step=0.05, key=f"{PREFIX}_temperature")
    top_k = c2.number_input(t("sampling.top_k"), 0, 100_000, step=1, key=f"{PREFIX}_top_k")
    top_p = c3.slider(t("sampling.top_p"), 0.0, 1.0, step=0.01, key=f"{PREFIX}_top_p")
    min_p = c4.slider(t("sampling.min_p"), 0.0, 1.0, step=0.01, key=f"{PREFIX}_min_p")
    return SamplingSettings(bool(do_sample), float(temperature), int(top_k), float(top_p),
                            float(min_p) if min_p > 0 else None, 1.0)


def session_stepper(config: RemoteConfig, profile: ServerProfile, prompt: str, seed: int) -> RemoteStepper:
    """The session's stepper for this server, prompt and seed; a new one when any of them changes."""
    key = (config.base_url, config.model, profile.name, prompt, seed)
    if st.session_state.get(f"{PREFIX}_stepper_key") != key:
        ids = asked(config, ("tokenize", profile.name, prompt), lambda: prompt_ids(config, profile, prompt))
        st.session_state[f"{PREFIX}_stepper"] = RemoteStepper(profile, prompt, seed, ids)
        st.session_state[f"{PREFIX}_stepper_key"] = key
        st.session_state.pop(f"{PREFIX}_chips", None)
    return st.session_state[f"{PREFIX}_stepper"]


def current_answer(config: RemoteConfig, stepper: RemoteStepper, settings: SamplingSettings, k: int) -> Answer:
    """The server's answer at the stepper's position, asked once per context, settings, seed and k."""
    context = stepper.context()
    action = ("answer", stepper.profile.name, tuple(context) if isinstance(context, list) else context, settings,
              stepper.position_seed(), k)
    return asked(config, action, lambda: ask(config, stepper, settings, k))


def _request(action: str) -> None:
    """A button's callback: the action waits for the next run, which applies it before drawing anything."""
    st.session_state[ACTION_KEY] = action


def apply_action(action: str | None, stepper: RemoteStepper, answer: Answer, settings: SamplingSettings) -> bool:
    """Apply the action a button asked for (step, pick, undo, reset) to `answer`'s position, the one the learner saw;
    True when the stepper moved. Applied before the panel draws, so every widget shows the new position."""
    if action == "step" and not answer.ended:
        stepper.take(answer, settings)
    elif action == "pick":
        index = st.session_state.get(f"{PREFIX}_pick", 0)
        if index < len(answer.candidates) and stepper.can_pick(answer.candidates[index]):
            stepper.pick(answer, index, settings)
    elif action == "undo":
        stepper.undo()
    elif action == "reset":
        stepper.reset()
    else:
        return False
    st.session_state.pop(f"{PREFIX}_chips", None)
    return True


def controls(stepper: RemoteStepper, answer: Answer, settings: SamplingSettings) -> None:
    """Step (the server's own draw), branch (a picked candidate), undo and reset: buttons whose actions the next run
    applies (`apply_action`)."""
    can_step = not answer.ended
    b_step, b_undo, b_reset = st.columns([3, 1, 1], vertical_alignment="bottom")
    b_step.button(t("remote_step.step" if settings.do_sample else "remote_step.greedy"), type="primary",
                  disabled=not can_step, key=f"{PREFIX}_step", on_click=_request, args=("step",))
    b_undo.button(t("remote_step.undo"), disabled=not stepper.steps, key=f"{PREFIX}_undo", on_click=_request,
                  args=("undo",))
    b_reset.button(t("remote_step.reset"), disabled=not stepper.steps, key=f"{PREFIX}_reset", on_click=_request,
                   args=("reset",))
    if can_step and answer.candidates:
        labels = candidate_labels(answer)
        options = list(range(len(labels)))
        if st.session_state.get(f"{PREFIX}_pick_context") != len(stepper.steps):  # a pick belongs to one position
            st.session_state[f"{PREFIX}_pick"] = 0
            st.session_state[f"{PREFIX}_pick_context"] = len(stepper.steps)
        p1, p2 = st.columns([3, 1], vertical_alignment="bottom")
        index = p1.selectbox(t("remote_step.pick"), options, key=f"{PREFIX}_pick",
                             format_func=lambda i: f"{labels[i]}  ({answer.candidates[i].prob:.2%})")
        allowed = stepper.can_pick(answer.candidates[index])
        p2.button(t("remote_step.pick_button"), disabled=not allowed, key=f"{PREFIX}_pick_go", on_click=_request,
                  args=("pick",))
        if not allowed:
            st.caption(t("remote_step.cannot_pick"))


def generated(stepper: RemoteStepper, prompt: str) -> int | None:
    """The generated characters as chips (byte pieces of one character merged) and the text so far; returns the
    first step of the chip clicked, or None."""
    st.markdown(f"**{t('remote_step.generated')}**")
    groups = stepper.pieces()
    if not groups:
        st.caption(t("remote_step.nothing"))
        return None
    probs = [stepper.joint_probability(g.first, g.last) for g in groups]
    selected = st.pills(t("remote_step.generated"), list(range(len(groups))), key=f"{PREFIX}_chips",
                        label_visibility="collapsed",
                        format_func=lambda i: f"{markdown_label(groups[i].text)} · {probs[i]:.0%}")
    st.caption(t("remote_step.text_so_far"))
    st.text(prompt + "".join(g.text for g in groups))
    return None if selected is None or selected >= len(groups) else groups[selected].first


def _cell(low: float, high: float, exact: bool) -> str:
    return f"{low:.2%}" if exact else f"{low:.2%} – {high:.2%}"


def show_answer(answer: Answer, settings: SamplingSettings, profile: ServerProfile, chosen: int | None) -> None:
    """The candidates' raw probabilities and every stage rebuilt from them: chart, stage table, candidate table."""
    if answer.ended:
        st.info(t("remote_step.ended"))
        return
    st.caption(t("remote_step.covered", k=len(answer.candidates), mass=answer.covered_mass,
                 rest=1 - answer.covered_mass))
    if answer.withheld:
        st.caption(t("remote_step.withheld"))
    if answer.merged:
        st.warning(t("remote_step.merged", asked=answer.asked, got=len(answer.candidates), n=answer.merged))
    stages = rebuild_stages(answer, settings, bool(profile.temperature_last), chosen)
    view, labels = stages.view, candidate_labels(answer)[:stages.n]
    titles = [t(f"sampling.stage.{name}") for name in view.stages]
    draw(stage_bars(view, labels, titles, {w: t(f"sampling.chart.{w}") for w in CHART_WORDS}))
    st.caption(t("remote_step.stages_note"))
    st.dataframe(pd.DataFrame({
        t("remote_step.col.stage"): titles,
        t("remote_step.col.exact"): [t("remote_step.exact" if e else "remote_step.range") for e in stages.exact],
        t("remote_step.col.outside"): [_cell(lo, hi, e) for lo, hi, e in
                                       zip(stages.outside_low, stages.outside_high, stages.exact)],
    }), hide_index=True)
    with st.expander(t("remote_step.table_title")):
        table = {t("remote_step.col.token"): labels,
                 t("remote_step.col.id"): ["" if c.token_id is None else str(c.token_id)
                                           for c in answer.candidates[:stages.n]]}
        for s, title in enumerate(titles):
            table[title] = [_cell(lo, hi, stages.exact[s]) for lo, hi in zip(stages.low[s], stages.high[s])]
        st.dataframe(pd.DataFrame(table), hide_index=True)


def past_step(stepper: RemoteStepper, index: int) -> None:
    """The distribution a clicked chip's step came from, with what was taken there marked."""
    step = stepper.steps[index]
    st.button(t("remote_step.back"), key=f"{PREFIX}_back",
              on_click=lambda: st.session_state.pop(f"{PREFIX}_chips", None))
    chosen = step.answer.index_of(step.draw)
    st.markdown("#### " + t("remote_step.step_title", step=index + 1, token=markdown_label(step.draw.label),
                              how=t(f"sampling.how.{step.how}"), p=f"{math.exp(step.draw.logprob):.2%}"))
    if step.draw.n_tokens > 1:
        st.caption(t("remote_step.several_tokens", n=step.draw.n_tokens))
    show_answer(step.answer, step.settings, stepper.profile, chosen)


def stepping_panel(config: RemoteConfig, prompt: str) -> None:
    """The whole stepping view for `prompt` on the server of `config`; a RemoteError becomes its message."""
    action = st.session_state.pop(ACTION_KEY, None)  # taken at once: a run that stops early does not keep it for later
    st.caption(t("remote_step.intro"))
    try:
        profile = asked(config, ("profile",), lambda: detect_profile(config))
    except RemoteError as err:
        show_remote_error(err)
        return
    profile_notes(profile)
    c1, c2 = st.columns(2)
    keep(f"{PREFIX}_seed", 42)
    seed = int(c1.number_input(t("remote_step.seed"), 0, 2**31 - 1, step=1, key=f"{PREFIX}_seed"))
    keep(f"{PREFIX}_k", min(20, profile.max_candidates))
    k = int(c2.slider(t("remote_step.k"), 1, profile.max_candidates, key=f"{PREFIX}_k"))
    settings = knobs()
    if show_messages(settings_problems(settings)):
        return
    try:
        stepper = session_stepper(config, profile, prompt, seed)
        answer = current_answer(config, stepper, settings, k)
        if apply_action(action, stepper, answer, settings):  # moved: the new position's answer (remembered after undo)
            answer = current_answer(config, stepper, settings, k)
        controls(stepper, answer, settings)
    except RemoteError as err:
        show_remote_error(err)
        return
    first = generated(stepper, prompt)
    if first is not None:
        past_step(stepper, first)
        return
    st.markdown("#### " + t("remote_step.next_title"))
    drawn = answer.index_of(answer.drawn) if answer.drawn else None
    if answer.drawn is not None:
        st.caption(t("remote_step.drawn", token=markdown_label(answer.drawn.label)))
    show_answer(answer, settings, profile, drawn)
