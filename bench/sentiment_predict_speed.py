"""Batch prediction speed on ChnSentiCorp test reviews: the lab's predict_proba (sorted by length, dynamic
padding, inference_mode) vs pipeline("text-classification", batch_size=32) vs the tutorial's pad-to-512
loop, on the same model and texts; predictions must be identical.

    HFLAB_TORCH_THREADS=2 python bench/sentiment_predict_speed.py [--n 1200] [--layers 12] [--model DIR]

Without --model the model is a randomly initialised BERT of bert-base width (hidden 768, 12 heads, FFN
3072, bert-base-chinese vocab); --layers 12 is the full bert-base depth (use fewer on a shared CPU: the
ratios come from padding and batching, which depth scales equally for all three).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle threads sleep: spinning burns a shared CPU


def tutorial_loop(model, tokenizer, texts, batch_size=16, max_length=512):
    """The tutorial's way: DataLoader order, every batch padded to max_length."""
    import torch

    preds = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            inputs = tokenizer(texts[start : start + batch_size], truncation=True, padding="max_length",
                               max_length=max_length, return_tensors="pt")
            preds += model(**inputs).logits.argmax(dim=-1).tolist()
    return preds


def pipeline_predictions(model, tokenizer, texts, batch_size=32):
    from transformers import pipeline

    pipe = pipeline("text-classification", model=model, tokenizer=tokenizer, device="cpu")
    ids = {name: i for i, name in model.config.id2label.items()}
    return [ids[out["label"]] for out in pipe(texts, batch_size=batch_size, truncation=True, max_length=512)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1200, help="how many test reviews (the first n)")
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--model", help="a trained classifier dir instead of the random bert-base-sized one")
    args = parser.parse_args()
    os.environ.setdefault("HFLAB_TORCH_THREADS", "2")

    import torch
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        BertConfig,
        BertForSequenceClassification,
    )

    from hflab.loading import configure_torch
    from hflab.sentiment import data
    from hflab.sentiment.predict import predict_proba
    from hflab.sources import resolve

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
        what = f"random BERT, bert-base width, {args.layers} layers, {model.num_parameters() / 1e6:.0f}M parameters"
    print(f"{what}; {len(texts)} reviews of {reviews.name} (test); torch threads {torch.get_num_threads()}; "
          f"load average {os.getloadavg()}", flush=True)
    predict_proba(model, tokenizer, texts[:4])  # warm-up

    timings, cpu, predictions = {}, {}, {}
    runs = (("lab: sorted + dynamic padding + inference_mode",
             lambda: predict_proba(model, tokenizer, texts, batch_size=32).argmax(axis=1).tolist()),
            ('pipeline("text-classification"), batch_size=32', lambda: pipeline_predictions(model, tokenizer, texts)),
            ("tutorial loop, padding to 512", lambda: tutorial_loop(model, tokenizer, texts)))
    for name, run in runs:
        start, cpu_start = time.perf_counter(), time.process_time()
        predictions[name] = run()
        timings[name], cpu[name] = time.perf_counter() - start, time.process_time() - cpu_start
        print(f"  {name}: {timings[name]:.1f} s wall, {cpu[name]:.1f} s CPU", flush=True)
    lab = runs[0][0]
    for name, _ in runs[1:]:
        same = sum(a == b for a, b in zip(predictions[lab], predictions[name]))
        # wall time on a shared CPU drifts with the neighbours' load; CPU time is the steadier ratio
        print(f"lab is {timings[name] / timings[lab]:.2f}x (wall) / {cpu[name] / cpu[lab]:.2f}x (CPU) faster than "
              f"{name}; identical predictions {same}/{len(texts)}")
    print(f"load average now {os.getloadavg()}")


if __name__ == "__main__":
    main()
