"""Hostile model directories typed on the Models page (issue 15.5, 15.8, 15.9), both languages: each case
asserts the exact catalog message, and that nothing it must not show (a file outside the allowed roots,
the server's allowed roots) reaches the page."""
import json
import shutil

import pytest
import torch
from apptest_utils import error_texts, open_page
from hostile.scan import apptest_dump

from components.escape import markdown_literal
from hflab.i18n import t
from hflab.settings import get_settings

PAGE = "app_pages/models.py"
SECRET = "HFLAB-OUTSIDE-SECRET-7f3a"


def typed_on_the_page(lang: str, text: str):
    at = open_page(PAGE, lang)
    at.radio(key="models_mode").set_value("custom").run()
    at.text_input(key="models_custom").input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def message(key: str, lang: str, **params) -> str:
    """The catalog string as the page shows it: parameters made literal by the one escaper."""
    return t(key, lang, **{name: markdown_literal(value) for name, value in params.items()})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_config_linked_outside_the_roots_is_not_read(lang, tiny_env, session_dir, tmp_path):
    (tmp_path / "secret.json").write_text(json.dumps({"model_type": "bert", "note": SECRET}))  # tmp_path: outside
    linked = session_dir / "data" / f"hostile_linked_config_{lang}"
    shutil.copytree(tiny_env["sentiment"], linked, dirs_exist_ok=True)
    (linked / "config.json").unlink()
    (linked / "config.json").symlink_to(tmp_path / "secret.json")
    at = typed_on_the_page(lang, str(linked))
    assert error_texts(at) == [message("problem.link_outside", lang, path=str(linked / "config.json"))]
    assert SECRET not in apptest_dump(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_path_outside_the_roots_names_only_what_was_typed(lang, tiny_env):
    at = typed_on_the_page(lang, "/etc")
    assert error_texts(at) == [message("problem.path_not_allowed", lang, path="/etc")]
    shown = apptest_dump(at)
    assert not [str(root) for root in get_settings().allowed_roots if str(root) in shown]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pickle_only_weights_are_refused_with_the_reason(lang, tiny_env, session_dir, monkeypatch):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    monkeypatch.delenv("HFLAB_ALLOW_PICKLE", raising=False)
    target = session_dir / "data" / f"hostile_pickle_only_{lang}"
    model = AutoModelForSequenceClassification.from_pretrained(tiny_env["sentiment"])
    model.config.save_pretrained(target)
    AutoTokenizer.from_pretrained(tiny_env["sentiment"]).save_pretrained(target)
    torch.save(model.state_dict(), target / "pytorch_model.bin")
    at = typed_on_the_page(lang, str(target))
    at.button(key="models_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert message("problem.pickle_refused", lang, path=str(target.resolve())) in error_texts(at)
    assert not at.json  # nothing was loaded: no module tree


def pickle_only_checkpoint(sentiment_dir, target):
    """A copy of the tiny classifier whose only weights are a pickle file (pytorch_model.bin)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(sentiment_dir)
    model.config.save_pretrained(target)
    AutoTokenizer.from_pretrained(sentiment_dir).save_pretrained(target)
    torch.save(model.state_dict(), target / "pytorch_model.bin")
    return target


@pytest.mark.parametrize("loader", ["load_classifier", "load_for_inspection"])
def test_pickle_only_classifier_checkpoints_are_refused_by_every_loader(loader, tiny_env, tmp_path, monkeypatch):
    """Issue 15.8: every loader of a classifier goes through the one load policy (one load_classifier since the
    second redesign; the Models page's inspection load too)."""
    from hflab.loading import loaders
    from hflab.loading.policy import PickleRefused
    from hflab.loading.sources import Source

    monkeypatch.delenv("HFLAB_ALLOW_PICKLE", raising=False)
    target = pickle_only_checkpoint(tiny_env["sentiment"], tmp_path / "pickle_only")
    source = Source("sentiment", "local", str(target), str(target), "source.local", params={"path": str(target)})
    load = getattr(loaders, loader)
    with pytest.raises(PickleRefused) as caught:
        load(source)
    assert (caught.value.key, caught.value.params) == ("problem.pickle_refused", {"path": str(target)})
    assert t(caught.value.key, "en", **caught.value.params) == (
        f"{target} has only pickle weights (.bin, .pt, ...) and no safetensors. Loading a pickle file can run any "
        "code inside it, so it is refused: use a model in safetensors format; if you trust this file, the "
        "operator can set HFLAB_ALLOW_PICKLE=1")
    monkeypatch.setenv("HFLAB_ALLOW_PICKLE", "1")  # the operator's choice: then it loads
    loaded = load(source)
    assert loaded.model.config.num_labels == 2
