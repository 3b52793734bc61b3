"""Sentiment classifier checkpoints: the role's model (bert-base-chinese online, a local dir) and the models
trained on the page under `<models_dir>/sentiment/`; loading one tells whether its head is trained."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from hflab.sentiment.train import META_FILE, TrainConfig, TrainResult, config_dict, read_meta, save_classifier
from hflab.settings import get_settings
from hflab.sources import Source, is_usable_dir

NUM_LABELS = 2


@dataclass(frozen=True)
class Classifier:
    """A loaded classifier plus what the page must say about it."""

    model: object
    tokenizer: object
    untrained_head: bool  # the checkpoint had no classifier weights: its outputs are noise
    meta: dict | None  # the lab's metadata for models it trained (kind, accuracies, time)

    @property
    def num_labels(self) -> int:
        return int(self.model.config.num_labels)

    @property
    def usable(self) -> bool:
        """True when its outputs may be shown as predictions."""
        return not self.untrained_head and self.num_labels == NUM_LABELS


def trained_root() -> Path:
    """Where the page saves the classifiers it trains."""
    return get_settings().models_dir / "sentiment"


def trained_dir(kind: str, dataset_name: str) -> Path:
    """One directory per (training mode, data set): retraining replaces it atomically."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in dataset_name.split("/")[-1])[:60]
    return trained_root() / f"{kind}-{safe}"


def list_trained() -> list[tuple[Path, dict]]:
    """(dir, metadata) of every model trained on the page, newest first."""
    root = trained_root()
    if not root.is_dir():
        return []
    found = [(d, read_meta(d)) for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")]
    found = [(d, m) for d, m in found if m is not None and is_usable_dir(d, "model")]
    return sorted(found, key=lambda dm: -dm[1].get("created", 0))


def trained_source(path: Path) -> Source:
    """A `Source` for a model dir the page trained, so the model manager can share it between sessions."""
    return Source("sentiment", "local", "hflab-trained", str(path), "source.local", params={"path": str(path)})


def load_classifier(source: Source) -> Classifier:
    """AutoModelForSequenceClassification + tokenizer; missing classifier weights mean an untrained head."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from hflab import loading
    from hflab.settings import hf_token

    loading.configure_torch()
    if not source.ready or not source.target:
        raise FileNotFoundError(source.repo_id)
    kwargs = {"trust_remote_code": False}
    if source.kind in ("hub", "mirror"):
        kwargs["token"] = hf_token()
    tokenizer = AutoTokenizer.from_pretrained(source.target, **kwargs)
    dtype = torch.float32 if loading.device() == "cpu" else "auto"
    model, info = AutoModelForSequenceClassification.from_pretrained(
        source.target, dtype=dtype, output_loading_info=True, **kwargs, **loading.safe_weights_kwargs(source.target))
    untrained = any(key.startswith("classifier.") for key in info["missing_keys"])
    meta = read_meta(Path(source.target)) if Path(source.target).is_dir() else None
    model.eval()
    return Classifier(model.to(loading.device()), tokenizer, untrained, meta)


def save_trained(model, tokenizer, config: TrainConfig, result: TrainResult, test_accuracy: float | None,
                 data, kind: str, base: str | None = None) -> Path:
    """Save a classifier the page trained, with metadata the UI uses to label it honestly."""
    meta = {
        "kind": kind,  # "scratch" or "finetune"
        "base": base,
        "dataset": data.name,
        "dataset_origin": data.origin,
        "train_rows": int(len(data.splits["train"])),
        "val_accuracy": result.best_val_accuracy,
        "test_accuracy": test_accuracy,
        "train_seconds": round(result.seconds, 1),
        "stopped_early": result.stopped_early,
        "config": config_dict(config),
        "created": time.time(),
        "params": int(sum(p.numel() for p in model.parameters())),
    }
    return save_classifier(model, tokenizer, trained_dir(kind, data.name), meta)


__all__ = ["Classifier", "META_FILE", "list_trained", "load_classifier", "save_trained", "trained_dir",
           "trained_root", "trained_source"]
