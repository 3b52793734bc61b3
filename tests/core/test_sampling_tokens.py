"""What the playground shows about token ids, checked against the tokenizer's own decode and hand counts."""
from __future__ import annotations

import math

import numpy as np
import pytest
from transformers import AutoTokenizer

from hflab.sampling.processors import StepView
from hflab.sampling.tokens import continuation_counts, first_divergence, first_token_frequencies, token_labels


@pytest.fixture(scope="module")
def tok(tiny_models):
    return AutoTokenizer.from_pretrained(tiny_models["causal_lm"])


def test_token_labels_show_whole_characters_and_partial_bytes(tok):
    assert token_labels(tok, tok("好 ok", add_special_tokens=False).input_ids) == ["好", "␣", "o", "k"]
    rare = tok("龘", add_special_tokens=False).input_ids  # not in the tiny vocab: split into byte tokens
    assert len(rare) > 1
    assert "".join(token_labels(tok, rare)) == "".join(f"<0x{b:02X}>" for b in "龘".encode())


def test_first_divergence():
    assert first_divergence([[1, 2, 3], [1, 2, 3]]) is None
    assert first_divergence([[1, 2, 3], [1, 5, 3]]) == 1
    assert first_divergence([[1, 2], [1, 2, 3]]) == 2  # one run stopped earlier
    assert first_divergence([[], []]) is None


def test_first_token_frequencies_against_hand_counts():
    view = StepView(
        stages=["raw"],
        candidates=np.array([7, 3, 9]),
        logits=np.zeros(3),
        probs=np.array([[0.5, 0.3, 0.1]]),
        kept=np.ones((1, 3), bool),
        entropy_bits=np.zeros(1),
        survivors=np.array([3]),
        mass_outside=np.array([0.1]),
        top_p_curve=None,
        vocab_size=10,
    )
    rows = [[3, 1], [7], [3], [4, 4], [4], [4]]
    freq = first_token_frequencies(rows, view, n_top=2)
    assert [tok for tok, _, _ in freq] == [7, 3, 4]  # the top two, then what else was drawn
    assert freq[0][1:] == (1 / 6, 0.5) and freq[1][1:] == (2 / 6, 0.3)
    assert freq[2][1] == 3 / 6 and math.isnan(freq[2][2])


def test_continuation_counts_decode_and_count(tok):
    a, b = tok("hello", add_special_tokens=False).input_ids, tok("好", add_special_tokens=False).input_ids
    counts = continuation_counts(tok, [b, a, b])
    assert counts == [(tok.decode(b), 2), (tok.decode(a), 1)]


def test_an_id_beyond_the_vocabulary_gets_a_label_and_no_bytes(tok):
    """Qwen2-0.5B's embedding has 151,936 rows for 151,646 tokens: a model may rank a row no token uses (the
    Community Cloud rehearsal's random weights did, and the page crashed); decode gives "" for it."""
    from hflab.byte_pieces import token_bytes

    beyond = len(tok) + 7
    assert tok.convert_ids_to_tokens([beyond]) == [None]
    assert token_labels(tok, [beyond, tok("ok", add_special_tokens=False).input_ids[0]]) == [f"[id {beyond}]", "o"]
    assert token_bytes(tok, [beyond]) == [tok.decode([beyond]).encode()]
