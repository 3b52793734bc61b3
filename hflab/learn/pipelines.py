"""The tutorial's first hands-on step, `pipeline(...)`, next to the model forward it wraps.

text-classification on the sentiment role (with transformers' own list of newly initialised weights),
fill-mask when the checkpoint has a masked-LM head, text-generation on the causal LM role.
"""
from __future__ import annotations

from dataclasses import dataclass

BATCH = 16  # texts per forward: many long lines in one padded batch took gigabytes
PROMPT_TOKENS = 512  # the generation step's prompt: it shows pipeline == generate, not long-context speed


@dataclass(frozen=True)
class Classification:
    """One text: the pipeline's answer and the probabilities of the direct forward pass."""

    text: str
    label: str
    score: float
    probabilities: tuple[float, ...]  # softmax of the logits, in label-id order


def max_length(model, tokenizer) -> int:
    """Tokens a text is cut to: the tokenizer's limit, or the model's positions when the tokenizer names none."""
    positions = getattr(model.config, "max_position_embeddings", None) or tokenizer.model_max_length
    return int(min(tokenizer.model_max_length, positions))


def direct_probabilities(model, tokenizer, texts: list[str]) -> list[tuple[float, ...]]:
    """Softmax of the classifier's logits for each text: what the pipeline computes underneath."""
    import torch

    rows = []
    for start in range(0, len(texts), BATCH):
        encoded = tokenizer(texts[start:start + BATCH], padding=True, truncation=True,
                            max_length=max_length(model, tokenizer), return_tensors="pt")
        with torch.inference_mode():
            logits = model(**encoded.to(model.device)).logits
        rows += [tuple(float(p) for p in row) for row in torch.softmax(logits.float(), dim=-1)]
    return rows


def classify(model, tokenizer, texts: list[str]) -> list[Classification]:
    """`pipeline("text-classification")` on `texts`, with the direct forward's probabilities beside it."""
    from transformers import pipeline

    classifier = pipeline("text-classification", model=model, tokenizer=tokenizer)
    # as the direct forward: a text past the model's length is cut, not an error
    answers = classifier(texts, truncation=True, max_length=max_length(model, tokenizer))
    direct = direct_probabilities(model, tokenizer, texts)
    return [Classification(text, answer["label"], float(answer["score"]), probs)
            for text, answer, probs in zip(texts, answers, direct)]


def fill_mask(model, tokenizer, text: str, top_k: int = 5) -> list[dict]:
    """`pipeline("fill-mask")` on `text`: [{"token", "token_str", "score", "sequence"}, ...]."""
    from transformers import pipeline

    filler = pipeline("fill-mask", model=model, tokenizer=tokenizer)
    return [dict(answer) for answer in filler(text, top_k=top_k)]


def direct_fill_mask(model, tokenizer, text: str, top_k: int = 5) -> list[tuple[int, float]]:
    """(token id, probability) of the `top_k` most likely tokens at the mask, from the model's own logits."""
    import torch

    encoded = tokenizer(text, return_tensors="pt").to(model.device)
    position = int((encoded["input_ids"][0] == tokenizer.mask_token_id).nonzero()[0])
    with torch.inference_mode():
        logits = model(**encoded).logits[0, position]
    top = torch.softmax(logits.float(), dim=-1).topk(top_k)
    return [(int(i), float(p)) for p, i in zip(top.values, top.indices)]


def prompt_tokens(tokenizer, prompt: str) -> int:
    """Tokens of `prompt` as the generation step encodes it (checked against PROMPT_TOKENS before it runs)."""
    return len(tokenizer(prompt)["input_ids"])


def generate_text(model, tokenizer, prompt: str, max_new_tokens: int = 20) -> str:
    """`pipeline("text-generation")` with greedy decoding: the continuation only."""
    from transformers import pipeline

    generator = pipeline("text-generation", model=model, tokenizer=tokenizer)
    answer = generator(prompt, max_new_tokens=max_new_tokens, do_sample=False, return_full_text=False)
    return answer[0]["generated_text"]


def direct_greedy(model, tokenizer, prompt: str, max_new_tokens: int = 20) -> str:
    """The same continuation from `model.generate(do_sample=False)` and a decode of the new tokens."""
    import torch

    encoded = tokenizer(prompt, return_tensors="pt").to(model.device)
    with torch.inference_mode():
        out = model.generate(**encoded, max_new_tokens=max_new_tokens, do_sample=False)
    return tokenizer.decode(out[0, encoded["input_ids"].shape[1]:], skip_special_tokens=True)
