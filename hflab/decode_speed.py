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
