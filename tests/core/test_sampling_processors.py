"""Every stage equals transformers' own processors composed as `generate` composes them
(`GenerationMixin._get_logits_processor`), for random logits and the real offline model, edge cases included."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from hflab.sampling.processors import (
    PROCESSOR_CLASSES,
    BadLogits,
    SamplingSettings,
    build_processors,
    effective_generation_config,
    next_token_view,
    run_stages,
    settings_problems,
    summarize,
)

CASES = {
    "defaults": SamplingSettings(),
    "greedy": SamplingSettings(do_sample=False),
    "greedy_penalty": SamplingSettings(do_sample=False, repetition_penalty=1.2),
    "all": SamplingSettings(temperature=0.7, top_k=20, top_p=0.8, min_p=0.05, repetition_penalty=1.1),
    "temperature_near_zero": SamplingSettings(temperature=1e-4, top_k=50, top_p=0.9),
    "top_k_above_vocab": SamplingSettings(top_k=10**7),
    "top_k_off": SamplingSettings(top_k=0, top_p=0.5),
    "top_p_one": SamplingSettings(top_p=1.0, top_k=0),
    "top_p_tiny": SamplingSettings(top_p=1e-6, top_k=0),
    "top_p_zero": SamplingSettings(top_p=0.0),
    "min_p_only": SamplingSettings(top_k=0, min_p=0.2),
    "reward_repeats": SamplingSettings(repetition_penalty=0.8, temperature=1.3),
}


@pytest.fixture(scope="module")
def tiny_model(tiny_models):
    return AutoModelForCausalLM.from_pretrained(tiny_models["causal_lm"], dtype=torch.float32).eval()


def generate_processors(model, settings, input_ids):
    """The processor list `generate` itself builds for these settings (the oracle)."""
    config = effective_generation_config(model, settings)
    return model._get_logits_processor(generation_config=config, input_ids_seq_length=input_ids.shape[1],
                                       encoder_input_ids=input_ids, device="cpu",
                                       model_kwargs={"attention_mask": torch.ones_like(input_ids)})


def assert_stages_match_generate(model, settings, input_ids, logits):
    config = effective_generation_config(model, settings)
    oracle = generate_processors(model, settings, input_ids)
    mine = run_stages(input_ids, logits, build_processors(config))
    assert [type(p).__name__ for p in oracle] == [PROCESSOR_CLASSES[name] for name, _ in mine[1:]]
    scores = logits
    view = summarize(mine, top_n=30)
    for i, processor in enumerate(oracle, start=1):
        scores = processor(input_ids, scores)
        assert torch.equal(mine[i][1], scores), mine[i][0]
        probs = torch.softmax(scores[0], -1).double()
        np.testing.assert_allclose(view.probs[i], probs[view.candidates].numpy(), rtol=1e-6, atol=1e-9)
        assert view.survivors[i] == int((probs > 0).sum())
        entropy = float(-(probs[probs > 0] * probs[probs > 0].log2()).sum())
        assert math.isclose(view.entropy_bits[i], entropy, rel_tol=1e-4, abs_tol=1e-5)
        assert math.isclose(view.mass_outside[i], max(0.0, 1 - float(probs[view.candidates].sum())), abs_tol=1e-5)
    return mine


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("seed", [0, 1])
def test_random_logits_match_generate(tiny_model, name, seed):
    g = torch.Generator().manual_seed(seed)
    vocab = 3000
    logits = torch.randn(1, vocab, generator=g) * 4
    input_ids = torch.randint(0, vocab, (1, 12), generator=g)
    assert_stages_match_generate(tiny_model, CASES[name], input_ids, logits)


@pytest.mark.parametrize("name", ["all", "temperature_near_zero", "top_p_tiny", "min_p_only", "top_k_above_vocab"])
def test_ties_match_generate(tiny_model, name):
    # many equal logits: top-k keeps every token tied with the k-th, top-p's sort order decides the rest
    logits = torch.tensor([[5.0] * 7 + [3.0] * 40 + [1.0] * 200 + [0.0] * 753])
    input_ids = torch.tensor([[1, 2, 3, 300]])
    stages = assert_stages_match_generate(tiny_model, CASES[name], input_ids, logits)
    if name == "all":
        assert int(torch.isfinite(stages[3][1]).sum()) >= 20  # top_k=20 keeps all 47 tokens tied at or above the 20th


def test_real_model_stages_match_generate(smollm2_dir):
    model = AutoModelForCausalLM.from_pretrained(smollm2_dir, dtype=torch.float32).eval()
    tok = AutoTokenizer.from_pretrained(smollm2_dir)
    input_ids = tok("The best thing about Hugging Face is", return_tensors="pt").input_ids
    with torch.no_grad():
        logits = model(input_ids).logits[:, -1].float()
    for name in ("all", "temperature_near_zero", "top_p_tiny", "top_k_above_vocab", "greedy_penalty"):
        assert_stages_match_generate(model, CASES[name], input_ids, logits)
    view = next_token_view(input_ids, logits, effective_generation_config(model, CASES["all"]))
    assert view.stages == ["raw", "repetition_penalty", "temperature", "top_k", "top_p", "min_p"]
    assert view.survivors[-1] <= 20 and view.survivors[0] == model.config.vocab_size


def test_temperature_last_only_moves_temperature(tiny_model):
    config = effective_generation_config(tiny_model, CASES["all"])
    assert [n for n, _ in build_processors(config, temperature_last=True)] == [
        "repetition_penalty", "top_k", "top_p", "min_p", "temperature"]


def test_default_top_k_comes_from_transformers_global_defaults(tiny_model):
    # with nothing set, generate still applies top_k=50 (transformers' global default)
    config, _ = tiny_model._prepare_generation_config(None, do_sample=True)
    assert config.top_k == 50
    assert [n for n, _ in build_processors(config)] == ["top_k"]


def test_nan_logits_are_refused():
    with pytest.raises(BadLogits):
        run_stages(torch.tensor([[1, 2]]), torch.tensor([[0.0, float("nan"), 1.0]]), [])
    with pytest.raises(BadLogits):
        run_stages(torch.tensor([[1, 2]]), torch.full((1, 3), float("-inf")), [])


@pytest.mark.parametrize("settings, level, key", [
    (SamplingSettings(temperature=0.0), "error", "sampling.bad.temperature"),
    (SamplingSettings(temperature=float("nan")), "error", "sampling.bad.temperature"),
    (SamplingSettings(top_k=0), "info", "sampling.info.top_k_zero"),
    (SamplingSettings(top_k=-1), "error", "sampling.bad.top_k"),
    (SamplingSettings(top_p=0.0), "info", "sampling.info.top_p_zero"),
    (SamplingSettings(top_p=1.5), "error", "sampling.bad.top_p"),
    (SamplingSettings(min_p=2.0), "error", "sampling.bad.min_p"),
    (SamplingSettings(repetition_penalty=0.0), "error", "sampling.bad.repetition_penalty"),
])
def test_settings_problems(settings, level, key):
    problems = settings_problems(settings)
    assert [(p.level, p.key) for p in problems] == [(level, key)]


def test_greedy_ignores_sampling_knobs():
    assert settings_problems(SamplingSettings(do_sample=False, temperature=0.0)) == []
