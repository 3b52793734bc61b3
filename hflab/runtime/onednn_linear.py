"""Run a model's large fp32 Linear layers through PyTorch's bundled oneDNN instead of its BLAS (MKL), on CPUs
where MKL is the slower of the two.

Why: PyTorch's fp32 matmul goes to MKL, whose fast code paths are for Intel CPUs. On AMD EPYC (AVX2) a one-row
linear over Qwen2's 151,936 x 896 LM head read its weights at ~11 GB/s while the memory delivers ~19 GB/s;
`torch.ops.mkldnn._linear_pointwise`, the op PyTorch's own compiler (Inductor) emits for a CPU linear, read the
same plain weights at ~20 GB/s. On an Intel Xeon (AVX-512) it is the other way round: MKL reads one-row
products at ~29 GB/s, oneDNN at ~22 (bench/decode_bound.py: fp32 decoding 13.5 vs 11.9 tokens/s), so
`preferred()` picks oneDNN on non-Intel CPUs only. The weights are used as they are: no copy, tied weights stay
tied, and results equal `torch.nn.functional.linear` up to fp32 rounding. Small layers stay on the default path,
where oneDNN's per-call overhead outweighs the gain.
"""
from __future__ import annotations

import functools
import types
from pathlib import Path

# layers with fewer weights than this (896 x 896 is 0.8M) fit in cache; the default path is faster there
MIN_WEIGHTS = 1 << 20


def available() -> bool:
    """True when this torch build ships oneDNN and its fused linear op."""
    import torch

    return torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_linear_pointwise")


def cpu_vendor(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's vendor id ("GenuineIntel", "AuthenticAMD", ...), "" where the system does not say."""
    try:
        with cpuinfo.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key.strip() == "vendor_id":
                    return value.strip()
    except OSError:
        pass
    return ""


@functools.cache
def preferred() -> bool:
    """True when oneDNN should take the large fp32 layers here: it is available and the CPU is not Intel's."""
    return available() and cpu_vendor() != "GenuineIntel"


def _onednn_forward(self, x):
    import torch

    # the oneDNN op has no autograd formula: anything that needs gradients takes the default path
    if x.dtype != torch.float32 or x.device.type != "cpu" or (
            torch.is_grad_enabled() and (x.requires_grad or self.weight.requires_grad)):
        return torch.nn.functional.linear(x, self.weight, self.bias)
    return torch.ops.mkldnn._linear_pointwise(x, self.weight, self.bias, "none", [], "")


def use_onednn_linear(model, min_weights: int = MIN_WEIGHTS) -> int:
    """Route every fp32 CPU nn.Linear of `model` with at least `min_weights` weights through oneDNN.

    Returns how many layers were switched (0 when oneDNN is missing). The modules keep their class and
    parameters, so quantization, saving and `revert` see ordinary nn.Linear layers.
    """
    import torch

    if not available():
        return 0
    switched = 0
    for module in model.modules():
        if (type(module) is torch.nn.Linear and module.weight.dtype == torch.float32
                and module.weight.device.type == "cpu" and module.weight.numel() >= min_weights):
            module.forward = types.MethodType(_onednn_forward, module)
            switched += 1
    return switched


def route(model, mode: str = "auto") -> int:
    """Switch `model`'s large layers to oneDNN as `mode` says: "on" always, "off" never, "auto" where `preferred()`.

    What the lab's loader does with HFLAB_ONEDNN_LINEAR (hflab.settings); returns how many layers were switched."""
    if mode == "off" or (mode == "auto" and not preferred()):
        return 0
    return use_onednn_linear(model)


def uses_onednn(model) -> int:
    """How many Linear layers of `model` currently run through oneDNN."""
    return sum(1 for m in model.modules() if getattr(m.__dict__.get("forward"), "__func__", None) is _onednn_forward)


def revert(model) -> None:
    """Put every switched layer back on the default linear."""
    for module in model.modules():
        if getattr(module.__dict__.get("forward"), "__func__", None) is _onednn_forward:
            del module.forward
