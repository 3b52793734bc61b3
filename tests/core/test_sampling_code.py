"""The page's 'show the code' snippet runs as plain transformers and reproduces the playground:
the staged distribution of the current context and the last generation's tokens."""
from __future__ import annotations

import contextlib
import io

import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from hflab.sampling.code import reproduction_code
from hflab.sampling.processors import SamplingSettings, effective_generation_config, settings_from_plan
from hflab.sampling.stepper import Stepper
from hflab.snippet.reference import LoadReference


def test_snippet_reproduces_distribution_and_generation(tiny_models):
    path = str(tiny_models["causal_lm"])
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    tok = AutoTokenizer.from_pretrained(path)
    prompt = "今天天气很好"
    settings = SamplingSettings(temperature=0.8, top_k=30, top_p=0.9, min_p=0.02, repetition_penalty=1.2)
    config = effective_generation_config(model, settings)
    text = tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=False)
    stepper = Stepper.start(model, tok(text, add_special_tokens=False).input_ids, seed=11)
    stepper.run(model, config, 5)
    last = settings_from_plan(stepper.steps[0].plan, stepper.steps[0].do_sample)
    code = reproduction_code(
        LoadReference("", repr(path)), prompt, True, stepper.generated, config, last, 11, len(stepper.generated)
    )
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<snippet>", "exec"), namespace)  # noqa: S102 - the code the page shows
    assert namespace["new_tokens"] == stepper.generated
    view = stepper.view(config, top_n=30)
    assert list(namespace["probs"]) == view.stages
    for s, name in enumerate(view.stages):
        theirs = namespace["probs"][name][0, view.candidates].double().numpy()
        np.testing.assert_allclose(view.probs[s], theirs, atol=1e-5)


def test_snippet_without_chat_template_or_processors(tiny_models):
    code = reproduction_code(
        LoadReference("", "'some/model'"),
        "a 'quoted' prompt",
        False,
        [],
        effective_generation_config(
            AutoModelForCausalLM.from_pretrained(tiny_models["causal_lm"]), SamplingSettings(do_sample=False)
        ),
        SamplingSettings(do_sample=False),
        0,
        4,
    )
    compile(code, "<snippet>", "exec")
    assert "text = prompt" in code and "apply_chat_template" not in code
