"""Integrated Gradients on the word embeddings (hflab.sentiment.attribution) against its own definition:
completeness within 1% for both baselines, a delta that shrinks with more steps, characters that carry the sum
of their tokens, and the gradient x (input - baseline) and the path integral recomputed independently through
`inputs_embeds` (no hook, no batching)."""
import numpy as np
import pytest

from hflab.loading.loaders import load_classifier
from hflab.loading.sources import resolve
from hflab.messages import MessageError
from hflab.sentiment.attribution import (
    MAX_TOKENS,
    added_specials,
    integrated_gradients,
    path_points,
)

REVIEW = "房间干净，服务热情，早餐也很丰富，下次还会再来。"
MIXED = "电池 unbelievable 好用😀 [SEP] 一般"  # a word split into pieces, an [UNK] emoji, a typed [SEP]


@pytest.fixture(scope="module")
def tiny(tiny_models):
    """The tiny BERT classifier (bert-base-chinese vocab) as the page loads it."""
    return load_classifier(resolve("sentiment", local_dir=str(tiny_models["sentiment"])))


@pytest.fixture(scope="module")
def sharper(tiny):
    """The same architecture with larger random weights (initializer_range 0.15): a curved path, larger logit gaps."""
    import copy

    import torch
    from transformers import BertForSequenceClassification

    config = copy.deepcopy(tiny.model.config)
    config.initializer_range = 0.15
    torch.manual_seed(1)
    return BertForSequenceClassification(config).eval()


def logits_of(model, ids) -> np.ndarray:
    """The model's own logits for one row of ids (the real forward, no hook)."""
    import torch

    with torch.no_grad():
        return model(input_ids=torch.tensor([ids])).logits[0].double().numpy()


@pytest.mark.parametrize("baseline", ["pad", "mask"])
@pytest.mark.parametrize("which", ["tiny", "sharper"])
def test_attributions_sum_to_the_logit_difference_within_one_percent(which, baseline, tiny, sharper):
    model = tiny.model if which == "tiny" else sharper
    result = integrated_gradients(model, tiny.tokenizer, REVIEW, baseline=baseline, steps=64)
    tok = tiny.tokenizer
    ids = tok(REVIEW)["input_ids"]
    base = [tok.cls_token_id] + [tok.pad_token_id if baseline == "pad" else tok.mask_token_id] * (len(ids) - 2) + [
        tok.sep_token_id]
    own, own_base = logits_of(model, ids), logits_of(model, base)
    assert result.target == int(own.argmax())  # the predicted class by default
    assert result.logit == pytest.approx(own[result.target], abs=1e-6)
    assert result.baseline_logit == pytest.approx(own_base[result.target], abs=1e-6)
    gap = own[result.target] - own_base[result.target]
    assert abs(gap) > 1e-5  # a real difference to explain
    assert abs(result.total - gap) <= 0.01 * abs(gap)
    assert result.delta == pytest.approx(result.total - gap, abs=1e-6)
    assert result.relative_delta < 0.01


@pytest.mark.parametrize("baseline", ["pad", "mask"])
def test_the_delta_shrinks_as_the_steps_grow(baseline, tiny, sharper):
    trapezoid = [abs(integrated_gradients(sharper, tiny.tokenizer, REVIEW, baseline=baseline, steps=n,
                                          method="riemann_trapezoid").delta) for n in (2, 4, 8, 16, 32)]
    assert trapezoid == sorted(trapezoid, reverse=True) and trapezoid[-1] < trapezoid[0] / 50, trapezoid
    legendre = [abs(integrated_gradients(sharper, tiny.tokenizer, REVIEW, baseline=baseline, steps=n).delta)
                for n in (1, 4)]
    assert legendre[1] < legendre[0] / 10, legendre


def test_the_baseline_keeps_cls_and_sep_and_replaces_the_rest(tiny):
    tok = tiny.tokenizer
    for baseline, token in (("pad", "[PAD]"), ("mask", "[MASK]")):
        result = integrated_gradients(tiny.model, tok, MIXED, baseline=baseline, steps=2)
        assert result.tokens[0] == "[CLS]" and result.tokens[-1] == "[SEP]"
        assert result.baseline_tokens == ["[CLS]"] + [token] * (len(result.tokens) - 2) + ["[SEP]"]
        assert result.token_values[0] == 0 and result.token_values[-1] == 0  # input and baseline agree there
    assert "[UNK]" in result.tokens and result.tokens.count("[SEP]") == 2  # the emoji, and the typed [SEP]


def test_each_character_carries_the_sum_of_its_tokens(tiny):
    tok = tiny.tokenizer
    result = integrated_gradients(tiny.model, tok, MIXED, steps=8)
    enc = tok(MIXED, return_offsets_mapping=True)
    offsets = enc["offset_mapping"]
    special = added_specials(tok, enc["input_ids"], offsets)
    for seg in result.segments:
        assert seg.text == MIXED[seg.start:seg.end]
        inside = [i for i, (s, e) in enumerate(offsets) if not special[i] and seg.start <= s < seg.end]
        if seg.value is None:
            assert not inside and not seg.text.strip()  # only the spaces carry no token
        else:
            assert seg.value == pytest.approx(sum(result.token_values[i] for i in inside), abs=1e-12)
            assert list(seg.tokens) == [result.tokens[i] for i in inside]
    assert "".join(seg.text for seg in result.segments) == MIXED
    assert sum(seg.value for seg in result.segments if seg.value is not None) == pytest.approx(result.total, abs=1e-12)
    by_text = {seg.text: seg for seg in result.segments}
    assert by_text["😀"].tokens == ("[UNK]",)  # an unknown character keeps its span
    assert [by_text[piece].tokens for piece in ("u", "n", "bel", "ble")] == [("u",), ("##n",), ("##bel",), ("##ble",)]
    assert by_text["[SEP]"].value is not None  # a typed [SEP] is text of the review, explained like the rest
    chinese = integrated_gradients(tiny.model, tok, REVIEW, steps=8)
    assert [seg.text for seg in chinese.segments] == list(REVIEW)  # one segment per Chinese character


def _embeddings(model, ids):
    import torch

    with torch.no_grad():
        return model.get_input_embeddings()(torch.tensor([ids]))


def _gradient(model, embeds, target):
    """d logit[target] / d word embeddings through `inputs_embeds` (the real embedding module adds the rest)."""
    import torch

    embeds = embeds.clone().requires_grad_(True)
    logit = model(inputs_embeds=embeds).logits[:, target].sum()
    return torch.autograd.grad(logit, embeds)[0]


@pytest.mark.parametrize("baseline", ["pad", "mask"])
def test_one_step_at_the_input_is_gradient_times_input_minus_baseline(baseline, tiny, sharper):
    tok = tiny.tokenizer
    result = integrated_gradients(sharper, tok, REVIEW, baseline=baseline, steps=1, method="riemann_right")
    ids = tok(REVIEW)["input_ids"]
    x = _embeddings(sharper, ids)
    x0 = _embeddings(sharper, tok.convert_tokens_to_ids(result.baseline_tokens))
    expected = ((x - x0) * _gradient(sharper, x, result.target)).sum(-1)[0].double().numpy()
    np.testing.assert_allclose(result.token_values, expected, rtol=1e-4, atol=1e-7)


def test_the_path_integral_equals_a_plain_loop_over_inputs_embeds(tiny, sharper):
    tok = tiny.tokenizer
    result = integrated_gradients(sharper, tok, REVIEW, baseline="mask", steps=8)
    ids = tok(REVIEW)["input_ids"]
    x = _embeddings(sharper, ids)
    x0 = _embeddings(sharper, tok.convert_tokens_to_ids(result.baseline_tokens))
    alphas, weights = np.polynomial.legendre.leggauss(8)
    total = sum(0.5 * w * _gradient(sharper, x0 + 0.5 * (a + 1) * (x - x0), result.target).double()
                for a, w in zip(alphas, weights))
    expected = ((x - x0).double() * total).sum(-1)[0].numpy()
    np.testing.assert_allclose(result.token_values, expected, rtol=1e-4, atol=1e-7)


def test_path_points_follow_captum():
    for method in ("gausslegendre", "riemann_trapezoid", "riemann_right"):
        alphas, weights = path_points(8, method)
        assert weights.sum() == pytest.approx(1.0) and 0 <= alphas.min() and alphas.max() <= 1
    alphas, weights = path_points(3, "riemann_trapezoid")
    assert list(alphas) == [0, 0.5, 1] and list(weights) == [0.25, 0.5, 0.25]
    with pytest.raises(ValueError):
        path_points(1, "riemann_trapezoid")


def test_a_long_review_is_cut_with_where_it_ends(tiny):
    text = REVIEW * 10
    result = integrated_gradients(tiny.model, tiny.tokenizer, text, steps=2)
    assert len(result.tokens) == MAX_TOKENS
    assert result.truncated_at == MAX_TOKENS - 2  # one token per Chinese character
    assert result.segments[-1].value is None and result.segments[-1].text == text[result.truncated_at:]
    assert integrated_gradients(tiny.model, tiny.tokenizer, REVIEW, steps=2).truncated_at is None


def test_what_cannot_be_explained_says_why(tiny):
    import copy

    with pytest.raises(MessageError) as empty:
        integrated_gradients(tiny.model, tiny.tokenizer, "   ", steps=2)
    assert empty.value.key == "sentiment.why.empty"
    no_mask = copy.deepcopy(tiny.tokenizer)
    no_mask.mask_token = None
    with pytest.raises(MessageError) as missing:
        integrated_gradients(tiny.model, no_mask, REVIEW, baseline="mask", steps=2)
    assert missing.value.key == "sentiment.why.no_baseline_token" and missing.value.params == {"token": "[MASK]"}
    assert integrated_gradients(tiny.model, no_mask, REVIEW, baseline="pad", steps=2).baseline == "pad"
