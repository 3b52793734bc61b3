"""Tokenizer page: is a big batch fast enough not to freeze the page?

Baseline (same run): tokenizing the texts one call per text, as a Python loop would.
Measured: one batched `tokenizer(texts, ...)` call (Rust backend), and the page's full `encode`
(the batched call plus offsets and segment ids for every text, then the counts). Prints ratios.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hflab import offline_assets  # noqa: E402
from hflab.tokenizer.anatomy import encode  # noqa: E402
from hflab.tokenizer.counts import counts  # noqa: E402
from hflab.tokenizer.inputs import CallOptions  # noqa: E402


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(offline_assets.bert_tokenizer_dir())
    texts = [f"第{i}条评论：iPhone{i}很好用，电池能撑一整天，性价比高！" for i in range(5000)]
    options = CallOptions(truncation=True, padding="max_length", max_length=64, return_special_tokens_mask=True)
    kwargs = options.kwargs()
    loop = best_of(lambda: [tokenizer(text, **kwargs) for text in texts], repeats=1)
    batched = best_of(lambda: tokenizer(texts, **kwargs))
    page = best_of(lambda: counts(tokenizer, encode(tokenizer, texts, None, options)))
    long_text = "今天天气很好，iPhone15很好用。" * 5000  # 100k characters
    long = best_of(lambda: encode(tokenizer, [long_text], None, CallOptions()))
    print(f"5000 texts, one call per text (baseline): {loop:.3f} s")
    print(f"5000 texts, one batched call:             {batched:.3f} s  ({loop / batched:.1f}x faster)")
    print(f"5000 texts, page encode + counts:        {page:.3f} s  ({loop / page:.1f}x faster than baseline)")
    print(f"one 100k-character text, page encode:     {long:.3f} s  ({long / batched:.2f}x the batched call)")


if __name__ == "__main__":
    main()
