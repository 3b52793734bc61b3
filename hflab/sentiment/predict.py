"""Batch prediction: sorted by length, dynamically padded, under torch.inference_mode."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from hflab.sentiment.batching import MAX_BATCH_TOKENS, encode_reviews, pad_batch, sorted_batches

Progress = Callable[[int, int], None]  # (done, total)


def predict_proba(model, tokenizer, texts: Sequence[str], batch_size: int = 64, max_length: int = 512,
                  progress: Progress | None = None, max_tokens: int = MAX_BATCH_TOKENS) -> np.ndarray:
    """Softmax probabilities, one row per text in input order (shape n x num_labels); batches of at most
    `batch_size` rows and `max_tokens` padded tokens."""
    import torch

    ids = encode_reviews(tokenizer, texts, max_length)
    probs = np.zeros((len(ids), model.config.num_labels), dtype=np.float32)
    device = next(model.parameters()).device
    done = 0
    with torch.inference_mode():
        for batch in sorted_batches([len(r) for r in ids], batch_size, max_tokens):
            inputs = pad_batch([ids[i] for i in batch], tokenizer.pad_token_id)
            logits = model(**{k: v.to(device) for k, v in inputs.items()}).logits
            probs[batch] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
            done += len(batch)
            if progress:
                progress(done, len(ids))
    return probs
