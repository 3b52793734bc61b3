"""Logit lens against the model itself: the last row is the model's own next-token distribution, every other
row is the model's own final norm and LM head applied to that layer's hidden state, ranks agree with topk."""
from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from hflab.messages import Message, MessageError
from hflab.sampling.lens import (
    MAX_TOKENS,
    layer_distributions,
    lens_parts,
    lens_problem,
    logit_lens,
    shown_layers,
    summarize_lens,
)


def _load(path):
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval(), AutoTokenizer.from_pretrained(path)


@pytest.fixture(scope="module")
def tiny(tiny_models):
    return _load(tiny_models["causal_lm"])


def _ids(tokenizer, text="a cat sitting on a couch, a cup of coffee on"):
    return tokenizer(text, add_special_tokens=False).input_ids


def _own_distribution(model, ids):
    """The model's own next-token distribution: a plain forward (no hidden states asked for), softmax of its logits."""
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids]), logits_to_keep=1).logits[0, -1].float()
    return torch.softmax(logits, dim=-1)


def _hand_written_rows(model, ids):
    """softmax(lm_head(norm(h_i))) at the last position for every hidden state but the last (already post-norm)."""
    with torch.no_grad():
        states = model(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
        rows = [model.lm_head(model.model.norm(h[:, -1:, :]))[0, 0] for h in states[:-1]]
        rows.append(model.lm_head(states[-1][:, -1:, :])[0, 0])
    return torch.softmax(torch.stack(rows).float(), dim=-1), states


def test_last_row_is_the_models_own_next_token_distribution(tiny):
    model, tokenizer = tiny
    ids = _ids(tokenizer)
    probs = layer_distributions(model, ids)
    assert probs.shape == (model.config.num_hidden_layers + 1, model.config.vocab_size)
    assert torch.equal(probs[-1], _own_distribution(model, ids))  # the very same ops: bit for bit


def test_last_hidden_state_is_already_normed(tiny):
    """transformers stores hidden_states[-1] after the final norm: the head alone gives the logits, a second norm
    would not (so the lens must not apply it twice)."""
    model, tokenizer = tiny
    ids = _ids(tokenizer)
    hand, states = _hand_written_rows(model, ids)
    assert len(states) == model.config.num_hidden_layers + 1
    assert torch.equal(hand[-1], _own_distribution(model, ids))
    with torch.no_grad():
        twice = torch.softmax(model.lm_head(model.model.norm(states[-1][:, -1:, :]))[0, 0], dim=-1)
    assert not torch.equal(twice, hand[-1])


def test_each_row_is_the_final_norm_and_head_of_that_layer(tiny):
    model, tokenizer = tiny
    ids = _ids(tokenizer)
    hand, _ = _hand_written_rows(model, ids)
    # the lens runs the earlier layers through the head as one [layers, 1, H] batch, the hand-written rows one by
    # one: the same modules, but the matrix product may be blocked differently, hence a float32-rounding tolerance
    torch.testing.assert_close(layer_distributions(model, ids), hand, rtol=0, atol=1e-6)


def test_ranks_and_top_tokens_agree_with_topk(tiny):
    model, tokenizer = tiny
    ids = _ids(tokenizer)
    probs = layer_distributions(model, ids)
    chosen = int(torch.argsort(probs[-1], descending=True)[7])  # a token that is not the last layer's top one
    view = logit_lens(model, ids, chosen)
    assert view.layers == list(range(probs.shape[0])) and view.n_layers == model.config.num_hidden_layers
    assert view.tracked == chosen and view.tracked_ranks[-1] == 8
    for row, layer in enumerate(view.layers):
        values, indices = torch.topk(probs[layer], 5)
        assert view.top_ids[row].tolist() == indices.tolist()
        assert torch.equal(torch.from_numpy(view.top_probs[row]), values)
        rank = int(view.tracked_ranks[row])
        assert torch.topk(probs[layer], rank).values[-1] == probs[layer, chosen] == view.tracked_probs[row]
        assert int((probs[layer] > probs[layer, chosen]).sum()) == rank - 1


def test_without_a_chosen_token_the_last_layers_top_token_is_tracked(tiny):
    model, tokenizer = tiny
    ids = _ids(tokenizer)
    view = logit_lens(model, ids)
    assert view.tracked == int(torch.argmax(_own_distribution(model, ids))) and view.tracked_ranks[-1] == 1


def test_deep_models_draw_evenly_spaced_rows_with_the_first_and_last():
    assert shown_layers(31) == list(range(31))
    rows = shown_layers(81, max_rows=48)
    assert len(rows) == 48 and rows[0] == 0 and rows[-1] == 80 and rows == sorted(set(rows))
    view = summarize_lens(torch.softmax(torch.randn(81, 50), dim=-1), max_rows=10)
    assert len(view.layers) == 10 and view.top_ids.shape == (10, 5) and view.n_layers == 80


def test_too_long_context_gets_a_message(tiny):
    model, _ = tiny
    assert lens_problem(model, MAX_TOKENS) is None
    assert lens_problem(model, MAX_TOKENS + 1) == Message("sampling.lens.too_long", {"n": MAX_TOKENS + 1,
                                                                                      "limit": MAX_TOKENS})
    with pytest.raises(MessageError) as err:
        layer_distributions(model, [1] * (MAX_TOKENS + 1))
    assert err.value.key == "sampling.lens.too_long"


def test_models_without_final_norm_or_head_get_messages(tiny_models):
    no_head, _ = _load(tiny_models["causal_lm"])
    no_head.get_output_embeddings = lambda: None
    assert lens_parts(no_head) == Message("sampling.lens.no_head", {"model": "Qwen2ForCausalLM"})
    no_norm, _ = _load(tiny_models["causal_lm"])
    no_norm.model.norm = None
    assert lens_problem(no_norm, 3) == Message("sampling.lens.no_norm", {"model": "Qwen2ForCausalLM"})
    base = AutoModelForCausalLM.from_pretrained(tiny_models["causal_lm"]).model  # a Qwen2Model: no head at all
    assert lens_parts(base).key == "sampling.lens.no_head"


def test_soft_capped_logits_are_refused():
    """Gemma2 soft-caps its logits: the head of the last state is not the model's output, so no row would be."""
    from transformers import Gemma2Config, Gemma2ForCausalLM

    torch.manual_seed(0)
    config = Gemma2Config(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                          num_attention_heads=2, num_key_value_heads=1, head_dim=16, final_logit_softcapping=0.5)
    model = Gemma2ForCausalLM(config).eval()
    with pytest.raises(MessageError) as err:
        layer_distributions(model, [1, 2, 3])
    assert err.value.message == Message("sampling.lens.not_head_of_state", {"model": "Gemma2ForCausalLM"})


def test_real_model_last_row_is_its_own_distribution(smollm2_dir):
    model, tokenizer = _load(smollm2_dir)
    ids = _ids(tokenizer, "The capital of France is")
    own = _own_distribution(model, ids)
    probs = layer_distributions(model, ids)
    assert probs.shape[0] == model.config.num_hidden_layers + 1
    assert torch.equal(probs[-1], own)
    hand, _ = _hand_written_rows(model, ids)
    torch.testing.assert_close(probs, hand, rtol=0, atol=1e-5)
