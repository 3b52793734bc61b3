"""Faster CPU decoding with torch's dynamic quantized Linear kernels (fbgemm), and how far it moves the model.

Why: decoding one token reads every weight once, so on a CPU the speed is bound by memory bandwidth;
fewer bytes per weight is more tokens per second. `torch.ao.quantization.quantize_dynamic` (torch's
own, no extra package) offers two weight formats for nn.Linear; norms stay fp32, the embedding table too unless
the checkpoint is half precision (then it keeps that width, lookups widened: `_keep_embedding_narrow`):
- "fp16": fp16 weights, fp32 activations and accumulation. Half the bytes; the next-token
  distribution stays the same up to rounding (KL ~0 on the offline SmolLM2).
- "int8": int8 weights and activations quantized on the fly with one scale per tensor. A quarter of
  the bytes, but a per-tensor scale cannot hold the outliers (values in the thousands) that enter
  the MLP down projections of Llama / Qwen2-style models: int8 there moved SmolLM2's distribution by
  1.4 nats. Those layers get fp16 weights instead (0.23 nats; bench/quantize_cpu.py).
`next_token_kl` measures the move (tests/test_quantize_cpu.py).
"""
from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterable
from typing import Any

# weight formats the lab offers for a CPU causal LM; "fp32" is the model as loaded
PRECISIONS = ("fp32", "fp16", "int8")
# layers whose inputs carry outliers that per-tensor int8 activations cannot represent
OUTLIER_LAYERS = ("down_proj",)


def available_precisions() -> tuple[str, ...]:
    """The formats usable here: all on a CPU with torch's fbgemm kernels (x86), else fp32 only."""
    import torch

    if torch.cuda.is_available() or "fbgemm" not in torch.backends.quantized.supported_engines:
        return ("fp32",)
    return PRECISIONS


def quantize_linear(model, precision: str, inplace: bool = False, after_each: Callable[[], Any] | None = None):
    """`model` (a copy unless `inplace`) with every nn.Linear in `precision` ("fp16" or "int8"), eval mode, CPU.

    The same swap as torch's `quantize_dynamic` (each layer through `DynamicLinear.from_float`), one layer at a
    time, largest first, calling `after_each` after every layer: a model loaded in half precision is widened one
    layer at a time, so memory never holds the whole model in fp32 (the LM head, often tied to the embeddings,
    goes first while little else is resident). Layers that are not Linear end in fp32, except the input embedding
    table of a model loaded in half precision, which keeps that width (see `_keep_embedding_narrow`)."""
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear
    from torch.ao.quantization import default_dynamic_qconfig, float16_dynamic_qconfig

    if precision not in PRECISIONS[1:]:
        raise ValueError(f"precision must be one of {PRECISIONS[1:]}, not {precision!r}")
    target = model if inplace else copy.deepcopy(model)
    target = target.to("cpu").eval()
    embedding = target.get_input_embeddings() if hasattr(target, "get_input_embeddings") else None
    stored = embedding.weight.dtype if isinstance(embedding, torch.nn.Embedding) else None
    # names, not modules: a list of the old modules would keep every replaced layer alive until the end
    names = sorted((name for name, module in target.named_modules() if isinstance(module, torch.nn.Linear)),
                   key=lambda name: -target.get_submodule(name).weight.numel())
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = target.get_submodule(parent_name) if parent_name else target
        module = getattr(parent, child)
        outlier = child in OUTLIER_LAYERS
        module.qconfig = default_dynamic_qconfig if precision == "int8" and not outlier else float16_dynamic_qconfig
        module.float()  # a half-precision layer (and the embedding tied to it) widens here, one at a time
        with warnings.catch_warnings():
            # torch marks torch.ao eager quantization deprecated in favour of torchao; it is still shipped and works
            warnings.simplefilter("ignore")
            layer = (DynamicLinear.from_float(module) if module.qconfig is default_dynamic_qconfig
                     else _fp16_linear(module))
        layer.bias_numel = module.bias.numel() if module.bias is not None else 0  # packed_bytes need not unpack
        setattr(parent, child, layer)
        del module, layer
        if after_each is not None:
            after_each()
    target = target.float()
    if stored in (torch.float16, torch.bfloat16):
        _keep_embedding_narrow(embedding, stored)
    return target


def quantize_for_decoding(model, precision: str, inplace: bool = False, after_each: Callable[[], Any] | None = None):
    """What the lab's loader makes of a causal LM in `precision`: `quantize_linear`, then for int8 each decoder
    layer's q/k/v and gate/up as one shared product (hflab.runtime.int8_rows: the same outputs, fewer calls per
    token)."""
    target = quantize_linear(model, precision, inplace=inplace, after_each=after_each)
    if precision == "int8":
        from hflab.runtime.int8_rows import share_int8_rows

        share_int8_rows(target)
    return target


def _keep_embedding_narrow(embedding, dtype) -> None:
    """The embedding table back in the checkpoint's own half width (exact: its values came from it), each lookup
    widened to fp32 by a forward hook, so the model computes what the fp32 table gave. A lookup reads a few rows:
    no speed is lost, and half the table's bytes are (272 MB for Qwen2-0.5B, whose LM head has its own copy now)."""
    embedding.to(dtype)
    embedding.register_forward_hook(_widen_lookup)


def _widen_lookup(module, args, output):
    return output.float()


def _fp16_linear(module):
    """What `DynamicLinear.from_float` makes of `module` with fp16 weights, packed once: its constructor packs a
    zero matrix of the full shape first (fbgemm's fp16 packing is single-threaded: 3 s for Qwen2's LM head)."""
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    layer = DynamicLinear(1, 1, dtype=torch.float16)  # a 1 x 1 placeholder, replaced below
    layer.in_features, layer.out_features = module.in_features, module.out_features
    layer.set_weight_bias(module.weight.float(), module.bias)
    return layer


def layer_precisions(model) -> dict[str, str]:
    """{layer name: "int8" / "fp16"} for every dynamically quantized Linear of `model` (rows of a shared int8
    product, hflab.runtime.int8_rows, count as int8)."""
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    from hflab.runtime.int8_rows import SharedRows

    return {name: "int8" if isinstance(module, SharedRows) or module._packed_params.dtype == torch.qint8 else "fp16"
            for name, module in model.named_modules() if isinstance(module, (DynamicLinear, SharedRows))}


def is_quantized(model) -> bool:
    """True when `model` holds dynamically quantized Linear layers."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    return any(isinstance(m, DynamicLinear) for m in model.modules())


def packed_bytes(module) -> int:
    """Bytes a dynamically quantized Linear holds: its weight as stored (int8: 1, fp16: 2 per weight) and fp32 bias.

    Counted from the shape: unpacking an fp16 layer makes an fp32 copy of its weight (544 MB for Qwen2-0.5B's LM
    head, the peak of a story run on Community Cloud). Only a layer quantize_linear did not make is unpacked, for
    its bias."""
    import torch

    per_weight = 2 if module._packed_params.dtype == torch.float16 else 1
    bias_numel = getattr(module, "bias_numel", None)
    if bias_numel is None:
        bias = module._weight_bias()[1]
        bias_numel = bias.numel() if bias is not None else 0
    return module.in_features * module.out_features * per_weight + bias_numel * 4


def weight_bytes(model) -> int:
    """Bytes of all weights, counting quantized packed weights (which are neither parameters nor buffers) too, and
    each shared int8 product (hflab.runtime.int8_rows) once."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    from hflab.runtime.int8_rows import groups_of

    seen: set[int] = set()
    total = 0
    for tensor in list(model.parameters()) + list(model.buffers()):
        if tensor.data_ptr() not in seen:  # tied weights count once
            seen.add(tensor.data_ptr())
            total += tensor.numel() * tensor.element_size()
    return (total + sum(packed_bytes(m) for m in model.modules() if isinstance(m, DynamicLinear))
            + sum(group.nbytes for group in groups_of(model)))


def next_token_logprobs(model, tokenizer, prompts: Iterable[str]) -> list[Any]:
    """log-softmax of the next-token logits after each prompt (one fp32 vector over the vocabulary each)."""
    import torch

    rows = []
    with torch.inference_mode():
        for prompt in prompts:
            ids = tokenizer(prompt, return_tensors="pt").input_ids
            logits = model(input_ids=ids, logits_to_keep=1).logits[0, -1].float()
            rows.append(torch.log_softmax(logits, dim=-1))
    return rows


def next_token_kl(reference, candidate, tokenizer, prompts: Iterable[str]) -> list[float]:
    """KL(reference || candidate) of the next-token distributions, one value (nats) per prompt."""
    import torch

    prompts = list(prompts)
    ref = next_token_logprobs(reference, tokenizer, prompts)
    cand = next_token_logprobs(candidate, tokenizer, prompts)
    return [float(torch.sum(torch.exp(p) * (p - q))) for p, q in zip(ref, cand)]


# a fixed prompt set for the KL measurement: English (SmolLM2 is English-centric) and a little Chinese
KL_PROMPTS = (
    "Once upon a time, in a small village by the sea,",
    "The capital of France is",
    "def fibonacci(n):",
    "A cat sitting on a couch next to a",
    "Temperature controls how random the next token is because",
    "The best way to learn machine learning is",
    "今天天气很好，我们去",
    "Question: What is 2 + 2?\nAnswer:",
)
