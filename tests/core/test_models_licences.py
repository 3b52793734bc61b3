"""Licences: read from model card metadata written by huggingface_hub itself, config, packaged note; classes."""
import json

import pytest
from huggingface_hub import ModelCard, ModelCardData

from hflab.models import licences


@pytest.mark.parametrize("licence, klass", [
    ("apache-2.0", "permissive"), ("mit", "permissive"), ("bsd-3-clause", "permissive"), ("cc-by-4.0", "permissive"),
    ("gpl-3.0", "copyleft"), ("cc-by-sa-4.0", "copyleft"), ("agpl-3.0", "copyleft"),
    ("cc-by-nc-4.0", "non_commercial"), ("cc-by-nc-sa-4.0", "non_commercial"),
    ("openrail", "openrail"), ("creativeml-openrail-m", "openrail"), ("bigscience-bloom-rail-1.0", "openrail"),
    ("llama3", "custom"), ("gemma", "custom"), ("other", "custom"), ("", "unknown"),
])
def test_classes(licence, klass):
    assert licences.licence_kind(licence) == klass


def _card_dir(tmp_path, **data):
    ModelCard.from_template(ModelCardData(**data)).save(tmp_path / "README.md")
    return tmp_path


def test_model_card_metadata(tmp_path):
    found = licences.read_local(_card_dir(tmp_path, license="cc-by-nc-4.0"))
    assert (found.licence_id, found.found_in, found.klass, found.is_risk) == (
        "cc-by-nc-4.0",
        "model_card",
        "non_commercial",
        False,
    )


def test_custom_licence_keeps_name_and_link(tmp_path):
    found = licences.read_local(_card_dir(tmp_path, license="other", license_name="acme-model-licence",
                                          license_link="LICENSE"))
    assert (found.klass, found.name, found.link, found.is_risk) == ("custom", "acme-model-licence", "LICENSE", True)


def test_config_is_the_fallback(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "license": "mit"}))
    assert licences.read_local(tmp_path) == licences.Licence("mit", "config", "permissive")


def test_no_licence_is_a_risk(tiny_models):
    found = licences.read_local(tiny_models["sentiment"])
    assert (found.licence_id, found.klass, found.is_risk) == ("", "unknown", True)


def test_malformed_card_is_no_licence(tmp_path):
    (tmp_path / "README.md").write_text("---\nlicense: [unclosed\n---\n# card\n")
    assert licences.read_local(tmp_path).klass == "unknown"
