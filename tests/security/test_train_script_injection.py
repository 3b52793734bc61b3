"""The downloadable training script (hflab.sentiment.train_script) never runs typed text as code: the checks of
test_snippet_injection.py (issue 38) on every string the builder embeds (the model id, the data set id), one hostile
string at a time; the zip's other files never hold them; text in a number's place is refused."""
from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest
from test_snippet_injection import BENIGN, HOSTILE, MARKER, Builder, assert_inert

from hflab.sentiment.train import TrainConfig
from hflab.sentiment.train_script import FOLDER, script_settings, training_script, training_script_zip

CONFIG = TrainConfig(eval_every=5, time_limit_s=300.0)


def zipped(model: str, data: str) -> dict[str, str]:
    """Every file of the downloaded zip, by name."""
    archive = zipfile.ZipFile(io.BytesIO(training_script_zip(CONFIG, "finetune", model, data, 400)))
    return {name.removeprefix(f"{FOLDER}/"): archive.read(name).decode("utf-8") for name in archive.namelist()}


BUILDERS = [
    Builder("train-script-model", lambda s: training_script(script_settings(CONFIG, "finetune", s, "d", 400))),
    Builder("train-script-data", lambda s: training_script(script_settings(CONFIG, "scratch", "m", s, 400))),
    Builder("train-script-zip-model", lambda s: zipped(s, "d")["train.py"]),
    Builder("train-script-zip-data", lambda s: zipped("m", s)["train.py"]),
]


@pytest.mark.parametrize("builder", BUILDERS, ids=[b.id for b in BUILDERS])
def test_the_training_script_keeps_hostile_strings_inside_literals(builder):
    for hostile in HOSTILE:
        try:
            assert_inert(builder, hostile)
        except (AssertionError, SyntaxError, ValueError) as exc:
            raise AssertionError(f"{builder.id} with {hostile!r}: {type(exc).__name__}: {exc}") from exc


def test_the_other_files_of_the_zip_never_hold_typed_text():
    benign = zipped(BENIGN, BENIGN)
    for hostile in HOSTILE:
        files = zipped(hostile, hostile)
        assert {name: text for name, text in files.items() if name != "train.py"} == {
            name: text for name, text in benign.items() if name != "train.py"}
        assert MARKER not in files["README.md"] + files["requirements.txt"] + files["accelerate_config.yaml"]


@pytest.mark.parametrize("field", ["epochs", "batch_size", "max_length", "patience", "seed", "hidden_size",
                                   "num_layers", "num_heads", "intermediate_size", "eval_every"])
def test_integer_settings_are_written_as_integers(field):
    for text in ("1; import os", f"1\n{MARKER} = 1"):
        with pytest.raises(ValueError, match="invalid literal for int"):
            script_settings(replace(CONFIG, **{field: text}), "finetune", "m", "d", 400)
    with pytest.raises(ValueError, match="invalid literal for int"):
        script_settings(CONFIG, "finetune", "m", "d", "400; import os")
    with pytest.raises(ValueError, match="invalid literal for int"):
        training_script_zip(CONFIG, "finetune", "m", "d", 400, processes="2\nimport os")
    assert script_settings(replace(CONFIG, **{field: 3.0}), "finetune", "m", "d", 400.0) == script_settings(
        replace(CONFIG, **{field: 3}), "finetune", "m", "d", 400)  # 3.0 is written as 3


@pytest.mark.parametrize("field", ["learning_rate", "warmup_ratio", "weight_decay", "time_limit_s"])
def test_decimal_settings_are_written_as_numbers(field):
    with pytest.raises(ValueError, match="could not convert string to float"):
        script_settings(replace(CONFIG, **{field: f"0.1\n{MARKER} = 1"}), "finetune", "m", "d", 400)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_mode_that_is_not_one_of_the_two_is_refused(hostile):
    with pytest.raises(ValueError, match="unknown mode"):
        script_settings(CONFIG, hostile, "m", "d", 400)
