"""Every model, tokenizer, processor and config of the lab becomes an object here, with the one load policy
(`hflab.loading.policy.pretrained_kwargs`). Knows nothing of Streamlit.

Models come back in eval mode on the lab's device; on CPU the large Linear layers run through oneDNN where it beats
MKL (non-Intel CPUs: hflab.runtime.onednn_linear; HFLAB_ONEDNN_LINEAR=1 forces it, 0 turns it off).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from hflab.loading import offline_assets
from hflab.loading.files import config_dict, hub_files, read_meta, stored_dtype, weights_summary
from hflab.loading.policy import BUILDING, pretrained_kwargs
from hflab.loading.sources import Source
from hflab.messages import MessageError
from hflab.runtime.device import configure_torch, device
from hflab.settings import get_settings, hf_token

MLM_ARCHITECTURE_SUFFIXES = ("ForMaskedLM", "ForPreTraining")


class NoMaskedLMHead(MessageError):
    """The checkpoint has no masked-LM head, so fill-mask would only show random guesses."""


class LanguageModel(NamedTuple):
    """A model and the tokenizer that feeds it (causal LM, translation, masked LM, a model under inspection)."""

    model: Any
    tokenizer: Any


class Captioner(NamedTuple):
    """BLIP and its processor (image preprocessing + tokenizer)."""

    model: Any
    processor: Any


@dataclass(frozen=True)
class Classifier:
    """A sequence classifier, its tokenizer, the weights transformers had to initialise at random, and the lab's
    metadata when the lab trained it."""

    model: Any
    tokenizer: Any
    missing_keys: tuple[str, ...]
    meta: dict | None = None

    @property
    def untrained_head(self) -> bool:
        """True when the classification head was created fresh: its scores are noise around 1 / num_labels."""
        return any(key.startswith("classifier.") for key in self.missing_keys)

    @property
    def num_labels(self) -> int:
        """How many labels the head predicts."""
        return int(self.model.config.num_labels)


def _target(source: Source) -> str:
    if not source.ready or not source.target:
        raise FileNotFoundError(source.repo_id)
    if source.role == "causal_lm" and source.kind == "packaged" and not offline_assets.smollm2_converted():
        offline_assets.convert_smollm2()
    return source.target


def _place(model):
    model.eval()
    model = model.to(device())
    if device() == "cpu":
        from hflab.runtime import onednn_linear

        onednn_linear.route(model, get_settings().onednn_linear)  # oneDNN where MKL is slow (non-Intel CPUs)
    return model


def load_tokenizer(source: Source, **options):
    """AutoTokenizer for the source (fast, Rust-backed); `options` go to the tokenizer (e.g. tokenize_chinese_chars)."""
    from transformers import AutoTokenizer

    configure_torch()
    target = _target(source)
    return AutoTokenizer.from_pretrained(target, **pretrained_kwargs(target, source), **options)


def load_tokenizer_dir(path: str | Path, **options):
    """AutoTokenizer of a folder the lab wrote or ships (an exported tokenizer, the packaged vocab)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path), **pretrained_kwargs(str(path)), **options)


def load_config(target: str, source: Source | None = None, token: Any = None):
    """AutoConfig of a folder or Hub id (config.json only, no weights); `token` for a typed Hub id."""
    from transformers import AutoConfig

    kwargs = pretrained_kwargs(target, source) if source is not None else pretrained_kwargs(target, token=token)
    return AutoConfig.from_pretrained(target, **kwargs)


def _with_tokenizer(source: Source, auto_model: str, dtype: Any = None) -> LanguageModel:
    """(model, tokenizer) with transformers' `auto_model` class (e.g. "AutoModelForCausalLM"), placed and in eval mode;
    `dtype` overrides the lab's (then the caller places the model)."""
    import transformers

    configure_torch()
    target = _target(source)
    tokenizer = transformers.AutoTokenizer.from_pretrained(target, **pretrained_kwargs(target, source))
    with BUILDING:
        model = getattr(transformers, auto_model).from_pretrained(
            target, **pretrained_kwargs(target, source, weights=True, dtype=dtype))
    return LanguageModel(model, tokenizer) if dtype is not None else LanguageModel(_place(model), tokenizer)


def _stored_half_dtype(source: Source):
    """torch.bfloat16 / torch.float16 when the checkpoint's weights are stored in that width, else None."""
    import torch

    dtype = getattr(load_config(_target(source), source), "dtype", None)
    dtype = getattr(torch, dtype) if isinstance(dtype, str) and hasattr(torch, dtype) else dtype
    return dtype if dtype in (torch.bfloat16, torch.float16) else None


def load_causal_lm(source: Source, precision: str = "fp32") -> LanguageModel:
    """(model, tokenizer) of a causal LM, in eval mode on the lab's device; on CPU optionally with its
    Linear layers in fp16 or int8 (hflab.runtime.quantize.quantize_for_decoding).

    A checkpoint stored in half precision (Qwen2-0.5B-Instruct is bf16) loads in that width for fp16 / int8 and
    is converted one layer at a time, giving back each layer's read checkpoint pages and freed heap: it never
    holds the fp32 model, whose load would need fp32 weights plus the checkpoint (2.8 GB for Qwen2-0.5B)."""
    if precision == "fp32":
        return _with_tokenizer(source, "AutoModelForCausalLM")
    from hflab.runtime.os_memory import drop_checkpoint_pages, trim_heap
    from hflab.runtime.quantize import quantize_for_decoding

    calls = iter(range(10**9))

    def give_back() -> None:
        if next(calls) % 8 == 0:  # reading /proc/self/smaps takes ~20 ms: about once per decoder block (7 layers)
            drop_checkpoint_pages()
            trim_heap()

    half = _stored_half_dtype(source) if device() == "cpu" else None
    model, tokenizer = _with_tokenizer(source, "AutoModelForCausalLM", dtype=half) if half else (
        _with_tokenizer(source, "AutoModelForCausalLM"))
    model = quantize_for_decoding(model, precision, inplace=True, after_each=give_back)
    drop_checkpoint_pages()
    trim_heap()
    return LanguageModel(_place(model), tokenizer)


def load_caption_model(source: Source) -> Captioner:
    """(BlipForConditionalGeneration, BlipProcessor): the image-to-text pipeline is gone in transformers 5."""
    from transformers import BlipForConditionalGeneration, BlipProcessor

    configure_torch()
    target = _target(source)
    processor = BlipProcessor.from_pretrained(target, **pretrained_kwargs(target, source))
    with BUILDING:
        model = BlipForConditionalGeneration.from_pretrained(target, **pretrained_kwargs(target, source, weights=True))
    return Captioner(_place(model), processor)


def load_seq2seq(source: Source) -> LanguageModel:
    """(model, tokenizer) of a translation model such as Marian opus-mt-en-zh."""
    return _with_tokenizer(source, "AutoModelForSeq2SeqLM")


def load_classifier(source: Source) -> Classifier:
    """AutoModelForSequenceClassification + tokenizer with `output_loading_info=True`, as the tutorial's BERT loads:
    missing classifier weights mean an untrained head."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    configure_torch()
    target = _target(source)
    tokenizer = AutoTokenizer.from_pretrained(target, **pretrained_kwargs(target, source))
    with BUILDING:
        model, info = AutoModelForSequenceClassification.from_pretrained(
            target, output_loading_info=True, **pretrained_kwargs(target, source, weights=True))
    meta = read_meta(Path(target)) if Path(target).is_dir() else None
    return Classifier(_place(model), tokenizer, tuple(sorted(info["missing_keys"])), meta)


def has_masked_lm_head(config) -> bool:
    """Does the checkpoint's config name a masked-LM architecture (bert-base-chinese: BertForMaskedLM)?"""
    return any(arch.endswith(MLM_ARCHITECTURE_SUFFIXES) for arch in (getattr(config, "architectures", None) or []))


def load_masked_lm(source: Source) -> LanguageModel:
    """(AutoModelForMaskedLM, tokenizer); raises NoMaskedLMHead when the checkpoint was saved without one."""
    from transformers import AutoModelForMaskedLM

    configure_torch()
    target = _target(source)
    config = load_config(target, source)
    if not has_masked_lm_head(config):
        raise NoMaskedLMHead("learn.fill.no_head", model=source.repo_id,
                             architectures=", ".join(config.architectures or []) or "?")
    tokenizer = load_tokenizer(source)
    with BUILDING:
        model = AutoModelForMaskedLM.from_pretrained(target, **pretrained_kwargs(target, source, weights=True))
    return LanguageModel(_place(model), tokenizer)


def load_with_head(target: str, auto_class: str, token: Any = None) -> tuple[Any, dict]:
    """(model in fp32 and eval mode, loading info) of `target` under transformers' `auto_class` (AutoModelFor...),
    whatever head the checkpoint was saved with."""
    import torch
    import transformers

    with BUILDING:
        model, info = getattr(transformers, auto_class).from_pretrained(
            target, output_loading_info=True,
            **pretrained_kwargs(target, token=token, weights=True, dtype=torch.float32))
    return model.eval(), info


def architecture_class(config):
    """The transformers class the config's `architectures` names (the checkpoint's own), or None."""
    import transformers

    names = [n for n in (getattr(config, "architectures", None) or []) if hasattr(transformers, n)]
    return getattr(transformers, names[0]) if names else None


def load_for_inspection(source: Source) -> LanguageModel:
    """(model, tokenizer or None): the checkpoint's own architecture class, never remote code; fp32 on CPU when that
    fits the memory budget (see `fits_fp32`), else as stored (Qwen2-0.5B-Instruct: bfloat16)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from hflab.loading import cache, typed

    configure_torch()
    if source.needs_conversion:
        offline_assets.convert_smollm2()
    if not source.ready or not source.target:
        raise FileNotFoundError(source.repo_id)
    if source.kind in ("hub", "mirror") and typed.is_typed(source):
        # a typed id comes through the lab's own download (the size cap before any file, the operator's token only
        # when shared), then loads from the cache folder: transformers' own Hub calls never run for it (some, like
        # the tokenizer's file listing, send HF_TOKEN from the environment whatever token they are given)
        source = replace(source, kind="cache", target=str(cache.download(source.repo_id, typed=True)))
    if source.kind in ("local", "cache", "packaged"):
        weights_summary(source.target)  # a corrupt file gets a clear message before transformers tries it
    config = load_config(source.target, source)
    cls = architecture_class(config) or AutoModel
    # on CPU fp32, unless its load would not fit the memory budget: then in the width it is stored in
    dtype = torch.float32 if device() == "cpu" and fits_fp32(source) else "auto"
    with BUILDING:
        model = cls.from_pretrained(source.target,
                                    **pretrained_kwargs(source.target, source, weights=True, dtype=dtype))
    model = model.eval().to(device())
    try:
        tokenizer = AutoTokenizer.from_pretrained(source.target, **pretrained_kwargs(source.target, source))
    except Exception:  # a model without a tokenizer is still inspectable; heads then use plain ids
        tokenizer = None
    return LanguageModel(model, tokenizer)




@functools.lru_cache(maxsize=64)
def _hub_weights(repo_id: str) -> tuple[int, str]:
    """(bytes of the safetensors files, stored dtype) of a Hub repo not downloaded yet, from its file list and config
    (two small requests, once per process); (0, "") when the Hub does not answer."""
    from huggingface_hub import hf_hub_download

    try:
        files, _ = hub_files(repo_id, token=hf_token())
        config = json.loads(Path(hf_hub_download(repo_id, "config.json", token=hf_token())).read_text(encoding="utf-8"))
    except Exception:  # offline, no access, no config: the load itself will say why
        return 0, ""
    return sum(f.size for f in files if f.name.endswith(".safetensors")), stored_dtype(config)


def _checkpoint_weights(source: Source) -> tuple[int, str]:
    """(bytes of the weight files, the dtype they are stored in) of a checkpoint folder or Hub repo; (0, "") when
    unknown."""
    from hflab.loading import typed

    # a typed id is sized by its own capped download (hflab.loading.cache), never with the operator's token here
    if source.kind in ("hub", "mirror") and source.target and not typed.is_typed(source):
        return _hub_weights(source.target)
    if not source.target or not Path(source.target).is_dir():
        return 0, ""
    d = Path(source.target)
    weights = sum(f.stat().st_size for f in d.glob("*.safetensors")) or sum(f.stat().st_size for f in d.glob("*.bin"))
    return weights, stored_dtype(config_dict(d))


def estimate_load_bytes(source: Source, precision: str = "fp32") -> int:
    """Rough bytes a model needs at the peak of its CPU load (0 when unknown), what the memory budget is checked with.

    fp32 of a checkpoint stored in half precision: its fp32 weights (twice the files) plus the files themselves,
    which transformers reads in full while it builds the fp32 copy. "stored" (the checkpoint's own width) and fp16 /
    int8 (converted one layer at a time, see load_causal_lm) stay within the fp32 weights."""
    weights, dtype = _checkpoint_weights(source)
    if dtype not in ("bfloat16", "float16"):
        return weights
    if precision == "stored":
        return weights
    return weights * 3 if precision == "fp32" else weights * 2


def fits_fp32(source: Source) -> bool:
    """True when loading `source` in fp32 stays within the memory budget (HFLAB_MEMORY_BUDGET_MB)."""
    return estimate_load_bytes(source) <= get_settings().memory_budget_mb * 2**20
