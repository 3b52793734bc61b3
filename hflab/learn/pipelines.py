"""The tutorial's first hands-on step, `pipeline(...)`, next to the model forward it wraps.

text-classification on the sentiment role (with transformers' own list of newly initialised weights),
fill-mask when the checkpoint has a masked-LM head, text-generation on the causal LM role.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hflab.messages import MessageError
from hflab.sources import Source

MLM_ARCHITECTURE_SUFFIXES = ("ForMaskedLM", "ForPreTraining")


class NoMaskedLMHead(MessageError):
    """The checkpoint has no masked-LM head, so fill-mask would only show random guesses."""


@dataclass(frozen=True)
class LoadedClassifier:
    """A sequence classifier, its tokenizer, and the weights transformers had to initialise at random."""

    model: Any
    tokenizer: Any
    missing_keys: tuple[str, ...]

    @property
    def untrained_head(self) -> bool:
        """True when the classification head was created fresh: its scores are noise around 1 / num_labels."""
        return any(key.startswith("classifier.") for key in self.missing_keys)


@dataclass(frozen=True)
class Classification:
    """One text: the pipeline's answer and the probabilities of the direct forward pass."""

    text: str
    label: str
    score: float
    probabilities: tuple[float, ...]  # softmax of the logits, in label-id order


def _load_kwargs(source: Source) -> dict:
    from hflab import loading
    from hflab.settings import hf_token

    kwargs: dict[str, Any] = {"trust_remote_code": False}
    if source.kind in ("hub", "mirror"):
        kwargs["token"] = hf_token()
    if loading.device() == "cpu":
        import torch

        kwargs["dtype"] = torch.float32
    return kwargs


def _require_target(source: Source) -> str:
    if not source.ready or not source.target:
        raise FileNotFoundError(source.repo_id)
    return source.target


def load_classifier(source: Source) -> LoadedClassifier:
    """AutoModelForSequenceClassification with `output_loading_info=True`, as the tutorial's BERT loads."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from hflab import loading

    loading.configure_torch()
    target = _require_target(source)
    kwargs = _load_kwargs(source)
    tokenizer = AutoTokenizer.from_pretrained(target, **{k: v for k, v in kwargs.items() if k != "dtype"})
    model, info = AutoModelForSequenceClassification.from_pretrained(target, output_loading_info=True, **kwargs,
                                                                     **loading.safe_weights_kwargs(target))
    return LoadedClassifier(model.eval(), tokenizer, tuple(sorted(info["missing_keys"])))


def direct_probabilities(model, tokenizer, texts: list[str]) -> list[tuple[float, ...]]:
    """Softmax of the classifier's logits for each text: what the pipeline computes underneath."""
    import torch

    encoded = tokenizer(texts, padding=True, truncation=True, return_tensors="pt").to(model.device)
    with torch.inference_mode():
        logits = model(**encoded).logits
    return [tuple(float(p) for p in row) for row in torch.softmax(logits.float(), dim=-1)]


def classify(model, tokenizer, texts: list[str]) -> list[Classification]:
    """`pipeline("text-classification")` on `texts`, with the direct forward's probabilities beside it."""
    from transformers import pipeline

    classifier = pipeline("text-classification", model=model, tokenizer=tokenizer)
    answers = classifier(texts)
    direct = direct_probabilities(model, tokenizer, texts)
    return [Classification(text, answer["label"], float(answer["score"]), probs)
            for text, answer, probs in zip(texts, answers, direct)]


def has_masked_lm_head(config) -> bool:
    """Does the checkpoint's config name a masked-LM architecture (bert-base-chinese: BertForMaskedLM)?"""
    return any(arch.endswith(MLM_ARCHITECTURE_SUFFIXES) for arch in (getattr(config, "architectures", None) or []))


def load_masked_lm(source: Source) -> tuple[Any, Any]:
    """(AutoModelForMaskedLM, tokenizer); raises NoMaskedLMHead when the checkpoint was saved without one."""
    from transformers import AutoConfig, AutoModelForMaskedLM, AutoTokenizer

    from hflab import loading

    loading.configure_torch()
    target = _require_target(source)
    kwargs = _load_kwargs(source)
    plain = {k: v for k, v in kwargs.items() if k != "dtype"}
    config = AutoConfig.from_pretrained(target, **plain)
    if not has_masked_lm_head(config):
        raise NoMaskedLMHead("learn.fill.no_head", model=source.repo_id,
                             architectures=", ".join(config.architectures or []) or "?")
    tokenizer = AutoTokenizer.from_pretrained(target, **plain)
    model = AutoModelForMaskedLM.from_pretrained(target, **kwargs, **loading.safe_weights_kwargs(target))
    return model.eval(), tokenizer


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
