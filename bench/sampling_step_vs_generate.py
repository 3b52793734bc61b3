"""Stepping with every distribution kept vs `model.generate`, side by side in one run.

A Qwen2-0.5B-sized model (Qwen2-0.5B-Instruct's real config, random weights: timing only) generates
64 tokens twice per round: once with `model.generate`, once with the playground's `Stepper` (one
token per call, KV cache reused, every step's staged distribution summarised and kept). Both get the same
warm-up, rounds interleave (bench/rounds.py) so machine load hits both alike, the tokens must be identical in
every round, and the medians (ranges) are compared. Target: <= 1.2x.
Then the per-step stage computation over the 151,936-token vocabulary (all five processors plus the
chart spec) is timed on its own. Target: < 50 ms.

Run: python bench/sampling_step_vs_generate.py [--rounds 5] [--tokens 64] [--threads N] [--quick] [--json PATH]
(--quick: 12 tokens a round, the same 5 rounds)
On a shared, oversubscribed CPU use --threads 1: torch's thread pool then waits on descheduled
threads and every number (both sides) gets several times slower and noisier. Stage timings are
reported as wall time and as this process's CPU time (what the work costs, load aside).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from report import add_args, finish  # noqa: E402
from rounds import interleave, ratio  # noqa: E402


def qwen2_05b(torch):
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(hidden_size=896, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                         intermediate_size=4864, vocab_size=151936, tie_word_embeddings=True,
                         max_position_embeddings=32768, rope_theta=1_000_000.0, rms_norm_eps=1e-6,
                         bos_token_id=151643, eos_token_id=151645)
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).eval()
    model.generation_config.eos_token_id = None  # random weights: always run the full length
    return model.to("cuda" if torch.cuda.is_available() else "cpu")


def sync(torch):
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.quick:
        args.tokens = min(args.tokens, 12)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)

    from components.prob_chart import stage_bars
    from hflab.sampling.processors import (
        SamplingSettings,
        build_processors,
        effective_generation_config,
        run_stages,
        summarize,
    )
    from hflab.sampling.stepper import Stepper

    model = qwen2_05b(torch)
    settings = SamplingSettings(temperature=0.8, top_k=50, top_p=0.9, min_p=0.02, repetition_penalty=1.1)
    config = effective_generation_config(model, settings)
    prompt = torch.randint(0, 151936, (32,), generator=torch.Generator().manual_seed(1)).tolist()
    device = model.device
    print(f"device {device}, threads {torch.get_num_threads()}, "
          f"params {sum(p.numel() for p in model.parameters()) / 1e6:.0f}M", flush=True)

    def run_generate():
        torch.manual_seed(7)
        with torch.no_grad():
            out = model.generate(torch.tensor([prompt], device=device), max_new_tokens=args.tokens,
                                 **settings.generate_kwargs())
        return out[0, len(prompt):].tolist()

    def run_stepper():
        stepper = Stepper.start(model, prompt, 7)
        stepper.run(model, config, args.tokens, top_n=20)
        return stepper.generated, stepper

    kept = {}

    def stepped():
        tokens, kept["stepper"] = run_stepper()
        return tokens

    t = interleave({"generate": run_generate, "stepper": stepped}, rounds=args.rounds, agree=(("generate", "stepper"),))
    stepper = kept["stepper"]
    g, s = t["generate"], t["stepper"]
    wall = ratio(s, g)
    cpu_ratio = statistics.median(s.cpu) / statistics.median(g.cpu)
    print(f"generate {args.tokens} tokens: {g.text(2)} wall; stepper ({len(stepper.steps)} distributions kept): "
          f"{s.text(2)}; ratio {wall[0]:.3f} ({wall[1]:.3f}-{wall[2]:.3f}) wall, {cpu_ratio:.3f} CPU (target <= 1.2)")

    input_ids = torch.tensor([stepper.ids], device=device)
    logits = stepper.next_logits
    processors = build_processors(config)
    titles = ["raw", "repetition_penalty", "temperature", "top_k", "top_p", "min_p"]
    words = {w: w for w in ("prob", "kept", "cut", "chosen", "rank", "cumulative", "status", "series", "value")}
    labels = [str(i) for i in range(20)]
    compute, total, cpu = [], [], []
    for _ in range(15):
        sync(torch)
        t0, c0 = time.perf_counter(), time.process_time()
        view = summarize(run_stages(input_ids, logits, processors), 20)
        sync(torch)
        t1 = time.perf_counter()
        stage_bars(view, labels, titles, words)
        t2, c2 = time.perf_counter(), time.process_time()
        compute.append(t1 - t0)
        total.append(t2 - t0)
        cpu.append(c2 - c0)
    stage_ms = statistics.median(total) * 1000
    print(f"one step's stages over {logits.shape[-1]:,} tokens (median of 15; target < 50 ms): "
          f"compute {statistics.median(compute) * 1000:.1f} ms wall, compute + chart spec "
          f"{stage_ms:.1f} ms wall, {statistics.median(cpu) * 1000:.1f} ms CPU time")
    ok_ratio, ok_stage = wall[0] <= 1.2, stage_ms < 50
    result = (f"{args.tokens} tokens, {args.rounds} interleaved rounds, tokens identical every round: generate "
              f"{g.text(2)}, stepper {s.text(2)}: **{wall[0]:.3f}x** wall (rounds {wall[1]:.3f}-{wall[2]:.3f}), "
              f"{cpu_ratio:.3f}x CPU (target <= 1.2x: {'PASS' if ok_ratio else 'FAIL'}). One step's stages over "
              f"{logits.shape[-1]:,} tokens, median of 15: compute {statistics.median(compute) * 1000:.1f} ms "
              f"({min(compute) * 1000:.1f}-{max(compute) * 1000:.1f}), compute + Vega-Lite spec **{stage_ms:.1f} ms** "
              f"({min(total) * 1000:.1f}-{max(total) * 1000:.1f}) (target < 50 ms: {'PASS' if ok_stage else 'FAIL'})")
    return finish(args, "Sampling playground: Stepper vs generate",
                  f"python bench/sampling_step_vs_generate.py --rounds {args.rounds} --tokens {args.tokens}", result)


if __name__ == "__main__":
    sys.exit(main())
