"""Memory a model needs, from its config alone: weights at fp32 / fp16 / int8, the KV cache for a context
length and batch, and what fits in the lab's memory budget.

Parameters are counted on a model built on the `meta` device (shapes, no storage) with the class the page
loads (the config's `architectures`), so the count is `sum(p.numel() for p in model.parameters())` of the
loaded model, tied embeddings once. (accelerate's init_empty_weights leaves them untied: counted twice.)

The int8 row is the all-int8 bound (1 byte per parameter, as bitsandbytes' LLM.int8 weights roughly take).
The lab's own CPU int8 (hflab/runtime/quantize.py) quantizes only nn.Linear weights and keeps embeddings and norms
fp32 and the MLP down projections fp16, so it takes more than this row.

The KV cache keeps a key and a value per attention layer that caches, each (batch, kv_heads, length, head_dim):
2 x layers x batch x kv_heads x head_dim x length x bytes per value.
- decoder-only (Qwen2, Llama): length = the context; kv_heads = num_key_value_heads (grouped-query attention).
- encoder-decoder (Marian): the decoder's self-attention over the context, plus its cross-attention over the
  encoder's length (computed once from the source text, kept for every step).
- BLIP's caption decoder: self-attention over the caption, plus cross-attention over the image patches
  (+1 class token) of the vision encoder.
- encoder-only (BERT): no cache: it reads the whole input at once and nothing carries over between steps.
Sliding-window layers (which cap what they keep) are not modelled: the estimate is for full attention.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hflab.loading.files import JsonRefused, parse_json, read_json
from hflab.loading.loaders import architecture_class
from hflab.loading.policy import BUILDING
from hflab.messages import Message, MessageError

WEIGHT_BYTES = {"fp32": 4, "fp16": 2, "int8": 1}  # bytes per parameter
CACHE_BYTES = {"fp32": 4, "fp16": 2}  # bytes per cached key / value element (the dtype the model computes in)
MAX_CONTEXT = 10_000_000  # tokens: longer than any model's context window; beyond it the input is a typo
MAX_BATCH = 4096
MAX_LAYERS = 1024  # a typed config with more would take minutes to build, even on the meta device
MB = 2**20


@dataclass(frozen=True)
class Attention:
    """What a model's KV cache is made of: which kind of attention caches, and the sizes the formula needs."""

    kind: str  # decoder | encoder_decoder | vision_decoder | encoder (no cache)
    layers: int = 0
    heads: int = 0
    kv_heads: int = 0
    head_dim: int = 0
    cross_length: int = 0  # a fixed cross-attention length (BLIP: image tokens); 0: the encoder length
    max_positions: int | None = None

    @property
    def caches(self) -> bool:
        """False for an encoder-only model: it keeps no cache."""
        return self.kind != "encoder"

    def bytes_per_token(self, batch: int, dtype_bytes: int) -> int:
        """Cache bytes one more token adds (K and V in every layer, for the whole batch)."""
        return 2 * self.layers * batch * self.kv_heads * self.head_dim * dtype_bytes


@dataclass(frozen=True)
class CacheBytes:
    """KV-cache bytes of one forward pass: decoder self-attention and cross-attention (encoder / image)."""

    self_attention: int
    cross_attention: int

    @property
    def total(self) -> int:
        """Both caches together."""
        return self.self_attention + self.cross_attention


@dataclass(frozen=True)
class Row:
    """One weights format: weights, cache, their sum, whether it fits the budget, and the largest context that does."""

    weights: str
    weight_bytes: int
    cache_bytes: int
    total_bytes: int
    fits: bool
    largest_context: int | None  # None: no cache (encoder-only); 0: the weights alone do not fit


def config_from_text(text: str):
    """A transformers config from a config.json the user pasted; MessageError when it is not one (JsonRefused
    past the JSON nesting limit)."""
    try:
        data = parse_json(text, "config.json")
    except JsonRefused:
        raise
    except ValueError as exc:
        raise MessageError("models.mem.err.not_json", detail=str(exc)[:200]) from exc
    if not isinstance(data, dict):
        raise MessageError("models.mem.err.not_config", found=type(data).__name__)
    from transformers import CONFIG_MAPPING

    model_type = data.get("model_type")
    if not isinstance(model_type, str) or model_type not in CONFIG_MAPPING:
        raise MessageError("models.mem.err.model_type", model_type=str(model_type))
    try:
        return CONFIG_MAPPING[model_type].from_dict(data)
    except Exception as exc:  # a value of the wrong type or shape: say which config could not be read
        raise MessageError("models.mem.err.bad_config", model_type=model_type, error=_short(exc)) from exc


def config_from_dir(target: str, token: str | bool | None = None):
    """The config of a local model dir or a Hub id (config.json only); MessageError for a local file that is no
    config, JsonRefused for one past the JSON limits (checked first: transformers' own reader has none)."""
    from hflab.loading.loaders import load_config

    if not Path(target).is_dir():
        return load_config(target, token=token)  # Hub errors: the caller's
    try:
        read_json(Path(target) / "config.json")
        return load_config(target)
    except JsonRefused:
        raise
    except Exception as exc:
        raise MessageError("models.mem.err.config_file", path=str(Path(target) / "config.json"),
                           error=_short(exc)) from exc


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}" if str(exc) else type(exc).__name__


def _int(config, *names: str) -> int:
    """The first of `names` the config sets to a positive number, else 0."""
    for name in names:
        value = getattr(config, name, None)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return 0


def is_decoder_only(config) -> bool:
    """True when the model generates with a cache: its own class can generate (e.g. Qwen2ForCausalLM, not
    BertForSequenceClassification); without `architectures`, a causal-LM type that is not a masked LM (or says
    is_decoder)."""
    cls = architecture_class(config)
    if cls is not None:
        return cls.can_generate()
    from transformers.models.auto.modeling_auto import (
        MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
        MODEL_FOR_MASKED_LM_MAPPING_NAMES,
    )

    model_type = config.model_type
    return model_type in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES and (
        bool(getattr(config, "is_decoder", False)) or model_type not in MODEL_FOR_MASKED_LM_MAPPING_NAMES)


def attention_of(config) -> Attention:
    """The cache-relevant sizes of `config` (text sizes from get_text_config for multimodal configs)."""
    text = config.get_text_config(decoder=True)
    vision = getattr(config, "vision_config", None)
    if config.is_encoder_decoder:
        kind = "encoder_decoder"
    elif vision is not None and text is not config and getattr(text, "is_decoder", False):
        kind = "vision_decoder"  # BLIP: a text decoder that cross-attends to the image
    elif is_decoder_only(config):
        kind = "decoder"
    else:
        return Attention("encoder", max_positions=_int(text, "max_position_embeddings") or None)
    # get_text_config(decoder=True) already maps an encoder-decoder's decoder_layers / decoder_attention_heads here
    layers = _int(text, "num_hidden_layers")
    heads = _int(text, "num_attention_heads")
    if not layers or not heads:
        raise MessageError("models.mem.err.sizes", model_type=config.model_type)
    kv_heads = _int(text, "num_key_value_heads") or heads
    head_dim = _int(text, "head_dim") or _int(text, "hidden_size") // heads
    cross = 0
    if kind == "vision_decoder":
        cross = (_int(vision, "image_size") // max(_int(vision, "patch_size"), 1)) ** 2 + 1  # patches + class token
    return Attention(kind, layers, heads, kv_heads, head_dim, cross, _int(text, "max_position_embeddings") or None)


def kv_cache_bytes(
    attention: Attention, context: int, batch: int, dtype_bytes: int, encoder_length: int = 0
) -> CacheBytes:
    """Bytes of past_key_values after a forward pass over `context` tokens (and `encoder_length` source tokens)."""
    if not attention.caches:
        return CacheBytes(0, 0)
    per_token = attention.bytes_per_token(batch, dtype_bytes)
    cross = 0
    if attention.kind == "encoder_decoder":
        cross = per_token * encoder_length
    elif attention.kind == "vision_decoder":
        cross = per_token * attention.cross_length
    return CacheBytes(per_token * context, cross)


def model_class(config):
    """The class the lab would build: the config's own architecture, else the generating head a decoder-only or
    encoder-decoder model is used with (its lm_head counts), else the bare AutoModel."""
    from transformers import AutoModel, AutoModelForCausalLM, AutoModelForSeq2SeqLM

    cls = architecture_class(config)
    if cls is not None:
        return cls
    auto = (
        AutoModelForSeq2SeqLM
        if config.is_encoder_decoder
        else AutoModelForCausalLM
        if is_decoder_only(config)
        else AutoModel
    )
    return lambda config: auto.from_config(config)


# how configs name a stack's layer count: one of each group per stack (aliases of one number), the groups added
ENCODER_LAYER_KEYS = ("num_hidden_layers", "num_layers", "encoder_layers", "n_layer")
DECODER_LAYER_KEYS = ("num_decoder_layers", "decoder_layers")


def total_layers(config_dict: dict) -> int:
    """Every layer the config builds: its own stacks (encoder and decoder) plus those of each sub-config (vision,
    text, audio, ...); a pasted config may hide most of its layers in a T5 decoder or a vision tower."""
    def count(group: tuple[str, ...], d: dict) -> int:
        return max((v for k, v in d.items() if k in group and type(v) is int and v > 0), default=0)

    own = count(ENCODER_LAYER_KEYS, config_dict) + count(DECODER_LAYER_KEYS, config_dict)
    return own + sum(total_layers(v) for v in config_dict.values() if isinstance(v, dict))


def parameter_count(config) -> int:
    """Parameters of the model the config describes, counted on the meta device (no weights allocated)."""
    layers = total_layers(config.to_dict())
    if layers > MAX_LAYERS:
        raise MessageError("models.mem.err.too_many_layers", layers=layers, max=MAX_LAYERS)
    return _count(json.dumps(config.to_dict(), sort_keys=True, default=str), type(config))


@lru_cache(maxsize=32)
def _count(config_json: str, config_class) -> int:
    import torch

    config = config_class.from_dict(json.loads(config_json))
    try:
        with BUILDING, torch.device("meta"):
            model = model_class(config)(config)
    except Exception as exc:  # sizes that do not fit together (hidden size not divisible by heads, ...)
        raise MessageError("models.mem.err.bad_config", model_type=config.model_type, error=_short(exc)) from exc
    return sum(p.numel() for p in model.parameters())


def describe(config) -> tuple[Attention, int]:
    """(attention sizes, parameter count) of a config; anything odd in it becomes a MessageError, never a traceback."""
    try:
        return attention_of(config), parameter_count(config)
    except MessageError:
        raise
    except Exception as exc:  # e.g. a composite config with two text configs, sizes of the wrong type
        raise MessageError("models.mem.err.bad_config", model_type=str(getattr(config, "model_type", "")),
                           error=_short(exc)) from exc


def check_inputs(context: int, batch: int, encoder_length: int, attention: Attention) -> list[Message]:
    """Errors for lengths and batch out of range; a warning for a context longer than the model was built for."""
    problems = []
    for name, value, limit in (("context", context, MAX_CONTEXT), ("batch", batch, MAX_BATCH),
                               ("encoder", encoder_length, MAX_CONTEXT)):
        if name == "encoder" and attention.kind != "encoder_decoder":
            continue
        if not isinstance(value, int) or not 1 <= value <= limit:
            problems.append(Message(f"models.mem.err.{name}", {"value": value, "max": limit}))
    if not problems and attention.max_positions and attention.caches and context > attention.max_positions:
        problems.append(Message("models.mem.beyond_positions", {"context": context, "max": attention.max_positions},
                                "warning"))
    return problems


def largest_context(attention: Attention, bytes_left: int, batch: int, dtype_bytes: int) -> int | None:
    """The longest context whose self-attention cache fits in `bytes_left` (None: no cache; 0: nothing fits)."""
    if not attention.caches:
        return None
    return max(bytes_left, 0) // attention.bytes_per_token(batch, dtype_bytes)


def memory_table(config, context: int, batch: int, cache_dtype: str, budget_mb: int,
                 encoder_length: int = 0) -> list[Row]:
    """One row per weights format: weights + KV cache against the budget, and the largest context that fits."""
    attention = attention_of(config)
    params = parameter_count(config)
    dtype_bytes = CACHE_BYTES[cache_dtype]
    cache = kv_cache_bytes(attention, context, batch, dtype_bytes, encoder_length)
    budget = budget_mb * MB
    rows = []
    for name, per_param in WEIGHT_BYTES.items():
        weights = params * per_param
        total = weights + cache.total
        rows.append(Row(name, weights, cache.total, total, total <= budget,
                        largest_context(attention, budget - weights - cache.cross_attention, batch, dtype_bytes)))
    return rows
