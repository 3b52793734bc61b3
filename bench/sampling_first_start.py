"""The sampling playground's first start on the packaged model (issue 17): the one-time GGUF -> safetensors conversion,
and every later start, each timed from a fresh Python process to the first next-token distribution.

Three paths alternate for >= 5 rounds (bench/rounds.py), each a new process doing what the page does:
- "first": a fresh assets folder, so the packaged GGUF is converted (hflab.loading.offline_assets.convert_smollm2,
  with its stage timings), then loaded and the prompt run once (hflab.sampling.stepper.Stepper.start);
- "later": the converted copy already on disk: load + prompt;
- "imports": only `import torch, transformers` and the lab's loader;
- "modules": those and the modules transformers imports lazily on a first load (the Llama model, the tokenizer
  classes, which pull in torch.distributed.tensor, torch._dynamo and sympy), the floor any start pays before it reads
  a weight.
Each round's output is the first distribution's top-5 token ids, asserted equal across rounds and paths.

Run: python bench/sampling_first_start.py [--rounds 5] [--quick] [--json PATH]
     (--quick: "first" in 5 rounds too; the same work, it is short enough)
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from report import add_args, finish  # noqa: E402
from rounds import interleave, spread, with_extras  # noqa: E402

PROMPT = "Once upon a time, in a small village by the sea,"
TARGET_LATER_S = 3.0

CHILD = r"""
import json, sys, time
start = time.perf_counter()
import torch, transformers
from hflab.loading import offline_assets
from hflab.loading import loaders
from hflab.loading.sources import resolve
if sys.argv[1] == "modules":
    import transformers.models.llama.modeling_llama, transformers.tokenization_utils_tokenizers
    from transformers import AutoModelForCausalLM, AutoTokenizer
if sys.argv[1] in ("imports", "modules"):
    print(json.dumps({"top": None, "total": time.perf_counter() - start, "stages": {}}))
    raise SystemExit
stages, last = {}, [time.perf_counter(), None]
def progress(fraction, stage):
    now = time.perf_counter()
    if last[1] is not None:
        stages[last[1]] = now - last[0]
    last[:] = [now, stage]
convert_s = 0.0
if not offline_assets.smollm2_converted():
    began = time.perf_counter()
    offline_assets.convert_smollm2(progress)
    convert_s = time.perf_counter() - began
from hflab.sampling.stepper import Stepper
model, tokenizer = loaders.load_causal_lm(resolve("causal_lm"))
stepper = Stepper.start(model, tokenizer(sys.argv[2]).input_ids, seed=0)
top = torch.topk(stepper.next_logits[0], 5).indices.tolist()
print(json.dumps({"top": top, "total": time.perf_counter() - start, "convert": convert_s, "stages": stages}))
"""


def start(kind: str, assets: Path) -> with_extras:
    """One fresh process of `kind` ("first", "later", "imports", "modules") against `assets`; seconds to its first
    distribution."""
    env = {**os.environ, "HFLAB_ASSETS_DIR": str(assets), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("HFLAB_CAUSAL_LM_DIR", None)  # the packaged model
    out = subprocess.run([sys.executable, "-c", CHILD, kind, PROMPT], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    extras = {"total": result["total"], "convert": result.get("convert", 0.0)}
    extras.update({f"stage_{name}": seconds for name, seconds in result["stages"].items()})
    return with_extras(result["top"], **extras)


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hflab-first-start-") as tmp:
        converted = Path(tmp) / "converted"
        fresh = iter(range(10_000))

        def first() -> with_extras:
            return start("first", Path(tmp) / f"fresh-{next(fresh)}")  # a new folder: the conversion runs again

        timings = interleave({"first": first, "later": lambda: start("later", converted),
                              "imports": lambda: start("imports", converted),
                              "modules": lambda: start("modules", converted)}, rounds=args.rounds,
                             agree=(("first", "later"),))
    first_t, later_t, imports_t, modules_t = (timings[name].extras for name in ("first", "later", "imports", "modules"))
    stage_names = [key for key in first_t if key.startswith("stage_")]
    stages = ", ".join(f"{key[6:]} {statistics.median(first_t[key]):.1f} s" for key in stage_names)
    later_median = statistics.median(later_t["total"])
    ok = later_median < TARGET_LATER_S
    print(f"first start {spread(first_t['total'])} s (conversion {spread(first_t['convert'])} s: {stages}); "
          f"later {spread(later_t['total'])} s; imports alone {spread(imports_t['total'])} s; with the lazily imported "
          f"modules {spread(modules_t['total'])} s")
    result = (f"packaged SmolLM2-135M, a fresh process per start to the first next-token distribution (prompt run "
              f"once), {args.rounds} interleaved rounds, the top-5 tokens identical every round and between first and "
              f"later starts: first start (one-time GGUF conversion, shown on the page as a progress bar by these "
              f"stages) **{spread(first_t['total'])} s**, of which the conversion {spread(first_t['convert'])} s "
              f"({stages}); later starts **{spread(later_t['total'])} s**; `import torch, transformers` and the "
              f"loader alone {spread(imports_t['total'])} s, and with the modules transformers imports on a first load "
              f"(Llama, tokenizers, torch.distributed.tensor, torch._dynamo, sympy) {spread(modules_t['total'])} s: "
              f"reading the weights and running the prompt take the rest. Target (later < {TARGET_LATER_S:.0f} s): "
              f"{'PASS' if ok else 'FAIL'}" + ("" if ok else " (Python imports are most of a fresh process's start; a "
                                                "running server pays them once)"))
    return finish(args, "Sampling playground: first vs later start", f"python bench/sampling_first_start.py "
                  f"--rounds {args.rounds}", result, ok=ok)


if __name__ == "__main__":
    sys.exit(main())
