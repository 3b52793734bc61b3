"""The Tokenizer page's attention tab on a bert-base-chinese-shaped BERT (random weights: none exist offline),
against a plain SDPA forward pass of the same 64 tokens in the same run.

Timed per run (median of 5, after one warm-up): encode with the cap, the eager pass with attentions, axis
labels, per-head summaries and both chart specs. Prints seconds and the ratio to the plain forward pass.
Usage: python bench/attention_tab.py [--threads 2]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXT = "这家酒店的位置很好，离地铁站很近，房间也比较干净，服务员态度热情，早餐种类丰富，下次还会再来。" * 3


def median_seconds(work, runs: int = 5) -> float:
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    from components import attention_chart as chart
    from hflab import attention, offline_assets

    torch.set_num_threads(args.threads)
    tokenizer = BertTokenizerFast(vocab=str(offline_assets.bert_vocab_file()))
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(vocab_size=len(tokenizer))).eval()
    words = {w: w for w in ("query", "key", "weight", "head")}

    def tab() -> None:
        encoded, _ = attention.encode_capped(tokenizer, TEXT, None, attention.token_limit(model))
        maps = attention.attention_maps(model, encoded.input_ids, encoded.token_type_ids)
        labels = attention.axis_labels(tokenizer, encoded.input_ids)
        attention.head_summaries(maps, encoded.input_ids, tokenizer.cls_token_id, tokenizer.sep_token_id)
        chart.heatmap(maps[0, 0], labels, words)
        chart.small_multiples(maps[0], labels, words)

    ids = torch.tensor([attention.encode_capped(tokenizer, TEXT)[0].input_ids])

    def plain() -> None:
        with torch.no_grad():
            model(input_ids=ids)

    baseline, measured = median_seconds(plain), median_seconds(tab)
    print(f"{args.threads} threads, {ids.shape[1]} tokens: plain SDPA forward {baseline:.3f} s, "
          f"attention tab {measured:.3f} s ({measured / baseline:.2f}x)")


if __name__ == "__main__":
    main()
