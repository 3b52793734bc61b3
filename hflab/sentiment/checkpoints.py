"""Sentiment classifier checkpoints: the fine-tuned Hub default (online), the role's model (a local dir, or
bert-base-chinese as the untrained-head lesson) and the models trained on the page under
`<models_dir>/sentiment/`; loading one tells whether its head is trained.

A model trained on the page belongs to the browser tab that trained it: its metadata names that tab's owner id
(components/session_owner.py: the tab's progress id, which a refresh keeps) and only that tab lists it. Models saved
without an owner (before models had owners, or by a script) are shared: every session lists them, and none replaces
them, since every save takes a folder of its own."""
from __future__ import annotations

import contextlib
import secrets
import shutil
import time
from pathlib import Path

from hflab.loading.files import read_meta
from hflab.loading.roles import ROLES
from hflab.loading.sources import Source, is_usable_dir, resolve
from hflab.sentiment.evaluate import Evaluation, guesses_majority, majority_label, majority_share
from hflab.sentiment.train import TrainConfig, TrainResult, recipe_dict, save_classifier
from hflab.settings import get_settings

NUM_LABELS = 2
# The online default predictor: BertForSequenceClassification fine-tuned for Chinese sentiment (two labels,
# Apache-2.0); bert-base-chinese (the role's default) has an untrained head and stays as the tutorial's lesson.
FINETUNED_ID = "IDEA-CCNL/Erlangshen-Roberta-110M-Sentiment"
LESSON_ID = ROLES["sentiment"].default_id



def name_key(meta: dict, form: str) -> str:
    """The catalog key that names a model the lab trained, by its recipe (hand loop or Trainer) and mode (scratch or
    fine-tune); `form` is "label" (with its test accuracy) or "name"."""
    kind = str(meta.get("kind") or "")
    recipe = "trainer_" if kind.startswith("trainer-") else ""
    mode = "scratch" if kind.removeprefix("trainer-") == "scratch" else "finetune"
    return f"sentiment.model.{recipe}{mode}_{form}"


def trained_root() -> Path:
    """Where the page saves the classifiers it trains."""
    return get_settings().models_dir / "sentiment"


def claim_trained_dir(kind: str, dataset_name: str) -> Path:
    """A new, empty folder for one trained model: its mode and data set, then a random suffix. Made here (mkdir fails
    on a name that exists), so a save never replaces another model, this session's or another's."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in dataset_name.split("/")[-1])[:60]
    root = trained_root()
    root.mkdir(parents=True, exist_ok=True)
    while True:
        target = root / f"{kind}-{safe}-{secrets.token_hex(8)}"
        with contextlib.suppress(FileExistsError):  # 64 random bits: taken only by chance, then draw again
            target.mkdir()
            return target


def list_trained(owner: str | None = None) -> list[tuple[Path, dict]]:
    """(dir, metadata) of the models trained by the session whose owner id is `owner` and of the shared ones (saved
    with no owner), newest first. `owner` None lists the shared ones only: a session's models are its own."""
    root = trained_root()
    if not root.is_dir():
        return []
    found = [(d, read_meta(d)) for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")]
    found = [(d, m) for d, m in found
             if m is not None and m.get("owner") in (None, owner) and is_usable_dir(d, "model")]
    return sorted(found, key=lambda dm: -dm[1].get("created", 0))


def cleanup_trained(days: int | None = None, now: float | None = None) -> list[Path]:
    """Delete the folders under `trained_root()` older than `days` (HFLAB_CLEANUP_DAYS, default 3) that no session can
    list any more: models a tab owned (a tab's models are its own, and tabs get closed) and what a save that never
    finished left (an empty claimed folder, a hidden temporary one). Shared models
    (saved with no owner, by a script) and anything else stay; symlinks are never followed or deleted."""
    days = get_settings().cleanup_days if days is None else days
    root = trained_root()
    if not root.is_dir() or root.is_symlink():
        return []
    cutoff = (time.time() if now is None else now) - days * 86400
    removed: list[Path] = []
    for folder in root.iterdir():
        try:
            if folder.is_symlink() or not folder.is_dir():
                continue
            meta = read_meta(folder)
            if meta is not None:
                stale = meta.get("owner") is not None and float(meta.get("created") or 0) < cutoff
            else:  # an unfinished save: its claim left empty, or atomic_dir's temporary folder
                unfinished = (folder.name.startswith(".") and ".tmp-" in folder.name) or not any(folder.iterdir())
                stale = unfinished and folder.lstat().st_mtime < cutoff
            if stale:
                shutil.rmtree(folder)
                removed.append(folder)
        except (OSError, TypeError, ValueError):  # raced with another session, or metadata of the wrong type
            continue
    return removed


def trained_name(meta: dict) -> str:
    """The name a trained model is shown under: its own (unique among the models its session lists), or its data
    set's for models saved before they had names."""
    return str(meta.get("name") or meta.get("dataset") or "?")


def free_name(dataset_name: str, kind: str, owner: str | None) -> str:
    """`dataset_name`, else `dataset_name (2)`, `(3)`, ...: the first name that no model of `kind` listed to `owner`'s
    session has, so two runs on files of one name are two models under two names."""
    taken = {trained_name(meta) for _path, meta in list_trained(owner) if meta.get("kind") == kind}
    name, count = dataset_name, 1
    while name in taken:
        count += 1
        name = f"{dataset_name} ({count})"
    return name


def trained_source(path: Path) -> Source:
    """A `Source` for a model dir the page trained, so the model manager can share it between sessions."""
    return Source("sentiment", "local", "hflab-trained", str(path), "source.local", params={"path": str(path)})


def finetuned_source() -> Source | None:
    """The fine-tuned Hub checkpoint when it is cached or reachable (None offline, or when a local dir is set)."""
    if ROLES["sentiment"].local_dir():  # the user pointed the role at a model: that one is the default
        return None
    source = resolve("sentiment", hub_id=FINETUNED_ID)
    return source if source.ready else None


def is_lesson(source: Source) -> bool:
    """True for bert-base-chinese itself: its classification head is untrained (the tutorial's lesson)."""
    return source.kind != "local" and source.repo_id == LESSON_ID


def classifier_choices(role: Source, owner: str | None = None) -> list[tuple[Source, dict | None]]:
    """Selectable classifiers, the default first: the fine-tuned Hub checkpoint (online), the role's model
    when it is not bert-base-chinese, the models `owner`'s session trained and the shared ones (`list_trained`),
    then bert-base-chinese as the lesson."""
    ready_role = [(role, None)] if role.ready else []
    lesson = [c for c in ready_role if is_lesson(c[0])]
    finetuned = finetuned_source()
    return ([(finetuned, None)] if finetuned else []) + [c for c in ready_role if c not in lesson] \
        + [(trained_source(path), meta) for path, meta in list_trained(owner)] + lesson



def save_trained(model, tokenizer, config: TrainConfig, result: TrainResult, test_accuracy: float | None,
                 data, kind: str, base: str | None = None, train_rows: int | None = None,
                 test_evaluation: Evaluation | None = None, owner: str | None = None) -> Path:
    """Save a classifier the page trained into a folder of its own (atomically: a failed save leaves no model), owned
    by `owner`'s session (None: shared, as a script's), with metadata the UI uses to label it honestly (its name,
    unique in that session; `train_rows`: the rows it trained on, when not the whole train split; how the run ended;
    whether it only guesses the majority class)."""
    meta = {
        "kind": kind,  # "scratch" or "finetune"
        "owner": owner,
        "name": free_name(data.name, kind, owner),
        "base": base,
        "dataset": data.name,
        "dataset_origin": data.origin,
        "train_rows": int(len(data.splits["train"]) if train_rows is None else train_rows),
        "val_accuracy": result.best_val_accuracy,
        "test_accuracy": test_accuracy,
        "train_seconds": round(result.seconds, 1),
        "stopped_early": result.stopped_early,
        "stop_reason": result.stop_reason,
        "steps": result.steps,
        "planned_steps": result.planned_steps,
        "majority_share": majority_share(test_evaluation) if test_evaluation is not None else None,
        "guesses_majority": guesses_majority(test_evaluation) if test_evaluation is not None else None,
        "majority_label": majority_label(test_evaluation) if test_evaluation is not None else None,
        "config": recipe_dict(config),
        "created": time.time(),
        "params": int(sum(p.numel() for p in model.parameters())),
    }
    target = claim_trained_dir(kind, data.name)
    try:
        return save_classifier(model, tokenizer, target, meta)
    except BaseException:
        with contextlib.suppress(OSError):  # rmdir removes only the empty claim, never a model
            target.rmdir()
        raise


__all__ = ["FINETUNED_ID", "LESSON_ID", "claim_trained_dir", "classifier_choices", "cleanup_trained",
           "finetuned_source", "free_name", "is_lesson", "list_trained", "save_trained", "trained_name",
           "trained_root", "trained_source"]
