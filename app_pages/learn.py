"""Learning path (学习路线): the tutorial's chapters in its order, each with its code then and now, where its code
breaks today, a link that opens the lab page with the tutorial's example filled in, a "done" tick, and the hands-on
steps the lab lacked (among them the tutorial's app as a Space bundle to take home)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from components.escape import markdown_literal
from components.i18n import lang, t
from components.limits import cap_texts, check_text, show_caps
from components.links import open_link
from components.messages import message_text
from components.model_loading import explain_missing, load, resolve_role
from components.page import header
from components.session_owner import session_owner
from components.state import keep
from hflab.learn import batches, pipelines, reviews, space_bundle, subword
from hflab.learn.chapters import (
    CHAPTERS,
    FILL_MASK_SENTENCE,
    GENERATION_PROMPTS,
    PIPELINE_SENTENCE,
    SUBWORD_TEXTS,
    Chapter,
    progress,
)
from hflab.learn.code import Snippet
from hflab.learn.traps import Trap
from hflab.loading import loaders
from hflab.loading.sources import Source
from hflab.messages import Message
from hflab.sentiment import data as sentiment_data
from hflab.sentiment.checkpoints import finetuned_source, list_trained, trained_source

RESULT_KEY = "learn_result_{step}"  # each hands-on result survives the reruns other widgets cause
ROLE_CHOICE = "__role__"
FINETUNED_CHOICE = "__finetuned__"  # the fine-tuned Hub checkpoint (online, or once cached)


def done_key(chapter: Chapter) -> str:
    return f"learn_done_{chapter.id}"


def show_missing(source: Source) -> None:
    """What is missing and the command that fixes it, as information: a first view never opens on an error."""
    explain_missing(source, "info")


def render_progress(done: set[str]) -> None:
    """How many chapters are done and which are left, in the tutorial's order."""
    count, left = progress(done)
    line = t("learn.progress", done=count, total=len(CHAPTERS))
    titles = "、".join(t(c.title_key) for c in left)
    rest = t("learn.progress.left", titles=titles) if left else t("learn.progress.all_done")
    st.progress(count / len(CHAPTERS), text=f"{line} · {rest}")
    st.caption(t("learn.progress.kept"))


def render_code_column(column, heading_key: str, snippets: tuple[Snippet, ...]) -> None:
    """One column of code: its heading, then each block under its title (a file, or the tutorial's heading)."""
    column.caption(t(heading_key))
    if not snippets:  # a section of the tutorial that is text only
        column.info(t("learn.original.none"))
    for snippet in snippets:
        if snippet.title:  # a file name or the tutorial's heading, quoted as written (our data, no backticks)
            column.markdown(f"`{snippet.title}`")
        column.code(snippet.code, language=snippet.language, wrap_lines=True)


def render_traps(traps: tuple[Trap, ...]) -> None:
    """Each line of the tutorial that breaks today: why, the line, exactly what the learner sees, the fix."""
    st.warning(t("learn.traps"), icon=":material/warning:")
    for trap in traps:
        with st.container(border=True):
            st.markdown(t(trap.why_key))
            line, seen, fix = st.columns(3)
            line.caption(t("learn.traps.line"))
            line.code(trap.line, language="python", wrap_lines=True)
            if trap.seen:
                seen.caption(t("learn.traps.seen"))
                seen.code(trap.seen, language=None, wrap_lines=True)
            else:
                seen.caption(t("learn.traps.silent"))
            fix.caption(t("learn.traps.fix"))
            fix.code(trap.fix, language="python", wrap_lines=True)


def render_snippets(chapter: Chapter) -> None:
    """The tutorial's code and its transformers 5 form side by side, what to know, then where the tutorial breaks."""
    before, after = st.columns(2)
    render_code_column(before, "learn.original", chapter.original)
    render_code_column(after, "learn.modern", chapter.modern)
    st.caption(t(chapter.note_key))
    if chapter.traps:
        render_traps(chapter.traps)


def open_in_lab(chapter: Chapter) -> None:
    """Switch to the target page on its tab, asking it to show the tutorial's example (the page puts it into its
    own widgets)."""
    open_link(chapter.target.page, chapter.target.tab, chapter.target.show_for(lang()))


def render_chapter(number: int, chapter: Chapter, hands_on: Callable[[], None] | None) -> None:
    """One chapter: summary, snippets, the link into the lab, the hands-on step if any, the done tick."""
    with st.container(border=True):
        st.subheader(f"{number}. {t(chapter.title_key)}")
        # the tutorial's headings quoted as written (our data, no backticks)
        st.caption(t("learn.sections", sections=t("learn.sections.sep").join(f"`{h}`" for h in chapter.sections)))
        st.markdown(t(chapter.summary_key))
        render_snippets(chapter)
        if st.button(t("learn.open"), key=f"learn_open_{chapter.id}", icon=":material/open_in_new:"):
            open_in_lab(chapter)
        if hands_on is not None:
            with st.expander(t("learn.hands_on")):
                hands_on()
        keep(done_key(chapter), False)
        st.checkbox(t("learn.done"), key=done_key(chapter))


# ---------------------------------------------------------------- hands-on: pipeline

def classifier_choices(finetuned: Source | None) -> dict[str, str]:
    """Choice id -> label: the sentiment role's model (bert-base-chinese: the untrained-head lesson), the
    fine-tuned Hub checkpoint when it is cached or reachable (real labels), then the models trained here."""
    choices = {ROLE_CHOICE: t("learn.pipe.model.role", repo=resolve_role("sentiment").repo_id)}
    if finetuned is not None:
        choices[FINETUNED_CHOICE] = t("learn.pipe.model.finetuned", repo=finetuned.repo_id)
    for path, _meta in list_trained(session_owner()):
        choices[str(path)] = t("learn.pipe.model.trained", name=path.name)
    return choices


def picked_source(picked: str, finetuned: Source | None) -> Source:
    """The Source of the chosen classifier."""
    if picked == FINETUNED_CHOICE and finetuned is not None:
        return finetuned
    return resolve_role("sentiment") if picked in (ROLE_CHOICE, FINETUNED_CHOICE) else trained_source(Path(picked))


def render_classification(source: Source, texts: list[str]) -> None:
    """pipeline("text-classification") next to the direct forward and transformers' list of new weights."""
    result_key = RESULT_KEY.format(step="classify")
    if st.button(t("learn.pipe.run"), key="learn_classify_run", disabled=not texts):
        # its own cache entry: the Sentiment page loads another form of the same checkpoint
        handle = load(source, loaders.load_classifier, t("learn.pipe.model"), variant="pipeline")
        if handle is not None:
            with st.spinner(t("learn.pipe.running")), handle.use() as loaded:
                st.session_state[result_key] = (loaded.missing_keys,
                                                pipelines.classify(loaded.model, loaded.tokenizer, texts))
    if result_key not in st.session_state:
        return
    missing_keys, rows = st.session_state[result_key]
    if missing_keys:
        st.info(t("learn.pipe.missing_keys", keys=markdown_literal(", ".join(missing_keys))))
        st.caption(t("learn.pipe.why_half"))
    else:
        st.success(t("learn.pipe.none_missing"))
    st.dataframe(pd.DataFrame([{
        t("learn.pipe.col.text"): row.text,
        t("learn.pipe.col.label"): row.label,
        t("learn.pipe.col.score"): round(row.score, 6),
        t("learn.pipe.col.direct"): ", ".join(f"{p:.6f}" for p in row.probabilities),
    } for row in rows]), hide_index=True, width="stretch")
    st.caption(t("learn.pipe.equal"))


def render_fill_mask(source: Source) -> None:
    """pipeline("fill-mask") on the tutorial's sentence when the checkpoint has a masked-LM head."""
    result_key = RESULT_KEY.format(step="fill")
    if st.button(t("learn.fill.run"), key="learn_fill_run"):
        try:
            with st.spinner(t("learn.fill.running")):
                model, tokenizer = loaders.load_masked_lm(source)
                st.session_state[result_key] = pipelines.fill_mask(model, tokenizer, FILL_MASK_SENTENCE)
        except loaders.NoMaskedLMHead as exc:
            st.session_state[result_key] = exc.message
    answer = st.session_state.get(result_key)
    if isinstance(answer, Message):
        st.info(message_text(answer))
    elif answer:
        st.dataframe(pd.DataFrame([{t("learn.fill.col.token"): row["token_str"],
                                    t("learn.fill.col.score"): round(row["score"], 6),
                                    t("learn.fill.col.sequence"): row["sequence"]} for row in answer]),
                     hide_index=True, width="stretch")


def pipeline_step() -> None:
    """The tutorial's first hands-on step: classification with an untrained head, then fill-mask."""
    st.markdown(f"**{t('learn.pipe.heading')}**")
    finetuned = finetuned_source()
    choices = classifier_choices(finetuned)
    keep("learn_classifier", ROLE_CHOICE)
    if st.session_state["learn_classifier"] not in choices:
        st.session_state["learn_classifier"] = ROLE_CHOICE
    picked = st.selectbox(t("learn.pipe.model"), list(choices), format_func=choices.get, key="learn_classifier")
    source = picked_source(picked, finetuned)
    keep("learn_pipe_texts", PIPELINE_SENTENCE)
    raw = st.text_area(t("learn.pipe.texts"), key="learn_pipe_texts", height=80)
    show_caps("text_chars", "batch_texts")
    texts = cap_texts([line.strip() for line in raw.split("\n") if line.strip()]) if check_text(raw) else []
    if not source.ready:
        show_missing(source)
    else:
        render_classification(source, texts)
    st.divider()
    st.markdown(f"**{t('learn.fill.heading')}** · `{FILL_MASK_SENTENCE}`")
    mlm_source = resolve_role("sentiment")
    if not mlm_source.ready:
        st.info(t("learn.fill.none_offline", model=markdown_literal(mlm_source.repo_id)))
        if mlm_source.fix:
            st.code(mlm_source.fix, language="bash")
    else:
        render_fill_mask(mlm_source)


# ---------------------------------------------------------------- hands-on: generation

def generation_step() -> None:
    """pipeline("text-generation") on the causal LM role, greedy, next to model.generate."""
    st.markdown(f"**{t('learn.gen.heading')}**")
    source = resolve_role("causal_lm")
    if not source.ready:
        show_missing(source)
        return
    keep("learn_gen_prompt", GENERATION_PROMPTS[lang()])
    prompt = st.text_input(t("learn.gen.prompt"), key="learn_gen_prompt")
    st.caption(t("learn.gen.prompt_cap", limit=pipelines.PROMPT_TOKENS))
    result_key = RESULT_KEY.format(step="generate")
    if st.button(t("learn.gen.run"), key="learn_gen_run", disabled=not prompt.strip()) and check_text(prompt):
        handle = load(source, loaders.load_causal_lm, t("role.causal_lm"))
        if handle is not None:
            with st.spinner(t("learn.gen.running")), handle.use() as lm:
                n = pipelines.prompt_tokens(lm.tokenizer, prompt)
                if n > pipelines.PROMPT_TOKENS:
                    st.warning(t("learn.gen.too_long", n=n, limit=pipelines.PROMPT_TOKENS))
                else:
                    st.session_state[result_key] = (pipelines.generate_text(lm.model, lm.tokenizer, prompt),
                                                    pipelines.direct_greedy(lm.model, lm.tokenizer, prompt))
    if result_key in st.session_state:
        from_pipeline, from_generate = st.session_state[result_key]
        left, right = st.columns(2)
        left.caption(t("learn.gen.pipeline"))
        left.code(from_pipeline, language=None)
        right.caption(t("learn.gen.direct"))
        right.code(from_generate, language=None)
        st.caption(t("learn.gen.same") if from_pipeline == from_generate else t("learn.gen.differ"))


# ---------------------------------------------------------------- hands-on: datasets and batches

def tokenizer_handle():
    """The tokenizer role loaded through the manager (the packaged bert-base-chinese vocab offline), or None."""
    source = resolve_role("tokenizer")
    if not source.ready:
        show_missing(source)
        return None
    return load(source, loaders.load_tokenizer, t("role.tokenizer"))


def render_map_timing(runs: list[reviews.MapRun]) -> None:
    st.dataframe(pd.DataFrame([{
        t("learn.data.col.mode"): t("learn.data.batched" if run.batched else "learn.data.unbatched"),
        t("learn.data.col.rows"): run.dataset.num_rows,
        t("learn.data.col.seconds"): round(run.seconds, 4),
        t("learn.data.col.columns"): ", ".join(run.dataset.column_names),
    } for run in runs]), hide_index=True, width="stretch")
    st.caption(t("learn.data.timing_note"))


def render_comparison() -> None:
    st.markdown(f"**{t('learn.cmp.heading')}**")
    st.dataframe(pd.DataFrame([{
        t("learn.cmp.col.aspect"): t(f"learn.cmp.{aspect}.name"),
        t("learn.cmp.col.hf"): t(f"learn.cmp.{aspect}.hf"),
        t("learn.cmp.col.torch"): t(f"learn.cmp.{aspect}.torch"),
    } for aspect in reviews.COMPARISON_ASPECTS]), hide_index=True, width="stretch")


def datasets_step() -> None:
    """Dataset.from_dict with the tutorial's reviews, .info / .features, map batched vs one row at a time."""
    st.markdown(f"**{t('learn.data.heading')}**")
    dataset = reviews.tutorial_dataset()
    st.caption(t("learn.data.rows"))
    st.dataframe(dataset.to_pandas(), hide_index=True, width="stretch")
    info, features = st.columns(2)
    info.caption(t("learn.data.info"))
    info.dataframe(pd.DataFrame([{t("learn.data.col.field"): name, t("learn.data.col.value"): str(value)}
                                 for name, value in reviews.info_fields(dataset).items()]), hide_index=True)
    features.caption(t("learn.data.features"))
    features.dataframe(pd.DataFrame([{t("learn.data.col.column"): row["column"],
                                      t("learn.data.col.feature"): row["feature"]}
                                     for row in reviews.feature_rows(dataset)]), hide_index=True)
    keep("learn_map_copies", 100)
    copies = int(st.number_input(t("learn.data.copies"), 1, 2000, key="learn_map_copies"))
    result_key = RESULT_KEY.format(step="map")
    if st.button(t("learn.data.run_map"), key="learn_map_run"):
        handle = tokenizer_handle()
        if handle is not None:
            rows = reviews.tutorial_dataset(copies)
            with st.spinner(t("learn.data.running")), handle.use() as tokenizer:
                st.session_state[result_key] = [reviews.timed_map(rows, tokenizer, batched)
                                                for batched in (False, True)]
    if result_key in st.session_state:
        render_map_timing(st.session_state[result_key])
    render_comparison()


def batch_reviews() -> tuple[list[str], list[int], str]:
    """(texts, labels, name): the data set role's train split when it loads, else the tutorial's reviews."""
    try:
        data = sentiment_data.load_source(resolve_role("dataset"))
        train = next(iter(data.splits.values())).head(2000)
        return list(train["text"]), [int(v) for v in train["label"]], markdown_literal(data.name)
    except Exception:  # no data set, or a download that failed: the tutorial's own reviews still teach the point
        texts, labels = reviews.TUTORIAL_REVIEWS["text"], reviews.TUTORIAL_REVIEWS["label"]
        return texts, labels, t("learn.batch.tutorial_reviews")


def torch_dataset_step() -> None:
    """The tutorial's Mydataset (padding in __getitem__) next to a collate_fn with dynamic padding."""
    st.markdown(f"**{t('learn.batch.heading')}**")
    keep("learn_batch_size", batches.TUTORIAL_BATCH_SIZE)
    batch_size = int(st.number_input(t("learn.batch.size"), 1, 128, key="learn_batch_size"))
    result_key = RESULT_KEY.format(step="batches")
    if st.button(t("learn.batch.run"), key="learn_batch_run"):
        handle = tokenizer_handle()
        if handle is not None:
            with st.spinner(t("learn.batch.running")):
                texts, labels, name = batch_reviews()
                with handle.use() as tokenizer:
                    stats = batches.epoch_padding(texts, labels, tokenizer, batch_size)
            st.session_state[result_key] = (name, len(texts), stats)
    if result_key not in st.session_state:
        return
    name, rows, stats = st.session_state[result_key]
    st.caption(t("learn.batch.source", name=name, rows=rows))
    st.dataframe(pd.DataFrame([{
        t("learn.batch.col.way"): t(f"learn.batch.{way.way}"),
        t("learn.batch.col.shape"): str(list(way.first_shape)),
        t("learn.batch.col.batches"): way.batches,
        t("learn.batch.col.pad"): f"{way.pad_tokens:,}",
        t("learn.batch.col.share"): f"{way.pad_share:.0%}",
    } for way in stats]), hide_index=True, width="stretch")
    st.caption(t("learn.batch.why"))


# ---------------------------------------------------------------- hands-on: subwords

@st.cache_data(show_spinner=False, max_entries=4)
def cached_subword_rows(target: str) -> list[subword.SubwordRow]:
    return subword.subword_rows(target, list(SUBWORD_TEXTS))


def subword_step() -> None:
    """The tutorial's 黑 / ##黑 words, tokenized as bert-base-chinese does it and with character splitting off."""
    st.markdown(f"**{t('learn.sub.heading')}**")
    source = resolve_role("tokenizer")
    if not source.ready:
        show_missing(source)
        return
    rows = cached_subword_rows(source.target)
    st.dataframe(pd.DataFrame([{t("learn.sub.col.text"): row.text, t("learn.sub.col.default"): " ".join(row.default),
                                t("learn.sub.col.whole"): " ".join(row.whole_words)} for row in rows]),
                 hide_index=True, width="stretch")


# ---------------------------------------------------------------- hands-on: the tutorial's app as a Space

@st.cache_data(show_spinner=False, max_entries=2)
def cached_bundle(bundle_lang: str) -> bytes:
    return space_bundle.bundle_zip(bundle_lang)


def deploy_step() -> None:
    """The Space bundle to download, what is in it, the steps to deploy it, and what sleep and the cache mean."""
    st.markdown(f"**{t('learn.space.heading')}**")
    st.markdown(t("learn.space.contents"))
    st.download_button(t("learn.space.download", name=space_bundle.BUNDLE_NAME), cached_bundle(lang()),
                       file_name=f"{space_bundle.BUNDLE_NAME}.zip", mime="application/zip",
                       key="learn_space_download", icon=":material/download:")
    st.markdown(f"**{t('learn.space.steps_heading')}**")
    st.markdown(t("learn.space.steps"))
    st.markdown(f"**{t('learn.space.sleep_heading')}**")
    st.markdown(t("learn.space.sleep"))
    requirements, front_matter = st.columns(2)
    requirements.caption(t("learn.space.requirements"))
    requirements.code(space_bundle.requirements_txt(), language=None)
    front_matter.caption(t("learn.space.front_matter"))
    front_matter.code(space_bundle.readme_md(lang()).split("\n\n", 1)[0], language="yaml")


HANDS_ON = {
    "generation": generation_step,
    "pipeline": pipeline_step,
    "datasets": datasets_step,
    "torch_dataset": torch_dataset_step,
    "deploy": deploy_step,
    "subword": subword_step,
}

# ---------------------------------------------------------------- the page

def main() -> None:
    """The page, top to bottom: progress, then every chapter."""
    header("nav.learn", "learn.intro")
    done = {chapter.id for chapter in CHAPTERS if keep(done_key(chapter), False)}
    render_progress(done)
    for number, chapter in enumerate(CHAPTERS, start=1):
        render_chapter(number, chapter, HANDS_ON.get(chapter.id))


main()
