"""Facts about one loaded checkpoint for the Models page: config rows, parameters per module, memory and dtype.

What can be read without loading weights (files, headers, config) lives in `hflab.loading.files`.
"""
from __future__ import annotations

import json


def flat_config(config: dict, prefix: str = "") -> list[tuple[str, str]]:
    """(key, value) rows of a config, nested sub-configs flattened with dots; values as text."""
    rows: list[tuple[str, str]] = []
    for key in sorted(config):
        value = config[key]
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and all(isinstance(k, str) for k in value) and key.endswith("config"):
            rows += flat_config(value, name + ".")
        else:
            rows.append((name, json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value))
    return rows


def parameter_counts(model) -> tuple[int, dict[str, int]]:
    """(total, {top-level module: count}); tied weights count once in the total, in each module that uses them."""
    total = sum(p.numel() for p in model.parameters())
    per_module = {name: sum(p.numel() for p in child.parameters()) for name, child in model.named_children()}
    direct = sum(p.numel() for p in model.parameters(recurse=False))
    if direct:
        per_module["(own)"] = direct
    return total, per_module


def estimated_load_bytes(params: int, on_cpu: bool, stored_bytes: int) -> int:
    """Memory the weights take once loaded: fp32 on CPU (4 bytes each), else as stored."""
    return params * 4 if on_cpu else stored_bytes


def loaded_dtype(model) -> str:
    """The dtype of the model's parameters as loaded."""
    first = next(model.parameters(), None)
    return str(first.dtype).replace("torch.", "") if first is not None else ""


