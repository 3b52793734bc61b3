"""The Sampling playground in AppTest, both languages: stepping, branching, undo/reset, compare,
sample many, and clear messages (no traceback) for every kind of bad input."""
from __future__ import annotations

import re

import pytest
import torch
from apptest_utils import error_texts, notebook_download, open_page, record_downloads
from transformers import AutoModelForCausalLM, AutoTokenizer

from components.escape import markdown_literal
from hflab.i18n import t

PAGE = "app_pages/sampling.py"


def message_text_en(key: str, **params) -> str:
    """A core message as the page shows it in English (parameters Markdown-escaped by components.messages)."""
    return t(key, "en", **{name: markdown_literal(value) for name, value in params.items()})


def _button(at, key: str, lang: str):
    return next(b for b in at.button if b.label == t(key, lang))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_step_branch_undo_reset_compare_many(tiny_env, lang):
    at = open_page(PAGE, lang)
    assert not error_texts(at)
    assert at.title[0].value == t("nav.sampling", lang)
    assert "TopKLogitsWarper(top_k=50)" in at.code[0].value  # generate's own default, shown as it runs
    _button(at, "sampling.step_button", lang).click().run()
    assert len(at.pills[0].options) == 1 and not error_texts(at)
    _button(at, "sampling.run_button", lang).click().run()
    assert len(at.session_state["sampling_stepper"].generated) >= 2
    _button(at, "sampling.verify_button", lang).click().run()
    assert at.success and not at.warning
    _button(at, "sampling.undo", lang).click().run()
    before = list(at.session_state["sampling_stepper"].generated)
    _button(at, "sampling.reset", lang).click().run()
    assert at.session_state["sampling_stepper"].generated == [] and before
    at.selectbox(key="sampling_pick").select_index(1).run()
    choice = at.selectbox(key="sampling_pick").value
    _button(at, "sampling.pick_button", lang).click().run()
    steps = at.session_state["sampling_stepper"].steps
    assert len(steps) == 1 and steps[0].view.how == "picked"
    assert steps[0].token == choice
    assert t("sampling.branched", lang) in [c.value for c in at.caption]
    _button(at, "sampling.compare_run", lang).click().run()
    assert not error_texts(at) and at.session_state["sampling_cmp_result"][1][1][0]  # (key, (settings, results))
    _button(at, "sampling.many_run", lang).click().run()
    assert not error_texts(at) and len(at.session_state["sampling_many_result"][1][1]) == 50  # (key, (settings, rows))
    assert not at.exception


def test_bad_settings_and_prompts_get_clear_messages(tiny_env):
    at = open_page(PAGE, "en")
    at.slider(key="sampling_temperature").set_value(0.0).run()
    assert message_text_en("sampling.bad.temperature", value=0.0) in error_texts(at)
    at.slider(key="sampling_temperature").set_value(0.7).run()
    at.toggle(key="sampling_order").set_value(True).run()
    assert any(m.value.startswith("transformers' order") for m in at.markdown) and not error_texts(at)
    at.number_input(key="sampling_top_k").set_value(0).run()
    assert t("sampling.info.top_k_zero", "en") in [i.value for i in at.info]
    at.slider(key="sampling_top_p").set_value(0.0).run()
    assert t("sampling.info.top_p_zero", "en") in [i.value for i in at.info]
    assert not error_texts(at)
    at.text_area(key="sampling_prompt").input("   ").run()
    assert at.warning and not at.exception
    long_prompt = "hello world " * 400
    n = len(AutoTokenizer.from_pretrained(tiny_env["causal_lm"])(long_prompt, add_special_tokens=False).input_ids)
    at.text_area(key="sampling_prompt").input(long_prompt).run()
    assert t("sampling.prompt_too_long", "en", n=n, limit=512) in error_texts(at)
    assert not at.exception


@pytest.fixture()
def broken_models(tiny_models, session_dir, monkeypatch):
    """A copy of the tiny Qwen2 without a chat template, and one whose weights produce NaN."""
    root = session_dir / "data" / "sampling-broken"
    model = AutoModelForCausalLM.from_pretrained(tiny_models["causal_lm"])
    tok = AutoTokenizer.from_pretrained(tiny_models["causal_lm"])
    tok.chat_template = None
    model.save_pretrained(root / "no_template")
    tok.save_pretrained(root / "no_template")
    (root / "no_template" / "chat_template.jinja").unlink(missing_ok=True)
    with torch.no_grad():
        model.model.norm.weight.fill_(float("nan"))
    model.save_pretrained(root / "nan")
    tok.save_pretrained(root / "nan")
    return root


def test_model_without_chat_template(tiny_env, broken_models, monkeypatch):
    monkeypatch.setenv("HFLAB_CAUSAL_LM_DIR", str(broken_models / "no_template"))
    at = open_page(PAGE, "zh")
    at.toggle(key="sampling_chat").set_value(True).run()
    assert t("sampling.no_chat_template", "zh") in [w.value for w in at.warning]
    assert not error_texts(at)


def test_nan_model(tiny_env, broken_models, monkeypatch):
    monkeypatch.setenv("HFLAB_CAUSAL_LM_DIR", str(broken_models / "nan"))
    at = open_page(PAGE, "en")
    assert t("sampling.bad_logits", "en") in error_texts(at)
    assert not at.exception


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("precision", ["fp16", "int8"])
def test_faster_weight_formats_load_their_own_model_and_say_what_changes(tiny_env, lang, precision):
    from components.model_loading import manager
    from hflab.runtime.quantize import layer_precisions

    at = open_page(PAGE, lang)
    assert t("precision.note.fp32", lang) in [c.value for c in at.caption]
    at.segmented_control(key="sampling_precision").set_value(precision).run()
    assert not error_texts(at)
    assert t(f"precision.note.{precision}", lang) in [c.value for c in at.caption]
    _button(at, "sampling.step_button", lang).click().run()
    assert not error_texts(at) and len(at.session_state["sampling_stepper"].generated) == 1
    keys = [row["key"] for row in manager().snapshot() if row["key"].endswith(f"@{precision}")]
    assert keys  # cached apart from the fp32 model
    model = manager().get(keys[0], lambda: None).value[0]
    assert precision in layer_precisions(model).values()


# every input of the page with a value that differs from its default: (widget kind, key) -> value
KEPT_INPUTS = {
    ("text_area", "sampling_prompt"): "The cat sat on",
    ("toggle", "sampling_chat"): True,
    ("number_input", "sampling_seed"): 7,
    ("slider", "sampling_top_n"): 10,
    ("slider", "sampling_temperature"): 0.7,
    ("number_input", "sampling_top_k"): 30,
    ("slider", "sampling_top_p"): 0.9,
    ("slider", "sampling_min_p"): 0.05,
    ("slider", "sampling_repetition_penalty"): 1.1,
    ("number_input", "sampling_n"): 4,
    ("number_input", "sampling_cmp_tokens"): 5,
    ("slider", "sampling_cmp0_temperature"): 0.5,
    ("number_input", "sampling_cmp1_top_k"): 12,
    ("slider", "sampling_many_k"): 20,
    ("slider", "sampling_many_tokens"): 2,
}


def _widget(at, kind: str, key: str):
    return getattr(at, kind)(key=key)


def test_inputs_survive_a_visit_to_another_page(tiny_env):  # issue 18.4
    from hflab.runtime.quantize import available_precisions

    inputs = dict(KEPT_INPUTS)
    if "fp16" in available_precisions():  # the weight-format switch is drawn only where it has a choice
        inputs[("segmented_control", "sampling_precision")] = "fp16"
    at = open_page(PAGE, "en")
    for (kind, key), value in inputs.items():
        _widget(at, kind, key).set_value(value).run()
    assert not error_texts(at)
    at.switch_page("app_pages/home.py").run()
    at.switch_page(PAGE).run()
    assert {(kind, key): _widget(at, kind, key).value for kind, key in inputs} == inputs
    assert not error_texts(at)


def test_pick_box_resets_when_the_step_changes(tiny_env):  # issue 18.6
    at = open_page(PAGE, "en")
    at.selectbox(key="sampling_pick").select_index(3).run()
    _button(at, "sampling.step_button", "en").click().run()
    stepper = at.session_state["sampling_stepper"]
    candidates = [int(c) for c in stepper.view(stepper_config(at), 20).candidates]
    box = at.selectbox(key="sampling_pick")
    assert box.value == candidates[0] and box.index == 0  # the new top candidate, not the old choice
    _button(at, "sampling.pick_button", "en").click().run()
    assert not error_texts(at)
    steps = at.session_state["sampling_stepper"].steps
    assert len(steps) == 2 and steps[1].view.how == "picked" and steps[1].token == candidates[0]


def stepper_config(at):
    """The effective generation config of the page's current settings (as the page computes it)."""
    from components.model_loading import manager
    from hflab.sampling.processors import SamplingSettings, effective_generation_config

    model = next(manager().get(row["key"], lambda: None).value[0] for row in manager().snapshot()
                 if row["key"].startswith("causal_lm|"))
    state = at.session_state
    settings = SamplingSettings(state["sampling_do_sample"], state["sampling_temperature"], state["sampling_top_k"],
                                state["sampling_top_p"], state["sampling_min_p"] or None,
                                state["sampling_repetition_penalty"])
    return effective_generation_config(model, settings)


def test_pick_box_keeps_a_choice_that_is_still_offered(tiny_env):  # issue 18.6: only a stale choice is reset
    at = open_page(PAGE, "en")
    at.selectbox(key="sampling_pick").select_index(2).run()
    chosen = at.selectbox(key="sampling_pick").value
    at.slider(key="sampling_temperature").set_value(0.9).run()  # same context, other probabilities
    assert at.selectbox(key="sampling_pick").value == chosen


def test_switching_the_language_twice_keeps_the_page_usable(tiny_env):  # issue 18.1
    at = open_page(PAGE, "zh")
    at.text_area(key="sampling_prompt").input("小猫坐在").run()
    _button(at, "sampling.run_button", "zh").click().run()
    at.pills(key="sampling_chips").set_value(0).run()
    for english in (True, False):
        at.toggle(key="lang_en").set_value(english).run()
        assert not error_texts(at)
    assert at.text_area(key="sampling_prompt").value == "小猫坐在"
    assert at.pills(key="sampling_chips").value == 0
    _button(at, "sampling.back_to_current", "zh").click().run()
    at.selectbox(key="sampling_pick").select_index(1).run()
    _button(at, "sampling.pick_button", "zh").click().run()
    assert at.session_state["sampling_stepper"].steps[-1].view.how == "picked"
    _button(at, "sampling.compare_run", "zh").click().run()
    _button(at, "sampling.many_run", "zh").click().run()
    assert not error_texts(at) and at.session_state["sampling_cmp_result"][1][1][0]  # (key, (settings, results))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_default_prompt_is_in_the_ui_language(tiny_env, lang):  # issue 13.4
    from hflab.sampling.prompt import EXAMPLE_PROMPTS

    at = open_page(PAGE, lang)
    assert at.text_area(key="sampling_prompt").value == EXAMPLE_PROMPTS[lang]
    # the tiny Qwen2 is not English-centric
    assert not [b for b in at.button if (b.key or "").startswith("sampling_example_")]


# identifiers (API and argument names, libraries, units) and the tutorial's own word "token"
IDENTIFIERS = {"transformers", "generation_config", "do_sample", "temperature", "top_k", "top_p", "min_p",
               "repetition_penalty", "top-k", "top-p", "min-p", "softmax", "argmax", "logit", "token", "N", "bit",
               "torch.multinomial", "model.generate", "fp32", "fp16", "int8", "llama.cpp", "chat_template",
               "OpenAI", "K", "Colab", "VS", "Code"}  # where a downloaded notebook opens, by name


def test_chinese_ui_has_no_english_headers_or_labels(tiny_env):  # issue 13.4
    at = open_page(PAGE, "zh")
    _button(at, "sampling.run_button", "zh").click().run()
    _button(at, "sampling.many_run", "zh").click().run()
    texts = [str(c) for frame in at.dataframe for c in frame.value.columns]
    texts += [w.label for kind in ("text_area", "slider", "number_input", "toggle", "selectbox", "button", "tabs")
              for w in getattr(at.main, kind)]
    texts += [c.value for c in at.main.caption]
    texts = [re.sub(r"`[^`]*`", "", text) for text in texts]  # code spans (commands, file names) are code
    texts = [re.sub(r"/\S+", "", text) for text in texts]  # paths (the model's directory) are identifiers
    words = {w.strip(".-") for text in texts for w in re.findall(r"[A-Za-z][A-Za-z0-9_.\-]*", text)}
    assert words - IDENTIFIERS == set()


def test_offline_english_centric_model_offers_both_examples(tiny_env, smollm2_dir, monkeypatch):  # issue 13.4
    from hflab.sampling.prompt import EXAMPLE_PROMPTS

    monkeypatch.delenv("HFLAB_CAUSAL_LM_DIR")  # the packaged SmolLM2
    at = open_page(PAGE, "zh")
    assert t("sampling.english_centric", "zh") in [i.value for i in at.info]
    assert at.text_area(key="sampling_prompt").value == EXAMPLE_PROMPTS["zh"]
    at.button(key="sampling_example_en").click().run()
    assert at.text_area(key="sampling_prompt").value == EXAMPLE_PROMPTS["en"] and not error_texts(at)
    at.button(key="sampling_example_zh").click().run()
    assert at.text_area(key="sampling_prompt").value == EXAMPLE_PROMPTS["zh"] and not error_texts(at)


LENS_TEXT_KEYS = ("sampling.lens.intro", "sampling.lens.approx", "sampling.lens.step", "sampling.lens.current")


def _open_lens(at, lang: str):
    """Click the logit lens tab (what the browser sends: the tab's label under the tabs' key)."""
    at.session_state[f"sampling_tab@{lang}"] = t("sampling.tab.lens", lang)
    return at.run()


def _lens_table(at, lang: str):
    return next(frame.value for frame in at.dataframe
                if t("sampling.lens.col.chosen_rank", lang) in frame.value.columns)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_logit_lens_tab_shows_the_layer_by_rank_table(tiny_env, lang):  # issue 16.2
    from hflab.sampling.lens import logit_lens

    at = open_page(PAGE, lang)
    assert not [f for f in at.dataframe if t("sampling.lens.col.chosen_rank", lang) in f.value.columns]  # closed
    _button(at, "sampling.run_button", lang).click().run()
    at = _open_lens(at, lang)
    assert not error_texts(at)
    assert t("sampling.lens.approx", lang) in [i.value for i in at.info]
    picker = at.selectbox(key=f"sampling_lens_step@{lang}")
    assert picker.index == 0 and picker.value == -1  # the current step is picked (None drew an empty picker)
    stepper = at.session_state["sampling_stepper"]
    table = _lens_table(at, lang)
    layers = at.session_state["sampling_lens"][1].n_layers
    assert len(table) == layers + 1
    assert list(table.columns) == [t("sampling.lens.col.layer", lang)] + [
        t("sampling.lens.col.rank", lang, r=r) for r in range(1, 6)] + [
        t("sampling.lens.col.chosen_rank", lang), t("sampling.lens.col.chosen_prob", lang)]
    assert table.iloc[-1][t("sampling.lens.col.chosen_rank", lang)] == 1  # nothing chosen: the last layer's top
    # a generated step: the token chosen there, ranked by the lens of the context before it
    at.selectbox(key=f"sampling_lens_step@{lang}").set_value(0).run()
    assert not error_texts(at)
    view = at.session_state["sampling_lens"][1]
    model = AutoModelForCausalLM.from_pretrained(tiny_env["causal_lm"]).eval()
    expected = logit_lens(model, stepper.prompt_ids, stepper.steps[0].token)
    assert view.tracked == stepper.steps[0].token
    assert _lens_table(at, lang)[t("sampling.lens.col.chosen_rank", lang)].tolist() == expected.tracked_ranks.tolist()
    if lang == "zh":  # what the open tab shows, by the rules of the Chinese-purity test (test_chinese_ui.py)
        from test_chinese_ui import english_words, visible_texts

        shown = visible_texts(at)
        lens_texts = [text for text in shown if any(text == t(key, "zh") for key in LENS_TEXT_KEYS)]
        lens_texts += [str(c) for c in _lens_table(at, lang).columns]
        assert (
            len(lens_texts) >= len(LENS_TEXT_KEYS)
            and {x: english_words(x) for x in lens_texts if english_words(x)} == {}
        )
    assert not at.exception


def test_logit_lens_table_shows_every_layer_without_scrolling(tiny_env, monkeypatch):
    """Issue 33.10: the lens table's default box shows ten rows; SmolLM2's 31 rows hid the final layer (the row the
    captions point to) in the table's own scroll box. The table is as tall as its rows (Streamlit caps "content" at
    10,000 px: MAX_ROWS + 1 rows of 35 px fit)."""
    import streamlit as st

    from hflab.sampling.lens import MAX_ROWS

    drawn: list[tuple[object, dict]] = []
    real = st.dataframe

    def recording_dataframe(data=None, *args, **kwargs):
        drawn.append((data, kwargs))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(st, "dataframe", recording_dataframe)
    at = open_page(PAGE, "en")
    _button(at, "sampling.run_button", "en").click().run()
    at = _open_lens(at, "en")
    assert not error_texts(at)
    column = t("sampling.lens.col.chosen_rank", "en")
    lens = [kwargs for data, kwargs in drawn if column in getattr(data, "columns", ())]  # a Styler has them too
    assert lens and all(kwargs.get("height") == "content" for kwargs in lens)
    final = t("sampling.lens.final", "en", i=at.session_state["sampling_lens"][1].n_layers)
    assert _lens_table(at, "en").iloc[-1][t("sampling.lens.col.layer", "en")] == final
    assert (MAX_ROWS + 2) * 35 < 10_000


def test_logit_lens_too_long_context_gets_a_message(tiny_env):  # issue 16.2
    from hflab.sampling.lens import MAX_TOKENS

    text = "a cat sitting on a couch " * 16
    n = len(AutoTokenizer.from_pretrained(tiny_env["causal_lm"])(text, add_special_tokens=False).input_ids)
    assert MAX_TOKENS < n < 512  # fits the tiny model's context, not the lens
    at = open_page(PAGE, "en")
    at.text_area(key="sampling_prompt").input(text).run()
    at = _open_lens(at, "en")
    assert message_text_en("sampling.lens.too_long", n=n, limit=MAX_TOKENS) in error_texts(at)
    assert not at.exception


def _open_tab(at, lang: str, tab: str):
    """Click a tab (what the browser sends: the tab's label under the tabs' key)."""
    at.session_state[f"sampling_tab@{lang}"] = t(f"sampling.tab.{tab}", lang)
    return at.run()


def _attention_summary(at, lang: str):
    tables = [frame.value for frame in at.dataframe if t("attention.col.itself", lang) in frame.value.columns]
    assert len(tables) == 1
    return tables[0]


ATTENTION_TEXT_KEYS = ("sampling.attention.intro", "sampling.attention.summary_note", "attention.layer",
                       "attention.head")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_attention_tab_shows_the_heads_over_the_current_context(tiny_env, lang):  # issue 16.1, causal LM
    import json

    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    from components.attention_chart import positioned
    from hflab import attention

    at = open_page(PAGE, lang)
    _button(at, "sampling.run_button", lang).click().run()
    assert "sampling_attention" not in at.session_state  # a closed tab computes nothing
    at = _open_tab(at, lang, "attention")
    assert not error_texts(at)
    stepper = at.session_state["sampling_stepper"]
    ids = list(stepper.ids)  # the prompt and the generated tokens
    assert stepper.generated and len(ids) == len(stepper.prompt_ids) + len(stepper.generated)
    charts = [chart.proto for chart in at.get("vega_lite_chart")
              if any(d.name == "attention_cells" for d in chart.proto.datasets)]  # not the step tab's charts
    assert ["facet" in json.loads(chart.spec) for chart in charts] == [False, True]  # one head, then all heads
    tokenizer = AutoTokenizer.from_pretrained(tiny_env["causal_lm"])
    data = {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in charts[0].datasets}
    assert list(data["attention_labels"]["label"]) == positioned(attention.axis_labels(tokenizer, ids))
    columns = [t(f"attention.col.{name}", lang) for name in ("head", "first", "previous", "itself")]
    assert list(_attention_summary(at, lang).columns) == columns  # no [CLS], and no [SEP] in this context
    at.get_by_key("sampling_attn_layer").set_value(1).run()
    at.get_by_key("sampling_attn_head").set_value(2).run()
    assert not error_texts(at)
    assert f"**{t('attention.heatmap', lang, layer=1, head=2)}**" in [m.value for m in at.markdown]
    # the shown numbers are hflab.attention's for the same ids, through the model as the tests load it
    model = AutoModelForCausalLM.from_pretrained(tiny_env["causal_lm"]).eval()
    expected = [s for s in attention.inspect(model, tokenizer, ids).summaries if s.layer == 1]
    table = _attention_summary(at, lang)
    assert len(table) == len(expected) == 4  # the tiny Qwen2's heads
    for name, column in zip(("first", "previous", "itself"), columns[1:]):
        assert table[column].tolist() == [100 * getattr(s, name) for s in expected]
    # ... and one cell is the model's own output_attentions under eager attention, averaged over the queries
    eager = AutoModelForCausalLM.from_pretrained(tiny_env["causal_lm"], attn_implementation="eager").eval()
    with torch.no_grad():
        weights = eager(input_ids=torch.tensor([ids]), output_attentions=True).attentions[1][0, 2]
    assert table[columns[1]].tolist()[2] == pytest.approx(100 * float(weights[:, 0].mean()), rel=1e-6)
    if lang == "zh":  # what the open tab shows, by the rules of the Chinese-purity test (test_chinese_ui.py)
        from test_chinese_ui import english_words, visible_texts

        shown = visible_texts(at)  # the whole page with this tab open
        assert all(t(key, "zh") in shown for key in ATTENTION_TEXT_KEYS) and set(columns) <= set(shown)
        assert {x: english_words(x) for x in shown if english_words(x)} == {}
    # the language switch keeps the tab and the pickers
    at.session_state["lang_en"] = lang != "en"
    at.run()
    assert not error_texts(at)
    assert at.get_by_key("sampling_attn_layer").value == 1 and at.get_by_key("sampling_attn_head").value == 2
    assert not at.exception


def test_attention_caps_a_long_context_with_the_whole_contexts_weights(tiny_env):
    from hflab import attention

    text = "a cat sitting on a couch " * 6
    tokenizer = AutoTokenizer.from_pretrained(tiny_env["causal_lm"])
    ids = tokenizer(text, add_special_tokens=False).input_ids
    assert len(ids) > attention.MAX_TOKENS
    at = open_page(PAGE, "en")
    at.text_area(key="sampling_prompt").input(text).run()
    at = _open_tab(at, "en", "attention")
    assert not error_texts(at)
    infos = [i.value for i in at.info]
    assert t("attention.capped", "en", total=len(ids), shown=attention.MAX_TOKENS) in infos
    assert t("sampling.attention.capped_exact", "en", shown=attention.MAX_TOKENS) in infos
    view = at.session_state["sampling_attention"][1]
    eager = AutoModelForCausalLM.from_pretrained(tiny_env["causal_lm"], attn_implementation="eager").eval()
    with torch.no_grad():
        whole = eager(input_ids=torch.tensor([ids]), output_attentions=True).attentions
    cap = attention.MAX_TOKENS
    for layer, weights in enumerate(whole):  # causal: the first tokens' weights are those of the whole context
        assert torch.allclose(view.maps[layer], weights[0, :, :cap, :cap], atol=1e-6)
    assert not at.exception


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_code_expander_offers_the_reproduction_as_a_notebook(tiny_env, lang, monkeypatch):  # issue 16.5
    written = record_downloads(monkeypatch)
    at = open_page(PAGE, lang)
    _button(at, "sampling.step_button", lang).click().run()
    nb = notebook_download(at, written, "hflab-sampling.ipynb", lang)
    settings = nb.metadata["hflab"]["settings"]
    assert settings["generated so far"] == at.session_state["sampling_stepper"].generated
    assert settings["stages"]["top_k"] == {"top_k": 50}
    code = next(c.value for c in at.code if "model.generate(" in c.value)
    assert "\n\n".join(c.source for c in nb.cells[2:]).split() == code.split()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_model_whose_fp32_load_does_not_fit_the_budget_defaults_to_fp16_and_says_why(tiny_env, lang, monkeypatch):
    """Qwen2-0.5B-Instruct under Community Cloud's budget: fp32 would need 2.8 GB to load (bench/rehearse.py)."""
    from hflab.loading import loaders
    from hflab.runtime.quantize import available_precisions
    from hflab.settings import get_settings

    if "fp16" not in available_precisions():
        pytest.skip(
            "int8 / fp16 CPU weights need PyTorch's fbgemm (x86) quantized engine, which this build lacks (ARM)"
        )
    budget = get_settings().memory_budget_mb
    need = budget + 700
    real = loaders.estimate_load_bytes
    monkeypatch.setattr(loaders, "estimate_load_bytes", lambda source, precision="fp32": (
        need * 2**20 if precision == "fp32" and source.role == "causal_lm" else real(source, precision)))
    at = open_page(PAGE, lang)
    assert at.segmented_control(key="sampling_precision").value == "fp16"
    captions = [c.value for c in at.caption]
    assert t("precision.why_default", lang, default="fp16", need=f"{need:,}", budget=f"{budget:,}") in captions
    _button(at, "sampling.step_button", lang).click().run()
    assert not error_texts(at) and len(at.session_state["sampling_stepper"].generated) == 1
    at.segmented_control(key="sampling_precision").set_value("fp32").run()
    assert t("precision.fp32_over_budget", lang, default="fp16", need=f"{need:,}", budget=f"{budget:,}") in [
        c.value for c in at.caption]
    assert t("problem.budget", lang, model=markdown_literal("Qwen/Qwen2-0.5B-Instruct"), needed=need,
             budget=budget) in error_texts(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_start_shows_the_conversion_stages_then_how_long_it_took(tiny_env, smollm2_dir, monkeypatch, lang):
    """The packaged GGUF's one-time conversion runs behind a progress bar fed by each stage (the stages themselves:
    tests/core/test_offline_assets.py); afterwards the page says it is done and how long it took, once."""
    from hflab.loading import offline_assets

    monkeypatch.delenv("HFLAB_CAUSAL_LM_DIR")  # the packaged SmolLM2
    real_converted, state = offline_assets.smollm2_converted, {"done": False, "stages": []}

    def convert(progress=None):  # the slow part stands in: the session's copy is converted already
        for stage, fraction in offline_assets.CONVERSION_STAGES:
            state["stages"].append(stage)
            progress(fraction, stage)
        progress(1.0, "done")
        state["done"] = True
        return smollm2_dir

    monkeypatch.setattr(offline_assets, "smollm2_converted", lambda: state["done"] and real_converted())
    monkeypatch.setattr(offline_assets, "convert_smollm2", convert)
    at = open_page(PAGE, lang)
    assert state["stages"] == [stage for stage, _ in offline_assets.CONVERSION_STAGES] and not error_texts(at)
    assert t("convert.done", lang, seconds="0") in [c.value for c in at.caption]  # the stand-in takes no time
    _button(at, "sampling.step_button", lang).click().run()
    assert not error_texts(at) and len(at.session_state["sampling_stepper"].generated) == 1
    assert t("convert.done", lang, seconds="0") not in [c.value for c in at.caption]


def test_stage_panels_fill_their_rows_and_the_charts_speak_chinese(tiny_env):  # issue 33.11
    """The stage chart's panels sit in even rows (4 stages as 2 + 2: the 4th used to wrap alone onto a row of its
    own); every title the charts show is Chinese (a tooltip's bare "token" is the lab's word for it)."""
    import json

    from test_chinese_ui import chart_texts, english_words

    at = open_page(PAGE, "zh")
    at.toggle(key="sampling_do_sample").set_value(True).run()
    at.slider(key="sampling_temperature").set_value(0.7).run()
    at.number_input(key="sampling_top_k").set_value(50).run()
    at.slider(key="sampling_top_p").set_value(0.9).run()
    _button(at, "sampling.step_button", "zh").click().run()
    _button(at, "sampling.many_run", "zh").click().run()
    assert not error_texts(at)
    facets = [spec for spec in (json.loads(c.proto.spec) for c in at.get("vega_lite_chart"))
              if spec.get("facet", {}).get("field") == "stage"]
    panels = [(len(spec["facet"]["sort"]), spec["columns"]) for spec in facets]
    assert (4, 2) in panels, panels  # raw, temperature, top-k, top-p
    assert all(n % columns != 1 for n, columns in panels if 1 < n <= 6 and columns > 1), panels
    texts = [text for text in chart_texts(at) if text is not None]
    assert texts and {text: english_words(text) for text in texts if english_words(text)} == {}
