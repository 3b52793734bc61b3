"""A lean greedy decode loop: the model's own forward with a KV cache, nothing else per step.

Why: on a CPU, decoding one token should cost about one read of the weights (the memory-bandwidth
bound, bench/decode_bound.py). `generate` adds per-step work (logits processors, stopping criteria,
bookkeeping) that this loop skips; it must still give exactly the tokens of
`generate(do_sample=False)` (tests/test_quantize_cpu.py checks that against generate itself).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def greedy_decode(model, input_ids, max_new_tokens: int, eos_token_id: int | list[int] | None = None):
    """Greedy continuation of `input_ids` (batch 1) -> (1, prompt + new) ids, stopping after an EOS token."""
    import torch
    from transformers import DynamicCache

    eos = {eos_token_id} if isinstance(eos_token_id, int) else set(eos_token_id or ())
    tokens = [input_ids]
    with torch.inference_mode():
        cache = DynamicCache(config=model.config)
        step_input = input_ids
        for _ in range(max_new_tokens):
            logits = model(input_ids=step_input, past_key_values=cache, use_cache=True, logits_to_keep=1).logits
            step_input = logits[:, -1].argmax(dim=-1, keepdim=True)
            tokens.append(step_input)
            if int(step_input) in eos:
                break
    return torch.cat(tokens, dim=-1)


def fuse_projections(model):
    """Fuse each decoder layer's q/k/v and gate/up projections into one product each, in place, for
    `fast_greedy_decode` (one matrix product per group instead of three / two).

    - fp32 nn.Linear layers: one weight holding the rows of q, k and v (gate and up) one after the other; the
      layers' own weights become views into it (no copy), so the model's ordinary forward, `generate` and the
      parameter count are unchanged. Weights that share storage cannot be saved with safetensors: fuse a model
      for decoding, not one to save.
    - int8 layers of hflab.runtime.quantize (one scale per tensor): the groups of
    `hflab.runtime.int8_rows.share_int8_rows`
      (as the lab's loader makes them), whose product equals the separate layers' outputs side by side.
    Other groups (fp16, mixed) stay as they are. Works for Llama / Qwen2-style decoders
    (`model.model.layers[i].self_attn.q_proj`, `.mlp.gate_proj`); returns `model`.
    """
    import torch

    from hflab.runtime.int8_rows import share_int8_rows

    share_int8_rows(model)
    with torch.no_grad():
        for layer in model.model.layers:
            attn, mlp = layer.self_attn, layer.mlp
            attn._hflab_qkv = _fuse([attn.q_proj, attn.k_proj, attn.v_proj])
            mlp._hflab_gate_up = _fuse([mlp.gate_proj, mlp.up_proj])
    return model


def _fuse(linears):
    """("fp32", (weight, bias), row counts) or ("int8", RowGroup, row counts) for `linears` sharing one input, or
    None when they cannot be fused."""
    import torch

    from hflab.runtime.int8_rows import SharedRows

    sizes = [m.out_features for m in linears]
    if all(type(m) is torch.nn.Linear and m.weight.dtype == torch.float32 for m in linears):
        return "fp32", _share_rows(linears), sizes
    groups = {id(m.group) for m in linears if isinstance(m, SharedRows)}
    if len(groups) == 1 and [getattr(m, "index", None) for m in linears] == list(range(len(linears))) \
            and len(linears[0].group.sizes) == len(linears):
        return "int8", linears[0].group, sizes
    return None


def _share_rows(linears):
    """One (weight, bias) holding `linears`' rows one after the other; each layer's weight becomes a view into it."""
    import torch

    weight = torch.cat([m.weight.data for m in linears])
    biases = [m.bias for m in linears]
    bias = torch.cat([b.data for b in biases]) if all(b is not None for b in biases) else None
    start = 0
    for m in linears:
        rows = m.weight.shape[0]
        m.weight.data = weight[start:start + rows]
        if bias is not None:
            m.bias.data = bias[start:start + rows]
        start += rows
    return weight, bias


@dataclass(frozen=True)
class LayerProducts:
    """One decoder layer's matrix products for a decode step, each `x -> output`; `qkv` gives q, k and v side by side
    in one tensor (as the fused product does), `gate_up` gives (gate, up)."""

    qkv: Callable
    o: Callable
    gate_up: Callable
    down: Callable


def decode_products(model, onednn: bool | None = None) -> tuple[list[LayerProducts], Callable]:
    """Every decoder layer's products and the LM head's, as `fast_greedy_decode` runs them: the fused groups of
    `fuse_projections` where present, else the layers' own modules; plain fp32 layers as one oneDNN or MKL call
    (`onednn`, default: `hflab.runtime.onednn_linear.preferred()`, chosen once here rather than per call)."""
    import torch

    from hflab.runtime import onednn_linear

    onednn = onednn_linear.preferred() if onednn is None else onednn

    def linear(weight, bias):
        if onednn:
            return lambda x: torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", [], "")
        return lambda x: torch.nn.functional.linear(x, weight, bias)

    def single(module):
        if type(module) is torch.nn.Linear and module.weight.dtype == torch.float32:
            return linear(module.weight, module.bias)  # no module call; oneDNN at any size when chosen
        return module

    def side_by_side(fused, modules):
        if fused is None:
            products = [single(m) for m in modules]
            return lambda x: torch.cat([p(x) for p in products], dim=-1)
        kind, parts, _ = fused
        return parts.product if kind == "int8" else linear(*parts)

    def split(product, sizes):
        return lambda x: product(x).split(sizes, dim=-1)

    layers = []
    for layer in model.model.layers:
        attn, mlp = layer.self_attn, layer.mlp
        gate_up = (mlp.gate_proj, mlp.up_proj)
        layers.append(
            LayerProducts(
                qkv=side_by_side(getattr(attn, "_hflab_qkv", None), (attn.q_proj, attn.k_proj, attn.v_proj)),
                o=single(attn.o_proj),
                gate_up=split(
                    side_by_side(getattr(mlp, "_hflab_gate_up", None), gate_up), [m.out_features for m in gate_up]
                ),
                down=single(mlp.down_proj),
            )
        )
    return layers, single(model.lm_head)


def _rms_norm(module):
    """`module` as one `torch.nn.functional.rms_norm` call when it is a Llama / Qwen2 RMSNorm on fp32 (the same
    formula: x * rsqrt(mean(x^2) + eps) * weight, one op instead of seven), else the module itself."""
    import torch

    weight, eps = getattr(module, "weight", None), getattr(module, "variance_epsilon", None)
    if (not type(module).__name__.endswith("RMSNorm") or eps is None or weight is None
            or weight.dtype != torch.float32 or weight.dim() != 1):
        return module
    shape = (weight.shape[0],)
    return lambda x: torch.nn.functional.rms_norm(x, shape, weight, eps)


def fast_greedy_decode(model, input_ids, max_new_tokens: int, eos_token_id: int | list[int] | None = None,
                       onednn: bool | None = None):
    """`greedy_decode` with fewer Python calls per step: the prompt goes through the model's own forward, then each
    new token runs a hand-written decoder step over the model's own modules (norms, rotary embedding, attention
    function, activation) with a static KV cache allocated once (no per-step concatenation), and the fused
    projections of `fuse_projections` when present (else each layer's own q/k/v, gate/up modules, e.g. fp16);
    fp32 products on oneDNN or MKL as `decode_products` chooses (`onednn`).
    Llama / Qwen2-style decoders, batch 1, no sliding window. Must give exactly the tokens of `greedy_decode`
    (bench/decode_bound.py asserts that every round).
    """
    import torch
    from transformers import DynamicCache
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS
    from transformers.models.llama.modeling_llama import rotate_half

    config = model.config
    inner = model.model
    eos = {eos_token_id} if isinstance(eos_token_id, int) else set(eos_token_id or ())
    n_heads, n_kv = config.num_attention_heads, config.num_key_value_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // n_heads
    attend = ALL_ATTENTION_FUNCTIONS.get_interface(config._attn_implementation, None)
    prompt_len = input_ids.shape[1]
    total = prompt_len + max_new_tokens
    tokens = [input_ids]
    with torch.inference_mode():
        cache = DynamicCache(config=config)
        logits = model(input_ids=input_ids, past_key_values=cache, use_cache=True, logits_to_keep=1).logits
        step = logits[:, -1].argmax(dim=-1, keepdim=True)
        tokens.append(step)
        if int(step) in eos or max_new_tokens <= 1:
            return torch.cat(tokens, dim=-1)
        keys, values = [], []
        for i in range(len(inner.layers)):
            k, v = cache.layers[i].keys, cache.layers[i].values
            kbuf = torch.empty((1, n_kv, total, head_dim), dtype=k.dtype)
            vbuf = torch.empty((1, n_kv, total, head_dim), dtype=v.dtype)
            kbuf[:, :, :prompt_len] = k
            vbuf[:, :, :prompt_len] = v
            keys.append(kbuf)
            values.append(vbuf)
        del cache
        positions = torch.arange(total).unsqueeze(0)
        layers = list(inner.layers)
        products, head = decode_products(model, onednn)
        norms = [(_rms_norm(layer.input_layernorm), _rms_norm(layer.post_attention_layernorm)) for layer in layers]
        final_norm = _rms_norm(inner.norm)
        rotated = n_heads + n_kv  # q's and k's heads, side by side in the qkv product
        for pos in range(prompt_len, total - 1):
            hidden = inner.embed_tokens(step)
            cos, sin = inner.rotary_emb(hidden, positions[:, pos:pos + 1])
            cos, sin = cos.unsqueeze(2), sin.unsqueeze(2)  # broadcast over the heads of (1, 1, heads, head_dim)
            for i, layer in enumerate(layers):
                attn, mlp, product = layer.self_attn, layer.mlp, products[i]
                qkv = product.qkv(norms[i][0](hidden)).view(1, 1, -1, head_dim)
                # transformers' rotary formula (apply_rotary_pos_emb), on q's and k's heads at once: the same
                # element-wise products and sums, so the same numbers
                qk = qkv[:, :, :rotated]
                qk = (qk * cos) + (rotate_half(qk) * sin)
                q, k = qk[:, :, :n_heads].transpose(1, 2), qk[:, :, n_heads:].transpose(1, 2)
                v = qkv[:, :, rotated:].transpose(1, 2)
                keys[i][:, :, pos:pos + 1] = k
                values[i][:, :, pos:pos + 1] = v
                out, _ = attend(attn, q, keys[i][:, :, :pos + 1], values[i][:, :, :pos + 1], None,
                                dropout=0.0, scaling=attn.scaling, sliding_window=None)
                hidden = hidden + product.o(out.reshape(1, 1, -1))
                gate, up = product.gate_up(norms[i][1](hidden))
                hidden = hidden + product.down(mlp.act_fn(gate) * up)
            logits = head(final_norm(hidden))
            step = logits[:, -1].argmax(dim=-1, keepdim=True)
            tokens.append(step)
            if int(step) in eos:
                break
    return torch.cat(tokens, dim=-1)

