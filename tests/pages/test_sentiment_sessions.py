"""Two learners on the Sentiment page at once (issue 38): two AppTest sessions sharing one data dir. Before, a model
was named after the uploaded file, listed to every session, and a second learner training on a file of the same name
silently replaced it. Now the model a session trains is listed to that session only, a file of the same name makes a
second model and replaces neither, and the same session training on that name again gets a second name."""
import random

import pandas as pd
import pytest
from apptest_utils import error_texts, open_page
from review_data import review

from components import training_run
from components.escape import markdown_literal
from components.session_owner import OWNER_KEY
from hflab.i18n import t
from hflab.loading.files import read_meta
from hflab.sentiment.checkpoints import list_trained

PAGE = "app_pages/sentiment.py"
FILE_NAME = "reviews.csv"


@pytest.fixture()
def shared_data_dir(tmp_path, monkeypatch):
    """A fresh data dir for both sessions, with no classifier anywhere (nothing trained before)."""
    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def upload_csv(seed: int) -> bytes:
    """120 labelled reviews (96 to train on); each learner's file holds other reviews under the same name."""
    rng = random.Random(seed)
    labels = [rng.randint(0, 1) for _ in range(120)]
    table = pd.DataFrame({"text": [review(rng, label) for label in labels], "label": labels})
    return table.to_csv(index=False).encode()


def learner(seed: int):
    """A session of its own on the page, with its file uploaded as the data set."""
    at = open_page(PAGE, "en")
    at.radio(key="sentiment_data_src").set_value("upload").run()
    at.file_uploader(key="sentiment_upload_file").set_value((FILE_NAME, upload_csv(seed), "text/csv")).run()
    assert not error_texts(at), error_texts(at)
    return at


def train(at):
    """One short run from scratch on the session's upload; returns its TrainingOutcome once the page reported it."""
    at.number_input(key="sentiment_ep_scratch").set_value(1).run()
    at.select_slider(key="sentiment_tml_scratch").set_value(64).run()
    at.button(key="sentiment_train_go").click().run()
    run = at.session_state[training_run.JOB_KEY]
    assert run.job.wait(600) and run.job.error is None, run.job.error
    at.run()
    assert not error_texts(at), error_texts(at)
    return run.job.result


def label(path) -> str:
    """The picker's exact label of the model saved in `path`."""
    meta = read_meta(path)
    return t("sentiment.model.scratch_label", "en", dataset=meta["name"], acc=f"{meta['test_accuracy']:.1%}")


def offered(at) -> list[str]:
    return list(at.selectbox(key="sentiment_model").options)


def files(path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.iterdir()}


def names_on_train_tab(at, path) -> bool:
    """True when the Train tab's list of saved models names the folder `path`."""
    return any(markdown_literal(path) in c.value for c in at.caption)


def test_a_second_learner_neither_sees_nor_replaces_the_first_ones_model(shared_data_dir):
    other = t("sentiment.model.other", "en")
    a = learner(seed=1)
    mine = train(a)
    assert offered(a) == [label(mine.path), other] and a.selectbox(key="sentiment_model").value == mine.model_key
    assert names_on_train_tab(a, mine.path)

    b = learner(seed=2)  # another learner, a file of the same name
    assert a.session_state[OWNER_KEY] != b.session_state[OWNER_KEY]
    assert offered(b) == [t("sentiment.model.train_first", "en"), other]  # A's model is not B's to pick
    assert not names_on_train_tab(b, mine.path)  # nor named on B's Train tab
    before = files(mine.path)
    theirs = train(b)
    assert theirs.path != mine.path and files(mine.path) == before  # two models, A's untouched
    assert read_meta(mine.path)["name"] == read_meta(theirs.path)["name"] == FILE_NAME
    assert offered(b) == [label(theirs.path), other] and b.selectbox(key="sentiment_model").value == theirs.model_key
    assert [path for path, _ in list_trained(b.session_state[OWNER_KEY])] == [theirs.path]

    a.run()
    assert offered(a) == [label(mine.path), other]  # B's model is not A's either
    again = train(a)  # A trains on the same file name once more: a new model under a new name
    assert read_meta(again.path)["name"] == f"{FILE_NAME} (2)" and files(mine.path) == before
    assert offered(a) == [label(again.path), label(mine.path), other]
    assert read_meta(theirs.path)["owner"] == b.session_state[OWNER_KEY]
    assert t("sentiment.train.own_models", "en", days=3) in [c.value for c in a.caption]


def test_a_refresh_keeps_the_tabs_model_and_another_tab_still_does_not_see_it(shared_data_dir):
    """Before, a model belonged to the browser session, and a refresh (a new session) no longer listed it."""
    a = learner(seed=1)
    mine = train(a)
    lab = a.query_params["lab"]
    assert a.session_state[OWNER_KEY] == lab  # the tab's id from its URL
    again = open_page(PAGE, "en", lab=lab)  # F5: a new session on the same URL
    again.radio(key="sentiment_data_src").set_value("upload").run()
    again.file_uploader(key="sentiment_upload_file").set_value((FILE_NAME, upload_csv(1), "text/csv")).run()
    assert label(mine.path) in offered(again) and names_on_train_tab(again, mine.path)
    other_tab = learner(seed=1)
    assert other_tab.query_params["lab"] != lab and label(mine.path) not in offered(other_tab)
