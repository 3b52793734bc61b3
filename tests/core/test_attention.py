"""hflab.attention against the model's own `output_attentions=True` under eager attention, on a tiny BERT
(encoder) and a tiny Qwen2 (causal LM); summaries against sums written out by hand."""
from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer

from hflab import attention
from hflab.i18n import t
from hflab.messages import Message, MessageError

TEXT = "我爱北京天安门，today 很好"
MODELS = {"sentiment": AutoModelForSequenceClassification, "causal_lm": AutoModelForCausalLM}


@pytest.fixture(scope="module", params=list(MODELS))
def tiny(request, tiny_models):
    """(role, model as the lab loads it (SDPA by default), the same weights loaded with eager attention, tokenizer)."""
    auto, path = MODELS[request.param], tiny_models[request.param]
    model = auto.from_pretrained(path).eval()
    eager = auto.from_pretrained(path, attn_implementation="eager").eval()
    return request.param, model, eager, AutoTokenizer.from_pretrained(path)


def oracle(eager, encoded):
    inputs = {"input_ids": torch.tensor([encoded.input_ids])}
    if encoded.token_type_ids is not None:
        inputs["token_type_ids"] = torch.tensor([encoded.token_type_ids])
    with torch.no_grad():
        return eager(**inputs, output_attentions=True).attentions


def test_maps_equal_the_models_own_eager_attentions(tiny):
    role, model, eager, tokenizer = tiny
    assert model.config._attn_implementation != "eager"  # the lab's load: the weights must be switched on
    encoded, messages = attention.encode_capped(tokenizer, TEXT)
    assert messages == []
    maps = attention.attention_maps(model, encoded.input_ids, encoded.token_type_ids)
    expected = oracle(eager, encoded)
    assert maps.shape == (len(expected), expected[0].shape[1], len(encoded.input_ids), len(encoded.input_ids))
    for layer, weights in enumerate(expected):
        assert torch.equal(maps[layer], weights[0])
    assert torch.allclose(maps.sum(-1), torch.ones(maps.shape[:-1]), atol=1e-5)
    assert model.config._attn_implementation == "sdpa"  # switched back: other users of the shared model keep SDPA
    if role == "causal_lm":  # causal: no query looks at a later key
        assert torch.equal(maps.triu(diagonal=1), torch.zeros_like(maps))


def test_pairs_pass_their_token_type_ids(tiny_models):
    path = tiny_models["sentiment"]
    model = AutoModelForSequenceClassification.from_pretrained(path).eval()
    eager = AutoModelForSequenceClassification.from_pretrained(path, attn_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    encoded, _ = attention.encode_capped(tokenizer, "房间很干净", "服务也好")
    assert 1 in encoded.token_type_ids
    maps = attention.attention_maps(model, encoded.input_ids, encoded.token_type_ids)
    for layer, weights in enumerate(oracle(eager, encoded)):
        assert torch.equal(maps[layer], weights[0])


def hand_summary(weights, ids, cls_id, sep_id):
    """Mean over queries of the weight on key 0, on [CLS] / [SEP] keys, on key q-1, on key q, one loop per sum."""
    n = len(ids)

    def to(token_id):
        keys = [k for k in range(n) if ids[k] == token_id]
        return sum(sum(float(weights[q, k]) for k in keys) for q in range(n)) / n if keys else None

    previous = sum(float(weights[q, q - 1]) for q in range(1, n)) / (n - 1) if n > 1 else None
    first = sum(float(weights[q, 0]) for q in range(n)) / n
    return first, to(cls_id), to(sep_id), previous, sum(float(weights[q, q]) for q in range(n)) / n


def test_summaries_equal_hand_sums(tiny):
    role, model, _, tokenizer = tiny
    encoded, _ = attention.encode_capped(tokenizer, TEXT)
    maps = attention.attention_maps(model, encoded.input_ids, encoded.token_type_ids)
    summaries = attention.head_summaries(maps, encoded.input_ids, tokenizer.cls_token_id, tokenizer.sep_token_id)
    assert [(s.layer, s.head) for s in summaries] == [
        (la, h) for la in range(maps.shape[0]) for h in range(maps.shape[1])
    ]
    for s in summaries:
        expected = hand_summary(
            maps[s.layer, s.head], encoded.input_ids, tokenizer.cls_token_id, tokenizer.sep_token_id
        )
        for got, want in zip((s.first, s.cls, s.sep, s.previous, s.itself), expected):
            assert (got is None) == (want is None)
            if want is not None:
                assert got == pytest.approx(want, abs=1e-6)
    if role == "sentiment":
        assert all(s.cls is not None and s.sep is not None for s in summaries)
    else:  # a causal LM has no [CLS] / [SEP]
        assert all(s.cls is None and s.sep is None for s in summaries)


def test_one_token_has_no_previous_token(tiny_models):
    model = AutoModelForCausalLM.from_pretrained(tiny_models["causal_lm"]).eval()
    maps = attention.attention_maps(model, [5])
    (first, *_) = attention.head_summaries(maps, [5], None, None)
    assert first.previous is None and first.itself == pytest.approx(1.0) == first.first


def test_inspect_is_maps_labels_and_summaries_of_the_same_ids(tiny):
    _, model, eager, tokenizer = tiny
    encoded, notes = attention.encode_capped(tokenizer, TEXT)
    view = attention.inspect(model, tokenizer, encoded.input_ids, encoded.token_type_ids, notes)
    for layer, weights in enumerate(oracle(eager, encoded)):
        assert torch.equal(view.maps[layer], weights[0])
    assert view.labels == attention.axis_labels(tokenizer, encoded.input_ids)
    assert view.summaries == attention.head_summaries(view.maps, encoded.input_ids, tokenizer.cls_token_id,
                                                      tokenizer.sep_token_id)


def test_a_causal_context_is_capped_to_its_first_tokens_with_the_same_weights(tiny_models):
    path = tiny_models["causal_lm"]
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    eager = AutoModelForCausalLM.from_pretrained(path, attn_implementation="eager").eval()
    ids = list(range(5, 5 + 80))
    assert attention.cap_ids(ids[:10]) == (tuple(ids[:10]), [])
    capped, notes = attention.cap_ids(ids, limit=64)
    assert capped == tuple(ids[:64])
    assert [(m.key, dict(m.params), m.level) for m in notes] == [
        ("attention.capped", {"total": 80, "shown": 64}, "info")
    ]
    maps = attention.attention_maps(model, capped)
    with torch.no_grad():
        whole = eager(input_ids=torch.tensor([ids]), output_attentions=True).attentions
    for layer, weights in enumerate(whole):  # no query of the first 64 sees a later key: the cap changes no value
        assert torch.allclose(maps[layer], weights[0, :, :64, :64], atol=1e-6)


def test_long_input_is_capped_with_a_note_and_keeps_its_special_tokens(tiny):
    role, model, eager, tokenizer = tiny
    text = "今天天气很好，" * 40
    total = len(tokenizer(text)["input_ids"])
    limit = attention.token_limit(model)
    assert limit == attention.MAX_TOKENS < total
    encoded, messages = attention.encode_capped(tokenizer, text, limit=limit)
    assert len(encoded.input_ids) == limit and encoded.total_tokens == total
    assert [(m.key, dict(m.params), m.level) for m in messages] == [
        ("attention.capped", {"total": total, "shown": limit}, "info")]
    if role == "sentiment":
        assert encoded.input_ids[0] == tokenizer.cls_token_id and encoded.input_ids[-1] == tokenizer.sep_token_id
    maps = attention.attention_maps(model, encoded.input_ids, encoded.token_type_ids)
    assert maps.shape[-1] == limit


def test_token_limit_follows_the_models_positions(tiny_models):
    model = AutoModelForCausalLM.from_pretrained(tiny_models["causal_lm"])
    model.config.max_position_embeddings = 16
    assert attention.token_limit(model) == 16
    with pytest.raises(MessageError) as refused:
        attention.attention_maps(model, list(range(5, 25)))
    assert refused.value.key == "attention.too_long" and refused.value.params == {"tokens": 20, "limit": 16}


class NoAttentions(torch.nn.Module):
    """A model that returns no attention weights (as SDPA-only or attention-free architectures do)."""

    def __init__(self):
        super().__init__()
        self.config = type("Config", (), {"_attn_implementation": "sdpa", "max_position_embeddings": 8})()
        self.linear = torch.nn.Linear(1, 1)

    def forward(self, input_ids, output_attentions=False):
        return type("Out", (), {"attentions": ()})()


class NoOutputAttentions(NoAttentions):
    def forward(self, input_ids):
        return None


@pytest.mark.parametrize("model", [NoAttentions(), NoOutputAttentions()])
def test_a_model_without_attention_outputs_gives_a_message(model):
    with pytest.raises(MessageError) as refused:
        attention.attention_maps(model, [1, 2, 3])
    assert refused.value.key == "attention.unavailable" and refused.value.params["model"] == type(model).__name__


def test_axis_labels_are_whole_characters(tiny):
    role, _, _, tokenizer = tiny
    ids = tokenizer("我爱龘 cats")["input_ids"]
    labels = attention.axis_labels(tokenizer, ids)
    assert len(labels) == len(ids)
    if role == "sentiment":  # WordPiece: one character per token, specials as themselves
        assert labels == tokenizer.convert_ids_to_tokens(ids)
        return
    # byte-level BPE: a character cut into byte pieces ("龘" is rare) is shown whole on each of its tokens
    parts = [label.rsplit(" ", 1) for label in labels]  # visible() shows spaces as ␣: a space here is the part
    assert any(len(p) == 2 for p in parts) and "<0x" not in "".join(labels)
    assert "".join(p[0] for p in parts if len(p) == 1 or p[1].startswith("1/")).replace("␣", " ") == "我爱龘 cats"


def test_charts_are_valid_vega_lite_over_the_weights(tiny):
    import altair as alt

    from components import attention_chart as chart

    _, model, _, tokenizer = tiny
    encoded, _ = attention.encode_capped(tokenizer, TEXT)
    maps = attention.attention_maps(model, encoded.input_ids, encoded.token_type_ids)
    labels = attention.axis_labels(tokenizer, encoded.input_ids)
    words = {w: w for w in ("query", "key", "weight", "head")}
    for spec, kind, weights in ((chart.heatmap(maps[1, 0], labels, words), alt.Chart, maps[1, :1]),
                                (chart.small_multiples(maps[1], labels, words), alt.FacetChart, maps[1])):
        data = spec.pop("datasets")
        kind.from_dict(spec, validate=True)
        cells = data[chart.CELLS]
        assert len(cells) == weights.numel()
        assert torch.equal(torch.tensor(cells["w"].to_numpy()).reshape(weights.shape), weights)
        assert list(data[chart.LABELS]["label"]) == chart.positioned(labels)


def test_distance_from_uniform_by_hand():
    """Issue 33.10: 0 for even rows, 1 - 1/n for rows on one key; a causal row is even over the keys it sees."""
    even = torch.full((1, 2, 4, 4), 0.25)
    assert attention.distance_from_uniform(even) == pytest.approx(0.0)
    one_hot = torch.zeros(1, 1, 4, 4)
    one_hot[..., 3] = 1.0  # every row on the last token: an encoder's row sees all 4 keys
    assert attention.distance_from_uniform(one_hot) == pytest.approx(0.75)
    assert attention.distance_from_uniform(torch.cat([even[:, :1], one_hot], dim=1)) == pytest.approx(0.75)  # max
    causal = torch.tril(torch.ones(4, 4))
    causal = (causal / causal.sum(-1, keepdim=True))[None, None]  # row q: 1/(q+1) on keys 0..q
    assert attention.distance_from_uniform(causal) == pytest.approx(0.0)
    sink = torch.zeros(1, 1, 4, 4)
    sink[..., 0] = 1.0  # every causal row on the first token: row q is 1 - 1/(q+1) away; row 0 sees one key only
    assert attention.distance_from_uniform(sink) == pytest.approx((1 / 2 + 2 / 3 + 3 / 4) / 3)
    assert attention.distance_from_uniform(torch.ones(1, 1, 1, 1)) == 0.0
    assert attention.flat_note(torch.ones(1, 1, 1, 1)) is None  # one token: nothing to spread


def test_a_random_model_gets_the_flat_note_and_a_sharp_one_does_not(tiny):
    """Issue 33.10: the untrained encoder's heatmap was a flat square with no word why. The tiny models are random
    inits; the same weights with queries and keys scaled up attend sharply, as trained heads do."""
    import copy

    role, model, _, tokenizer = tiny
    encoded, notes = attention.encode_capped(tokenizer, TEXT)
    view = attention.inspect(model, tokenizer, encoded.input_ids, encoded.token_type_ids, notes)
    distance = attention.distance_from_uniform(view.maps)
    assert distance < attention.FLAT_ATTENTION
    assert view.notes == (Message("attention.flat", {"distance": round(100 * distance)}, "info"),)
    assert "{distance}%" in t("attention.flat", "zh") and "{distance}%" in t("attention.flat", "en")
    sharp = copy.deepcopy(model)
    with torch.no_grad():
        for name, param in sharp.named_parameters():
            if any(part in name for part in ("query.weight", "key.weight", "q_proj.weight", "k_proj.weight")):
                param.mul_(400.0)
    view = attention.inspect(sharp, tokenizer, encoded.input_ids, encoded.token_type_ids, notes)
    assert attention.distance_from_uniform(view.maps) >= attention.FLAT_ATTENTION
    assert view.notes == tuple(notes)


def test_many_tokens_get_thinned_axis_labels():
    """Issue 33.10: 64 tokens drew 64 overlapping labels per axis; over AXIS_LABELS only one in `label_step` shows
    (the cells and the tooltip keep every token)."""
    import altair as alt

    from components import attention_chart as chart

    words = {w: w for w in ("query", "key", "weight", "head")}
    for n, step in ((8, 1), (32, 1), (33, 2), (64, 2), (100, 4)):
        labels = [f"字{i}" for i in range(n)]
        spec = chart.heatmap(torch.full((n, n), 1 / n), labels, words)
        assert chart.label_step(n) == step
        for axis in ("x", "y"):
            values = spec["encoding"][axis]["axis"].get("values")
            assert values == (None if step == 1 else chart.positioned(labels)[::step])
            assert len(values or labels) <= chart.AXIS_LABELS
        assert list(spec.pop("datasets")[chart.LABELS]["label"]) == chart.positioned(labels)
        alt.Chart.from_dict(spec, validate=True)
