"""The tutorial's PyTorch Dataset, which tokenizes in `__getitem__` with padding="max_length" and
`squeeze(0)`, next to a collate_fn with dynamic padding; how many pad tokens one batch of each holds."""
from __future__ import annotations

from dataclasses import dataclass

from hflab.sentiment.torch_view import make_collate

TUTORIAL_MAX_LENGTH = 128
TUTORIAL_BATCH_SIZE = 32


def tutorial_torch_dataset(texts: list[str], labels: list[int], tokenizer, max_length: int = TUTORIAL_MAX_LENGTH):
    """The tutorial's `Mydataset`: item i is the tokenized review, padded to `max_length`, as 1-D tensors."""
    from torch.utils.data import Dataset

    class Mydataset(Dataset):
        def __len__(self) -> int:
            return len(texts)

        def __getitem__(self, item: int) -> dict:
            out = tokenizer(text=texts[item], truncation=True, padding="max_length", max_length=max_length,
                            return_tensors="pt")
            # the tokenizer returns [1, max_length]; the DataLoader adds the batch dimension itself
            return {"input_ids": out["input_ids"].squeeze(0), "attention_mask": out["attention_mask"].squeeze(0),
                    "label": labels[item]}

    return Mydataset()


@dataclass(frozen=True)
class BatchStats:
    """One batch: its input_ids shape and how many of its tokens are padding."""

    shape: tuple[int, int]
    pad_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.shape[0] * self.shape[1]

    @property
    def pad_share(self) -> float:
        return self.pad_tokens / self.total_tokens if self.total_tokens else 0.0


def _stats(input_ids, pad_token_id: int) -> BatchStats:
    return BatchStats(tuple(input_ids.shape), int((input_ids == pad_token_id).sum()))


def first_batches(texts: list[str], labels: list[int], tokenizer, batch_size: int = TUTORIAL_BATCH_SIZE,
                  max_length: int = TUTORIAL_MAX_LENGTH, seed: int = 0) -> tuple[BatchStats, BatchStats]:
    """(tutorial's padded-in-__getitem__ batch, dynamic-padding batch) for the same shuffled reviews."""
    import torch
    from torch.utils.data import DataLoader

    fixed_loader = DataLoader(tutorial_torch_dataset(texts, labels, tokenizer, max_length), batch_size=batch_size,
                              shuffle=True, generator=torch.Generator().manual_seed(seed))
    dynamic_loader = DataLoader(list(zip(texts, labels)), batch_size=batch_size, shuffle=True,
                                generator=torch.Generator().manual_seed(seed),
                                collate_fn=make_collate(tokenizer, max_length, "longest"))
    fixed_ids = next(iter(fixed_loader))["input_ids"]
    dynamic_ids = next(iter(dynamic_loader))[0]
    return _stats(fixed_ids, tokenizer.pad_token_id), _stats(dynamic_ids, tokenizer.pad_token_id)
