"""int8 dynamic quantization of a causal LM for faster CPU decoding, and how far it moves the model.

Why: decoding one token reads every weight once, so on a CPU the speed is bound by memory bandwidth;
int8 weights are a quarter of fp32's bytes. `torch.ao.quantization.quantize_dynamic` (torch's own,
no extra package) stores each nn.Linear weight as int8 with a per-tensor scale and quantizes the
activations on the fly; embeddings and norms stay fp32. The price is a slightly different next-token
distribution, measured by `next_token_kl` (bench/quantize_int8.py, tests/test_quantize_int8.py).
"""
from __future__ import annotations

import copy
import warnings
from typing import Any, Iterable


def quantize_int8(model, inplace: bool = False):
    """An int8 dynamically quantized copy of `model` (every nn.Linear, the LM head included), eval mode, CPU."""
    import torch
    from torch.ao.quantization import quantize_dynamic

    target = model if inplace else copy.deepcopy(model)
    target = target.to("cpu").eval()
    with warnings.catch_warnings():
        # torch marks torch.ao eager quantization deprecated in favour of torchao; it is still shipped and works
        warnings.simplefilter("ignore")
        return quantize_dynamic(target, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


def is_quantized(model) -> bool:
    """True when `model` holds dynamically quantized Linear layers."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    return any(isinstance(m, DynamicLinear) for m in model.modules())


def weight_bytes(model) -> int:
    """Bytes of all weights, counting int8 packed weights (which are neither parameters nor buffers) too."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    seen: set[int] = set()
    total = 0
    for tensor in list(model.parameters()) + list(model.buffers()):
        if tensor.data_ptr() not in seen:  # tied weights count once
            seen.add(tensor.data_ptr())
            total += tensor.numel() * tensor.element_size()
    for module in model.modules():
        if isinstance(module, DynamicLinear):
            weight, bias = module._weight_bias()
            total += weight.numel() * weight.element_size() + (bias.numel() * bias.element_size() if bias is not None else 0)
    return total


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
