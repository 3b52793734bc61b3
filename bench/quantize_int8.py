"""int8 dynamic quantization vs fp32 on the real offline LM (SmolLM2-135M-Instruct), side by side in one run:
decode tokens/s (lean greedy loop, interleaved rounds), weight memory, and KL(fp32 || int8) of the
next-token distribution on a fixed prompt set (hflab.quantize.KL_PROMPTS).
Usage: python bench/quantize_int8.py [--tokens 16 --rounds 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402

from hflab import offline_assets  # noqa: E402
from hflab.decode_speed import greedy_decode  # noqa: E402
from hflab.quantize import KL_PROMPTS, next_token_kl, next_token_logprobs, quantize_int8, weight_bytes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    path = offline_assets.convert_smollm2()
    tokenizer = AutoTokenizer.from_pretrained(path)
    fp32 = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    start = time.perf_counter()
    int8 = quantize_int8(fp32)
    quantize_s = time.perf_counter() - start

    kl = next_token_kl(fp32, int8, tokenizer, KL_PROMPTS)
    top1 = sum(int(a.argmax()) == int(b.argmax()) for a, b in zip(next_token_logprobs(fp32, tokenizer, KL_PROMPTS),
                                                                 next_token_logprobs(int8, tokenizer, KL_PROMPTS)))
    prompt = tokenizer(KL_PROMPTS[0], return_tensors="pt").input_ids
    rates: dict[str, list[float]] = {"fp32": [], "int8": []}
    for model in (fp32, int8):
        greedy_decode(model, prompt, 2)  # warm-up
    for _ in range(args.rounds):  # interleaved so that contention hits both alike
        for name, model in (("fp32", fp32), ("int8", int8)):
            start = time.perf_counter()
            greedy_decode(model, prompt, args.tokens)
            rates[name].append(args.tokens / (time.perf_counter() - start))

    print(f"SmolLM2-135M-Instruct, threads {torch.get_num_threads()}, {args.tokens} tokens x {args.rounds} rounds")
    print(f"weights: fp32 {weight_bytes(fp32) / 2**20:.0f} MB, int8 {weight_bytes(int8) / 2**20:.0f} MB "
          f"(embedding table stays fp32); quantize took {quantize_s:.1f} s")
    for name, values in rates.items():
        print(f"{name}: median {statistics.median(values):.1f} tok/s (runs: {', '.join(f'{v:.1f}' for v in values)})")
    print(f"int8 / fp32 speed: {statistics.median(rates['int8']) / statistics.median(rates['fp32']):.2f}x")
    print(f"KL(fp32 || int8) nats per prompt: {', '.join(f'{v:.3f}' for v in kl)}; mean {statistics.mean(kl):.3f}")
    print(f"same top-1 next token: {top1}/{len(KL_PROMPTS)} prompts")
    print("note: the 2 cores are shared with other work while this runs; speeds are noisy")


if __name__ == "__main__":
    main()
