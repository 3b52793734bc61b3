"""Decode speed against the physical limit: memory READ bandwidth.

Decoding one token reads every weight once, so tokens/s <= read bandwidth / bytes of weights read per token.
The read bandwidth is measured as a large reduction (torch.sum over a 1 GiB fp32 tensor, far larger than the
caches, all threads); a large copy (read + write bytes) is shown beside it. A Qwen2-0.5B-sized model with random
weights (the real Qwen2-0.5B-Instruct config) decodes greedily, every path against the bound of its own weight
width (bytes read per token at that width):
- fp32: `generate` with torch's default matmul (MKL) and with the large layers on oneDNN (hflab.runtime.onednn_linear,
  what the lab's loader does on non-Intel CPUs), the lean loop (decode_speed.greedy_decode), and the fused
  loop (fuse_projections + fast_greedy_decode: q/k/v and gate/up each one product, static KV cache) on MKL and
  on oneDNN;
- fp16 and int8 Linear weights as the lab's loader makes them (hflab.runtime.quantize.quantize_for_decoding; int8 q/k/v
  and gate/up as one shared product each, hflab.runtime.int8_rows): `generate`, the lean loop and the fused loop on
  int8.
The decode rate is that of the decode steps alone, as llama.cpp reports "eval" apart from "prompt eval": each
round times the path for 1 new token (the 16-token prompt's forward, which gives the first token) and for N new
tokens back to back, and the N - 1 decode steps take the difference. The end-to-end rate (N / time of the whole
N-token call, the prompt's forward included) is shown beside it.
All paths run in >= 5 interleaved rounds (bench/rounds.py `interleave`, starting path rotating); the tokens of
every fp32 path must be identical to each other every round, as must the int8 paths', fp16 identical to its own
first round (and each 1-token run to the first token of its N-token run), else the script exits nonzero.
Headline: median (range) of the rounds; each round's share of the bound uses that round's read bandwidth. The
targets are judged on the app's own path (`generate` at each width, fp32 on the backend the lab's loader picks on this
CPU); the other paths (lean and fused loops, the other fp32 backend) are shown as what the hardware allows, not judged.
Usage: python bench/decode_bound.py [--tokens 24] [--rounds 5] [--quick] [--json PATH]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import decode_speed  # noqa: E402
import torch  # noqa: E402
from decode_speed import greedy_decode  # noqa: E402
from transformers import Qwen2Config, Qwen2ForCausalLM  # noqa: E402

from bench.report import add_args, finish  # noqa: E402
from bench.rounds import interleave, spread, with_extras  # noqa: E402
from hflab.runtime.onednn_linear import revert, use_onednn_linear  # noqa: E402
from hflab.runtime.quantize import packed_bytes, quantize_for_decoding  # noqa: E402

QWEN2_05B = dict(hidden_size=896, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                 intermediate_size=4864, vocab_size=151936, tie_word_embeddings=True, max_position_embeddings=32768)
TARGET_FP32, TARGET_INT8 = 0.80, 0.60  # median share of each width's own read-bandwidth bound
READ_BYTES, COPY_BYTES = 1 << 30, 1 << 29  # 1 GiB summed; 512 MiB copied (1 GiB moved)


def bytes_read_per_token(model) -> int:
    """Weight bytes one decode step reads: every layer and the LM head, but only one row of the embedding table."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    from hflab.runtime.int8_rows import groups_of

    seen: set[int] = set()
    total = sum(group.nbytes for group in groups_of(model))  # shared int8 products, each read once
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


def random_model(**overrides) -> Qwen2ForCausalLM:
    """Qwen2-0.5B-sized model (config keys in `overrides` replaced); weights drawn in place (much faster than the
    default init)."""
    with torch.device("meta"):
        model = Qwen2ForCausalLM(Qwen2Config(**{**QWEN2_05B, **overrides}))
    model = model.to_empty(device="cpu")
    model.tie_weights()  # to_empty gives the tied LM head its own storage; share it again as the real model does
    # to_empty leaves buffers uninitialised: garbage rotary frequencies, at times NaN (int8 then fails to quantize)
    model.model.rotary_emb = type(model.model.rotary_emb)(config=model.config)
    torch.manual_seed(0)
    for p in model.parameters():
        p.data.normal_(0, 0.02)
    return model.eval()


def app_paths() -> dict[str, str]:
    """The path the app decodes on, per width: `generate`, with the large fp32 layers on oneDNN exactly where the
    lab's loader puts them (hflab.runtime.onednn_linear.route with the HFLAB_ONEDNN_LINEAR setting) on this CPU."""
    from hflab.runtime import onednn_linear
    from hflab.settings import get_settings

    mode = get_settings().onednn_linear
    onednn = mode == "on" or (mode == "auto" and onednn_linear.preferred())
    return {"fp32": f"generate fp32 ({'oneDNN' if onednn else 'MKL'})", "fp16": "generate fp16",
            "int8": "generate int8"}


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--tokens", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    tokens = 8 if args.quick else args.tokens
    rounds = max(args.rounds, 5)
    torch.set_num_threads(args.threads)

    model = random_model()
    fp32_bytes = bytes_read_per_token(model)
    fp16 = quantize_for_decoding(model, "fp16")
    int8 = quantize_for_decoding(model, "int8")  # as the lab's loader: q/k/v and gate/up as shared int8 products
    decode_speed.fuse_projections(model)  # in place: the layers' weights become views, every other path unchanged
    decode_speed.fuse_projections(int8)  # the fused loop takes the shared int8 products as they are
    widths = {"fp32": fp32_bytes, "fp16": bytes_read_per_token(fp16), "int8": bytes_read_per_token(int8)}
    assert bytes_read_per_token(model) == fp32_bytes
    prompt = torch.randint(0, QWEN2_05B["vocab_size"], (1, 16), generator=torch.Generator().manual_seed(1))
    big = torch.ones(READ_BYTES // 4)
    src, dst = torch.ones(COPY_BYTES // 4), torch.empty(COPY_BYTES // 4)

    def generate(m, n):
        return m.generate(prompt, max_new_tokens=n, min_new_tokens=n, do_sample=False, pad_token_id=0)

    def timed(run, onednn: bool | None = None):
        """A path: `run(n)` for 1 and for `tokens` new tokens; keeps both durations (fp32: on oneDNN or MKL)."""
        def path():
            if onednn is not None:
                (use_onednn_linear if onednn else revert)(model)
            with torch.inference_mode():
                start = time.perf_counter()
                first = run(1)
                middle = time.perf_counter()
                out = run(tokens)
                end = time.perf_counter()
            assert torch.equal(first, out[:, :prompt.shape[1] + 1]), "the 1-token run's token differs"
            return with_extras(out, first_s=middle - start, full_s=end - middle)
        return path

    def products_alone(m, onednn: bool | None = None):
        """The fused loop's matrix products of `tokens - 1` decode steps and nothing else (no attention, norms,
        cache) on fixed inputs: the share of the bound the kernels themselves allow."""
        layers, head = decode_speed.decode_products(m, onednn)
        hidden = torch.randn(1, 1, QWEN2_05B["hidden_size"], generator=torch.Generator().manual_seed(2))
        inner = torch.randn(1, 1, QWEN2_05B["intermediate_size"], generator=torch.Generator().manual_seed(3))

        def path():
            if onednn is not None:
                (use_onednn_linear if onednn else revert)(model)
            with torch.inference_mode():
                for _ in range(tokens - 1):
                    for product in layers:
                        product.qkv(hidden), product.o(hidden), product.gate_up(hidden), product.down(inner)
                    out = head(hidden)
            return out
        return path

    def read():
        return float(big.sum())  # a sum of ones: the same value every round

    def copy():
        dst.copy_(src)

    fast = decode_speed.fast_greedy_decode
    paths = {
        "read bandwidth": read,
        "copy bandwidth": copy,
        "generate fp32 (MKL)": timed(lambda n: generate(model, n), onednn=False),
        "generate fp32 (oneDNN)": timed(lambda n: generate(model, n), onednn=True),
        "lean loop fp32 (MKL)": timed(lambda n: greedy_decode(model, prompt, n), onednn=False),
        "fused loop fp32 (MKL)": timed(lambda n: fast(model, prompt, n, onednn=False), onednn=False),
        "fused loop fp32 (oneDNN)": timed(lambda n: fast(model, prompt, n, onednn=True), onednn=True),
        "generate fp16": timed(lambda n: generate(fp16, n)),
        "generate int8": timed(lambda n: generate(int8, n)),
        "lean loop int8": timed(lambda n: greedy_decode(int8, prompt, n)),
        "fused loop int8": timed(lambda n: fast(int8, prompt, n)),
        "products alone fp32 (MKL)": products_alone(model, onednn=False),
        "products alone int8": products_alone(int8),
    }
    width_of = {name: next(w for w in widths if w in name) for name in paths
                if "bandwidth" not in name and "alone" not in name}
    ceiling_of = {name: next(w for w in widths if w in name) for name in paths if "alone" in name}
    agree = tuple((names[0], other) for width in ("fp32", "int8")
                  for names in [[n for n, w in width_of.items() if w == width]] for other in names[1:])
    timings = interleave(paths, rounds=rounds, warmup=1, agree=agree)

    read_bw = [READ_BYTES / s for s in timings["read bandwidth"].seconds]
    copy_bw = [2 * COPY_BYTES / s for s in timings["copy bandwidth"].seconds]
    lines = [f"threads {args.threads}, {tokens} new tokens x {rounds} interleaved rounds, "
             f"load average {tuple(round(x, 1) for x in os.getloadavg())}",
             f"read bandwidth (sum of 1 GiB fp32): {spread([b / 1e9 for b in read_bw], 1)} GB/s; "
             f"copy (read + write): {spread([b / 1e9 for b in copy_bw], 1)} GB/s",
             "weights read per token: " + ", ".join(f"{w} {b / 1e9:.3f} GB" for w, b in widths.items())
             + " (int8 keeps the MLP down projections in fp16; the embedding is only looked up)",
             "read-bandwidth bound: " + ", ".join(f"{w} {statistics.median(read_bw) / b:.2f} tok/s"
                                                  for w, b in widths.items())]
    def end_to_end(timing) -> list[float]:
        return [tokens / full for full in timing.extras["full_s"]]

    decode: dict[str, list[float]] = {}
    share: dict[str, list[float]] = {}
    for name, width in width_of.items():
        extras = timings[name].extras
        decode[name] = [(tokens - 1) / (full - first) for full, first in zip(extras["full_s"], extras["first_s"])]
        share[name] = [rate / (bw / widths[width]) for rate, bw in zip(decode[name], read_bw)]
        lines.append(f"{name:26s} decode {spread(decode[name])} tok/s = {spread([100 * x for x in share[name]], 0)}% "
                     f"of the {width} bound; end to end {spread(end_to_end(timings[name]))} tok/s")
    ceiling: dict[str, list[float]] = {}
    for name, width in ceiling_of.items():
        rates = [(tokens - 1) / sec for sec in timings[name].seconds]
        ceiling[name] = [rate / (bw / widths[width]) for rate, bw in zip(rates, read_bw)]
        lines.append(f"{name:26s} {spread(rates)} steps/s = {spread([100 * x for x in ceiling[name]], 0)}% of the "
                     f"{width} bound (the ceiling the kernels allow)")
    lines.append("tokens identical: every fp32 path to each other every round, every int8 path too; fp16 every round")
    print("\n".join(lines))

    app = app_paths()
    pass32 = statistics.median(share[app["fp32"]]) >= TARGET_FP32
    pass8 = statistics.median(share[app["int8"]]) >= TARGET_INT8

    def cell(name: str) -> str:
        return (f"{name} decode **{spread(decode[name])} tok/s**, {spread([100 * x for x in share[name]], 0)}% of "
                f"its bound (end to end {spread(end_to_end(timings[name]))})")

    def fastest(width: str) -> str:
        return max((n for n, w in width_of.items() if w == width), key=lambda n: statistics.median(share[n]))

    others = ", ".join(f"{n} {statistics.median(decode[n]):.2f} ({statistics.median(share[n]) * 100:.0f}%)"
                       for n in width_of if n not in app.values())
    ceilings = ", ".join(f"{n} {statistics.median(c) * 100:.0f}%" for n, c in ceiling.items())
    result = (f"read {spread([b / 1e9 for b in read_bw], 1)} GB/s (copy {spread([b / 1e9 for b in copy_bw], 1)}); "
              f"bytes/token fp32 {widths['fp32'] / 1e9:.2f} GB, fp16 {widths['fp16'] / 1e9:.2f}, "
              f"int8 {widths['int8'] / 1e9:.2f}; the app's path (`generate`, fp32 layers on "
              f"{'oneDNN' if 'oneDNN' in app['fp32'] else 'MKL'} as the lab's loader picks on this CPU): "
              + "; ".join(cell(app[w]) for w in ("fp32", "fp16", "int8"))
              + f"; benchmark-only paths' decode tok/s (median, share of the bound): {others} (fastest fp32: "
              f"{fastest('fp32')}, int8: {fastest('int8')}); one step's matrix products with nothing else "
              f"(the kernels' ceiling, share of the bound): {ceilings}; decode = the {tokens - 1} steps after the "
              f"prompt's forward, end to end = {tokens} tokens / the whole call with the 16-token prompt; "
              f"tokens identical across all fp32 paths and across all int8 paths every round. "
              f"Targets judged on the app's path: fp32 >= {TARGET_FP32:.0%}: {'PASS' if pass32 else 'FAIL'}, "
              f"int8 >= {TARGET_INT8:.0%}: {'PASS' if pass8 else 'FAIL'} ({tokens} tokens x {rounds} rounds)")
    ok = pass32 and pass8
    return finish(args, "decode vs read-bandwidth bound (Qwen2-0.5B-sized, fp32 / fp16 / int8)",
                  "python bench/decode_bound.py" + (" --quick" if args.quick else ""), result, ok)


if __name__ == "__main__":
    sys.exit(main())
