"""Oracles independent of the project's code (issue 15): what the pages show is checked against
transformers and torch called directly in the test, never against the lab's own helpers."""
from __future__ import annotations

import pytest
import torch
from apptest_utils import open_page
from transformers.tokenization_utils_base import PreTrainedTokenizerBase

from hflab.i18n import t

# The tokenizer page's defaults, written out as the `tokenizer(texts, ...)` call they must make; the fast
# tokenizer is always asked for offsets (the page draws each token's span from them).
DEFAULT_CALL = {"text_pair": None, "add_special_tokens": True, "truncation": True, "padding": "max_length",
                "max_length": 30, "return_attention_mask": True, "return_token_type_ids": True,
                "return_special_tokens_mask": True, "return_offsets_mapping": True, "return_length": True}

ABSENT = object()  # the argument is not passed at all
# name -> ((widget kind, widget key, value set on the page), ...), the kwargs that differ from DEFAULT_CALL
TOKENIZER_OPTIONS = {
    "defaults": ((), {}),
    "add_special_tokens-off": ((("checkbox", "tok_add_special", False),), {"add_special_tokens": False}),
    "truncation-False": ((("selectbox", "tok_truncation", False),), {"truncation": False}),
    "truncation-longest_first": ((("selectbox", "tok_truncation", "longest_first"),), {"truncation": "longest_first"}),
    "truncation-only_first": ((("selectbox", "tok_truncation", "only_first"),), {"truncation": "only_first"}),
    "padding-False": ((("selectbox", "tok_padding", False),), {"padding": False}),
    "padding-longest": ((("selectbox", "tok_padding", "longest"),), {"padding": "longest"}),
    # padding="max_length" needs a max_length (the page says so and makes no call): pad to the longest then
    "max_length-unset": (
        (("selectbox", "tok_padding", "longest"), ("checkbox", "tok_set_max", False)),
        {"padding": "longest", "max_length": ABSENT},
    ),
    "max_length-12": ((("number_input", "tok_max_length", 12),), {"max_length": 12}),
    "return_attention_mask-off": (
        (("checkbox", "tok_return_attention_mask", False),),
        {"return_attention_mask": False},
    ),
    "return_token_type_ids-off": (
        (("checkbox", "tok_return_token_type_ids", False),),
        {"return_token_type_ids": False},
    ),
    "return_special_tokens_mask-off": (
        (("checkbox", "tok_return_special_tokens_mask", False),),
        {"return_special_tokens_mask": False},
    ),
    "return_offsets_mapping-off": ((("checkbox", "tok_return_offsets_mapping", False),), {}),  # still asked: spans
    "return_length-off": ((("checkbox", "tok_return_length", False),), {"return_length": False}),
}


@pytest.fixture()
def tokenizer_calls(monkeypatch):
    """Every batched `tokenizer([...], **kwargs)` call made while the page runs: (texts, kwargs)."""
    calls: list[tuple[list, dict]] = []
    real = PreTrainedTokenizerBase.__call__

    def recording(self, text=None, *args, **kwargs):
        if isinstance(text, list):
            calls.append((list(text), dict(kwargs)))
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(PreTrainedTokenizerBase, "__call__", recording)
    return calls


@pytest.mark.parametrize("option", list(TOKENIZER_OPTIONS))
def test_each_tokenizer_option_makes_the_written_out_call(option, tiny_env, tokenizer_calls):
    steps, change = TOKENIZER_OPTIONS[option]
    at = open_page("app_pages/tokenizer.py", "en")
    if steps:
        tokenizer_calls.clear()  # only the call made with the changed option counts
    for kind, key, value in steps:
        getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [line for line in at.text_area(key="tok_texts").value.split("\n") if line.strip()]
    expected = {k: v for k, v in {**DEFAULT_CALL, **change}.items() if v is not ABSENT}
    assert tokenizer_calls, "the page made no batched tokenizer call"
    assert tokenizer_calls[-1] == (texts, expected)


REVIEWS = ("房间干净，服务热情，早餐也很丰富，下次还会再来。", "太差了，再也不来了。", "一般")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sentiment_predictions_equal_a_direct_forward(lang, tiny_env, review_env):
    """The page's label and confidence equal softmax(logits) of AutoModelForSequenceClassification run here."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(tiny_env["sentiment"], dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_env["sentiment"])
    at = open_page("app_pages/sentiment.py", lang)
    for review in REVIEWS:
        at.text_area(key="sentiment_text").input(review).run()
        assert not at.exception, [e.value for e in at.exception]
        with torch.no_grad():
            probs = torch.softmax(model(**tokenizer(review, return_tensors="pt")).logits[0], dim=-1)
        shown = next(m for m in at.metric if m.label == t("sentiment.predict.label", lang))
        assert (shown.value, shown.delta) == (t(f"sentiment.label.{int(probs.argmax())}", lang), f"{probs.max():.1%}")
