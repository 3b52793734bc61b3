"""Hostile model directories typed on the Models page (issue 15.5, 15.8, 15.9, 38), both languages: each case
asserts the exact catalog message, and that nothing it must not show (a file outside the allowed roots,
the server's allowed roots) reaches the page. A pickle whose unpickling writes a sentinel file is offered to every
loader of weights: refused with the message, the sentinel never written. The audit hook (conftest.py) sees every
file each case opens."""
import json
import shutil
from pathlib import Path

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


class WritesSentinel:
    """Unpickled, it writes `path`: what a hostile pytorch_model.bin can do (any code runs the same way)."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return exec, (f"open({self.path!r}, 'w').write('the pickle ran')",)


def hostile_pickle(target: Path, sentinel: Path) -> Path:
    """Write `target/pytorch_model.bin`, a real torch checkpoint file whose unpickling writes `sentinel`; proven to
    do so here (torch.load without weights_only), so a test that finds no sentinel knows the pickle never ran."""
    torch.save(WritesSentinel(sentinel), target / "pytorch_model.bin")
    torch.load(target / "pytorch_model.bin", weights_only=False)
    assert sentinel.read_text() == "the pickle ran"
    sentinel.unlink()
    return target / "pytorch_model.bin"


def pickle_refused_en(path) -> str:
    """The refusal, as the English catalog spells it."""
    return (f"{path} has only pickle weights (.bin, .pt, ...) and no safetensors. Loading a pickle file can run any "
            "code inside it, so it is refused: use a model in safetensors format; if you trust this file, the "
            "operator can set HFLAB_ALLOW_PICKLE=1")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_config_linked_outside_the_roots_is_not_read(lang, tiny_env, session_dir, tmp_path, audit):
    (tmp_path / "secret.json").write_text(json.dumps({"model_type": "bert", "note": SECRET}))  # tmp_path: outside
    linked = session_dir / "data" / f"hostile_linked_config_{lang}"
    shutil.copytree(tiny_env["sentiment"], linked, dirs_exist_ok=True)
    (linked / "config.json").unlink()
    (linked / "config.json").symlink_to(tmp_path / "secret.json")
    written = audit.touched(tmp_path / "secret.json")
    at = typed_on_the_page(lang, str(linked))
    assert error_texts(at) == [message("problem.link_outside", lang, path=str(linked / "config.json"))]
    assert SECRET not in apptest_dump(at)
    assert audit.touched(tmp_path / "secret.json") == written  # not even opened (tmp_path is a root the test may use)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_path_outside_the_roots_names_only_what_was_typed(lang, tiny_env):
    at = typed_on_the_page(lang, "/etc")
    assert error_texts(at) == [message("problem.path_not_allowed", lang, path="/etc")]
    shown = apptest_dump(at)
    assert not [str(root) for root in get_settings().allowed_roots if str(root) in shown]


def without_weights(model_dir: Path, target: Path) -> Path:
    """A copy of a tiny model's folder (config, tokenizer / processor) without its safetensors weights."""
    shutil.copytree(model_dir, target, ignore=shutil.ignore_patterns("*.safetensors"))
    return target


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pickle_only_weights_are_refused_with_the_reason(lang, tiny_env, session_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("HFLAB_ALLOW_PICKLE", raising=False)
    target = without_weights(tiny_env["sentiment"], session_dir / "data" / f"hostile_pickle_only_{lang}")
    hostile_pickle(target, tmp_path / "sentinel")
    at = typed_on_the_page(lang, str(target))
    at.button(key="models_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert message("problem.pickle_refused", lang, path=str(target.resolve())) in error_texts(at)
    assert not at.json  # nothing was loaded: no module tree
    assert not (tmp_path / "sentinel").exists()


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
    assert t(caught.value.key, "en", **caught.value.params) == pickle_refused_en(target)
    monkeypatch.setenv("HFLAB_ALLOW_PICKLE", "1")  # the operator's choice: then it loads
    loaded = load(source)
    assert loaded.model.config.num_labels == 2


def _source(target: Path):
    """A typed local folder, as the pages resolve one."""
    from hflab.loading.sources import Source

    return Source("sentiment", "local", str(target), str(target), "source.local", params={"path": str(target)})


def _masked_lm(model_dir: Path, target: Path) -> Path:
    """The tiny BERT as a masked LM checkpoint (its config names BertForMaskedLM), so load_masked_lm reaches the
    weights instead of saying the head is missing."""
    without_weights(model_dir, target)
    config = json.loads((target / "config.json").read_text())
    (target / "config.json").write_text(json.dumps({**config, "architectures": ["BertForMaskedLM"]}))
    return target


# every loader that reads weights: (tiny model it is offered as, how the folder is made, how it is loaded)
WEIGHT_LOADERS = {
    "load_classifier": ("sentiment", without_weights, lambda loaders, target: loaders.load_classifier(_source(target))),
    "load_for_inspection": ("sentiment", without_weights,
                            lambda loaders, target: loaders.load_for_inspection(_source(target))),
    "load_with_head": ("sentiment", without_weights, lambda loaders, target: loaders.load_with_head(
        str(target), "AutoModelForSequenceClassification")),
    "load_masked_lm": ("sentiment", _masked_lm, lambda loaders, target: loaders.load_masked_lm(_source(target))),
    "load_causal_lm": ("causal_lm", without_weights, lambda loaders, target: loaders.load_causal_lm(_source(target))),
    "load_causal_lm_int8": ("causal_lm", without_weights,
                            lambda loaders, target: loaders.load_causal_lm(_source(target), "int8")),
    "load_seq2seq": ("translation", without_weights, lambda loaders, target: loaders.load_seq2seq(_source(target))),
    "load_caption_model": ("caption", without_weights,
                           lambda loaders, target: loaders.load_caption_model(_source(target))),
}


@pytest.mark.parametrize("loader", WEIGHT_LOADERS)
def test_a_pickle_that_runs_code_is_refused_by_every_weights_loader(loader, tiny_env, tmp_path, monkeypatch):
    from hflab.loading import loaders
    from hflab.loading.policy import PickleRefused

    monkeypatch.delenv("HFLAB_ALLOW_PICKLE", raising=False)
    role, make, load = WEIGHT_LOADERS[loader]
    target = make(tiny_env[role], tmp_path / "typed")
    hostile_pickle(target, tmp_path / "sentinel")
    with pytest.raises(PickleRefused) as caught:
        load(loaders, target)
    assert t(caught.value.key, "en", **caught.value.params) == pickle_refused_en(target)
    assert not (tmp_path / "sentinel").exists()


def test_a_pickle_in_a_trained_model_folder_is_refused(tiny_env, tmp_path, monkeypatch):
    """A folder under the lab's trained models (as the Sentiment, Learning path and Models pages list them) whose
    weights were swapped for the hostile pickle: picking it is refused, the pickle never runs."""
    from hflab.loading import loaders
    from hflab.loading.files import META_FILE
    from hflab.loading.policy import PickleRefused
    from hflab.sentiment.checkpoints import list_trained, trained_root, trained_source

    monkeypatch.delenv("HFLAB_ALLOW_PICKLE", raising=False)
    target = without_weights(tiny_env["sentiment"], trained_root() / "finetune-hostile-pickle")
    try:
        (target / META_FILE).write_text(json.dumps({"kind": "finetune", "dataset": "hostile-pickle", "created": 0}))
        hostile_pickle(target, tmp_path / "sentinel")
        assert target in [path for path, _meta in list_trained()]
        with pytest.raises(PickleRefused) as caught:
            loaders.load_classifier(trained_source(target))
        assert t(caught.value.key, "en", **caught.value.params) == pickle_refused_en(target)
        assert not (tmp_path / "sentinel").exists()
    finally:
        shutil.rmtree(target)
