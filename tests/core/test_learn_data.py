"""The learning path's datasets and PyTorch steps against datasets' and the tokenizer's own outputs."""
from __future__ import annotations

import pytest

from hflab.learn import batches, reviews, subword


@pytest.fixture(scope="module")
def bert():
    from transformers import AutoTokenizer

    from hflab.loading import offline_assets

    return AutoTokenizer.from_pretrained(str(offline_assets.bert_tokenizer_dir()))


def test_from_dict_holds_the_tutorials_three_reviews():
    from datasets import Dataset

    dataset = reviews.tutorial_dataset()
    assert dataset.num_rows == 3
    assert dataset[0] == {"text": "位置尚可,但距离海边的位置比预期的要差的多", "label": 0}
    assert list(dataset["label"]) == [0, 1, 1]
    assert reviews.tutorial_dataset(4).num_rows == 12
    assert dataset.features == Dataset.from_dict(reviews.TUTORIAL_REVIEWS).features


def test_features_and_info_are_datasets_own():
    dataset = reviews.tutorial_dataset()
    assert reviews.feature_rows(dataset) == [{"column": name, "feature": repr(f)} for name, f in dataset.features.items()]
    info = reviews.info_fields(dataset)
    assert info["num_rows"] == 3
    assert info["features"] == str(dataset.info.features)


@pytest.mark.parametrize("batched", [False, True])
def test_map_equals_tokenizer_output(bert, batched):
    run = reviews.timed_map(reviews.tutorial_dataset(2), bert, batched, max_length=64)
    assert run.batched is batched and run.seconds >= 0
    expected = bert(list(reviews.TUTORIAL_REVIEWS["text"]) * 2, truncation=True, max_length=64)
    assert [list(ids) for ids in run.dataset["input_ids"]] == expected["input_ids"]
    assert [list(m) for m in run.dataset["attention_mask"]] == expected["attention_mask"]


def test_batched_and_unbatched_map_agree(bert):
    one = reviews.timed_map(reviews.tutorial_dataset(), bert, False)
    many = reviews.timed_map(reviews.tutorial_dataset(), bert, True)
    assert one.dataset.to_dict() == many.dataset.to_dict()


def test_tutorial_dataset_item_is_squeezed_to_max_length(bert):
    dataset = batches.tutorial_torch_dataset(["房间太小。", "酒店环境很好"], [0, 1], bert)
    item = dataset[0]
    assert tuple(item["input_ids"].shape) == (batches.TUTORIAL_MAX_LENGTH,)
    assert item["input_ids"].tolist() == bert("房间太小。", padding="max_length", truncation=True,
                                              max_length=128)["input_ids"]
    assert item["label"] == 0 and len(dataset) == 2


def _reviews(n: int) -> tuple[list[str], list[int]]:
    base = list(reviews.TUTORIAL_REVIEWS["text"]) + ["房间太小。其他的都一般。", "好", "性价比高!"]
    texts = [f"{base[i % len(base)]}{i}" for i in range(n)]
    return texts, [i % 2 for i in range(n)]


def test_fixed_batch_is_batch_by_128_and_dynamic_is_batch_by_longest(bert):
    texts, labels = _reviews(8)  # one batch holds every review, so the shuffle order does not matter
    texts = [text[:60] for text in texts]  # all under 128 tokens: dynamic padding stops at the longest
    fixed, dynamic = batches.first_batches(texts, labels, bert, batch_size=8, max_length=128, seed=3)
    assert fixed.shape == (8, 128)
    encoded = bert(texts, truncation=True, max_length=128, padding="longest", return_tensors="pt")
    assert dynamic.shape == (8, encoded["input_ids"].shape[1])
    assert dynamic.pad_tokens == int((encoded["input_ids"] == bert.pad_token_id).sum())
    padded = bert(texts, truncation=True, max_length=128, padding="max_length", return_tensors="pt")
    assert fixed.pad_tokens == int((padded["input_ids"] == bert.pad_token_id).sum())
    assert dynamic.pad_tokens < fixed.pad_tokens


def test_pad_counts_equal_counting_pad_ids_in_the_loaders_batches(bert):
    import torch
    from torch.utils.data import DataLoader

    texts, labels = _reviews(64)
    fixed, dynamic = batches.first_batches(texts, labels, bert)
    loader = DataLoader(batches.tutorial_torch_dataset(texts, labels, bert), batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    batch = next(iter(loader))
    assert tuple(batch["input_ids"].shape) == fixed.shape == (32, 128)
    assert fixed.pad_tokens == int((batch["input_ids"] == bert.pad_token_id).sum())
    assert dynamic.shape[0] == 32 and dynamic.shape[1] <= 128
    assert fixed.total_tokens == 32 * 128


def test_subwords_as_bert_base_chinese_and_without_character_splitting():
    from hflab.loading import offline_assets

    rows = {row.text: row for row in subword.subword_rows(str(offline_assets.bert_tokenizer_dir()), ["乌黑", "黑色"])}
    assert rows["乌黑"].default == ("乌", "黑")
    assert rows["乌黑"].whole_words == ("乌", "##黑")
    assert rows["黑色"].whole_words == ("黑", "##色")
