"""int8 dynamic quantization (torch's own quantize_dynamic) and the lean greedy loop, against torch and
transformers' own outputs."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def tiny_lm(tiny_models):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = tiny_models["causal_lm"]
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval(), AutoTokenizer.from_pretrained(path)


def test_every_linear_becomes_int8_and_the_original_is_untouched(tiny_lm):
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    from hflab.quantize import is_quantized, quantize_int8, weight_bytes

    model, _ = tiny_lm
    linear_names = {n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    quantized = quantize_int8(model)
    assert not is_quantized(model) and is_quantized(quantized)
    assert {n for n, m in quantized.named_modules() if isinstance(m, DynamicLinear)} == linear_names
    assert not any(type(m) is torch.nn.Linear for m in quantized.modules())
    assert weight_bytes(quantized) < weight_bytes(model)


def test_int8_layer_equals_torchs_quantized_linear(tiny_lm):
    """Our quantized LM head computes exactly what torch's dynamic quantized Linear computes from the fp32 layer."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    from hflab.quantize import quantize_int8

    model, _ = tiny_lm
    quantized = quantize_int8(model)
    oracle = DynamicLinear.from_float(_with_qconfig(model.lm_head))
    x = torch.randn(3, model.config.hidden_size)
    torch.testing.assert_close(quantized.lm_head(x), oracle(x))


def _with_qconfig(layer):
    import copy

    from torch.ao.quantization import default_dynamic_qconfig

    layer = copy.deepcopy(layer)
    layer.qconfig = default_dynamic_qconfig
    return layer


def test_quantized_model_generates(tiny_lm):
    from hflab.quantize import quantize_int8

    model, tokenizer = tiny_lm
    ids = tokenizer("一只猫", return_tensors="pt").input_ids
    out = quantize_int8(model).generate(ids, max_new_tokens=5, min_new_tokens=5, do_sample=False)
    assert out.shape[1] == ids.shape[1] + 5


def test_kl_is_zero_for_the_same_model_and_positive_for_int8(tiny_lm):
    from hflab.quantize import KL_PROMPTS, next_token_kl, quantize_int8

    model, tokenizer = tiny_lm
    same = next_token_kl(model, model, tokenizer, KL_PROMPTS[:3])
    assert all(abs(v) < 1e-6 for v in same)
    moved = next_token_kl(model, quantize_int8(model), tokenizer, KL_PROMPTS[:3])
    assert all(v >= 0 for v in moved) and max(moved) > 0


@pytest.mark.parametrize("prompt", ["一只猫坐在", "The capital of France is"])
def test_lean_greedy_loop_gives_generates_tokens(tiny_lm, prompt):
    from hflab.decode_speed import greedy_decode

    model, tokenizer = tiny_lm
    ids = tokenizer(prompt, return_tensors="pt").input_ids
    expected = model.generate(ids, max_new_tokens=12, do_sample=False, eos_token_id=None, pad_token_id=0)
    assert torch.equal(greedy_decode(model, ids, 12), expected)


def test_lean_greedy_loop_stops_at_eos_like_generate(tiny_lm):
    from hflab.decode_speed import greedy_decode

    model, tokenizer = tiny_lm
    ids = tokenizer("一只猫", return_tensors="pt").input_ids
    free = greedy_decode(model, ids, 6)
    eos = int(free[0, ids.shape[1] + 2])  # pretend the third new token is the end of text
    expected = model.generate(ids, max_new_tokens=6, do_sample=False, eos_token_id=eos, pad_token_id=eos)
    ours = greedy_decode(model, ids, 6, eos_token_id=eos)
    assert torch.equal(ours, expected[:, : ours.shape[1]]) and int(ours[0, -1]) == eos


def test_int8_loader_variant(tiny_env):
    from hflab import loading
    from hflab.quantize import is_quantized
    from hflab.sources import resolve

    model, tokenizer = loading.load_causal_lm_int8(resolve("causal_lm"))
    assert is_quantized(model) and tokenizer("猫").input_ids

