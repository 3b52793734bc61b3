"""Models trained on the Sentiment page belong to the session that trained them (issue 38): every save takes a folder
of its own, its metadata names the session's owner id, and a session lists its own models plus the shared ones (saved
with no owner: before models had owners, or by a script). A name taken in a session gets a number; no save replaces
a model, not even when a random folder name comes up twice; a failed save leaves nothing behind."""
import json
import os
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from hflab.loading.files import META_FILE, read_meta
from hflab.loading.loaders import load_classifier
from hflab.loading.sources import resolve
from hflab.sentiment import checkpoints
from hflab.sentiment import data as sdata
from hflab.sentiment.checkpoints import classifier_choices, list_trained, save_trained, trained_source
from hflab.sentiment.train import TrainConfig, TrainResult


@pytest.fixture(scope="module")
def tiny(tiny_models):
    """The tiny BERT classifier: what a session saves here (its weights are not the point)."""
    return load_classifier(resolve("sentiment", local_dir=str(tiny_models["sentiment"])))


@pytest.fixture()
def models_dir(tiny, tmp_path, monkeypatch):
    """An empty data dir of this test's own; returns where trained models go."""
    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "models" / "sentiment"


def reviews(name: str = "reviews.csv") -> sdata.ReviewData:
    """An uploaded file called `name` (the page names its model after the file)."""
    return sdata.upload_data(name, pd.DataFrame({"text": ["好", "差"] * 10, "label": [1, 0] * 10}))


def save(tiny, owner: str | None, accuracy: float = 0.5, kind: str = "scratch", name: str = "reviews.csv"):
    """Save the tiny classifier as `owner`'s session would after training on `name`."""
    return save_trained(tiny.model, tiny.tokenizer, TrainConfig(), TrainResult(tiny.model), accuracy, reviews(name),
                        kind=kind, owner=owner)


def listed(owner: str | None) -> set:
    return {path for path, _meta in list_trained(owner)}


def files(path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.iterdir()}


def test_a_session_lists_only_its_own_models_and_the_same_file_name_overwrites_nothing(tiny, models_dir):
    mine = save(tiny, "owner-a", accuracy=0.6)
    before = files(mine)
    theirs = save(tiny, "owner-b", accuracy=0.7)  # another learner, a file of the same name
    assert mine != theirs and files(mine) == before
    assert (read_meta(mine)["owner"], read_meta(mine)["test_accuracy"]) == ("owner-a", 0.6)
    assert (read_meta(theirs)["owner"], read_meta(theirs)["test_accuracy"]) == ("owner-b", 0.7)
    assert read_meta(mine)["name"] == read_meta(theirs)["name"] == "reviews.csv"  # numbered only within a session
    assert listed("owner-a") == {mine} and listed("owner-b") == {theirs}
    assert listed(None) == set()  # no session: only shared models
    offered = [source for source, _meta in classifier_choices(resolve("sentiment"), "owner-b")]
    assert trained_source(theirs) in offered and trained_source(mine) not in offered


def test_the_same_file_name_twice_in_one_session_is_two_models_under_two_names(tiny, models_dir):
    first = save(tiny, "owner-a", accuracy=0.6)
    before = files(first)
    second, third = save(tiny, "owner-a", accuracy=0.7), save(tiny, "owner-a", accuracy=0.8)
    fine_tuned = save(tiny, "owner-a", kind="finetune")  # another mode: its label differs already
    assert len({first, second, third, fine_tuned}) == 4 and files(first) == before
    assert [read_meta(p)["name"] for p in (first, second, third, fine_tuned)] == [
        "reviews.csv", "reviews.csv (2)", "reviews.csv (3)", "reviews.csv"]
    assert [read_meta(p)["test_accuracy"] for p in (first, second, third)] == [0.6, 0.7, 0.8]
    assert listed("owner-a") == {first, second, third, fine_tuned}


def test_models_saved_before_owners_are_shared_and_never_replaced(tiny, tiny_models, models_dir):
    legacy = models_dir / "scratch-reviews.csv"  # the folder the page used to replace on every run on this file
    shutil.copytree(tiny_models["sentiment"], legacy)
    (legacy / META_FILE).write_text(json.dumps({"kind": "scratch", "dataset": "reviews.csv", "created": 1.0}))
    before = files(legacy)
    assert listed("owner-a") == listed("owner-b") == listed(None) == {legacy}
    mine = save(tiny, "owner-a")
    assert mine != legacy and files(legacy) == before
    assert read_meta(mine)["name"] == "reviews.csv (2)"  # the shared one shows in this session's list too
    assert listed("owner-a") == {legacy, mine} and listed("owner-b") == {legacy}


@pytest.mark.parametrize("owner", [["owner-a"], {"owner": "owner-a"}, "", 0, False])
def test_an_owner_that_is_not_a_sessions_id_is_no_ones_to_list(tiny, tiny_models, models_dir, owner):
    """Only a missing (or null) owner makes a model shared; any other value is some session's, never this one's."""
    odd = models_dir / "scratch-odd"
    shutil.copytree(tiny_models["sentiment"], odd)
    (odd / META_FILE).write_text(json.dumps({"kind": "scratch", "dataset": "odd.csv", "owner": owner}))
    assert listed("owner-a") == listed(None) == set()


def test_a_folder_name_drawn_twice_is_drawn_again_not_replaced(tiny, models_dir, monkeypatch):
    draws = iter(["0" * 16, "0" * 16, "1" * 16])
    monkeypatch.setattr(checkpoints, "secrets", SimpleNamespace(token_hex=lambda _bytes: next(draws)))
    first = save(tiny, "owner-a", accuracy=0.6)
    before = files(first)
    second = save(tiny, "owner-b", accuracy=0.7)
    assert (first.name, second.name) == ("scratch-reviews.csv-" + "0" * 16, "scratch-reviews.csv-" + "1" * 16)
    assert files(first) == before and read_meta(second)["test_accuracy"] == 0.7


def test_a_failed_save_leaves_no_folder_behind(tiny, models_dir, monkeypatch):
    def broken_save(self, directory, **kwargs):
        (directory / "model.safetensors").write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(type(tiny.model), "save_pretrained", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save(tiny, "owner-a")
    assert list(models_dir.iterdir()) == []  # neither the claimed folder nor a half-written temporary one


def test_cleanup_removes_what_no_session_can_list_and_keeps_the_rest(tiny, models_dir, tmp_path):
    """Trained models took a folder each and nothing removed them: a tab's models are its own, and tabs get closed,
    so they stayed on disk, unreachable (issue 35, noticed)."""
    old, new = save(tiny, "gone-session"), save(tiny, "live-session")
    shared = save(tiny, None)
    empty_claim = checkpoints.claim_trained_dir("scratch", "reviews.csv")
    unfinished = models_dir / ".scratch-reviews.csv-0123.tmp-abc"
    unfinished.mkdir()
    (unfinished / "model.safetensors").write_bytes(b"half")
    foreign = models_dir / "placed-by-hand"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    (models_dir / "link").symlink_to(outside, target_is_directory=True)
    meta = read_meta(old) | {"created": 0}
    (old / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    now = read_meta(new)["created"] + 3600  # an hour after the newest save
    for folder in (empty_claim, unfinished, foreign):
        os.utime(folder, (0, 0))

    removed = checkpoints.cleanup_trained(days=3, now=now)

    assert sorted(removed) == sorted([old, empty_claim, unfinished])
    assert {p.name for p in models_dir.iterdir()} == {new.name, shared.name, foreign.name, "link"}
    assert (outside / "keep.txt").read_text() == "keep"
    assert listed("live-session") == {new, shared}
    assert checkpoints.cleanup_trained(days=3, now=now) == []
