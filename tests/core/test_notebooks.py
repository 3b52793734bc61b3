"""'Download as notebook': each page's exported .ipynb, run offline in a real Jupyter kernel (nbclient),
prints the numbers the page shows (the tokenizer table, the staged distribution and generated tokens, the
sentiment probabilities, the parameter counts). Tests marked `notebook` start a kernel: seconds each."""
from __future__ import annotations

import ast
import importlib.metadata

import nbformat
import numpy as np
import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from hflab.loading.loaders import load_classifier
from hflab.loading.sources import Source
from hflab.models import checkpoint
from hflab.models import code as models_code
from hflab.sampling.code import reproduction_notebook
from hflab.sampling.processors import SamplingSettings, effective_generation_config, settings_from_plan
from hflab.sampling.stepper import Stepper
from hflab.sentiment.checkpoints import trained_source
from hflab.sentiment.code import EXAMPLE_TEXTS, predict_notebook, torch_code
from hflab.sentiment.predict import predict_proba
from hflab.snippet import notebook as nbook
from hflab.snippet.reference import LoadReference, load_reference
from hflab.tokenizer import anatomy as tanatomy
from hflab.tokenizer.code import call_notebook
from hflab.tokenizer.inputs import CallOptions


def exported(spec: nbook.NotebookSpec):
    """The notebook as the download button hands it out: built, written to bytes, read back."""
    data = nbook.notebook_bytes(nbook.build_notebook(spec, "HF Lab", "intro"))
    nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    nbformat.validate(nb)
    return nb


# ---------------------------------------------------------------- building (no kernel)


def test_split_cells_keep_blocks_whole():
    code = torch_code(16, 128)
    cells = nbook.split_cells(code)
    assert len(cells) > 2
    for cell in cells:
        ast.parse(cell)
    # methods stay in the class
    assert any(cell.startswith("class Dataset") and "def __getitem__" in cell for cell in cells)
    assert "\n\n".join(cells).split() == code.split()


def test_settings_table_shows_values_verbatim():
    table = nbook.settings_table({"prompt": "a | b `x`\n<script>alert(1)</script>", "long": "字" * 500})
    row = table.splitlines()[2]
    assert row.count(" | ") == 1 and "a \\| b" in row  # the pipe cannot open a third column
    assert "``" in row and "↵" in row and "\n" not in row  # a code span longer than the backticks inside
    assert "…" in table.splitlines()[3] and len(table.splitlines()[3]) < 300


def test_versions_from_the_requirements_or_this_process():
    versions = nbook.pinned_versions(["transformers", "torch", "pytest"])
    pins = nbook.requirement_pins()
    assert versions["transformers"] == (pins["transformers"], "requirements")
    assert versions["torch"] == (pins["torch"], "requirements")
    assert versions["pytest"] == (importlib.metadata.version("pytest"), "installed")  # not a runtime requirement
    cell = nbook.versions_code(["transformers", "pytest"])
    assert f"# %pip install transformers=={pins['transformers']} pytest==" in cell
    assert "requirements.txt" in cell and "installed where this notebook was exported" in cell


def test_notebook_has_intro_settings_versions_and_metadata(tiny_models):
    spec = predict_notebook(trained_source(tiny_models["sentiment"]), "好")
    nb = exported(spec)
    assert nb.cells[0].cell_type == "markdown" and "| setting | value |" in nb.cells[0].source
    assert "%pip install" in nb.cells[1].source and "transformers==" in nb.cells[1].source
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["hflab"]["settings"]["texts"] == ["好"]
    assert spec.file_name == "hflab-sentiment-predict.ipynb"
    assert predict_notebook(None, "  ").settings["texts"] == list(EXAMPLE_TEXTS)


# ---------------------------------------------------------------- executed in a kernel


@pytest.mark.notebook
def test_tokenizer_notebook_prints_the_page_table(bert, run_notebook):
    from hflab.loading import offline_assets

    texts, pairs = ["我爱北京天安门", "今天天气很好，出去走走"], ["你好", "是的"]
    options = CallOptions(truncation=True, padding="longest", max_length=12, return_special_tokens_mask=True,
                          return_length=True)
    anatomy = tanatomy.encode(bert, texts, pairs, options)
    packaged = Source("tokenizer", "packaged", "bert-base-chinese", str(offline_assets.bert_tokenizer_dir()),
                      "source.packaged.bert_vocab")
    spec = call_notebook(load_reference(packaged), texts, pairs, options, index=1, model_id=packaged.repo_id)
    assert "from_pretrained('bert-base-chinese')" not in spec.code  # issue 33.6: the Hub id fails offline
    out = "".join(run_notebook(exported(spec)))
    table = tanatomy.position_table(anatomy, 1, limit=None)
    assert str(table) in out  # the page's table, token for token
    assert f"length: {anatomy.fields['length'][1]}" in out


@pytest.mark.notebook
def test_sampling_notebook_prints_the_staged_distribution_and_generated_tokens(tiny_models, run_notebook):
    path = str(tiny_models["causal_lm"])
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    tok = AutoTokenizer.from_pretrained(path)
    prompt = "今天天气很好"
    settings = SamplingSettings(temperature=0.8, top_k=30, top_p=0.9, repetition_penalty=1.2)
    config = effective_generation_config(model, settings)
    text = tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=False)
    stepper = Stepper.start(model, tok(text, add_special_tokens=False).input_ids, seed=7)
    stepper.run(model, config, 4)
    last = settings_from_plan(stepper.steps[0].plan, stepper.steps[0].do_sample)
    spec = reproduction_notebook(LoadReference("", repr(path)), prompt, True, stepper.generated, config, last, 7,
                                 len(stepper.generated))
    assert spec.settings["generated so far"] == stepper.generated and spec.settings["seed"] == 7
    out = "".join(run_notebook(exported(spec)))
    view = stepper.view(config, top_n=model.config.vocab_size)
    staged = {name: ast.literal_eval(rest) for name, _, rest in (line.partition(" ") for line in out.splitlines())
              if name in view.stages and rest.startswith("[(")}
    assert list(staged) == view.stages
    for s, name in enumerate(view.stages):  # the top 5 of each stage, as the page's bars show them
        np.testing.assert_allclose([p for _, p in staged[name]], np.sort(view.probs[s])[::-1][:5], atol=1e-4)
    assert f"{stepper.generated!r}\n{tok.decode(stepper.generated)}\n" in out  # the generated tokens


@pytest.mark.notebook
def test_sentiment_notebook_prints_the_prediction(tiny_models, run_notebook):
    source = trained_source(tiny_models["sentiment"])
    text = "房间很大，早餐也不错 | `ok`"
    classifier = load_classifier(source)
    expected = predict_proba(classifier.model, classifier.tokenizer, [text])
    out = "".join(run_notebook(exported(predict_notebook(source, text)))).strip().splitlines()
    np.testing.assert_allclose(np.array(ast.literal_eval(out[-1])), expected, atol=1e-5)


@pytest.mark.notebook
def test_models_notebook_prints_the_parameter_counts(tiny_models, run_notebook):
    from transformers import BertForSequenceClassification

    source = trained_source(tiny_models["sentiment"])
    snippet = models_code.parameters_code(source, "BertForSequenceClassification")
    spec = models_code.snippet_notebook("parameters", snippet, source, model_class="BertForSequenceClassification")
    total, per_module = checkpoint.parameter_counts(
        BertForSequenceClassification.from_pretrained(tiny_models["sentiment"])
    )
    last = "".join(run_notebook(exported(spec))).strip().splitlines()[-1]  # "total {module: count} MB"
    printed_total, _, rest = last.partition(" ")
    printed_modules = ast.literal_eval(rest.rsplit(" ", 1)[0])
    assert int(printed_total) == total
    assert printed_modules == {k: v for k, v in per_module.items() if k != "(own)"}


@pytest.mark.notebook
def test_story_notebook_prints_the_pages_story(tiny_models, run_notebook):
    import threading

    from hflab.loading import loaders
    from hflab.story.code import story_notebook
    from hflab.story.tutorial import TutorialSettings, tutorial_prompt
    from hflab.story.writer import generate_story

    path = str(tiny_models["causal_lm"])
    model, tokenizer = loaders.load_causal_lm(Source("causal_lm", "local", "tiny", path, "source.local"))
    settings = TutorialSettings(style="童话", target_chars=50, creativity=5, seed=3)
    prompt = tutorial_prompt("童话", "一只猫", 50)
    page_story = generate_story(model, tokenizer, threading.RLock(), prompt, settings)
    out = "".join(run_notebook(exported(story_notebook(LoadReference("", repr(path)), prompt, settings))))
    assert out.rstrip("\n").endswith(page_story) and page_story
