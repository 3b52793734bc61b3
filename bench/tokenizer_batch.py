"""Tokenizer page: is a big batch fast enough not to freeze the page?

Baseline (same run): tokenizing the texts one call per text, as a Python loop would.
Measured: one batched `tokenizer(texts, ...)` call (Rust backend), and the page's full `encode`
(the batched call plus offsets and segment ids for every text, then the counts), and one 100k-character text.
All four paths get the same warm-up and alternate in every round; the loop's and the batched call's ids must be
identical in every round.

Run: python bench/tokenizer_batch.py [--texts 5000] [--rounds 5] [--quick] [--json PATH]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from report import add_args, finish  # noqa: E402
from rounds import interleave, ratio  # noqa: E402

from hflab.loading import offline_assets  # noqa: E402
from hflab.tokenizer.anatomy import encode  # noqa: E402
from hflab.tokenizer.counts import counts  # noqa: E402
from hflab.tokenizer.inputs import CallOptions  # noqa: E402


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--texts", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    n = 2000 if args.quick else args.texts
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(offline_assets.bert_tokenizer_dir())
    texts = [f"第{i}条评论：iPhone{i}很好用，电池能撑一整天，性价比高！" for i in range(n)]
    options = CallOptions(truncation=True, padding="max_length", max_length=64, return_special_tokens_mask=True)
    kwargs = options.kwargs()
    long_text = "今天天气很好，iPhone15很好用。" * 5000  # 100k characters

    def loop():
        return [tokenizer(text, **kwargs)["input_ids"] for text in texts]

    def batched():
        return tokenizer(texts, **kwargs)["input_ids"]

    def page():
        view = encode(tokenizer, texts, None, options)
        counts(tokenizer, view)
        return view.fields["input_ids"]

    def long():
        return encode(tokenizer, [long_text], None, CallOptions()).fields["input_ids"]

    t = interleave({"loop": loop, "batched": batched, "page": page, "long": long}, rounds=args.rounds,
                   agree=(("loop", "batched"), ("batched", "page")))
    r_batch, r_page = ratio(t["loop"], t["batched"]), ratio(t["loop"], t["page"])
    result = (
        f"{n} short reviews, {args.rounds} interleaved rounds: one call per text **{t['loop'].text(3)}**, one "
        f"batched call **{t['batched'].text(3)}** (**{r_batch[0]:.1f}x** faster, rounds "
        f"{r_batch[1]:.1f}-{r_batch[2]:.1f}), "
        f"page encode + counts (ids identical too) {t['page'].text(3)} ({r_page[0]:.2f}x the loop's speed: offsets, "
        f"segment ids and counts on top); one 100k-character "
        f"text {t['long'].text(3)}; loop and batched ids identical every round"
    )
    return finish(args, "Tokenizer: batched vs one call per text",
                  f"python bench/tokenizer_batch.py --texts {n} --rounds {args.rounds}", result)


if __name__ == "__main__":
    sys.exit(main())
