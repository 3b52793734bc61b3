"""Streaming overhead of the image story page: tokens/s through the page's streaming path vs plain `generate`.

The page path is exactly what app_pages/image_story.py runs: `stream_local` (TextIteratorStreamer fed by
`generate` in a thread) -> `cut_at_sentence` -> `markdown_lines`, consumed chunk by chunk as
st.write_stream does. The baseline is `model.generate` of the same prompt and the same number of
greedy tokens, measured in the same process; plain, streamed and a 1-token `generate` (the time-to-first-token
baseline) get the same warm-up and interleave for >= 5 rounds (bench/rounds.py), the streamed text must equal the
plain text (escaped alike) in every round. The model is a random Qwen2 with Qwen2-0.5B's shapes (about 494M
parameters, fp32 on CPU).

    python bench/story_streaming.py [--tokens 24] [--rounds 5] [--quick] [--json PATH]   (--quick: 8 tokens)
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from report import add_args, finish  # noqa: E402
from rounds import interleave, ratio, spread, with_extras  # noqa: E402

CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
VOCAB = 151936
CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0xF900, 0xFAFF))


def build_tokenizer():
    """A word-level tokenizer over Qwen2's vocabulary size: CJK characters first, so decoding looks like Chinese."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    pieces = [chr(c) for lo, hi in CJK_RANGES for c in range(lo, hi + 1)]
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<unk>"]
    vocab = {tok: i for i, tok in enumerate(specials + pieces)}
    for i in range(len(vocab), VOCAB):
        vocab[f"t{i}"] = i
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(pattern="", behavior="isolated")
    tok.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                        unk_token="<unk>")
    tokenizer.chat_template = CHATML
    return tokenizer


def build_model(tokenizer):
    """Random Qwen2 with Qwen2-0.5B-Instruct's shapes; no end-of-sequence token so every run makes N tokens."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=VOCAB, hidden_size=896, num_hidden_layers=24, num_attention_heads=14,
                         num_key_value_heads=2, intermediate_size=4864, max_position_embeddings=32768,
                         rope_theta=1_000_000.0, tie_word_embeddings=True, pad_token_id=tokenizer.pad_token_id,
                         bos_token_id=None, eos_token_id=None)
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).eval()
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model


def main() -> int:
    parser = add_args(argparse.ArgumentParser(description=__doc__.split("\n")[0]))
    parser.add_argument("--tokens", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.quick:
        args.tokens = min(args.tokens, 8)

    import torch

    from components.escape import markdown_lines
    from hflab.story.writer import StorySettings, build_messages, cut_at_sentence, stream_local

    torch.set_num_threads(int(os.environ.get("HFLAB_TORCH_THREADS", os.cpu_count() or 1)))
    start = time.perf_counter()
    tokenizer = build_tokenizer()
    model = build_model(tokenizer)
    params = sum(p.numel() for p in model.parameters())
    print(f"model: random Qwen2, {params / 1e6:.0f}M parameters, fp32, {torch.get_num_threads()} threads "
          f"(built in {time.perf_counter() - start:.1f} s)")

    messages = build_messages("温馨", "一只猫坐在窗台上看雨", 1000)
    settings = StorySettings(creativity=0, repetition_penalty=1.0, max_new_tokens=args.tokens, target_chars=10_000)
    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    prompt_len = inputs["input_ids"].shape[1]
    lock = threading.RLock()

    def plain() -> str:
        with torch.inference_mode():
            out = model.generate(**inputs, **settings.generate_kwargs())
        assert out.shape[1] - prompt_len == args.tokens
        return markdown_lines(tokenizer.decode(out[0, prompt_len:], skip_special_tokens=True))

    def first_token_plain() -> list[int]:
        with torch.inference_mode():
            return model.generate(**inputs, **{**settings.generate_kwargs(), "max_new_tokens": 1})[0].tolist()

    def streamed() -> with_extras:
        t0 = time.perf_counter()
        first = None
        shown = []
        for chunk in cut_at_sentence(stream_local(model, tokenizer, lock, messages, settings), settings.target_chars):
            if first is None and chunk:
                first = time.perf_counter() - t0
            shown.append(markdown_lines(chunk))  # what st.write_stream receives
        return with_extras("".join(shown), ttft=first or float("nan"))

    # the streamer's own cost (decode + queue) per token, timed inside generate's thread: contention-free evidence
    from transformers import TextIteratorStreamer

    put_seconds = []
    original_put = TextIteratorStreamer.put

    def timed_put(self, value):
        t0 = time.perf_counter()
        original_put(self, value)
        put_seconds.append(time.perf_counter() - t0)

    TextIteratorStreamer.put = timed_put
    t = interleave({"plain": plain, "streamed": streamed, "first token": first_token_plain}, rounds=args.rounds,
                   agree=(("plain", "streamed"),))
    n = args.tokens
    plain_t, stream_t, first_t = t["plain"], t["streamed"], t["first token"]
    speed = ratio(plain_t, stream_t)  # streamed tokens/s over plain tokens/s, round by round
    ttft = stream_t.extras["ttft"]
    plain_tps, stream_tps = plain_t.rate(n), stream_t.rate(n)
    # decode only (prefill and first token removed), so the prompt's cost does not hide streaming overhead
    plain_decode = (n - 1) / (plain_t.median - first_t.median)
    stream_decode = (n - 1) / (stream_t.median - statistics.median(ttft))
    decode_ratios = [(p_s - f_s) / (s_s - tt) for p_s, f_s, s_s, tt in
                     zip(plain_t.seconds, first_t.seconds, stream_t.seconds, ttft)]  # round by round, as `speed`
    per_token = sum(put_seconds) / max(1, len(put_seconds))
    print(f"prompt {prompt_len} tokens, {n} new tokens (greedy), {args.rounds} interleaved rounds, medians (ranges):")
    print(f"  plain model.generate : {plain_tps[0]:6.2f} tokens/s  ({plain_t.text(2)})")
    print(f"  page streaming path  : {stream_tps[0]:6.2f} tokens/s  ({stream_t.text(2)})")
    print(f"  ratio streaming/plain: {speed[0]:.3f}x ({speed[1]:.3f}-{speed[2]:.3f})")
    print(f"  time to first token  : streamed {spread(ttft)} s; plain generate of 1 token {first_t.text(2)}")
    print(f"  streamer cost        : {per_token * 1000:.2f} ms per token ({len(put_seconds)} calls)")
    print(f"  decode only          : plain {plain_decode:.2f} tokens/s, streamed {stream_decode:.2f} tokens/s")
    ok = speed[0] >= 0.95
    result = (f"{n} greedy tokens after a {prompt_len}-token prompt, {args.rounds} interleaved rounds, streamed text "
              f"identical to `generate`'s every round: streaming path {stream_tps[0]:.2f} tok/s vs `generate` "
              f"{plain_tps[0]:.2f} tok/s: **{speed[0]:.3f}x** (rounds {speed[1]:.3f}-{speed[2]:.3f}; target >= 0.95x: "
              f"{'PASS' if ok else 'FAIL'}); first visible chunk {spread(ttft)} s vs `generate` of 1 token "
              f"{first_t.text(2)}; decode only (the {n - 1} tokens after the first, so the prompt's forward does not "
              f"hide the streaming cost): streaming {stream_decode:.2f} tok/s vs `generate` {plain_decode:.2f} tok/s, "
              f"**{statistics.median(decode_ratios):.3f}x** (rounds {min(decode_ratios):.3f}-{max(decode_ratios):.3f}; "
              f"not judged); the streamer's own cost {per_token * 1000:.2f} ms per token")
    return finish(args, "Story page: streaming path vs generate",
                  f"python bench/story_streaming.py --tokens {n} --rounds {args.rounds}", result)


if __name__ == "__main__":
    sys.exit(main())
