"""The tutorial's PyTorch Dataset, which tokenizes in `__getitem__` with padding="max_length" and
`squeeze(0)`, next to a collate_fn with dynamic padding, with and without batches of similar length; how many pad
tokens a whole epoch of each holds."""
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
class PaddingWay:
    """One way of batching a whole epoch: the first batch's input_ids shape and how many tokens of all batches are
    padding."""

    way: str  # "fixed" (the tutorial), "dynamic" (collate_fn with padding="longest"), "grouped" (+ lengths grouped)
    first_shape: tuple[int, int]
    batches: int
    pad_tokens: int
    total_tokens: int

    @property
    def pad_share(self) -> float:
        """Share of all the epoch's tokens that are padding."""
        return self.pad_tokens / self.total_tokens if self.total_tokens else 0.0


def _way(name: str, loader, pad_token_id: int) -> PaddingWay:
    shapes, pads = [], 0
    for batch in loader:
        ids = batch["input_ids"] if isinstance(batch, dict) else batch[0]
        shapes.append(tuple(ids.shape))
        pads += int((ids == pad_token_id).sum())
    return PaddingWay(name, shapes[0] if shapes else (0, 0), len(shapes), pads, sum(a * b for a, b in shapes))


def epoch_padding(texts: list[str], labels: list[int], tokenizer, batch_size: int = TUTORIAL_BATCH_SIZE,
                  max_length: int = TUTORIAL_MAX_LENGTH, seed: int = 0) -> tuple[PaddingWay, PaddingWay, PaddingWay]:
    """Padding over one shuffled epoch of the same reviews, three ways: the tutorial's padding="max_length" in
    __getitem__, dynamic padding in a collate_fn (a random batch pads to its longest review, and one long review is
    enough to reach max_length), and dynamic padding over batches of similar length (transformers' own
    LengthGroupedSampler, what `TrainingArguments(group_by_length=True)` uses)."""
    import torch
    from torch.utils.data import DataLoader
    from transformers.trainer_pt_utils import LengthGroupedSampler

    collate = make_collate(tokenizer, max_length, "longest")
    pairs = list(zip(texts, labels))
    fixed = DataLoader(tutorial_torch_dataset(texts, labels, tokenizer, max_length), batch_size=batch_size,
                       shuffle=True, generator=torch.Generator().manual_seed(seed))
    dynamic = DataLoader(pairs, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed),
                         collate_fn=collate)
    lengths = [min(len(ids), max_length) for ids in tokenizer(list(texts), truncation=True, max_length=max_length)[
        "input_ids"]]
    grouped = DataLoader(pairs, batch_size=batch_size, collate_fn=collate, sampler=LengthGroupedSampler(
        batch_size, lengths=lengths, generator=torch.Generator().manual_seed(seed)))
    pad = tokenizer.pad_token_id
    return _way("fixed", fixed, pad), _way("dynamic", dynamic, pad), _way("grouped", grouped, pad)
