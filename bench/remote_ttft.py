"""Remote backend vs local generation on the same prompt: time to first token and tokens/s.

Starts an OpenAI-compatible server on loopback serving the offline SmolLM2 (llama.cpp's server from
llama-cpp-python when installed, else `transformers serve`), streams one story through
hflab.remote_backend, and streams the same chat locally (transformers generate + TextIteratorStreamer).
Usage: python bench/remote_ttft.py [--tokens 32] [--server auto|llama|transformers]
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hflab import offline_assets  # noqa: E402
from hflab.onednn_linear import use_onednn_linear  # noqa: E402
from hflab.remote_backend import RemoteConfig, stream_chat  # noqa: E402

MESSAGES = [{"role": "user", "content": "Tell a short story about a cat who learns to swim."}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, which: str) -> tuple[subprocess.Popen, str, str]:
    """(process, server name, model name): llama.cpp's server, `transformers serve`, or ("auto") the first installed."""
    if which == "llama" or (which == "auto" and importlib.util.find_spec("llama_cpp")):
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(offline_assets.smollm2_gguf()), "--model_alias",
               "smollm2", "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "1024"]
        name, model = "llama.cpp server (Q4_1 GGUF)", "smollm2"
    else:
        model = str(offline_assets.convert_smollm2())
        cmd = [sys.executable, "-c", "import sys; from transformers.cli.transformers import main; sys.exit(main())",
               "serve", model, "--host", "127.0.0.1", "--port", str(port), "--device", "cpu", "--dtype", "float32"]
        name = "transformers serve (fp32)"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.5)
    return proc, name, model


def measure(chunks) -> tuple[float, float, int]:
    """(time to first text, pieces per second after it, pieces) of an iterator of text pieces."""
    start = time.perf_counter()
    first, count = None, 0
    for piece in chunks:
        if piece:
            count += 1
            first = first or time.perf_counter()
    end = time.perf_counter()
    return (first or end) - start, (count - 1) / max(end - (first or end), 1e-9), count


def local_stream(tokens: int):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, TextIteratorStreamer

    path = offline_assets.convert_smollm2()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    use_onednn_linear(model)  # as the lab's loader does on CPU

    def run():
        inputs = tokenizer.apply_chat_template(MESSAGES, add_generation_prompt=True, return_tensors="pt", return_dict=True)
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        thread = threading.Thread(target=model.generate, kwargs=dict(**inputs, streamer=streamer, max_new_tokens=tokens,
                                                                     do_sample=False))
        thread.start()
        yield from streamer
        thread.join()
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--server", choices=("auto", "llama", "transformers"), default="auto")
    args = parser.parse_args()
    port = free_port()
    proc, name, model = start_server(port, args.server)
    try:
        config = RemoteConfig(f"http://127.0.0.1:{port}/v1", model, timeout_s=120)
        local = local_stream(args.tokens)
        measure(stream_chat(config, MESSAGES, max_tokens=4, temperature=0.0))  # warm-up both
        measure(local())
        for _ in range(2):  # interleaved
            r_ttft, r_rate, r_n = measure(stream_chat(config, MESSAGES, max_tokens=args.tokens, temperature=0.0))
            l_ttft, l_rate, l_n = measure(local())
            print(f"remote {name}: first text {r_ttft:.2f} s, {r_rate:.1f} pieces/s ({r_n} pieces) | "
                  f"local transformers fp32: first text {l_ttft:.2f} s, {l_rate:.1f} pieces/s ({l_n} pieces) | "
                  f"remote/local speed {r_rate / max(l_rate, 1e-9):.2f}x")
        print("note: server and app share the same 2 busy cores here; a real deployment runs the server on its own machine")
    finally:
        proc.terminate()
        proc.wait(timeout=15)


if __name__ == "__main__":
    main()
