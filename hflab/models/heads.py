"""AutoModel vs AutoModelFor*: which heads a config supports, what each outputs, what is untrained.

The output shapes come from a real forward pass on a short input; the "newly initialised" list is
exactly transformers' own `output_loading_info=True` report (its `missing_keys`).
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

# the heads the lab explains, in teaching order; each has a plain-language description in the catalog
HEAD_CLASSES = (
    "AutoModel",
    "AutoModelForCausalLM",
    "AutoModelForMaskedLM",
    "AutoModelForSequenceClassification",
    "AutoModelForTokenClassification",
    "AutoModelForQuestionAnswering",
    "AutoModelForSeq2SeqLM",
    "AutoModelForImageTextToText",
)
SAMPLE_TEXT = "今天天气很好 the weather is nice"


@dataclass
class HeadReport:
    """What one Auto class built from a checkpoint: its class, output shapes and untrained weights."""

    auto_class: str
    model_class: str
    output_shapes: dict[str, tuple[int, ...]]
    newly_initialized: list[str] = field(default_factory=list)
    unused_from_checkpoint: list[str] = field(default_factory=list)
    input_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # a classification head's answer through pipeline("text-classification"): {"label": ..., "score": ...}
    answer: dict[str, Any] | None = None


def supported_heads(config) -> list[str]:
    """The Auto classes (of HEAD_CLASSES) whose mapping knows this config's class."""
    return heads_of_config_class(type(config))


def heads_of_config_class(config_class) -> list[str]:
    """The Auto classes (of HEAD_CLASSES) whose mapping knows `config_class` (a config class, e.g. LlamaConfig)."""
    import transformers

    return [name for name in HEAD_CLASSES if config_class in getattr(transformers, name)._model_mapping]


def packaged_heads() -> list[str]:
    """The heads the packaged offline model's architecture takes, known before its one-time conversion (which the
    config itself waits for)."""
    import transformers

    from hflab.loading.offline_assets import SMOLLM2_CONFIG_CLASS

    return heads_of_config_class(getattr(transformers, SMOLLM2_CONFIG_CLASS))


def sample_inputs(model, tokenizer=None, text: str = SAMPLE_TEXT) -> dict[str, Any]:
    """A short real input for `model.forward`: tokenised text, a blank image and decoder ids as needed."""
    import torch

    params = inspect.signature(model.forward).parameters
    config = model.config
    inputs: dict[str, Any] = {}
    if "input_ids" in params:
        if tokenizer is not None:
            encoded = tokenizer(text, return_tensors="pt", truncation=True, max_length=16)
            inputs["input_ids"] = encoded["input_ids"]
            if "attention_mask" in params and "attention_mask" in encoded:
                inputs["attention_mask"] = encoded["attention_mask"]
        else:
            vocab = getattr(config.get_text_config(), "vocab_size", 8) or 8
            inputs["input_ids"] = (torch.arange(1, 9) % vocab).unsqueeze(0)
    if "pixel_values" in params:
        vision = getattr(config, "vision_config", config)
        size = getattr(vision, "image_size", 224)
        size = size if isinstance(size, int) else size[0]
        inputs["pixel_values"] = torch.zeros(1, getattr(vision, "num_channels", 3), size, size)
    if "decoder_input_ids" in params and getattr(config, "is_encoder_decoder", False):
        start = config.decoder_start_token_id
        start = start if start is not None else (config.pad_token_id or 0)
        inputs["decoder_input_ids"] = torch.full((1, 4), start, dtype=torch.long)
    return inputs


def output_shapes(outputs) -> dict[str, tuple[int, ...]]:
    """Shape of every tensor field of a ModelOutput (nested outputs and tuples flattened by name)."""
    import torch

    shapes: dict[str, tuple[int, ...]] = {}
    items = outputs.items() if hasattr(outputs, "items") else enumerate(outputs)
    for name, value in items:
        if isinstance(value, torch.Tensor):
            shapes[str(name)] = tuple(value.shape)
        elif hasattr(value, "items"):
            shapes.update({f"{name}.{k}": v for k, v in output_shapes(value).items()})
    return shapes


def classification_answer(model, tokenizer, text: str) -> dict[str, Any]:
    """What `pipeline("text-classification")` answers for `text` with this model: its top label and score (for a
    new, untrained head: LABEL_0 or LABEL_1 near 0.5, the tutorial's lesson)."""
    from transformers import pipeline

    return dict(pipeline("text-classification", model=model, tokenizer=tokenizer)(text)[0])


def run_head(target: str, auto_class: str, tokenizer=None, token: str | bool | None = None,
             text: str = SAMPLE_TEXT) -> HeadReport:
    """Load `target` with `auto_class` (fp32, no remote code), run one forward pass on `text`, report what happened
    (a sequence-classification head also answers through the pipeline)."""
    import torch

    from hflab.loading.loaders import load_with_head

    if auto_class not in HEAD_CLASSES:
        raise ValueError(auto_class)
    model, info = load_with_head(target, auto_class, token)
    inputs = sample_inputs(model, tokenizer, text)
    with torch.no_grad():
        outputs = model(**inputs)
    answer = None
    if auto_class == "AutoModelForSequenceClassification" and tokenizer is not None:
        answer = classification_answer(model, tokenizer, text)
    report = HeadReport(
        auto_class=auto_class,
        model_class=type(model).__name__,
        output_shapes=output_shapes(outputs),
        newly_initialized=sorted(info.get("missing_keys", ())),
        unused_from_checkpoint=sorted(info.get("unexpected_keys", ())),
        input_shapes={k: tuple(v.shape) for k, v in inputs.items()},
        answer=answer,
    )
    del model
    return report
