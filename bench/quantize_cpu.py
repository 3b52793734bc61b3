"""fp32 vs fp16 vs int8 Linear weights on the real offline LM (SmolLM2-135M-Instruct), side by side in one
run: decode tokens/s (lean greedy loop, interleaved rounds), weight memory, and KL(fp32 || candidate) of
the next-token distribution on a fixed prompt set (hflab.runtime.quantize.KL_PROMPTS). "int8, every layer" is
shown too: it is why the lab keeps the MLP down projections out of int8.
All four variants get the same warm-up and interleave for >= 5 rounds (bench/rounds.py); each variant's tokens
must be the same in every round. Usage: python bench/quantize_cpu.py [--tokens 24 --rounds 5] [--quick] [--json PATH]
(--quick: 8 tokens a round)
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from decode_speed import greedy_decode  # noqa: E402
from report import add_args, finish  # noqa: E402
from rounds import interleave  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402

from hflab.loading import offline_assets  # noqa: E402
from hflab.runtime.onednn_linear import route  # noqa: E402
from hflab.runtime.quantize import KL_PROMPTS, next_token_kl, next_token_logprobs, quantize_for_decoding, weight_bytes  # noqa: E402


def int8_every_layer(model):
    """Every Linear in int8, outliers or not (torch's quantize_dynamic defaults)."""
    import warnings

    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--tokens", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.quick:
        args.tokens = min(args.tokens, 8)

    path = offline_assets.convert_smollm2()
    tokenizer = AutoTokenizer.from_pretrained(path)
    fp32 = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    models = {"fp16": quantize_for_decoding(fp32, "fp16"), "int8": quantize_for_decoding(fp32, "int8"),
              "int8, every layer": int8_every_layer(fp32)}
    route(fp32)  # as the lab's loader runs fp32 on CPU
    models = {"fp32": fp32, **models}

    reference = next_token_logprobs(fp32, tokenizer, KL_PROMPTS)
    prompt = tokenizer(KL_PROMPTS[0], return_tensors="pt").input_ids
    paths = {name: (lambda model=model: greedy_decode(model, prompt, args.tokens)) for name, model in models.items()}
    t = interleave(paths, rounds=args.rounds)
    base = t["fp32"].rate(args.tokens)[0]
    print(f"SmolLM2-135M-Instruct, threads {torch.get_num_threads()}, {args.tokens} tokens x {args.rounds} interleaved "
          f"rounds, load average {tuple(round(x, 1) for x in os.getloadavg())}")
    cells = []
    for name, model in models.items():
        kl = next_token_kl(fp32, model, tokenizer, KL_PROMPTS)
        top1 = sum(int(a.argmax()) == int(b.argmax())
                   for a, b in zip(reference, next_token_logprobs(model, tokenizer, KL_PROMPTS)))
        speed, low, high = t[name].rate(args.tokens)
        line = (f"{name} **{speed:.1f} tok/s** ({low:.1f}-{high:.1f}; {speed / base:.2f}x fp32), "
                f"{weight_bytes(model) / 2**20:.0f} MB, KL mean {statistics.mean(kl):.3f} / max {max(kl):.3f} nats, "
                f"top-1 {top1}/{len(KL_PROMPTS)}")
        print(line)
        cells.append(line)
    result = (f"{args.tokens} greedy tokens x {args.rounds} interleaved rounds, each variant's tokens identical every "
              f"round: " + "; ".join(cells))
    return finish(args, "fp32 vs fp16 vs int8 weights (SmolLM2-135M)",
                  f"python bench/quantize_cpu.py --tokens {args.tokens} --rounds {args.rounds}", result)


if __name__ == "__main__":
    sys.exit(main())
