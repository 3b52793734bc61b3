"""fp16 / int8 Linear weights (torch's own quantize_dynamic) and the lean greedy loop, against torch and
transformers' own outputs."""
from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import pytest
from skips import FBGEMM_MISSING

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # decode_speed: the benchmarks' loops

torch = pytest.importorskip("torch")


def fbgemm_missing(engines) -> bool:
    """True on a PyTorch build without the x86 quantized kernels (fbgemm / x86 engines), such as ARM's."""
    return not {"fbgemm", "x86"} & set(engines)


# one of tests/skips.py's EXPECTED_SKIPS, so CI=true accepts it on ARM
needs_fbgemm = pytest.mark.skipif(fbgemm_missing(torch.backends.quantized.supported_engines), reason=FBGEMM_MISSING)


@pytest.fixture(scope="module")
def tiny_lm(tiny_models):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = tiny_models["causal_lm"]
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval(), AutoTokenizer.from_pretrained(path)


@needs_fbgemm
@pytest.mark.parametrize("precision", ["fp16", "int8"])
def test_every_linear_is_quantized_and_the_original_is_untouched(tiny_lm, precision):
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    from hflab.runtime.quantize import OUTLIER_LAYERS, is_quantized, layer_precisions, quantize_linear, weight_bytes

    model, _ = tiny_lm
    linear_names = {n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    quantized = quantize_linear(model, precision)
    assert not is_quantized(model) and is_quantized(quantized)
    formats = layer_precisions(quantized)
    assert set(formats) == linear_names
    assert not any(type(m) is torch.nn.Linear for m in quantized.modules())
    for name, fmt in formats.items():
        outlier = name.rsplit(".", 1)[-1] in OUTLIER_LAYERS
        assert fmt == ("fp16" if precision == "fp16" or outlier else "int8"), name
    assert any(name.endswith("down_proj") for name in formats)  # Qwen2 has them: the rule is exercised
    # the Linear weights shrink to half (fp16) or a quarter (int8); a tied LM head gets its own copy, so the
    # embedding table stays fp32 beside it (biases stay fp32)
    fp32_linear = sum(m.weight.nbytes for m in model.modules() if isinstance(m, torch.nn.Linear))
    embedding = model.get_input_embeddings().weight
    stored = {"fp16": 2, "int8": 1}
    packed = sum(m.weight().numel() * stored[layer_precisions(quantized)[name]]
                 for name, m in quantized.named_modules() if isinstance(m, DynamicLinear))
    assert packed <= fp32_linear / 2
    assert weight_bytes(quantized) == weight_bytes(model) - (fp32_linear - embedding.nbytes) + packed


@needs_fbgemm
@pytest.mark.parametrize("precision, qconfig", [("int8", "default_dynamic_qconfig"),
                                                ("fp16", "float16_dynamic_qconfig")])
def test_quantized_layer_equals_torchs_quantized_linear(tiny_lm, precision, qconfig):
    """Our quantized LM head computes exactly what torch's dynamic quantized Linear computes from the fp32 layer."""

    from torch.ao import quantization
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    from hflab.runtime.quantize import quantize_linear

    model, _ = tiny_lm
    quantized = quantize_linear(model, precision)
    layer = copy.deepcopy(model.lm_head)
    layer.qconfig = getattr(quantization, qconfig)
    oracle = DynamicLinear.from_float(layer)
    x = torch.randn(3, model.config.hidden_size)
    torch.testing.assert_close(quantized.lm_head(x), oracle(x))


def test_unknown_precision_is_refused(tiny_lm):
    from hflab.runtime.quantize import quantize_linear

    with pytest.raises(ValueError):
        quantize_linear(tiny_lm[0], "int4")


@needs_fbgemm
@pytest.mark.parametrize("precision", ["fp16", "int8"])
def test_quantized_model_generates(tiny_lm, precision):
    from hflab.runtime.quantize import quantize_linear

    model, tokenizer = tiny_lm
    ids = tokenizer("一只猫", return_tensors="pt").input_ids
    out = quantize_linear(model, precision).generate(ids, max_new_tokens=5, min_new_tokens=5, do_sample=False)
    assert out.shape[1] == ids.shape[1] + 5


@needs_fbgemm
def test_kl_is_zero_for_the_same_model_tiny_for_fp16_and_positive_for_int8(tiny_lm):
    from hflab.runtime.quantize import KL_PROMPTS, next_token_kl, quantize_linear

    model, tokenizer = tiny_lm
    same = next_token_kl(model, model, tokenizer, KL_PROMPTS[:3])
    assert all(abs(v) < 1e-6 for v in same)
    fp16 = next_token_kl(model, quantize_linear(model, "fp16"), tokenizer, KL_PROMPTS[:3])
    int8 = next_token_kl(model, quantize_linear(model, "int8"), tokenizer, KL_PROMPTS[:3])
    assert all(v >= -1e-6 for v in fp16 + int8) and max(int8) > 0
    assert max(fp16) < 1e-3 and sum(fp16) < sum(int8)


@needs_fbgemm
@pytest.mark.parametrize("precision", ["fp16", "int8"])
def test_kl_matches_torch_kl_div_computed_here(tiny_lm, precision):
    """Oracle independent of the lab (issue 15): KL(fp32 || quantized) of the next token, computed in the test
    from each model's own forward with torch.nn.functional.kl_div."""
    import torch.nn.functional as F

    from hflab.runtime.quantize import KL_PROMPTS, next_token_kl, quantize_linear

    model, tokenizer = tiny_lm
    candidate = quantize_linear(model, precision)
    expected = []
    with torch.inference_mode():
        for prompt in KL_PROMPTS:
            ids = tokenizer(prompt, return_tensors="pt").input_ids
            # logits_to_keep=1: int8's activation scale depends on the rows the lm_head sees
            p = F.log_softmax(model(input_ids=ids, logits_to_keep=1).logits[0, -1].float(), dim=-1)
            q = F.log_softmax(candidate(input_ids=ids, logits_to_keep=1).logits[0, -1].float(), dim=-1)
            expected.append(float(F.kl_div(q, p, reduction="sum", log_target=True)))  # KL(p || q)
    assert next_token_kl(model, candidate, tokenizer, KL_PROMPTS) == pytest.approx(expected, rel=1e-4, abs=1e-8)
    if precision == "int8":
        assert max(expected) > 0


@needs_fbgemm
def test_kl_of_the_real_offline_model_int8_keeps_down_projections_out(smollm2_dir):
    """On SmolLM2 (real weights) the lab's int8 moves the distribution far less than int8 everywhere."""
    import warnings

    from torch.ao.quantization import quantize_dynamic
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from hflab.runtime.quantize import KL_PROMPTS, next_token_kl, quantize_linear

    tokenizer = AutoTokenizer.from_pretrained(smollm2_dir)
    model = AutoModelForCausalLM.from_pretrained(smollm2_dir, dtype=torch.float32).eval()
    prompts = KL_PROMPTS[:4]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        everywhere = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    lab = next_token_kl(model, quantize_linear(model, "int8"), tokenizer, prompts)
    naive = next_token_kl(model, everywhere, tokenizer, prompts)
    fp16 = next_token_kl(model, quantize_linear(model, "fp16"), tokenizer, prompts)
    assert sum(lab) < 0.5 * sum(naive)
    assert max(fp16) < 1e-3


@pytest.mark.parametrize("prompt", ["一只猫坐在", "The capital of France is"])
def test_lean_greedy_loop_gives_generates_tokens(tiny_lm, prompt):
    from decode_speed import greedy_decode

    model, tokenizer = tiny_lm
    ids = tokenizer(prompt, return_tensors="pt").input_ids
    expected = model.generate(ids, max_new_tokens=12, do_sample=False, eos_token_id=None, pad_token_id=0)
    assert torch.equal(greedy_decode(model, ids, 12), expected)


def test_lean_greedy_loop_stops_at_eos_like_generate(tiny_lm):
    from decode_speed import greedy_decode

    model, tokenizer = tiny_lm
    ids = tokenizer("一只猫", return_tensors="pt").input_ids
    free = greedy_decode(model, ids, 6)
    eos = int(free[0, ids.shape[1] + 2])  # pretend the third new token is the end of text
    expected = model.generate(ids, max_new_tokens=6, do_sample=False, eos_token_id=eos, pad_token_id=eos)
    ours = greedy_decode(model, ids, 6, eos_token_id=eos)
    assert torch.equal(ours, expected[:, : ours.shape[1]]) and int(ours[0, -1]) == eos



@pytest.mark.parametrize("onednn", [False, True])
@pytest.mark.parametrize("fused", [False, True])
def test_fast_loop_gives_generates_tokens_fused_or_not(monkeypatch, tiny_lm, fused, onednn):
    """The hand-written decoder step (static KV cache, fused q/k/v and gate/up; oneDNN or MKL products) gives
    generate's exact tokens, and fusing leaves the model's own forward and generate unchanged."""

    from decode_speed import fast_greedy_decode, fuse_projections

    from hflab.runtime import onednn_linear

    monkeypatch.setattr(onednn_linear, "preferred", lambda: onednn)
    model, tokenizer = tiny_lm
    model = copy.deepcopy(model)
    if onednn:
        onednn_linear.use_onednn_linear(model, min_weights=1)
    ids = tokenizer("The capital of France is", return_tensors="pt").input_ids
    expected = model.generate(ids, max_new_tokens=12, do_sample=False, eos_token_id=None, pad_token_id=0)
    params = sum(p.numel() for p in model.parameters())
    if fused:
        fuse_projections(model)
        assert sum(p.numel() for p in model.parameters()) == params
        assert torch.equal(model.generate(ids, max_new_tokens=12, do_sample=False, eos_token_id=None,
                                          pad_token_id=0), expected)
    assert torch.equal(fast_greedy_decode(model, ids, 12), expected)
    eos = int(expected[0, ids.shape[1] + 2])
    stopped = fast_greedy_decode(model, ids, 12, eos_token_id=eos)
    assert torch.equal(stopped, expected[:, : stopped.shape[1]]) and int(stopped[0, -1]) == eos


@needs_fbgemm
def test_fused_int8_products_equal_the_separate_layers(tiny_lm):
    """q/k/v and gate/up fused into one per-row int8 matrix each: the exact outputs of the separate int8 layers."""
    from decode_speed import decode_products, fuse_projections

    from hflab.runtime.quantize import quantize_linear

    model, _ = tiny_lm
    separate = quantize_linear(model, "int8")
    int8 = fuse_projections(quantize_linear(model, "int8"))
    products, _ = decode_products(int8)
    torch.manual_seed(0)
    with torch.inference_mode():
        for layer, product in zip(separate.model.layers, products):
            attn, mlp = layer.self_attn, layer.mlp
            for scale in (1e-3, 1.0, 1e3):  # the activation's own int8 scale follows its range
                x = torch.randn(1, 1, model.config.hidden_size) * scale
                assert torch.equal(product.qkv(x), torch.cat([attn.q_proj(x), attn.k_proj(x), attn.v_proj(x)], -1))
                for fused, separate in zip(product.gate_up(x), (mlp.gate_proj(x), mlp.up_proj(x))):
                    assert torch.equal(fused, separate)


@needs_fbgemm
def test_fast_loop_on_fused_int8_gives_generates_tokens(tiny_lm):
    from decode_speed import fast_greedy_decode, fuse_projections

    from hflab.runtime.quantize import quantize_linear

    model, tokenizer = tiny_lm
    int8 = quantize_linear(model, "int8")
    ids = tokenizer("The capital of France is", return_tensors="pt").input_ids
    expected = int8.generate(ids, max_new_tokens=12, do_sample=False, eos_token_id=None, pad_token_id=0)
    fuse_projections(int8)
    assert all(layer.self_attn._hflab_qkv and layer.mlp._hflab_gate_up for layer in int8.model.layers)
    assert torch.equal(fast_greedy_decode(int8, ids, 12), expected)


@needs_fbgemm
def test_fp16_layers_are_left_unfused(tiny_lm):
    from decode_speed import fuse_projections

    from hflab.runtime.quantize import quantize_linear

    model, _ = tiny_lm
    fp16 = fuse_projections(quantize_linear(model, "fp16"))
    assert all(layer.self_attn._hflab_qkv is None and layer.mlp._hflab_gate_up is None for layer in fp16.model.layers)


@needs_fbgemm
@pytest.mark.parametrize("precision", ["fp16", "int8"])
def test_loader_precision(tiny_env, precision):
    from hflab.loading import loaders
    from hflab.loading.sources import resolve
    from hflab.runtime.quantize import layer_precisions

    model, tokenizer = loaders.load_causal_lm(resolve("causal_lm"), precision)
    assert precision in layer_precisions(model).values() and tokenizer("猫").input_ids
    shared = sum(type(m).__name__ == "SharedRows" for m in model.modules())
    assert shared == (5 * len(model.model.layers) if precision == "int8" else 0)



@needs_fbgemm
def test_shared_int8_rows_give_the_separate_layers_outputs(tiny_lm):
    """The loader's int8 model (q/k/v and gate/up as one shared product each): the same logits, generate tokens
    (greedy and seeded sampling), bytes and layer precisions as quantize_linear's separate layers, and no
    activation kept after a forward."""
    from hflab.runtime.int8_rows import SharedRows, groups_of, share_int8_rows
    from hflab.runtime.quantize import layer_precisions, quantize_for_decoding, quantize_linear, weight_bytes

    model, tokenizer = tiny_lm
    separate = quantize_linear(model, "int8")
    shared = quantize_for_decoding(model, "int8")
    layers = len(model.model.layers)
    assert len(groups_of(shared)) == 2 * layers and share_int8_rows(shared) == 0  # already shared: nothing left
    assert sum(isinstance(m, SharedRows) for m in shared.modules()) == 5 * layers
    assert layer_precisions(shared) == layer_precisions(separate)
    assert weight_bytes(shared) == weight_bytes(separate)
    ids = tokenizer(["今天天气很好，我们去 the park", "Once upon a time"], return_tensors="pt", padding=True)
    with torch.inference_mode():
        assert torch.equal(shared(**ids).logits, separate(**ids).logits)
        one = ids.input_ids[:1]
        for kwargs in ({"do_sample": False}, {"do_sample": True, "temperature": 0.9, "top_k": 20}):
            torch.manual_seed(3)
            expected = separate.generate(one, max_new_tokens=10, pad_token_id=0, **kwargs)
            torch.manual_seed(3)
            assert torch.equal(shared.generate(one, max_new_tokens=10, pad_token_id=0, **kwargs), expected)
    assert all(not group._last.__dict__ for group in groups_of(shared))


@needs_fbgemm
def test_shared_int8_rows_are_per_thread(tiny_lm):
    """Sessions share a cached model: forwards in several threads at once each get their own input's outputs."""
    from concurrent.futures import ThreadPoolExecutor

    from hflab.runtime.quantize import quantize_for_decoding, quantize_linear

    model, tokenizer = tiny_lm
    separate = quantize_linear(model, "int8")
    shared = quantize_for_decoding(model, "int8")
    texts = [f"text number {i} " * (i + 1) for i in range(8)]
    with torch.inference_mode():
        expected = [separate(**tokenizer(t, return_tensors="pt")).logits for t in texts]

        def run(text):
            return [shared(**tokenizer(text, return_tensors="pt")).logits for _ in range(5)]

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(run, texts))
    for want, got in zip(expected, results):
        assert all(torch.equal(want, logits) for logits in got)


@needs_fbgemm
def test_fp16_and_fp32_models_are_not_shared(tiny_lm):
    from hflab.runtime.int8_rows import share_int8_rows
    from hflab.runtime.quantize import quantize_for_decoding

    model, _ = tiny_lm
    assert share_int8_rows(quantize_for_decoding(model, "fp16")) == 0
    assert share_int8_rows(copy.deepcopy(model)) == 0


def test_every_quantizing_test_skips_without_fbgemm():
    """On ARM (no fbgemm / x86 engine) the tests that quantize skip, with a reason CI accepts, instead of failing."""
    import inspect

    assert fbgemm_missing(["qnnpack", "none"]) and not fbgemm_missing(["qnnpack", "onednn", "x86", "fbgemm"])
    assert "fbgemm" in needs_fbgemm.kwargs["reason"]
    # refused first
    no_kernel = {"test_unknown_precision_is_refused", "test_every_quantizing_test_skips_without_fbgemm"}
    quantizing = {name: fn for name, fn in globals().items() if name.startswith("test_") and name not in no_kernel
                  and re.search(r"quantize_(linear|for_decoding|dynamic)\(|load_causal_lm\(", inspect.getsource(fn))}
    assert len(quantizing) == 16
    unmarked = [name for name, fn in quantizing.items() if needs_fbgemm.mark not in getattr(fn, "pytestmark", [])]
    assert unmarked == []


@needs_fbgemm
@pytest.mark.parametrize("precision", ["fp16", "int8"])
def test_layer_by_layer_conversion_equals_torchs_quantize_dynamic(tiny_lm, precision):
    """The lab swaps one layer at a time (largest first); torch's own quantize_dynamic over the same layers is the
    oracle: the same formats and bit-identical logits."""
    import warnings

    from torch.ao.quantization import default_dynamic_qconfig, float16_dynamic_qconfig, quantize_dynamic

    from hflab.runtime.quantize import OUTLIER_LAYERS, layer_precisions, quantize_linear

    model, tokenizer = tiny_lm
    spec = {name: default_dynamic_qconfig if precision == "int8" and name.rsplit(".", 1)[-1] not in OUTLIER_LAYERS
            else float16_dynamic_qconfig for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oracle = quantize_dynamic(copy.deepcopy(model), spec)
    calls = []
    ours = quantize_linear(model, precision, after_each=lambda: calls.append(1))
    assert len(calls) == len(spec) and layer_precisions(ours) == layer_precisions(oracle)
    ids = tokenizer("hello world, the cat", return_tensors="pt").input_ids
    with torch.inference_mode():
        assert torch.equal(ours(ids).logits, oracle(ids).logits)


@needs_fbgemm
@pytest.mark.parametrize("precision", ["fp16", "int8"])
def test_packed_bytes_come_from_the_shape_without_unpacking_a_layer(tiny_lm, precision, monkeypatch):
    """Unpacking an fp16 layer makes an fp32 copy of its weight (544 MB for Qwen2-0.5B's LM head, which measuring a
    freshly loaded model once added to the story run's peak); the count equals torch's unpacked weights and
    biases, and a layer torch's quantize_dynamic made (no recorded bias) is still counted right."""
    import warnings

    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear
    from torch.ao.quantization import quantize_dynamic

    from hflab.runtime.quantize import packed_bytes, quantize_linear

    model, _ = tiny_lm
    ours = quantize_linear(model, precision)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear},
                                  dtype=torch.float16 if precision == "fp16" else torch.qint8)
    per_weight = {torch.float16: 2, torch.qint8: 1}

    def unpacked_bytes(layer) -> int:
        weight, bias = layer._weight_bias()
        return weight.numel() * per_weight[layer._packed_params.dtype] + (bias.numel() * 4 if bias is not None else 0)

    layers = [m for m in ours.modules() if isinstance(m, DynamicLinear)]
    expected = [unpacked_bytes(m) for m in layers]
    assert [packed_bytes(m) for m in theirs.modules() if isinstance(m, DynamicLinear)] == (
        [unpacked_bytes(m) for m in theirs.modules() if isinstance(m, DynamicLinear)])
    assert any(m.bias_numel for m in layers) and any(not m.bias_numel for m in layers)  # Qwen2: q/k/v have biases

    def refuse(self):
        raise AssertionError("packed_bytes unpacked a layer")

    monkeypatch.setattr(DynamicLinear, "_weight_bias", refuse)
    assert [packed_bytes(m) for m in layers] == expected


@needs_fbgemm
@pytest.mark.parametrize("precision", ["fp16", "int8"])
def test_a_bf16_checkpoint_converts_without_the_fp32_model_and_gives_the_same_model(tiny_models, session_dir,
                                                                                      precision):
    """Qwen2-0.5B-Instruct is stored in bf16: the fp16 / int8 load reads it in bf16 and widens one layer at a time
    (the fp32 model is never whole in memory); the result equals the fp32 load quantized by torch itself, through
    forward and generate, with the embedding table left in bf16 (each lookup widened to fp32: half its bytes)."""
    import warnings

    from torch.ao.quantization import default_dynamic_qconfig, float16_dynamic_qconfig, quantize_dynamic
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from hflab.loading import loaders
    from hflab.loading.sources import resolve
    from hflab.runtime.quantize import OUTLIER_LAYERS, weight_bytes

    bf16_dir = session_dir / "data" / f"tiny_bf16_{precision}"
    AutoModelForCausalLM.from_pretrained(tiny_models["causal_lm"], dtype=torch.bfloat16).save_pretrained(bf16_dir)
    tokenizer = AutoTokenizer.from_pretrained(tiny_models["causal_lm"])
    tokenizer.save_pretrained(bf16_dir)
    source = resolve("causal_lm", local_dir=str(bf16_dir))
    assert loaders._stored_half_dtype(source) is torch.bfloat16
    ours, _ = loaders.load_causal_lm(source, precision)
    table = ours.get_input_embeddings().weight
    assert table.dtype == torch.bfloat16 and {p.dtype for p in ours.parameters() if p is not table} == {torch.float32}
    fp32 = AutoModelForCausalLM.from_pretrained(bf16_dir, dtype=torch.float32).eval()
    spec = {name: default_dynamic_qconfig if precision == "int8" and name.rsplit(".", 1)[-1] not in OUTLIER_LAYERS
            else float16_dynamic_qconfig for name, m in fp32.named_modules() if isinstance(m, torch.nn.Linear)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oracle = quantize_dynamic(fp32, spec)
    ids = tokenizer("hello world, the cat", return_tensors="pt").input_ids
    with torch.inference_mode():
        assert torch.equal(ours(ids).logits, oracle(ids).logits)
        greedy = {"max_new_tokens": 8, "do_sample": False}
        assert torch.equal(ours.generate(ids, **greedy), oracle.generate(ids, **greedy))
    assert weight_bytes(ours) == weight_bytes(oracle) - table.numel() * 2


def test_rms_norm_shortcut_equals_the_models_own_norm(tiny_lm):
    """The fused loop's one-op norm gives the model's RMSNorm outputs exactly; anything else is used as it is."""
    from decode_speed import _rms_norm

    model, _ = tiny_lm
    norm = model.model.layers[0].input_layernorm
    assert type(norm).__name__.endswith("RMSNorm")
    torch.manual_seed(0)
    with torch.no_grad():
        norm.weight.normal_(1, 0.1)
    shortcut = _rms_norm(norm)
    assert shortcut is not norm
    with torch.inference_mode():
        for scale in (1e-3, 1.0, 1e3):
            x = torch.randn(1, 1, model.config.hidden_size) * scale
            assert torch.equal(shortcut(x), norm(x))
    layer_norm = torch.nn.LayerNorm(8)
    assert _rms_norm(layer_norm) is layer_norm
