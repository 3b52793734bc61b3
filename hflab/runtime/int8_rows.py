"""One int8 product for the projections that read the same input (q/k/v; gate/up), inside the model itself.

Why: at one token per step the small int8 products are latency-bound (about 10 GB/s a call on 2 cores): q, k and
v as one matrix take one fbgemm call instead of three, gate and up one instead of two. Each row keeps its own
layer's int8 values, scale and zero point (a per-row quantized matrix), so every output is exactly what the
separate layers gave (tests/core/test_int8_rows.py). The model's own forward (generate, the sampling stepper, the
attention views) runs unchanged: each projection becomes a `SharedRows` module that returns its slice of the
group's product, computed once per input tensor and kept, per thread, until every member has taken its slice.
Imported only where an int8 model is built (torch at import).
"""
from __future__ import annotations

import threading

import torch
from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

# (module holding the projections, their names) of Llama / Qwen2-style decoder layers
GROUPS = (("self_attn", ("q_proj", "k_proj", "v_proj")), ("mlp", ("gate_proj", "up_proj")))


class RowGroup:
    """The packed per-row int8 matrix of several layers sharing one input, and the last product per thread."""

    def __init__(self, layers: list) -> None:
        weights, biases = zip(*(layer._weight_bias() for layer in layers))
        scales = torch.cat([torch.full((w.shape[0],), w.q_scale(), dtype=torch.double) for w in weights])
        zero_points = torch.cat([torch.full((w.shape[0],), w.q_zero_point(), dtype=torch.long) for w in weights])
        rows = torch._make_per_channel_quantized_tensor(torch.cat([w.int_repr() for w in weights]), scales,
                                                        zero_points, 0)
        bias = torch.cat(biases) if all(b is not None for b in biases) else None
        self.packed = torch.ops.quantized.linear_prepack(rows, bias)
        self.sizes = [w.shape[0] for w in weights]
        self.starts = [sum(self.sizes[:i]) for i in range(len(self.sizes))]
        self.in_features = weights[0].shape[1]
        self.nbytes = rows.numel() + (bias.numel() * 4 if bias is not None else 0)  # int8 weights, fp32 bias
        self._last = threading.local()  # concurrent sessions share a cached model: one product per thread

    def product(self, x):
        """All members' outputs side by side: `x` quantized on the fly as each member's own forward does."""
        # reduce_range as DynamicLinear.forward passes it (version 4 on)
        return torch.ops.quantized.linear_dynamic(x, self.packed, reduce_range=True)

    def output(self, x, index: int):
        """Member `index`'s output for `x`: its slice of the group's product for this very tensor."""
        last = self._last.__dict__
        if last.get("x") is not x:  # the model calls every member with the same tensor, one after the other
            last.update(x=x, y=self.product(x), taken=set())
        y = last["y"]
        last["taken"].add(index)
        if len(last["taken"]) == len(self.sizes):
            last.clear()  # every member has its slice: keep no activation alive
        start = self.starts[index]
        return y[..., start:start + self.sizes[index]]


class SharedRows(torch.nn.Module):
    """One projection of a `RowGroup`: `forward(x)` equals the int8 DynamicLinear it replaced."""

    def __init__(self, group: RowGroup, index: int) -> None:
        super().__init__()
        self.group, self.index = group, index
        self.in_features, self.out_features = group.in_features, group.sizes[index]

    def forward(self, x):
        return self.group.output(x, self.index)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"int8 rows {self.group.starts[self.index]}.. of a shared product")


def _int8_per_tensor(layer) -> bool:
    return (type(layer) is DynamicLinear and layer._packed_params.dtype == torch.qint8 and (layer.version or 0) >= 4
            and layer._weight_bias()[0].qscheme() == torch.per_tensor_affine)


def share_int8_rows(model) -> int:
    """Replace each decoder layer's int8 q/k/v and gate/up projections with `SharedRows` of one `RowGroup` each,
    in place; groups with any other layer (fp16, fp32, another kind) stay as they are. Returns how many groups
    were made (0 for models without Llama / Qwen2-style `model.model.layers`)."""
    layers = getattr(getattr(model, "model", None), "layers", None) or ()
    made = 0
    for layer in layers:
        for holder_name, names in GROUPS:
            holder = getattr(layer, holder_name, None)
            members = [getattr(holder, name, None) for name in names]
            if holder is None or not all(_int8_per_tensor(m) for m in members) or len(
                    {m.in_features for m in members}) != 1:
                continue
            group = RowGroup(members)
            for index, name in enumerate(names):
                setattr(holder, name, SharedRows(group, index))
            made += 1
    return made


def groups_of(model) -> list[RowGroup]:
    """Every distinct RowGroup in `model`."""
    seen: dict[int, RowGroup] = {}
    for module in model.modules():
        if isinstance(module, SharedRows):
            seen.setdefault(id(module.group), module.group)
    return list(seen.values())
