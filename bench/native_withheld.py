"""Issue 35: the lab against llama.cpp's native `llama-server` where it withholds a byte piece's log-probabilities.

llama-server sends no log-probabilities for a drawn token that ends inside a UTF-8 character; the lab then asks again
with a probe token forced by logit bias (hflab/remote/withheld.py). This script checks, on the native build
(bench/llama_native.py; built first if needed) and the packaged SmolLM2 GGUF:

1. The probe leaves the raw candidates alone: at every position of greedy walks over Chinese and English prompts
   where llama-server answers both requests, the top-20 candidates' ids and log-probabilities of the probe-forced
   request equal the unforced one's exactly.
2. The lab's own paths, as the Sampling page runs them: the chat mode's candidates for each prompt, and stepping
   (greedy and sampled) through each prompt, end without an error; how many positions were withheld and answered.

Not a timing: one pass, no rounds. Usage: python bench/native_withheld.py [--steps 12] [--quick] [--json PATH]
"""
from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.llama_native import native_server  # noqa: E402
from bench.remote_ttft import free_port, start_server, wait_ready  # noqa: E402
from bench.report import add_args, finish  # noqa: E402
from hflab.loading import offline_assets  # noqa: E402

PROMPTS = ("从前有一只小猫，它", "从前，在一个小村庄里，", "今天天气很好，我们",
           "Once upon a time, in a small village,")
TOP = 20


def post(port: int, path: str, body: dict) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())


def top_of(answer: dict) -> list[tuple[int, float]] | None:
    """(id, logprob) of the first position's candidates, None where llama-server withheld them."""
    logprobs = answer["choices"][0].get("logprobs")
    if not logprobs:
        return None
    return [(c["id"], c["logprob"]) for c in logprobs["content"][0]["top_logprobs"]]


def probe_invariance(port: int, steps: int) -> tuple[int, int, int]:
    """(positions compared, positions equal, positions withheld) over greedy walks of `steps` tokens per prompt."""
    probe = post(port, "/tokenize", {"content": "a", "add_special": False})["tokens"][0]
    compared = equal = withheld = 0
    for prompt in PROMPTS:
        ids = post(port, "/tokenize", {"content": prompt, "add_special": True})["tokens"]
        for _ in range(steps):
            body = {"prompt": ids, "max_tokens": 1, "n_probs": TOP, "post_sampling_probs": False, "temperature": 0,
                    "repeat_penalty": 1.0}
            plain = top_of(post(port, "/v1/completions", body))
            forced = top_of(post(port, "/v1/completions", body | {"logit_bias": [[probe, 100]]}))
            if plain is None:
                withheld += 1
            else:
                compared, equal = compared + 1, equal + (plain == forced)
            ids = ids + [forced[0][0]]  # the greedy walk goes on with the most likely token
    return compared, equal, withheld


def lab_paths(port: int, model: str, steps: int) -> tuple[int, int, list[str]]:
    """(answers asked, answers withheld and answered, errors) of the lab's chat candidates and stepping."""
    from hflab.remote.candidates import next_token_candidates
    from hflab.remote.client import RemoteConfig, RemoteError
    from hflab.sampling.processors import SamplingSettings
    from hflab.sampling.remote import ask, detect_profile, start

    config = RemoteConfig(base_url=f"http://127.0.0.1:{port}/v1", model=model, timeout_s=60)
    profile = detect_profile(config)
    asked = answered = 0
    errors = [] if profile.name == "llama.cpp" else [f"profile {profile.name}, not llama.cpp"]
    for prompt in PROMPTS:
        try:
            asked, answered = asked + 1, answered + next_token_candidates(config, prompt, k=10).withheld
        except RemoteError as err:
            errors.append(f"chat {prompt!r}: {err.key}")
        for seed, settings in ((1, SamplingSettings(do_sample=False)),
                               (2, SamplingSettings(temperature=1.0, top_k=0, top_p=1.0))):
            stepper = start(config, profile, prompt, seed)
            for _ in range(steps):
                try:
                    answer = ask(config, stepper, settings, 20)
                except RemoteError as err:
                    errors.append(f"step {len(stepper.steps)} of {prompt!r}: {err.key}")
                    break
                asked, answered = asked + 1, answered + answer.withheld
                if answer.ended:
                    break
                stepper.take(answer, settings)
    return asked, answered, errors


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args()
    steps = min(args.steps, 4) if args.quick else args.steps
    command = f"python bench/native_withheld.py --steps {steps}"
    binary, why = native_server()
    if binary is None:
        return finish(args, "The lab against native llama-server's withheld byte pieces", command,
                      f"no native llama-server: {why}", ok=False)
    port, gguf = free_port(), offline_assets.smollm2_gguf()
    with tempfile.TemporaryFile() as log:
        server = start_server("native", binary, gguf, port, log)
        try:
            wait_ready(port, server)
            compared, equal, withheld = probe_invariance(port, steps)
            asked, answered, errors = lab_paths(port, gguf.stem, steps)
        finally:
            server.terminate()
            server.wait(timeout=30)
    ok = compared > 0 and equal == compared and withheld > 0 and answered > 0 and not errors
    result = (f"native llama-server (bench/llama_native.py), SmolLM2-135M Q4_1, {len(PROMPTS)} prompts (3 Chinese), "
              f"{steps} greedy positions each: with the probe forced by logit bias the top-{TOP} ids and log-probs "
              f"equal the unforced answer's at **{equal}/{compared} positions** ({withheld} more positions withheld, "
              f"where there is no unforced answer to compare); the lab's chat candidates and greedy + sampled stepping "
              f"({asked} answers) answered **{answered} withheld positions** with **{len(errors)} errors**"
              + (f": {'; '.join(errors[:3])}" if errors else ""))
    return finish(args, "The lab against native llama-server's withheld byte pieces", command, result, ok=ok)


if __name__ == "__main__":
    sys.exit(main())
