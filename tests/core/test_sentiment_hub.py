"""The sentiment data set from the Hub, through the real `datasets.load_dataset` against a local fake Hub
(tests/fake_hub.py) serving ChnSentiCorp as parquet under its real id: downloaded, saved with
`save_to_disk` (path shown), and read from that copy on the next start with the network gone."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from apptest_utils import error_texts, open_page
from fake_hub import FakeHub
from local_servers import refused_port

from hflab.i18n import t
from hflab.loading import network
from hflab.loading.sources import resolve, saved_dataset_dir
from hflab.messages import Message
from hflab.sentiment import data as sdata

REPO = "lansinuote/ChnSentiCorp"
ROWS = 60  # per split: enough to check every row, small enough to stay fast


@pytest.fixture(scope="module")
def hub_files(review_dataset):
    from datasets import load_from_disk

    saved = load_from_disk(str(review_dataset))
    files = {"README.md": b"---\nlicense: unknown\n---\n"}
    for split in saved:
        buffer = io.BytesIO()
        saved[split].select(range(ROWS)).to_parquet(buffer)
        files[f"data/{split}-00000-of-00001.parquet"] = buffer.getvalue()
    return files, {split: saved[split].select(range(ROWS)).to_pandas() for split in saved}


def _endpoint(monkeypatch, url: str, offline: bool) -> None:
    """Point the app, huggingface_hub and datasets at `url` (the libraries read it at import)."""
    import datasets.config
    from huggingface_hub import constants

    monkeypatch.setenv("HF_ENDPOINT", url)
    monkeypatch.setattr(constants, "ENDPOINT", url)
    monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", url + "/{repo_id}/resolve/{revision}/{filename}")
    monkeypatch.setattr(datasets.config, "HF_ENDPOINT", url)
    monkeypatch.setattr(datasets.config, "HUB_DATASETS_URL", url + "/datasets/{repo_id}/resolve/{revision}/{path}")
    for module in (constants, datasets.config):
        monkeypatch.setattr(module, "HF_HUB_OFFLINE", offline)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", offline)
    if offline:
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    else:
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    network._cache.clear()


def _caches(monkeypatch, home) -> None:
    """A fresh HF cache for this test (huggingface_hub and datasets read their paths at import)."""
    import datasets.config
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(home / "hub"))
    monkeypatch.setattr(datasets.config, "HF_CACHE_HOME", str(home))
    for name, sub in (("HF_DATASETS_CACHE", "datasets"), ("DOWNLOADED_DATASETS_PATH", "datasets/downloads"),
                      ("EXTRACTED_DATASETS_PATH", "datasets/downloads/extracted")):
        monkeypatch.setattr(datasets.config, name, home / sub)


@pytest.fixture()
def hub(hub_files, monkeypatch, tmp_path):
    """Online against the fake Hub, with a fresh data dir and HF cache and no local ChnSentiCorp copy."""
    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path / "data"))
    _caches(monkeypatch, tmp_path / "hf_home")
    from hflab import settings

    # no local copy: the default one is found next to the project (../shared/data), so move the project
    monkeypatch.delenv("HFLAB_DATASET_DIR", raising=False)
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path / "project")
    server = FakeHub({("dataset", REPO): hub_files[0]})
    _endpoint(monkeypatch, server.url, offline=False)
    yield server
    server.close()
    network._cache.clear()


def _closed_port() -> str:
    return f"http://127.0.0.1:{refused_port()}"


def _assert_rows(reviews: sdata.ReviewData, expected: dict[str, pd.DataFrame]) -> None:
    assert set(reviews.splits) == set(expected)
    for split, frame in expected.items():
        got = reviews.splits[split]
        assert list(got["text"]) == list(frame["text"]) and list(got["label"]) == list(frame["label"]), split


def test_download_saves_to_disk_and_the_next_start_reads_it_offline(hub, hub_files, monkeypatch):
    source = resolve("dataset")
    assert source.kind == "mirror" and source.repo_id == REPO  # any endpoint but huggingface.co is a mirror
    reviews = sdata.load_source(source)
    _assert_rows(reviews, hub_files[1])
    saved = saved_dataset_dir(REPO)
    assert reviews.notes == [Message("sentiment.data.saved_to", {"path": str(saved)}, "info")]
    assert (saved / "dataset_dict.json").is_file()
    assert any("/resolve/" in r and r.endswith(".parquet") for r in hub.requests)  # really downloaded

    _endpoint(monkeypatch, _closed_port(), offline=True)  # the next start: no network at all
    again = resolve("dataset")
    assert again.label_key == "source.saved_dataset" and again.target == str(saved)
    _assert_rows(sdata.load_source(again), hub_files[1])


@pytest.fixture()
def tiny_classifier(tiny_env, monkeypatch, tmp_path):
    """The tiny classifier and the packaged bert-base-chinese vocab, read locally: the fake Hub serves only
    the data set."""
    import os

    from hflab.loading import offline_assets

    tokenizer = offline_assets.bert_tokenizer_dir()
    if tokenizer is None:
        pytest.skip("cn-clip (the packaged bert-base-chinese vocab) is not installed")
    monkeypatch.setenv("HFLAB_TOKENIZER_DIR", str(tokenizer))
    roots = [tmp_path, tokenizer, *{path.parent for path in tiny_env.values()}]
    monkeypatch.setenv("HFLAB_ALLOWED_ROOTS", os.pathsep.join(str(r) for r in roots))
    return tiny_env


def test_page_downloads_from_the_hub_and_shows_where_it_saved(hub, hub_files, tiny_classifier):
    """First run (Chinese): downloaded from the endpoint, the saved path shown. Next run (English): read
    from that saved copy."""
    at = open_page("app_pages/sentiment.py", "zh")
    saved = str(saved_dataset_dir(REPO))
    sizes = ", ".join(f"{k} {ROWS}" for k in ("train", "validation", "test"))

    def texts(elements):
        return [e.value.replace("\\", "").replace("\u200b", "") for e in elements]  # the page escapes Markdown

    assert not error_texts(at), error_texts(at)
    assert t("sentiment.data.saved_to", "zh", path=saved) in texts(at.info)
    assert any(t("source.mirror", "zh", endpoint=hub.url) in c for c in texts(at.caption))
    assert t("sentiment.data.loaded", "zh", name=REPO, sizes=sizes) in texts(at.caption)
    downloads = len(hub.requests)
    at.session_state["lang_en"] = True
    at.run()
    assert not error_texts(at), error_texts(at)
    assert any(t("source.saved_dataset", "en", path=saved) in c for c in texts(at.caption))
    assert t("sentiment.data.loaded", "en", name=REPO, sizes=sizes) in texts(at.caption)
    assert len(hub.requests) == downloads  # nothing fetched again


def test_hub_without_the_data_set_gives_a_clear_message(hub, tiny_classifier, monkeypatch):
    monkeypatch.setenv("HFLAB_DATASET_ID", "org/not-there")
    at = open_page("app_pages/sentiment.py", "en")
    assert not at.exception
    assert error_texts(at) and saved_dataset_dir("org/not-there").exists() is False
