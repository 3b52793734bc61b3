"""Streaming overhead of the image story page: tokens/s through the page's streaming path vs plain `generate`.

The page path is exactly what app_pages/image_story.py runs: `stream_local` (TextIteratorStreamer fed by
`generate` in a thread) -> `cut_at_sentence` -> `markdown_lines`, consumed chunk by chunk as
st.write_stream does. The baseline is `model.generate` of the same prompt and the same number of
greedy tokens, measured in the same process, alternating with the streamed runs. The model is a
random Qwen2 with Qwen2-0.5B's shapes (about 494M parameters, fp32 on CPU).

    python bench/story_streaming.py [--tokens 24] [--repeats 2]
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

CHATML = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
          "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

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

    def plain() -> tuple[float, str]:
        t0 = time.perf_counter()
        with torch.inference_mode():
            out = model.generate(**inputs, **settings.generate_kwargs())
        seconds = time.perf_counter() - t0
        assert out.shape[1] - prompt_len == args.tokens
        return seconds, tokenizer.decode(out[0, prompt_len:], skip_special_tokens=True)

    def first_token_plain() -> float:
        t0 = time.perf_counter()
        with torch.inference_mode():
            model.generate(**inputs, **{**settings.generate_kwargs(), "max_new_tokens": 1})
        return time.perf_counter() - t0

    def streamed() -> tuple[float, float, str]:
        t0 = time.perf_counter()
        first = None
        shown = []
        for chunk in cut_at_sentence(stream_local(model, tokenizer, lock, messages, settings), settings.target_chars):
            if first is None and chunk:
                first = time.perf_counter() - t0
            shown.append(markdown_lines(chunk))  # what st.write_stream receives
        return time.perf_counter() - t0, first or float("nan"), "".join(shown)

    # the streamer's own cost (decode + queue) per token, timed inside generate's thread: contention-free evidence
    from transformers import TextIteratorStreamer

    put_seconds = []
    original_put = TextIteratorStreamer.put

    def timed_put(self, value):
        t0 = time.perf_counter()
        original_put(self, value)
        put_seconds.append(time.perf_counter() - t0)

    TextIteratorStreamer.put = timed_put
    plain()  # warm-up (allocations, kernels)
    plain_s, stream_s, ttft_stream, ttft_plain = [], [], [], []
    for _ in range(args.repeats):
        seconds, text_plain = plain()
        plain_s.append(seconds)
        seconds, ttft, text_stream = streamed()
        stream_s.append(seconds)
        ttft_stream.append(ttft)
        ttft_plain.append(first_token_plain())
    assert text_stream == markdown_lines(text_plain), "the streamed tokens differ from plain generate"

    n = args.tokens
    plain_tps = n / min(plain_s)
    stream_tps = n / min(stream_s)
    print(f"prompt {prompt_len} tokens, {n} new tokens (greedy), {args.repeats} alternating runs each, best run:")
    print(f"  plain model.generate : {plain_tps:6.2f} tokens/s  (runs: {', '.join(f'{s:.2f}' for s in plain_s)} s)")
    print(f"  page streaming path  : {stream_tps:6.2f} tokens/s  (runs: {', '.join(f'{s:.2f}' for s in stream_s)} s)")
    print(f"  ratio streaming/plain: {stream_tps / plain_tps:.3f}x (median runs: "
          f"{statistics.median(plain_s) / statistics.median(stream_s):.3f}x)")
    print(f"  time to first token  : streamed {min(ttft_stream):.2f} s (first visible chunk); "
          f"plain generate of 1 token {min(ttft_plain):.2f} s")
    # decode only (prefill and first token removed), so the prompt's cost does not hide streaming overhead
    plain_decode = (n - 1) / (min(plain_s) - min(ttft_plain))
    stream_decode = (n - 1) / (min(stream_s) - min(ttft_stream))
    per_token = sum(put_seconds) / max(1, len(put_seconds))
    print(f"  streamer cost        : {per_token * 1000:.2f} ms per token (decode + queue, {len(put_seconds)} calls) = "
          f"{per_token * stream_tps * 100:.2f} % of a streamed token's time")
    print(f"  decode only          : plain {plain_decode:.2f} tokens/s, streamed {stream_decode:.2f} tokens/s, "
          f"ratio {stream_decode / plain_decode:.3f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
