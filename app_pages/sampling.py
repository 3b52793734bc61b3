"""Sampling playground: a real causal LM's next-token distribution over the full vocabulary, what
each of generate's logits processors does to it, step-by-step generation equal to model.generate,
side-by-side comparisons and many draws."""
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from components.code import show_code
from components.i18n import t
from components.limits import check_text, show_caps
from components.models import resolve_role, source_caption
from components.page import header
from components.precision import load_causal_lm, precision_choice
from components.prob_chart import cumulative_curve, draw, observed_vs_expected, stage_bars
from components.remote_backend import backend_choice, show_candidates, show_remote_error, top_k_input
from components.token_chips import Chip, markdown_label, probability_color, render_chips
from hflab.byte_pieces import merge_pieces, piece_label, token_bytes, visible
from hflab.sampling import (
    BadLogits,
    SamplingSettings,
    config_rows,
    effective_generation_config,
    processor_plan,
    processor_signature,
    settings_from_plan,
    settings_problems,
)
from hflab.sampling_code import reproduction_code
from hflab.sampling_stepper import ContextFull, Stepper, max_positions, sample_many
from hflab.settings import get_settings

KNOBS = ("do_sample", "temperature", "top_k", "top_p", "min_p", "repetition_penalty")
COMPARE_PRESETS = ({"temperature": 0.3}, {"temperature": 1.2}, {"top_p": 0.5}, {"top_p": 0.95})


def init_defaults(model, model_key: str) -> None:
    """Start the knobs at the model's own generation defaults (once per model)."""
    if st.session_state.get("sampling_defaults_for") == model_key:
        return
    base, _ = model._prepare_generation_config(None)
    st.session_state.update({
        "sampling_do_sample": True,  # a sampling playground starts sampling, whatever the model's default
        "sampling_temperature": float(base.temperature or 1.0),
        "sampling_top_k": int(base.top_k or 0),
        "sampling_top_p": float(base.top_p if base.top_p is not None else 1.0),
        "sampling_min_p": float(base.min_p or 0.0),
        "sampling_repetition_penalty": float(base.repetition_penalty or 1.0),
        "sampling_defaults_for": model_key,
    })


def knob_widgets(prefix: str, vocab: int, with_sample_toggle: bool = True) -> SamplingSettings:
    """The five knobs (and do_sample) as widgets keyed `<prefix>_<knob>`; returns the settings."""
    do_sample = st.toggle(t("sampling.do_sample"), key=f"{prefix}_do_sample", help=t("sampling.do_sample_help")) \
        if with_sample_toggle else True
    temperature = st.slider(t("sampling.temperature"), 0.0, 2.0, step=0.05, key=f"{prefix}_temperature")
    top_k = st.number_input(t("sampling.top_k"), 0, vocab, step=1, key=f"{prefix}_top_k")
    top_p = st.slider(t("sampling.top_p"), 0.0, 1.0, step=0.01, key=f"{prefix}_top_p")
    min_p = st.slider(t("sampling.min_p"), 0.0, 1.0, step=0.01, key=f"{prefix}_min_p")
    penalty = st.slider(t("sampling.repetition_penalty"), 0.5, 2.0, step=0.05, key=f"{prefix}_repetition_penalty")
    return SamplingSettings(bool(do_sample), float(temperature), int(top_k), float(top_p),
                            float(min_p) if min_p > 0 else None, float(penalty))


def show_problems(settings: SamplingSettings) -> bool:
    """Explain bad or surprising settings; False when they cannot run."""
    ok = True
    for problem in settings_problems(settings):
        if problem.level == "error":
            st.error(t(problem.key, **problem.params))
            ok = False
        else:
            st.info(t(problem.key, **problem.params))
    return ok


def labels(ids) -> list[str]:
    """Display text of each token id: whole characters, <0xE4> for partial UTF-8 bytes."""
    with handle.lock:
        return [visible(piece_label(b)) for b in token_bytes(tokenizer, [int(i) for i in ids])]


def stage_titles(view) -> list[str]:
    return [t(f"sampling.stage.{name}") for name in view.stages]


def chart_words() -> dict[str, str]:
    return {w: t(f"sampling.chart.{w}") for w in ("prob", "kept", "cut", "chosen", "rank", "cumulative")}


def show_view(view, config, current: bool, top_p: float) -> None:
    """Stage stats, bars per stage, the top-p curve and the candidate table of one step."""
    titles, names = stage_titles(view), labels(view.candidates)
    st.caption(t("sampling.stats", vocab=f"{view.vocab_size:,}"))
    st.dataframe(pd.DataFrame({
        t("sampling.col.stage"): titles,
        t("sampling.col.survivors"): [f"{int(n):,}" for n in view.survivors],
        t("sampling.col.entropy"): np.round(view.entropy_bits, 3),
        t("sampling.col.outside"): [f"{m:.2%}" for m in view.mass_outside],
    }), hide_index=True)
    draw(stage_bars(view, names, titles, chart_words()))
    if view.top_p_curve is not None:
        st.caption(t("sampling.cumulative_title"))
        draw(cumulative_curve(view.top_p_curve, top_p, chart_words()), width="stretch")
    if view.chosen is not None and view.chosen not in set(int(c) for c in view.candidates):
        st.warning(t("sampling.chosen_outside", token=markdown_label(labels([view.chosen])[0]),
                     p=f"{view.chosen_probs[-1]:.4%}"))
    with st.expander(t("sampling.table_title")):
        table = {t("sampling.col.token"): names, t("sampling.col.id"): view.candidates,
                 t("sampling.col.logit"): np.round(view.logits, 4)}
        for s, title in enumerate(titles):
            table[title] = [f"{p:.4%}" for p in view.probs[s]]
        first_cut = [next((titles[s] for s in range(len(titles)) if not view.kept[s, r]), "") for r in
                     range(len(view.candidates))]
        table[t("sampling.col.cut_by")] = first_cut
        st.dataframe(pd.DataFrame(table), hide_index=True)
    if current and "temperature" in view.stages:
        if st.toggle(t("sampling.order_toggle"), key="sampling_order"):
            other = stepper.view(config, top_n, temperature_last=True)
            st.write(t("sampling.order_result", a=int(view.survivors[-1]), b=int(other.survivors[-1])))
            both = replace(view, stages=["transformers", "last"], probs=np.stack([view.probs[-1], other.probs[-1]]),
                           kept=np.stack([view.kept[-1], other.kept[-1]]), chosen=None)
            draw(stage_bars(both, names, [t("sampling.order.transformers"), t("sampling.order.last")],
                                       chart_words(), columns=2))


def model_error(exc: Exception) -> None:
    """A clear message for what the model or context refused."""
    if isinstance(exc, BadLogits):
        st.error(t("sampling.bad_logits"))
    else:
        st.error(t("sampling.context_full", limit=max_positions(model)))


def chip_emoji(p: float) -> str:
    return "🟩" if p >= 0.6 else "🟨" if p >= 0.3 else "🟧" if p >= 0.1 else "🟥"


# -- model (a backend choice, e.g. a remote OpenAI-compatible server, belongs next to this caption) --
header("nav.sampling", "sampling.intro")
# -- remote backend (issue 9): a server's top few next-token candidates instead of the local model --
remote = backend_choice("sampling")
if remote is not None:
    from hflab.remote_backend import RemoteError, next_token_candidates

    remote_prompt = st.text_area(t("sampling.prompt"), value=t("sampling.default_prompt"), key="sampling_remote_prompt",
                                 height=110)
    remote_chat = st.toggle(t("remote.as_chat"), value=True, key="sampling_remote_chat")
    remote_k = top_k_input("sampling")
    if check_text(remote_prompt):
        try:
            show_candidates(next_token_candidates(remote, remote_prompt, k=remote_k, as_chat=remote_chat))
        except RemoteError as err:
            show_remote_error(err)
    st.stop()
# -- end remote backend --
source = resolve_role("causal_lm")
st.caption(t("sampling.model", model=source_caption(source)))
if source.label_key == "source.packaged.smollm2":
    st.info(t("sampling.english_centric"))
precision = precision_choice("sampling")
handle = load_causal_lm(source, precision)
if handle is None:
    st.stop()
model, tokenizer = handle.value
init_defaults(model, source.cache_key)
vocab_size = int(model.config.get_text_config().vocab_size)
limit = max_positions(model) or 10**9
caps = get_settings()

# -- prompt and settings --
left, right = st.columns([3, 2], gap="large")
with left:
    prompt = st.text_area(t("sampling.prompt"), value=t("sampling.default_prompt"), key="sampling_prompt", height=110)
    show_caps("text_chars", "new_tokens", "variants")
    use_chat = st.toggle(t("sampling.use_chat"), key="sampling_chat")
    if use_chat and not getattr(tokenizer, "chat_template", None):
        st.warning(t("sampling.no_chat_template"))
        use_chat = False
    seed = int(st.number_input(t("sampling.seed"), 0, 2**31 - 1, value=42, step=1, key="sampling_seed"))
    top_n = int(st.slider(t("sampling.top_n"), 5, 50, value=20, step=5, key="sampling_top_n"))
with right:
    st.markdown(f"**{t('sampling.settings')}**")
    settings = knob_widgets("sampling", vocab_size)
    st.caption(t("sampling.model_defaults_note"))

if not check_text(prompt):
    st.stop()
with handle.lock:
    text = tokenizer.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True,
                                         tokenize=False) if use_chat else prompt
    prompt_ids = tokenizer(text, add_special_tokens=False).input_ids
with left:
    if use_chat:
        with st.expander(t("sampling.chat_wrapped")):
            st.code(text, language=None)
    st.caption(t("sampling.prompt_tokens", n=len(prompt_ids), limit=f"{limit:,}"))
if not prompt_ids:
    st.warning(t("sampling.empty_prompt"))
    st.stop()
if len(prompt_ids) >= limit:
    st.error(t("sampling.prompt_too_long", n=len(prompt_ids), limit=limit))
    st.stop()
if not show_problems(settings):
    st.warning(t("sampling.fix_settings"))
    st.stop()
config = effective_generation_config(model, settings)

with st.expander(t("sampling.effective_config")):
    rows = config_rows(model, settings)
    st.dataframe(pd.DataFrame({
        t("sampling.col.field"): [r["field"] for r in rows],
        t("sampling.col.global"): [str(r["global"]) for r in rows],
        t("sampling.col.model"): [str(r["model"]) for r in rows],
        t("sampling.col.yours"): [str(r["yours"]) for r in rows],
        t("sampling.col.effective"): [str(r["effective"]) for r in rows],
    }), hide_index=True)
st.markdown(f"**{t('sampling.processors')}**")
plan = processor_plan(config)
final_line = t("sampling.then_sample") if config.do_sample else t("sampling.then_greedy")
st.code("\n".join([f"{i}. {processor_signature(n, a)}" for i, (n, a) in enumerate(plan, 1)] + [final_line])
        if plan else t("sampling.no_processors", what=t("sampling.what.sample" if config.do_sample else "sampling.what.greedy")),
        language=None)

# -- the session's stepper: prompt prefilled once, KV cache reused for every step --
stepper_key = (source.cache_key, tuple(prompt_ids), seed)
if st.session_state.get("sampling_stepper_key") != stepper_key:
    with handle.lock:
        st.session_state["sampling_stepper"] = Stepper.start(model, prompt_ids, seed)
    st.session_state["sampling_stepper_key"] = stepper_key
    st.session_state.pop("sampling_chips", None)
stepper: Stepper = st.session_state["sampling_stepper"]

explore, compare, many, notes = st.tabs([t("sampling.tab.explore"), t("sampling.tab.compare"),
                                         t("sampling.tab.many"), t("sampling.tab.notes")])

with explore:
    max_run = max(1, min(caps.max_new_tokens, 256))
    b_step, b_n, b_run, b_undo, b_reset = st.columns([2, 2, 2, 1, 1], vertical_alignment="bottom")
    step_clicked = b_step.button(t("sampling.step_button" if config.do_sample else "sampling.greedy_button"),
                                 type="primary", disabled=stepper.finished(model, config))
    n_run = int(b_n.number_input(t("sampling.run_n"), 1, max_run, value=min(16, max_run), key="sampling_n"))
    run_clicked = b_run.button(t("sampling.run_button"), disabled=stepper.finished(model, config))
    undo_clicked = b_undo.button(t("sampling.undo"), disabled=not stepper.steps)
    reset_clicked = b_reset.button(t("sampling.reset"), disabled=not stepper.steps)
    try:
        with handle.lock:
            if step_clicked:
                stepper.step(model, config, top_n)
            elif run_clicked:
                stepper.run(model, config, n_run, top_n)
            elif undo_clicked:
                stepper.undo(model)
            elif reset_clicked:
                stepper.reset(model)
            elif st.session_state.get("sampling_pick_go"):
                stepper.step(model, config, top_n, pick=st.session_state["sampling_pick"])
    except (BadLogits, ContextFull) as exc:
        model_error(exc)
    if step_clicked or run_clicked or undo_clicked or reset_clicked or st.session_state.get("sampling_pick_go"):
        st.session_state.pop("sampling_chips", None)

    st.markdown(f"**{t('sampling.generated')}**")
    generated = stepper.generated
    with handle.lock:
        groups = merge_pieces(token_bytes(tokenizer, generated))
    current_text = text + "".join(g.text for g in groups)
    if not generated:
        st.caption(t("sampling.nothing_generated"))
    else:
        probs = [float(np.prod([stepper.steps[i].view.chosen_probs[-1] for i in range(g.first, g.last + 1)]))
                 for g in groups]
        st.pills(t("sampling.generated"), list(range(len(groups))), key="sampling_chips", label_visibility="collapsed",
                 format_func=lambda i: f"{chip_emoji(probs[i])} {markdown_label(groups[i].text)}")
        st.caption(t("sampling.legend"))
        st.caption(t("sampling.text_so_far"))
        st.text(current_text)
    if stepper.finished(model, config) and generated:
        st.info(t("sampling.finished"))

    # the step to inspect: a clicked chip (a step of it when several byte tokens make one character)
    selected = st.session_state.get("sampling_chips")
    if selected is not None and selected < len(groups):
        group = groups[selected]
        index = group.first
        if group.n_tokens > 1:
            with handle.lock:
                pieces = token_bytes(tokenizer, generated[group.first:group.last + 1])
            index = group.first + st.segmented_control(
                t("sampling.group_tokens", n=group.n_tokens), list(range(group.n_tokens)), default=0,
                format_func=lambda j: markdown_label(piece_label(pieces[j])), key=f"sampling_group_{selected}") or 0
        view = stepper.steps[index].view
        st.button(t("sampling.back_to_current"), on_click=lambda: st.session_state.pop("sampling_chips", None))
        st.markdown("#### " + t("sampling.step_title", step=index + 1, token=markdown_label(labels([view.chosen])[0]),
                                  how=t(f"sampling.how.{view.how}"), p=f"{view.chosen_probs[-1]:.2%}"))
        step_settings = settings_from_plan(stepper.steps[index].plan, stepper.steps[index].do_sample)
        show_view(view, config, current=False, top_p=step_settings.top_p)
    else:
        st.markdown("#### " + t("sampling.next_title"))
        try:
            view = stepper.view(config, top_n)
        except BadLogits as exc:
            model_error(exc)
            st.stop()
        if len(stepper.ids) < limit:
            options = [int(c) for c in view.candidates]
            names = labels(options)
            p1, p2 = st.columns([3, 1], vertical_alignment="bottom")
            p1.selectbox(t("sampling.pick"), options, key="sampling_pick",
                         format_func=lambda i: f"{names[options.index(i)]}  ({view.final_probs[options.index(i)]:.2%})")
            p2.button(t("sampling.pick_button"), key="sampling_pick_go")
        show_view(view, config, current=True, top_p=settings.top_p)

    # does one generate call reproduce these tokens? then check it on demand
    if generated and stepper.reproducible_by_generate():
        last = settings_from_plan(stepper.steps[0].plan, stepper.steps[0].do_sample)
        if st.button(t("sampling.verify_button")):
            import torch

            with handle.lock:
                torch.manual_seed(seed)
                out = model.generate(torch.tensor([stepper.prompt_ids], device=model.device),
                                     max_new_tokens=len(generated), **last.generate_kwargs())
            theirs = out[0, len(stepper.prompt_ids):].tolist()
            if theirs == generated:
                st.success(t("sampling.matches_generate", n=len(generated), seed=seed))
            else:
                st.warning(t("sampling.differs_generate", tokens=theirs))
    elif generated:
        last = settings
        st.caption(t("sampling.branched"))
    else:
        last = settings
    show_code(reproduction_code(source.target or source.repo_id, prompt, use_chat, generated, config, last, seed,
                                len(generated) or n_run), "sampling.code_title")
    if precision != "fp32":
        st.caption(t("precision.code_note", precision=precision))

with compare:
    st.caption(t("sampling.compare_intro"))
    c1, c2 = st.columns(2)
    count = int(c1.number_input(t("sampling.compare_count"), 2, max(2, min(4, caps.max_variants)), value=2,
                                key="sampling_cmp_count"))
    cmp_tokens = int(c2.number_input(t("sampling.compare_tokens"), 1, max_run, value=min(12, max_run),
                                     key="sampling_cmp_tokens"))
    columns = st.columns(count)
    variants = []
    for i, col in enumerate(columns):
        prefix = f"sampling_cmp{i}"
        start = {**{knob: st.session_state[f"sampling_{knob}"] for knob in KNOBS}, "do_sample": True, **COMPARE_PRESETS[i]}
        for knob in KNOBS:
            st.session_state.setdefault(f"{prefix}_{knob}", start[knob])
        with col:
            st.markdown(f"**{t('sampling.compare_setting', i=i + 1)}**")
            variants.append(knob_widgets(prefix, vocab_size))
    if st.button(t("sampling.compare_run"), type="primary"):
        results = []
        for variant in variants:
            if any(p.level == "error" for p in settings_problems(variant)):
                results.append(None)
                continue
            try:
                with handle.lock:
                    runner = Stepper.start(model, prompt_ids, seed)
                    runner.run(model, effective_generation_config(model, variant), cmp_tokens, top_n)
                results.append(runner.steps)
            except (BadLogits, ContextFull) as exc:
                model_error(exc)
                results.append(None)
        st.session_state["sampling_cmp_result"] = (stepper_key, variants, results)
    stored = st.session_state.get("sampling_cmp_result")
    if stored and stored[0] == stepper_key and len(stored[1]) == count:
        _, ran, results = stored
        if ran != variants:
            st.info(t("sampling.compare_stale"))
        token_lists = [[s.token for s in steps] if steps else [] for steps in results]
        longest = max(len(x) for x in token_lists)
        diverge = next((k for k in range(longest) if len({tuple(x[k:k + 1]) for x in token_lists}) > 1), None)
        st.write(t("sampling.diverge", step=diverge + 1) if diverge is not None else t("sampling.no_diverge"))
        for i, col in enumerate(st.columns(count)):
            with col:
                if results[i] is None:
                    show_problems(ran[i])
                    continue
                ids = token_lists[i]
                with handle.lock:
                    pieces = merge_pieces(token_bytes(tokenizer, ids))
                st.text("".join(g.text for g in pieces))
                render_chips([Chip(("▶ " if diverge is not None and g.first <= diverge <= g.last else "") + g.text,
                                   title=f"p={np.prod([results[i][k].view.chosen_probs[-1] for k in range(g.first, g.last + 1)]):.2%}",
                                   background=probability_color(float(np.prod(
                                       [results[i][k].view.chosen_probs[-1] for k in range(g.first, g.last + 1)]))),
                                   selected=diverge is not None and g.first <= diverge <= g.last) for g in pieces])
                step = st.selectbox(t("sampling.compare_step"), [None] + list(range(len(ids))), key=f"sampling_cmp_step{i}",
                                    format_func=lambda k: "—" if k is None else f"{k + 1}")
                if step is not None:
                    v = results[i][step].view
                    draw(stage_bars(v, labels(v.candidates), stage_titles(v), chart_words(), columns=1))

with many:
    st.caption(t("sampling.many_intro"))
    m1, m2 = st.columns(2)
    k = int(m1.slider(t("sampling.many_k"), 10, 200, value=50, step=10, key="sampling_many_k"))
    n_many = int(m2.slider(t("sampling.many_tokens"), 1, 8, value=3, key="sampling_many_tokens"))
    if not config.do_sample:
        st.info(t("sampling.many_greedy"))
    if st.button(t("sampling.many_run"), type="primary"):
        try:
            with handle.lock:
                drawn = sample_many(model, prompt_ids, config, k, n_many, seed)
            st.session_state["sampling_many_result"] = (stepper_key, settings, drawn.tolist())
        except BadLogits as exc:
            model_error(exc)
    stored = st.session_state.get("sampling_many_result")
    if stored and stored[0] == stepper_key:
        _, used, rows = stored
        first_view = stepper.prompt_view(effective_generation_config(model, used), top_n)
        firsts = pd.Series([r[0] for r in rows]).value_counts()
        shown = [int(c) for c in first_view.candidates[:15]] + [int(i) for i in firsts.index
                                                                 if int(i) not in first_view.candidates[:15]]
        names = labels(shown)
        final = dict(zip((int(c) for c in first_view.candidates), first_view.final_probs))
        data = pd.DataFrame(
            [{"token": f"{names[j]} ({tok})", "series": t("sampling.many_observed"), "value": firsts.get(tok, 0) / len(rows)}
             for j, tok in enumerate(shown)]
            + [{"token": f"{names[j]} ({tok})", "series": t("sampling.many_expected"), "value": float(final.get(tok, np.nan))}
               for j, tok in enumerate(shown)])
        draw(observed_vs_expected(data, chart_words()), width="stretch")
        with handle.lock:
            texts = [visible(tokenizer.decode(r)) for r in rows]
        counts = pd.Series(texts).value_counts()
        st.caption(t("sampling.many_table"))
        st.dataframe(pd.DataFrame({t("sampling.col.continuation"): counts.index, t("sampling.col.count"): counts.values}),
                     hide_index=True)

with notes:
    st.markdown(t("sampling.notes"))
