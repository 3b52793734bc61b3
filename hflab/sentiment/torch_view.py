"""The tutorial's PyTorch Dataset + DataLoader, live: one batch with dynamic padding or padding to max_length."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


class ReviewDataset:
    """The tutorial's `Dataset`: item i is (text, label). Subclassed from torch's Dataset lazily."""

    def __new__(cls, df: pd.DataFrame):
        import torch

        class _ReviewDataset(torch.utils.data.Dataset):
            def __init__(self, frame: pd.DataFrame):
                self.texts, self.labels = list(frame["text"]), list(frame["label"])

            def __len__(self) -> int:
                return len(self.texts)

            def __getitem__(self, i: int):
                return self.texts[i], self.labels[i]

        return _ReviewDataset(df)


def make_collate(tokenizer, max_length: int, padding: str):
    """The tutorial's collate_fn (`padding` is "longest" for dynamic padding or "max_length")."""
    import torch

    def collate_fn(data):
        texts = [text for text, _ in data]
        labels = [label for _, label in data]
        encoded = tokenizer(texts, truncation=True, padding=padding, max_length=max_length, return_tensors="pt")
        return encoded["input_ids"], encoded["attention_mask"], encoded["token_type_ids"], torch.LongTensor(labels)

    return collate_fn


@dataclass
class BatchView:
    """One batch from the DataLoader and how much of it is padding."""

    input_ids: object
    attention_mask: object
    token_type_ids: object
    labels: object
    texts: list[str]

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.input_ids.shape)

    @property
    def pad_tokens(self) -> int:
        return int((self.attention_mask == 0).sum())

    @property
    def total_tokens(self) -> int:
        return int(self.attention_mask.numel())


def first_batch(
    df: pd.DataFrame, tokenizer, batch_size: int, max_length: int, padding: str, seed: int = 0
) -> BatchView:
    """The first batch of a shuffled DataLoader (same seed, same reviews for both padding modes)."""
    import torch

    collate = make_collate(tokenizer, max_length, padding)
    seen: list[str] = []

    def collate_and_remember(data):
        seen.extend(text for text, _ in data)
        return collate(data)

    loader = torch.utils.data.DataLoader(ReviewDataset(df), batch_size=batch_size, shuffle=True, drop_last=False,
                                         collate_fn=collate_and_remember,
                                         generator=torch.Generator().manual_seed(seed))
    input_ids, attention_mask, token_type_ids, labels = next(iter(loader))
    return BatchView(input_ids, attention_mask, token_type_ids, labels, seen)
