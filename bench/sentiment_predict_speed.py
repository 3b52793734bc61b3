"""Batch prediction speed on ChnSentiCorp test reviews: the lab's predict_proba (sorted by length, dynamic
padding, inference_mode) vs pipeline("text-classification") vs the tutorial's pad-to-512 loop, on the same model
and texts, all three at batch size 32 (the point is padding and order, not the batch size).

Fair by construction (bench/rounds.py): the pipeline is built before any timing; all three get the same warm-up
(one full untimed pass each) and alternate for >= 5 rounds, the starting path rotating. Every round, every path
must give, row for row in input order, the same predicted label as the lab and probabilities within 1e-5 of the
lab's; a mismatch fails the run.

    HFLAB_TORCH_THREADS=2 python bench/sentiment_predict_speed.py [--n 300] [--layers 2] [--rounds 5] [--model DIR]
        [--quick] [--json PATH]        (--quick: 48 reviews, 1 layer)

Without --model the model is a randomly initialised BERT of bert-base width (hidden 768, 12 heads, FFN
3072, bert-base-chinese vocab); --layers 12 is the full bert-base depth (the ratios come from padding and
batching, which depth scales equally for all three; 12 layers x 1200 reviews x 6 passes would take hours).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle threads sleep: spinning burns a shared CPU

from report import add_args, finish  # noqa: E402
from rounds import interleave, ratio  # noqa: E402

BATCH = 32
TOLERANCE = 1e-5


def tutorial_loop(model, tokenizer, texts, batch_size=BATCH, max_length=512):
    """The tutorial's way: DataLoader order, every batch padded to max_length; softmax probabilities per row."""
    import torch

    probs = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            inputs = tokenizer(texts[start : start + batch_size], truncation=True, padding="max_length",
                               max_length=max_length, return_tensors="pt")
            probs.append(torch.softmax(model(**inputs).logits.float(), dim=-1))
    return torch.cat(probs).numpy()


def pipeline_probabilities(pipe, label_ids: dict[str, int], texts, batch_size=BATCH):
    """pipeline(...)'s scores for every label, as an n x labels array in input order."""
    import numpy as np

    probs = np.zeros((len(texts), len(label_ids)), dtype=np.float32)
    for i, scores in enumerate(pipe(texts, batch_size=batch_size, truncation=True, max_length=512, top_k=None)):
        for score in scores:
            probs[i, label_ids[score["label"]]] = score["score"]
    return probs


LARGEST_GAP = [0.0]  # the largest probability difference any comparison saw


def same_predictions(a, b) -> bool:
    """Row for row: the same label and every probability within TOLERANCE."""
    import numpy as np

    if a.shape != b.shape:
        return False
    gap = float(np.abs(a - b).max())
    LARGEST_GAP[0] = max(LARGEST_GAP[0], gap)
    return bool((a.argmax(axis=1) == b.argmax(axis=1)).all()) and gap <= TOLERANCE


def main() -> int:
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--n", type=int, default=300, help="how many test reviews (the first n)")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--model", help="a trained classifier dir instead of the random bert-base-sized one")
    args = parser.parse_args()
    if args.quick:
        args.n, args.layers = min(args.n, 48), 1
    os.environ.setdefault("HFLAB_TORCH_THREADS", "2")

    import torch
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        BertConfig,
        BertForSequenceClassification,
        pipeline,
    )

    from hflab.loading.sources import resolve
    from hflab.runtime.device import configure_torch
    from hflab.sentiment import data
    from hflab.sentiment.predict import predict_proba

    configure_torch()
    reviews = data.load_source(resolve("dataset"))
    texts = list(reviews.splits["test"]["text"][: args.n])
    if args.model:
        model = AutoModelForSequenceClassification.from_pretrained(args.model).eval()
        tokenizer = AutoTokenizer.from_pretrained(args.model)
        what = args.model
    else:
        tokenizer = data.bert_tokenizer()
        torch.manual_seed(0)
        config = BertConfig(vocab_size=len(tokenizer), num_hidden_layers=args.layers, num_labels=2,
                            id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1})
        model = BertForSequenceClassification(config).eval()
        what = f"random BERT of bert-base width, {args.layers} layer(s), {model.num_parameters() / 1e6:.0f}M parameters"
    print(f"{what}; {len(texts)} reviews of {reviews.name} (test); torch threads {torch.get_num_threads()}; "
          f"load average {os.getloadavg()}", flush=True)
    pipe = pipeline("text-classification", model=model, tokenizer=tokenizer, device="cpu")  # outside the timing
    label_ids = {name: i for i, name in model.config.id2label.items()}

    paths = {"lab": lambda: predict_proba(model, tokenizer, texts, batch_size=BATCH),
             "pipeline": lambda: pipeline_probabilities(pipe, label_ids, texts),
             "pad-to-512": lambda: tutorial_loop(model, tokenizer, texts)}
    t = interleave(paths, rounds=args.rounds, same=same_predictions,
                   agree=(("lab", "pipeline"), ("lab", "pad-to-512")))
    r_pipe, r_pad = ratio(t["pipeline"], t["lab"]), ratio(t["pad-to-512"], t["lab"])
    for name in paths:
        print(f"  {name}: {t[name].text(2)} wall")
    ok_pipe, ok_pad = r_pipe[0] >= 1.5, r_pad[0] >= 4
    result = (
        f"{what}, the first {len(texts)} test reviews, batch {BATCH} for all three, {args.rounds} interleaved "
        f"rounds after one warm-up pass each: lab **{t['lab'].text(2)}**, pipeline {t['pipeline'].text(2)} "
        f"(**{r_pipe[0]:.2f}x** slower, rounds {r_pipe[1]:.2f}-{r_pipe[2]:.2f}), pad-to-512 "
        f"{t['pad-to-512'].text(2)} (**{r_pad[0]:.2f}x**, {r_pad[1]:.2f}-{r_pad[2]:.2f}). Every round, all "
        f"{len(texts)} rows in input order: identical labels, probabilities within {TOLERANCE:g}"
        + f" (largest gap {LARGEST_GAP[0]:.1e})"
        + (
            f". Targets (1.5x / 4x) not judged in --quick: {len(texts)} reviews are {-(-len(texts) // BATCH)} "
            f"batches, so sorting by length has "
            "almost nothing to reorder"
            if args.quick
            else f". Targets (1.5x / 4x): {'PASS' if ok_pipe else 'FAIL'} / {'PASS' if ok_pad else 'FAIL'}"
        )
    )
    return finish(args, "Sentiment batch prediction: lab vs pipeline vs pad-to-512",
                  f"python bench/sentiment_predict_speed.py --n {len(texts)} --layers {args.layers} "
                  f"--rounds {args.rounds}", result)


if __name__ == "__main__":
    sys.exit(main())
