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
    assert reviews.feature_rows(dataset) == [
        {"column": name, "feature": repr(f)} for name, f in dataset.features.items()
    ]
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
    fixed, dynamic, grouped = batches.epoch_padding(texts, labels, bert, batch_size=8, max_length=128, seed=3)
    assert fixed.first_shape == (8, 128) and fixed.batches == dynamic.batches == grouped.batches == 1
    encoded = bert(texts, truncation=True, max_length=128, padding="longest", return_tensors="pt")
    assert dynamic.first_shape == grouped.first_shape == (8, encoded["input_ids"].shape[1])
    assert dynamic.pad_tokens == grouped.pad_tokens == int((encoded["input_ids"] == bert.pad_token_id).sum())
    padded = bert(texts, truncation=True, max_length=128, padding="max_length", return_tensors="pt")
    assert fixed.pad_tokens == int((padded["input_ids"] == bert.pad_token_id).sum())
    assert dynamic.pad_tokens < fixed.pad_tokens


def test_pad_counts_over_an_epoch_equal_counting_pad_ids_in_the_loaders_batches(bert):
    import torch
    from torch.utils.data import DataLoader
    from transformers.trainer_pt_utils import LengthGroupedSampler

    from hflab.sentiment.torch_view import make_collate

    texts, labels = _reviews(64)
    fixed, dynamic, grouped = batches.epoch_padding(texts, labels, bert)
    loader = DataLoader(batches.tutorial_torch_dataset(texts, labels, bert), batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    all_fixed = [batch["input_ids"] for batch in loader]
    assert tuple(all_fixed[0].shape) == fixed.first_shape == (32, 128) and fixed.batches == 2
    assert fixed.pad_tokens == sum(int((ids == bert.pad_token_id).sum()) for ids in all_fixed)
    assert fixed.total_tokens == 64 * 128
    lengths = [len(ids) for ids in bert(texts, truncation=True, max_length=128)["input_ids"]]
    sampler = LengthGroupedSampler(32, lengths=lengths, generator=torch.Generator().manual_seed(0))
    by_length = DataLoader(list(zip(texts, labels)), batch_size=32, sampler=sampler,
                           collate_fn=make_collate(bert, 128, "longest"))
    assert grouped.pad_tokens == sum(int((batch[0] == bert.pad_token_id).sum()) for batch in by_length)
    assert grouped.pad_tokens <= dynamic.pad_tokens <= fixed.pad_tokens


def test_grouping_by_length_saves_the_padding_that_one_long_review_per_batch_costs(bert):
    """Issue 33.5: with a long review in (nearly) every random batch, padding="longest" pads to max_length anyway."""
    # one in eight reviews over 128 tokens; 1,024 reviews: the sampler sorts mega-batches of 8 x 32 (transformers
    # groups min(n // (4 * batch_size), 50) batches; a data set under 4 batches gets no grouping at all)
    texts = [("很长的评论" * 40) if i % 8 == 0 else "好评" * (i % 5 + 1) for i in range(1024)]
    fixed, dynamic, grouped = batches.epoch_padding(texts, [i % 2 for i in range(1024)], bert, batch_size=32)
    assert dynamic.first_shape == fixed.first_shape == (32, 128)  # every random batch holds a long review
    assert dynamic.pad_share > 0.6 and grouped.pad_share < dynamic.pad_share / 2


def test_subwords_as_bert_base_chinese_and_without_character_splitting():
    from hflab.loading import offline_assets

    rows = {row.text: row for row in subword.subword_rows(str(offline_assets.bert_tokenizer_dir()), ["乌黑", "黑色"])}
    assert rows["乌黑"].default == ("乌", "黑")
    assert rows["乌黑"].whole_words == ("乌", "##黑")
    assert rows["黑色"].whole_words == ("黑", "##色")
