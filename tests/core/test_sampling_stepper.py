"""Step-by-step generation against `model.generate` itself: same tokens for the same seed and
settings, KV cache reused (one new token per forward), undo and branching, batched 'sample many'."""
from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from hflab.sampling.processors import BadLogits, SamplingSettings, effective_generation_config
from hflab.sampling.stepper import ContextFull, Stepper, generate_tokens, joint_probability, sample_many

SETTINGS = [
    SamplingSettings(do_sample=False),
    SamplingSettings(do_sample=False, repetition_penalty=1.3),
    SamplingSettings(do_sample=True, temperature=0.7, top_k=40, top_p=0.9, repetition_penalty=1.1),
    SamplingSettings(do_sample=True, temperature=1.5, top_k=0, top_p=1.0),
    SamplingSettings(do_sample=True, temperature=1.0, top_k=50, top_p=0.95, min_p=0.05),
]


def _load(path):
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    return model, AutoTokenizer.from_pretrained(path)


@pytest.fixture(scope="module")
def tiny(tiny_models):
    return _load(tiny_models["causal_lm"])


@pytest.fixture(scope="module")
def smol(smollm2_dir):
    return _load(smollm2_dir)


def _generate(model, prompt_ids, settings, seed, n):
    torch.manual_seed(seed)
    out = model.generate(torch.tensor([prompt_ids]), max_new_tokens=n, **settings.generate_kwargs())
    return out[0, len(prompt_ids):].tolist()


@pytest.mark.parametrize(
    "settings", SETTINGS, ids=lambda s: f"sample={s.do_sample},T={s.temperature},k={s.top_k},p={s.top_p}"
)
@pytest.mark.parametrize("seed", [0, 7])
def test_run_equals_generate_tiny(tiny, settings, seed):
    model, tok = tiny
    prompt = tok("今天天气很好，我们去", add_special_tokens=False).input_ids
    config = effective_generation_config(model, settings)
    stepper = Stepper.start(model, prompt, seed)
    stepper.run(model, config, 24)
    assert stepper.generated == _generate(model, prompt, settings, seed, 24)
    assert stepper.reproducible_by_generate()


@pytest.mark.parametrize("settings", [SETTINGS[0], SETTINGS[4]], ids=["greedy", "sample_min_p"])
def test_run_equals_generate_real_model(smol, settings):
    model, tok = smol
    text = tok.apply_chat_template([{"role": "user", "content": "Write a short poem about the sea."}],
                                   add_generation_prompt=True, tokenize=False)
    prompt = tok(text, add_special_tokens=False).input_ids
    stepper = Stepper.start(model, prompt, 42)
    stepper.run(model, effective_generation_config(model, settings), 8)
    assert stepper.generated == _generate(model, prompt, settings, 42, 8)


def test_generate_tokens_is_the_seeded_generate_call(tiny):
    model, tok = tiny
    prompt = tok("今天天气很好", add_special_tokens=False).input_ids
    assert generate_tokens(model, prompt, SETTINGS[2], 9, 6) == _generate(model, prompt, SETTINGS[2], 9, 6)


def test_joint_probability_multiplies_the_chosen_tokens_final_probabilities(tiny):
    model, tok = tiny
    prompt = tok("hello world", add_special_tokens=False).input_ids
    stepper = Stepper.start(model, prompt, 1)
    stepper.run(model, effective_generation_config(model, SETTINGS[2]), 4)
    finals = [float(s.view.chosen_probs[-1]) for s in stepper.steps]
    assert joint_probability(stepper.steps, 0, 0) == pytest.approx(finals[0])
    assert joint_probability(stepper.steps, 1, 3) == pytest.approx(finals[1] * finals[2] * finals[3])


def test_each_step_feeds_one_token_through_the_cache(tiny):
    model, tok = tiny
    prompt = tok("hello world", add_special_tokens=False).input_ids
    lengths = []
    hook = model.register_forward_pre_hook(lambda m, args, kwargs: lengths.append(kwargs["input_ids"].shape[1]),
                                           with_kwargs=True)
    try:
        stepper = Stepper.start(model, prompt, 0)
        stepper.run(model, effective_generation_config(model, SETTINGS[2]), 6)
    finally:
        hook.remove()
    assert lengths[0] == len(prompt) and lengths[1:] == [1] * (len(lengths) - 1)
    assert stepper.cache.get_seq_length() == len(stepper.ids)


def test_undo_then_resample_gives_the_same_tokens(tiny):
    model, tok = tiny
    prompt = tok("a cat sitting on", add_special_tokens=False).input_ids
    config = effective_generation_config(model, SETTINGS[2])
    stepper = Stepper.start(model, prompt, 3)
    stepper.run(model, config, 5)
    first = list(stepper.generated)
    for _ in range(3):
        stepper.undo(model)
    assert stepper.generated == first[:2]
    stepper.run(model, config, 3)
    assert stepper.generated == first
    stepper.reset(model)
    stepper.run(model, config, 10)
    assert stepper.generated == _generate(model, prompt, SETTINGS[2], 3, 10)


def test_branching_picks_a_candidate_and_continues(tiny):
    model, tok = tiny
    prompt = tok("a cup of", add_special_tokens=False).input_ids
    config = effective_generation_config(model, SETTINGS[0])
    stepper = Stepper.start(model, prompt, 0)
    view = stepper.view(config)
    runner_up = int(view.candidates[1])
    step = stepper.step(model, config, pick=runner_up)
    assert step.view.how == "picked" and stepper.generated == [runner_up]
    stepper.run(model, config, 3)
    # greedy from the branched context equals generate from prompt + picked token
    assert stepper.generated[1:] == _generate(model, prompt + [runner_up], SETTINGS[0], 0, 3)
    assert not stepper.reproducible_by_generate()


def test_stepping_stops_at_end_of_sequence(tiny):
    model, tok = tiny
    prompt = tok("hello", add_special_tokens=False).input_ids
    config = effective_generation_config(model, SETTINGS[0])
    stepper = Stepper.start(model, prompt, 0)
    eos = model.generation_config.eos_token_id
    stepper.step(model, config, pick=eos)
    assert stepper.finished(model, config)
    assert stepper.run(model, config, 5) == []


@pytest.mark.parametrize("settings", [SETTINGS[0], SETTINGS[2]], ids=["greedy", "sample"])
def test_sample_many_equals_batched_generate(tiny, settings):
    model, tok = tiny
    prompt = tok("今天", add_special_tokens=False).input_ids
    config = effective_generation_config(model, settings)
    drawn = sample_many(model, prompt, config, k=12, n_tokens=4, seed=5)
    torch.manual_seed(5)
    out = model.generate(torch.tensor([prompt] * 12), max_new_tokens=4, **settings.generate_kwargs())
    assert torch.equal(drawn, out[:, len(prompt):])


def test_prompt_longer_than_context_is_refused(tiny):
    model, _ = tiny
    with pytest.raises(ContextFull):
        Stepper.start(model, [5] * (model.config.max_position_embeddings + 1), 0)


def test_nan_model_raises_bad_logits(tiny_models):
    model, tok = _load(tiny_models["causal_lm"])
    with torch.no_grad():
        model.model.norm.weight.fill_(float("nan"))
    stepper = Stepper.start(model, tok("hi", add_special_tokens=False).input_ids, 0)
    with pytest.raises(BadLogits):
        stepper.step(model, effective_generation_config(model, SETTINGS[2]))
