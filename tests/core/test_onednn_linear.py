"""Routing large fp32 Linear layers through oneDNN (hflab.runtime.onednn_linear): same numbers as torch's own
linear and transformers' own generate, same weights, gradients still work."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from hflab.runtime import onednn_linear  # noqa: E402

pytestmark = pytest.mark.skipif(not onednn_linear.available(), reason="this torch build has no oneDNN")


@pytest.fixture()
def tiny_lm(tiny_models):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = tiny_models["causal_lm"]
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval(), AutoTokenizer.from_pretrained(path)


@pytest.mark.parametrize("shape", [(1, 64), (3, 64), (2, 5, 64)])
@pytest.mark.parametrize("bias", [True, False])
def test_layer_equals_torch_linear(shape, bias):
    torch.manual_seed(0)
    layer = torch.nn.Linear(64, 300, bias=bias).eval()
    x = torch.randn(*shape)
    with torch.inference_mode():
        expected = torch.nn.functional.linear(x, layer.weight, layer.bias)
        assert onednn_linear.use_onednn_linear(layer, min_weights=0) == 1
        torch.testing.assert_close(layer(x), expected)


def test_only_large_layers_switch_and_weights_stay_shared(tiny_lm):
    model, _ = tiny_lm
    head_ptr = model.lm_head.weight.data_ptr()
    assert head_ptr == model.get_input_embeddings().weight.data_ptr()  # tied, as in Qwen2
    threshold = model.lm_head.weight.numel()  # only the LM head is this large in the tiny model
    assert onednn_linear.use_onednn_linear(model, min_weights=threshold) == 1
    assert onednn_linear.uses_onednn(model) == 1
    assert model.lm_head.weight.data_ptr() == head_ptr == model.get_input_embeddings().weight.data_ptr()
    assert type(model.lm_head) is torch.nn.Linear


def test_logits_and_generate_equal_the_default_path(tiny_lm):
    model, tokenizer = tiny_lm
    ids = tokenizer("今天天气很好，我们去 the park", return_tensors="pt").input_ids
    with torch.inference_mode():
        logits = model(input_ids=ids).logits
        tokens = model.generate(ids, max_new_tokens=12, do_sample=False)
        assert onednn_linear.use_onednn_linear(model, min_weights=0) > 0
        torch.testing.assert_close(model(input_ids=ids).logits, logits, rtol=1e-4, atol=1e-4)
        assert torch.equal(model.generate(ids, max_new_tokens=12, do_sample=False), tokens)
    onednn_linear.revert(model)
    assert onednn_linear.uses_onednn(model) == 0


def test_gradients_take_the_default_path(tiny_lm):
    model, tokenizer = tiny_lm
    onednn_linear.use_onednn_linear(model, min_weights=0)
    ids = tokenizer("hello", return_tensors="pt").input_ids
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    assert model.lm_head.weight.grad is not None and torch.isfinite(model.lm_head.weight.grad).all()


def test_quantization_after_routing_still_quantizes_every_linear(tiny_lm):
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    from hflab.runtime.quantize import quantize_linear

    model, _ = tiny_lm
    linear_names = {n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    onednn_linear.use_onednn_linear(model, min_weights=0)
    quantized = quantize_linear(model, "int8")
    assert {n for n, m in quantized.named_modules() if isinstance(m, DynamicLinear)} == linear_names


@pytest.mark.parametrize(("text", "vendor"), [
    ("processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n", "GenuineIntel"),
    ("processor\t: 0\nvendor_id\t: AuthenticAMD\n", "AuthenticAMD"),
    ("processor\t: 0\nBogoMIPS\t: 50.00\n", ""),  # an ARM cpuinfo has no vendor_id
])
def test_cpu_vendor_reads_cpuinfo(tmp_path, text, vendor):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(text)
    assert onednn_linear.cpu_vendor(cpuinfo) == vendor
    assert onednn_linear.cpu_vendor(tmp_path / "missing") == ""


@pytest.mark.parametrize(("vendor", "expected"), [("GenuineIntel", False), ("AuthenticAMD", True), ("", True)])
def test_onednn_is_preferred_off_intel_only(monkeypatch, vendor, expected):
    monkeypatch.setattr(onednn_linear, "cpu_vendor", lambda: vendor)
    onednn_linear.preferred.cache_clear()
    try:
        assert onednn_linear.preferred() is expected
    finally:
        onednn_linear.preferred.cache_clear()


@pytest.mark.parametrize(("env", "preferred", "switched"), [
    ("auto", True, True), ("auto", False, False), (None, False, False), (None, True, True),
    ("1", False, True), ("on", False, True), ("0", True, False), ("off", True, False),
])
def test_loader_follows_the_setting_and_the_cpu(monkeypatch, tiny_lm, env, preferred, switched):
    from hflab.loading import loaders

    if env is None:
        monkeypatch.delenv("HFLAB_ONEDNN_LINEAR", raising=False)
    else:
        monkeypatch.setenv("HFLAB_ONEDNN_LINEAR", env)
    monkeypatch.setattr(onednn_linear, "preferred", lambda: preferred)
    real = onednn_linear.use_onednn_linear
    # every layer of the tiny model is below the 1M-weight size the loader switches
    monkeypatch.setattr(onednn_linear, "use_onednn_linear", lambda model: real(model, min_weights=0))
    model, _ = tiny_lm
    loaders._place(model)
    assert (onednn_linear.uses_onednn(model) > 0) is switched
