"""Stepping with every distribution kept vs `model.generate`, side by side in one run.

A Qwen2-0.5B-sized model (Qwen2-0.5B-Instruct's real config, random weights: timing only) generates
64 tokens twice per round: once with `model.generate`, once with the playground's `Stepper` (one
token per call, KV cache reused, every step's staged distribution summarised and kept). Rounds
alternate so machine load hits both alike
the best round of each is compared. Target: <= 1.2x.
Then the per-step stage computation over the 151,936-token vocabulary (all five processors plus the
chart spec) is timed on its own. Target: < 50 ms.

Run: python bench/sampling_step_vs_generate.py [--rounds 2] [--tokens 64] [--threads N]
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()

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

    with torch.no_grad():  # warm-up (allocator, kernels)
        model.generate(torch.tensor([prompt], device=device), max_new_tokens=4, **settings.generate_kwargs())
    gen_times, step_times, gen_cpu, step_cpu = [], [], [], []
    for _ in range(args.rounds):
        sync(torch)
        t0, c0 = time.perf_counter(), time.process_time()
        theirs = run_generate()
        sync(torch)
        gen_times.append(time.perf_counter() - t0)
        gen_cpu.append(time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        mine, stepper = run_stepper()
        sync(torch)
        step_times.append(time.perf_counter() - t0)
        step_cpu.append(time.process_time() - c0)
        assert mine == theirs, "stepper and generate disagree"
        print(f"round: generate {gen_times[-1]:.2f} s ({gen_cpu[-1]:.2f} s CPU), "
              f"stepper {step_times[-1]:.2f} s ({step_cpu[-1]:.2f} s CPU)", flush=True)
    g, s = min(gen_times), min(step_times)
    print(f"generate {args.tokens} tokens: {g:.2f} s wall, {min(gen_cpu):.2f} s CPU (best round)")
    print(f"stepper  {args.tokens} tokens, {len(stepper.steps)} distributions kept: {s:.2f} s wall, "
          f"{min(step_cpu):.2f} s CPU (best round)")
    print(f"ratio stepper / generate: {s / g:.3f} wall, {min(step_cpu) / min(gen_cpu):.3f} CPU time "
          f"(target <= 1.2); tokens identical: True")

    input_ids = torch.tensor([stepper.ids], device=device)
    logits = stepper.next_logits
    processors = build_processors(config)
    titles = ["raw", "repetition_penalty", "temperature", "top_k", "top_p", "min_p"]
    words = {w: w for w in ("prob", "kept", "cut", "chosen", "rank", "cumulative")}
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
    print(f"one step's stages over {logits.shape[-1]:,} tokens (median of 15; target < 50 ms): "
          f"compute {statistics.median(compute) * 1000:.1f} ms wall, compute + chart spec "
          f"{statistics.median(total) * 1000:.1f} ms wall, {statistics.median(cpu) * 1000:.1f} ms CPU time")


if __name__ == "__main__":
    main()
