"""A lean greedy decode loop: the model's own forward with a KV cache, nothing else per step.

Why: on a CPU, decoding one token should cost about one read of the weights (the memory-bandwidth
bound, bench/decode_bound.py). `generate` adds per-step work (logits processors, stopping criteria,
bookkeeping) that this loop skips; it must still give exactly the tokens of
`generate(do_sample=False)` (tests/test_quantize_cpu.py checks that against generate itself).
"""
from __future__ import annotations


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
    """Fuse each decoder layer's q/k/v and gate/up projections into one weight each, in place, without a copy.

    The fused weight holds the rows of q, k and v (gate and up) one after the other; the layers' own weights become
    views into it, so the model's ordinary forward, `generate` and the parameter count are unchanged, and
    `fast_greedy_decode` can run each group as one matrix product (one oneDNN call instead of three / two).
    Works for Llama / Qwen2-style decoders (`model.model.layers[i].self_attn.q_proj`, `.mlp.gate_proj`) with plain
    nn.Linear layers; returns `model`. Weights that share storage cannot be saved with safetensors: fuse a model for
    decoding, not one to save.
    """
    import torch

    with torch.no_grad():
        for layer in model.model.layers:
            attn, mlp = layer.self_attn, layer.mlp
            attn._hflab_qkv = _fuse([attn.q_proj, attn.k_proj, attn.v_proj])
            mlp._hflab_gate_up = _fuse([mlp.gate_proj, mlp.up_proj])
    return model


def _fuse(linears):
    """One (weight, bias, row counts) for `linears` sharing one input; each layer's weight becomes a view into it."""
    import torch

    weight = torch.cat([m.weight.data for m in linears])
    biases = [m.bias for m in linears]
    bias = torch.cat([b.data for b in biases]) if all(b is not None for b in biases) else None
    sizes, start = [], 0
    for m in linears:
        rows = m.weight.shape[0]
        m.weight.data = weight[start:start + rows]
        if bias is not None:
            m.bias.data = bias[start:start + rows]
        sizes.append(rows)
        start += rows
    return weight, bias, sizes


def _linear(x, weight, bias):
    """An fp32 product through oneDNN's linear (the op hflab.onednn_linear routes large layers to) when available."""
    import torch

    from hflab import onednn_linear

    if weight.dtype == torch.float32 and onednn_linear.available():
        return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", [], "")
    return torch.nn.functional.linear(x, weight, bias)


def _project(module, x):
    """`module(x)`; a plain fp32 nn.Linear goes straight to `_linear` (no module call, oneDNN at any size)."""
    import torch

    if type(module) is torch.nn.Linear and module.weight.dtype == torch.float32:
        return _linear(x, module.weight, module.bias)
    return module(x)


def fast_greedy_decode(model, input_ids, max_new_tokens: int, eos_token_id: int | list[int] | None = None):
    """`greedy_decode` with fewer Python calls per step: the prompt goes through the model's own forward, then each
    new token runs a hand-written decoder step over the model's own modules (norms, rotary embedding, attention
    function, activation) with a static KV cache allocated once (no per-step concatenation), and the fused
    projections of `fuse_projections` when present (else each layer's own q/k/v, gate/up modules, e.g. int8).
    Llama / Qwen2-style decoders, batch 1, no sliding window. Must give exactly the tokens of `greedy_decode`
    (bench/decode_bound.py asserts that every round).
    """
    import torch
    from transformers import DynamicCache
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

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
        for pos in range(prompt_len, total - 1):
            hidden = inner.embed_tokens(step)
            cos, sin = inner.rotary_emb(hidden, positions[:, pos:pos + 1])
            for i, layer in enumerate(layers):
                attn, mlp = layer.self_attn, layer.mlp
                x = layer.input_layernorm(hidden)
                fused = getattr(attn, "_hflab_qkv", None)
                if fused is not None:
                    q, k, v = _linear(x, fused[0], fused[1]).split(fused[2], dim=-1)
                else:
                    q, k, v = _project(attn.q_proj, x), _project(attn.k_proj, x), _project(attn.v_proj, x)
                q = q.view(1, 1, n_heads, head_dim).transpose(1, 2)
                k = k.view(1, 1, n_kv, head_dim).transpose(1, 2)
                v = v.view(1, 1, n_kv, head_dim).transpose(1, 2)
                q, k = apply_rotary_pos_emb(q, k, cos, sin)  # transformers' own (Llama = Qwen2)
                keys[i][:, :, pos:pos + 1] = k
                values[i][:, :, pos:pos + 1] = v
                out, _ = attend(attn, q, keys[i][:, :, :pos + 1], values[i][:, :, :pos + 1], None,
                                dropout=0.0, scaling=attn.scaling, sliding_window=None)
                hidden = hidden + _project(attn.o_proj, out.reshape(1, 1, -1))
                x = layer.post_attention_layernorm(hidden)
                fused = getattr(mlp, "_hflab_gate_up", None)
                if fused is not None:
                    gate, up = _linear(x, fused[0], None).split(fused[2], dim=-1)
                else:
                    gate, up = _project(mlp.gate_proj, x), _project(mlp.up_proj, x)
                hidden = hidden + _project(mlp.down_proj, mlp.act_fn(gate) * up)
            logits = _project(model.lm_head, inner.norm(hidden))
            step = logits[:, -1].argmax(dim=-1, keepdim=True)
            tokens.append(step)
            if int(step) in eos:
                break
    return torch.cat(tokens, dim=-1)

