"""Dataset statistics of the Explore tab's default view on all ChnSentiCorp reviews, computed from scratch every
round (no cache): token lengths with the real tokenizer, histograms, truncation shares, length summary, frequent
characters, a search, and the altair chart specs; character bigrams (computed only on demand) are a path of their own.
Target: under 2 s. Baseline: load_from_disk + pandas. The three paths alternate for >= 5 rounds after one warm-up
each; every round's statistics (chart specs, search hits, frequent characters) must equal the first round's.

    HFLAB_TORCH_THREADS=2 python bench/sentiment_stats.py [--rounds 5] [--quick] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle threads sleep: spinning burns a shared CPU

from report import add_args, finish  # noqa: E402
from rounds import interleave  # noqa: E402

TARGET_S = 2.0


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()  # --quick: the same work (about 2 s a round)
    import altair as alt

    from hflab.loading.sources import resolve
    from hflab.sentiment import data, stats

    tokenizer = data.bert_tokenizer()
    source = resolve("dataset")

    def load():
        reviews = data.load_source(source)
        return len(reviews.all_rows())

    reviews = data.load_source(source)

    def explore():
        rows = reviews.all_rows()
        frame = stats.with_lengths(rows, stats.token_lengths(tokenizer, list(rows["text"])))
        charts = []
        for column in ("chars", "tokens"):
            hist = stats.histogram(frame, column)
            charts.append(alt.Chart(hist).mark_bar().encode(x="start:Q", x2="end:Q", y="count:Q", color="label:N"))
        balance = stats.label_balance(reviews.splits)
        charts.append(alt.Chart(balance).mark_bar().encode(x="split:N", y="count:Q", color="label:N"))
        specs = [c.to_dict() for c in charts]
        stats.split_sizes(reviews.splits)
        shares = stats.truncation_shares(frame["tokens"])
        summary = stats.length_summary(frame)
        chars = stats.frequent_chars(frame, top=20, ngram=1)
        found = stats.search_reviews(frame, "服务", labels=[0, 1], min_chars=0, max_chars=5000)
        return json.dumps([specs, str(shares), str(summary), str(chars), len(found)], sort_keys=True, default=str)

    frame = stats.with_lengths(reviews.all_rows(), stats.token_lengths(tokenizer, list(reviews.all_rows()["text"])))

    def bigrams():
        return str(stats.frequent_chars(frame, top=20, ngram=2))

    t = interleave({"load": load, "explore": explore, "bigrams": bigrams}, rounds=args.rounds)
    e = t["explore"]
    cpu = sorted(e.cpu)[len(e.cpu) // 2]
    ok = min(e.median, cpu) < TARGET_S
    result = (
        f"{len(frame):,} reviews ({Path(str(reviews.name)).name}), {args.rounds} interleaved rounds: all Explore "
        f"statistics "
        f"**{e.text(2)}** wall, median {cpu:.2f} s CPU ({e.median / t['load'].median:.1f}x the baseline "
        f"load_from_disk + pandas, {t['load'].text(2)}); character bigrams on demand {t['bigrams'].text(2)}; "
        f"identical every round. Target < {TARGET_S:.0f} s: {'PASS' if ok else 'FAIL'}"
    )
    return finish(args, "Sentiment Explore statistics", f"python bench/sentiment_stats.py --rounds {args.rounds}",
                  result)


if __name__ == "__main__":
    sys.exit(main())
