"""Prediction equals the model's own logits; evaluation equals pandas; the PyTorch view; a short training
run beats chance on held-out reviews; save/load round trip; untrained heads and foreign models are caught."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hflab.loading.files import read_meta
from hflab.loading.loaders import load_classifier
from hflab.loading.sources import resolve
from hflab.sentiment import data as sdata
from hflab.sentiment.checkpoints import list_trained, save_trained, trained_source
from hflab.sentiment.evaluate import evaluate, misclassified
from hflab.sentiment.predict import predict_proba
from hflab.sentiment.train import TrainConfig, accuracy, small_bert, train_classifier

TEXTS = ["这家酒店环境很好，服务也很周到，下次还会再来。", "太差了", "房间又小又脏，空调还坏了，前台态度冷漠。" * 5,
         "", "笔记本电脑性能不错，就是电池不太耐用。", "书的内容一般。"]


@pytest.fixture()
def tmp_path(tmp_path, monkeypatch):
    """pytest's tmp_path, added to the allowed roots (typed model dirs must be inside one)."""
    import os

    from hflab.settings import get_settings

    roots = [str(tmp_path)] + [str(r) for r in get_settings().allowed_roots]
    monkeypatch.setenv("HFLAB_ALLOWED_ROOTS", os.pathsep.join(roots))
    return tmp_path


@pytest.fixture(scope="module")
def tiny(tiny_models):
    return load_classifier(resolve("sentiment", local_dir=str(tiny_models["sentiment"])))


def test_predictions_equal_the_models_own_logits(tiny):
    import torch

    probs = predict_proba(tiny.model, tiny.tokenizer, TEXTS, batch_size=4)
    for text, row in zip(TEXTS, probs):
        with torch.no_grad():
            logits = tiny.model(**tiny.tokenizer(text, return_tensors="pt")).logits[0]
        assert row.argmax() == int(logits.argmax())
        np.testing.assert_allclose(row, torch.softmax(logits, -1).numpy(), atol=1e-5)


def test_inference_batches_are_capped_by_padded_tokens():
    from hflab.sentiment.batching import sorted_batches

    lengths = [512, 10, 300, 512, 40, 512, 100]
    batches = sorted_batches(lengths, batch_size=64, max_tokens=1024)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(len(b) * max(lengths[i] for i in b) <= 1024 for b in batches)
    assert batches == [[0, 3], [5, 2], [6, 4, 1]]  # longest first; a batch's first row sets its width
    assert sorted_batches([5000, 3], batch_size=8, max_tokens=1024) == [[0], [1]]  # a row longer than the cap: alone


def test_token_capped_predictions_equal_the_models_own_logits(tiny):
    import torch

    texts = [t * 20 for t in TEXTS if t] + [t for t in TEXTS if t]  # long rows: some batches hold one row
    probs = predict_proba(tiny.model, tiny.tokenizer, texts, batch_size=8, max_length=64, max_tokens=128)
    for text, row in zip(texts, probs):
        with torch.no_grad():
            enc = tiny.tokenizer(text, return_tensors="pt", truncation=True, max_length=64)
            logits = tiny.model(**enc).logits[0]
        np.testing.assert_allclose(row, torch.softmax(logits, -1).numpy(), atol=1e-5)


def test_pipeline_agrees(tiny):
    from transformers import pipeline

    pipe = pipeline("text-classification", model=tiny.model, tokenizer=tiny.tokenizer, device="cpu")
    texts = [t for t in TEXTS if t]
    label_ids = {name: i for i, name in tiny.model.config.id2label.items()}
    labels = [label_ids[out["label"]] for out in pipe(texts, batch_size=3)]
    assert labels == predict_proba(tiny.model, tiny.tokenizer, texts).argmax(axis=1).tolist()


def test_loaded_tiny_classifier_is_usable(tiny):
    assert tiny.num_labels == 2 and not tiny.untrained_head and tiny.meta is None


def test_untrained_head_is_detected(tmp_path, tiny):
    from transformers import BertModel

    BertModel(tiny.model.config).save_pretrained(tmp_path)  # an encoder without classifier weights
    tiny.tokenizer.save_pretrained(tmp_path)
    clf = load_classifier(resolve("sentiment", local_dir=str(tmp_path)))
    assert clf.untrained_head


def test_model_from_another_task_is_refused(tmp_path):
    from tiny_models import build_bert_classifier

    clf = load_classifier(resolve("sentiment", local_dir=str(build_bert_classifier(tmp_path / "three", num_labels=3))))
    assert clf.num_labels == 3


def test_evaluation_equals_pandas():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 300)
    p1 = np.clip(labels * 0.6 + rng.random(300) * 0.5, 0, 1)
    probs = np.stack([1 - p1, p1], axis=1)
    result = evaluate(labels, probs)
    frame = pd.DataFrame({"y": labels, "pred": probs.argmax(1)})
    assert result.accuracy == pytest.approx((frame.y == frame.pred).mean())
    crosstab = pd.crosstab(frame.y, frame.pred).reindex(index=[0, 1], columns=[0, 1], fill_value=0)
    assert result.confusion.to_numpy().tolist() == crosstab.to_numpy().tolist()
    for c in (0, 1):
        precision = (frame[frame.pred == c].y == c).mean()
        recall = (frame[frame.y == c].pred == c).mean()
        assert result.per_class.loc[c, "precision"] == pytest.approx(precision)
        assert result.per_class.loc[c, "recall"] == pytest.approx(recall)
        assert result.per_class.loc[c, "f1"] == pytest.approx(2 * precision * recall / (precision + recall))
    assert result.calibration["count"].sum() == 300
    df = pd.DataFrame({"text": [str(i) for i in range(300)], "label": labels})
    wrong = misclassified(df, probs)
    assert len(wrong) == (frame.y != frame.pred).sum()
    assert wrong["confidence"].is_monotonic_decreasing


def test_torch_view_padding(tiny):
    from hflab.sentiment.torch_view import first_batch

    df = pd.DataFrame({"text": [t or "空" for t in TEXTS], "label": [1, 0, 0, 1, 1, 0]})
    dynamic = first_batch(df, tiny.tokenizer, 4, 64, "longest", seed=1)
    fixed = first_batch(df, tiny.tokenizer, 4, 64, "max_length", seed=1)
    assert dynamic.texts == fixed.texts and dynamic.labels.tolist() == fixed.labels.tolist()
    lengths = [min(64, len(tiny.tokenizer(t)["input_ids"])) for t in dynamic.texts]
    assert dynamic.shape == (4, max(lengths)) and fixed.shape == (4, 64)
    assert dynamic.pad_tokens == sum(max(lengths) - n for n in lengths)
    assert fixed.pad_tokens == sum(64 - n for n in lengths)


@pytest.fixture(scope="module")
def chnsenticorp(review_dataset):
    return sdata.load_saved(review_dataset)


def test_short_training_beats_chance_and_round_trips(chnsenticorp, tmp_path_factory):
    tokenizer = sdata.bert_tokenizer()
    train = chnsenticorp.splits["train"].iloc[:1500]
    val = chnsenticorp.splits["validation"].iloc[:200]
    held_out = chnsenticorp.splits["test"].iloc[:300]
    config = TrainConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, max_length=64,
                         batch_size=32, epochs=3, learning_rate=3e-3, evals_per_epoch=1, patience=3)
    model = small_bert(tokenizer, config)
    events = []
    result = train_classifier(model, tokenizer, list(train.text), list(train.label), list(val.text),
                              list(val.label), config, on_event=events.append)
    acc = accuracy(model, tokenizer, list(held_out.text), list(held_out.label), 64)
    assert acc > 0.65, acc  # chance is 0.5 (the held-out labels are balanced within a few %)
    assert any(e.loss is not None for e in events) and any(e.val_accuracy is not None for e in events)
    assert result.best_val_accuracy == max(e.val_accuracy for e in events if e.val_accuracy is not None)

    before = {p for p, _ in list_trained()}  # other layers of the suite may have trained models already
    path = save_trained(model, tokenizer, config, result, acc, chnsenticorp, kind="scratch")
    assert {p for p, _ in list_trained()} - before == {path}
    loaded = load_classifier(trained_source(path))
    assert (
        loaded.num_labels == 2
        and not loaded.untrained_head
        and loaded.meta["test_accuracy"] == acc
        and loaded.meta["kind"] == "scratch"
    )
    texts = list(held_out.text[:20])
    np.testing.assert_allclose(predict_proba(loaded.model, loaded.tokenizer, texts, max_length=64),
                               predict_proba(model, tokenizer, texts, max_length=64), atol=1e-5)


def test_failed_save_keeps_the_good_model(tiny, tmp_path, monkeypatch):
    from hflab.sentiment import train as train_module

    target = tmp_path / "model"
    train_module.save_classifier(tiny.model, tiny.tokenizer, target, {"kind": "scratch", "test_accuracy": 0.9})
    before = sorted(p.name for p in target.iterdir())

    def broken_save(self, directory, **kwargs):
        (Path(directory) / "model.safetensors").write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(type(tiny.model), "save_pretrained", broken_save)
    with pytest.raises(OSError):
        train_module.save_classifier(tiny.model, tiny.tokenizer, target, {"kind": "scratch", "test_accuracy": 0.1})
    assert sorted(p.name for p in target.iterdir()) == before
    assert read_meta(target)["test_accuracy"] == 0.9
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no half-written temp dir left behind


def test_training_refuses_empty_splits(tiny):
    with pytest.raises(ValueError):
        train_classifier(tiny.model, tiny.tokenizer, [], [], ["好"], [1], TrainConfig())


def _hub(monkeypatch, online: bool) -> None:
    """The Hub reachable (or not) for `resolve`, with nothing in the HF cache."""
    from hflab.loading import sources
    from hflab.loading.network import HubStatus

    status = HubStatus("https://huggingface.co", False, not online, online, "test")
    monkeypatch.setattr(sources, "hub_status", lambda *a, **k: status)
    monkeypatch.delenv("HFLAB_SENTIMENT_DIR", raising=False)


def test_online_default_predictor_is_the_fine_tuned_checkpoint(monkeypatch):
    """Issue 13.5: online, the default is a fine-tuned Chinese sentiment model; bert-base-chinese comes last
    as the untrained-head lesson."""
    from hflab.sentiment.checkpoints import FINETUNED_ID, LESSON_ID, classifier_choices, is_lesson

    _hub(monkeypatch, online=True)
    choices = classifier_choices(resolve("sentiment"))
    assert choices[0][0].repo_id == FINETUNED_ID and choices[0][0].kind == "hub"
    assert choices[-1][0].repo_id == LESSON_ID and is_lesson(choices[-1][0])
    assert not is_lesson(choices[0][0])


def test_offline_the_fine_tuned_checkpoint_is_not_offered_as_ready(monkeypatch):
    from hflab.sentiment.checkpoints import FINETUNED_ID, classifier_choices

    _hub(monkeypatch, online=False)
    assert FINETUNED_ID not in [source.repo_id for source, _ in classifier_choices(resolve("sentiment"))]
