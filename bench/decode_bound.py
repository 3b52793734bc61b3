"""Decode speed against the physical limit: memory bandwidth.

Decoding one token reads every weight once, so tokens/s <= bandwidth / bytes of weights. This script
measures the bandwidth (a large array copy, read + write bytes), builds a Qwen2-0.5B-sized model with
random weights (the real Qwen2-0.5B-Instruct config) and decodes greedily, interleaving:
`generate` fp32 with torch's default matmul (MKL), `generate` and the lean loop (hflab.decode_speed)
fp32 with the large layers on oneDNN (hflab.onednn_linear, what the lab's loader does on CPU), and
`generate` with fp16 and int8 Linear weights (hflab.quantize), the lean loop on int8 too. Prints tokens/s next to the bound. Usage: python bench/decode_bound.py [--tokens 8]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from transformers import Qwen2Config, Qwen2ForCausalLM  # noqa: E402

from hflab.decode_speed import greedy_decode  # noqa: E402
from hflab.onednn_linear import revert, use_onednn_linear  # noqa: E402
from hflab.quantize import packed_bytes, quantize_linear  # noqa: E402

QWEN2_05B = dict(hidden_size=896, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                 intermediate_size=4864, vocab_size=151936, tie_word_embeddings=True, max_position_embeddings=32768)


def copy_bandwidth(mb: int = 512, repeats: int = 5) -> float:
    """Bytes/s of a large tensor copy (read + write), the median of `repeats`."""
    src = torch.randn(mb * 2**20 // 4)
    dst = torch.empty_like(src)
    dst.copy_(src)
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        dst.copy_(src)
        rates.append(2 * src.nbytes / (time.perf_counter() - start))
    return statistics.median(rates)


def bytes_read_per_token(model) -> int:
    """Weight bytes one decode step reads: every layer and the LM head, but only one row of the embedding table."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    seen: set[int] = set()
    total = 0
    for module in model.modules():
        if isinstance(module, torch.nn.Embedding):
            continue  # a lookup; when tied, the LM head (a Linear) counts the table as read
        if isinstance(module, DynamicLinear):
            total += packed_bytes(module)
        for p in module.parameters(recurse=False):
            if p.data_ptr() not in seen:
                seen.add(p.data_ptr())
                total += p.numel() * p.element_size()
    return total


def random_model() -> Qwen2ForCausalLM:
    """Qwen2-0.5B-sized model; weights drawn in place (much faster than the default init)."""
    with torch.device("meta"):
        model = Qwen2ForCausalLM(Qwen2Config(**QWEN2_05B))
    model = model.to_empty(device="cpu")
    model.tie_weights()  # to_empty gives the tied LM head its own storage; share it again as the real model does
    torch.manual_seed(0)
    for p in model.parameters():
        p.data.normal_(0, 0.02)
    return model.eval()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    model = random_model()
    fp32_bytes = bytes_read_per_token(model)
    fp16 = quantize_linear(model, "fp16")
    int8 = quantize_linear(model, "int8")
    fp16_bytes, int8_bytes = bytes_read_per_token(fp16), bytes_read_per_token(int8)
    prompt = torch.randint(0, QWEN2_05B["vocab_size"], (1, 16))

    def generate(m):
        return m.generate(prompt, max_new_tokens=args.tokens, min_new_tokens=args.tokens, do_sample=False, pad_token_id=0)

    def onednn(on: bool):
        (use_onednn_linear if on else revert)(model)

    # name -> (whether the fp32 model routes large layers through oneDNN, the decode to time)
    runs = {
        "generate fp32 (MKL)": (False, lambda: generate(model)),
        "generate fp32 (oneDNN)": (True, lambda: generate(model)),
        "lean loop fp32 (oneDNN)": (True, lambda: greedy_decode(model, prompt, args.tokens)),
        "generate fp16": (False, lambda: generate(fp16)),
        "generate int8": (False, lambda: generate(int8)),
        "lean loop int8": (False, lambda: greedy_decode(int8, prompt, args.tokens)),
    }
    for flag in (False, True):
        onednn(flag)
        greedy_decode(model, prompt, 1)
    greedy_decode(fp16, prompt, 1)
    greedy_decode(int8, prompt, 1)
    rates: dict[str, list[float]] = {name: [] for name in runs}
    outputs: dict[str, torch.Tensor] = {}
    bandwidths = []
    for _ in range(args.rounds):  # interleaved so that contention hits every variant alike
        bandwidths.append(copy_bandwidth())
        for name, (flag, run) in runs.items():
            onednn(flag)
            start = time.perf_counter()
            with torch.inference_mode():
                outputs[name] = run()
            rates[name].append(args.tokens / (time.perf_counter() - start))

    bandwidth = statistics.median(bandwidths)
    bound = bandwidth / fp32_bytes
    bound_int8 = bandwidth / int8_bytes
    print(f"threads {args.threads}, {args.tokens} new tokens, {args.rounds} interleaved rounds")
    print(f"copy bandwidth: {bandwidth / 1e9:.1f} GB/s (rounds: {', '.join(f'{b / 1e9:.1f}' for b in bandwidths)})")
    print(f"weights read per token: fp32 {fp32_bytes / 1e9:.2f} GB, fp16 {fp16_bytes / 1e9:.2f} GB, "
          f"int8 {int8_bytes / 1e9:.2f} GB (MLP down projections in fp16) "
          f"(the embedding table is only looked up; tied to the fp32 LM head it is read in full)")
    print(f"bandwidth bound: fp32 {bound:.2f} tok/s, fp16 {bandwidth / fp16_bytes:.2f} tok/s, int8 {bound_int8:.2f} tok/s")
    for name, values in rates.items():
        best = max(values)
        print(f"{name:24s} {best:6.2f} tok/s (runs: {', '.join(f'{v:.2f}' for v in values)}) = "
              f"{best / bound:5.1%} of the fp32 bound")
    fp32 = [outputs[name] for name in runs if "fp32" in name]
    print("fp32 tokens identical across MKL / oneDNN / lean loop:", all(torch.equal(fp32[0], o) for o in fp32))
    print("note: best of the interleaved runs; the 2 cores are shared with other work, so expect noise")


if __name__ == "__main__":
    main()
