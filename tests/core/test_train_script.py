"""The downloadable training script (hflab.sentiment.train_script): what the zip holds, train.py's TrainingArguments
equal the Train tab's Trainer recipe, and the script itself run offline on a tiny model and a data set built in code:
in one process with `python train.py`, then in two processes with `accelerate launch` (gloo on the CPU), where both
ranks train on disjoint shards of every epoch, only the main process saves, and the best validation accuracy equals
the one-process run's within VAL_TOLERANCE."""
from __future__ import annotations

import io
import json
import os
import runpy
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from local_servers import ADDRESS_IN_USE, PORT_ATTEMPTS, free_port

from hflab.loading.loaders import load_classifier
from hflab.loading.sources import resolve
from hflab.sentiment import train_script
from hflab.sentiment import trainer_recipe as recipe
from hflab.sentiment.predict import predict_proba
from hflab.sentiment.train import TrainConfig
from hflab.snippet.notebook import pinned_versions

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CONFIG = TrainConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, max_length=32, batch_size=32,
                     epochs=4, learning_rate=3e-3, evals_per_epoch=2, patience=10, time_limit_s=3600.0)  # no early stop
ROWS = 512  # 16 batches of 32: two processes of 16 each split every epoch evenly (no batch repeated to even them)
VAL_TOLERANCE = 0.05  # 200 validation reviews: 10 of them


def unzip(data: bytes, target: Path) -> Path:
    """The downloaded zip extracted into `target`; returns its folder."""
    zipfile.ZipFile(io.BytesIO(data)).extractall(target)
    return target / train_script.FOLDER


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """The zip of CONFIG as the page builds it (Hub ids by default), extracted."""
    data = train_script.training_script_zip(CONFIG, "finetune", "bert-base-chinese", "lansinuote/ChnSentiCorp", ROWS)
    return unzip(data, tmp_path_factory.mktemp("exported"))


@pytest.fixture(scope="module")
def script_globals(exported) -> dict:
    """train.py's functions and SETTINGS, read without running its main()."""
    return runpy.run_path(str(exported / "train.py"), run_name="exported_train")


def test_the_zip_holds_the_script_its_pins_an_accelerate_config_and_a_readme(exported):
    from accelerate.commands.config.config_args import load_config_from_file

    assert sorted(p.name for p in exported.iterdir()) == ["README.md", "accelerate_config.yaml", "requirements.txt",
                                                          "train.py"]
    pins = dict(line.split("==") for line in (exported / "requirements.txt").read_text().splitlines()
                if "==" in line)
    assert pins == {name: version for name, (version, _) in pinned_versions(train_script.SCRIPT_PACKAGES).items()}
    config = load_config_from_file(str(exported / "accelerate_config.yaml"))
    assert (config.num_processes, config.num_machines, config.distributed_type) == (2, 1, "MULTI_GPU")
    readme = (exported / "README.md").read_text(encoding="utf-8")
    assert "--machine_rank 1" in readme and "accelerate launch --multi_gpu --num_processes 2 train.py --cpu" in readme
    lint = subprocess.run([str(VENV_BIN / "ruff"), "check", "--isolated", "--line-length", "120", "--select",
                           "F,E,W,I,B,UP", str(exported / "train.py")], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    again = train_script.training_script_zip(CONFIG, "finetune", "bert-base-chinese", "lansinuote/ChnSentiCorp", ROWS)
    assert again == train_script.training_script_zip(CONFIG, "finetune", "bert-base-chinese",
                                                     "lansinuote/ChnSentiCorp", ROWS)  # same settings, same bytes


def test_the_settings_are_the_pages_written_as_literals(script_globals):
    settings = script_globals["SETTINGS"]
    assert settings == train_script.script_settings(CONFIG, "finetune", "bert-base-chinese",
                                                    "lansinuote/ChnSentiCorp", ROWS)
    assert (settings["epochs"], settings["batch_size"], settings["learning_rate"], settings["train_rows"],
            settings["time_limit_minutes"], settings["evals_per_epoch"]) == (4, 32, 3e-3, ROWS, 60.0, 2)
    # validation every N steps becomes validations per epoch: the same on any number of processes
    every_4 = train_script.script_settings(replace(CONFIG, eval_every=4), "scratch", "m", "d", ROWS)
    assert every_4["evals_per_epoch"] == 4 and every_4["time_limit_minutes"] == 60.0
    assert train_script.script_settings(replace(CONFIG, time_limit_s=None), "scratch", "m", "d", 10)[
        "time_limit_minutes"] == 0.0  # 0: no limit
    with pytest.raises(ValueError, match="unknown mode"):
        train_script.script_settings(CONFIG, "other", "m", "d", 10)


def test_the_scripts_training_arguments_are_the_train_tabs(script_globals, tmp_path):
    args = script_globals["parse_args"](["--output_dir", str(tmp_path)])
    theirs = script_globals["training_arguments"](args, 16).to_dict()
    ours = recipe.training_arguments(CONFIG, tmp_path, 16).to_dict()
    differing = {key for key in ours if ours[key] != theirs[key]}
    # where progress goes, pinned memory where the lab found a GPU, when a push happens, and the batch order: the lab
    # groups reviews by length with its loop's shuffled buckets (trainer_recipe.BucketedOrder), the script at random
    assert differing <= {"disable_tqdm", "dataloader_pin_memory", "hub_strategy", "train_sampling_strategy"}, {
        key: (ours[key], theirs[key]) for key in differing}
    assert theirs["eval_steps"] == theirs["save_steps"] == 8 and theirs["train_sampling_strategy"] == "random"


def test_push_to_hub_needs_the_users_own_token_from_the_environment(script_globals, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(SystemExit, match="HF_TOKEN"):
        script_globals["main"](["--push_to_hub", "--hub_model_id", "me/model"])
    monkeypatch.setenv("HF_TOKEN", "hf_secret_token_of_the_operator")
    data = train_script.training_script_zip(CONFIG, "scratch", "bert-base-chinese", "lansinuote/ChnSentiCorp", 10)
    assert b"hf_secret_token_of_the_operator" not in zipfile.ZipFile(io.BytesIO(data)).read(
        f"{train_script.FOLDER}/train.py")


@pytest.fixture(scope="module")
def offline_inputs(tmp_path_factory) -> dict[str, Path]:
    """A tiny BERT classifier folder and a ChnSentiCorp-shaped save_to_disk folder, both built in code."""
    from review_data import build_chnsenticorp
    from tiny_models import build_bert_classifier

    root = tmp_path_factory.mktemp("offline")
    return {"model": build_bert_classifier(root / "tiny-bert"), "data": build_chnsenticorp(root / "reviews")}


def script_env(**extra: str) -> dict[str, str]:
    """The test run's environment (its data dir, HF cache, offline Hub) for a child process."""
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONUNBUFFERED": "1", **extra}


def run_script(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run `command` in `cwd`; its output, or a failure that shows it."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    return output


@pytest.fixture(scope="module")
def one_process(exported, offline_inputs) -> dict:
    """`python train.py` offline (the model and data folders as arguments, on the CPU): its results.json."""
    out = exported.parent / "one-process"
    run_script([sys.executable, "train.py", "--model", str(offline_inputs["model"]), "--data",
                str(offline_inputs["data"]), "--output_dir", str(out), "--cpu"], exported, script_env())
    return {"out": out, "results": json.loads((out / "results.json").read_text())}


def test_python_train_py_trains_evaluates_and_saves(one_process, offline_inputs, tmp_path, monkeypatch):
    results, out = one_process["results"], one_process["out"]
    assert results["processes"] == 1 and results["steps"] == 4 * ROWS // 32
    assert results["validation"]["eval_accuracy"] > 0.8 and results["test"]["test_accuracy"] > 0.8  # chance: 0.5
    monkeypatch.setenv("HFLAB_ALLOWED_ROOTS", os.pathsep.join([str(out.parent), str(ROOT)]))
    saved = load_classifier(resolve("sentiment", local_dir=str(out)))  # the lab loads what the script saved
    assert saved.num_labels == 2 and not saved.untrained_head
    probs = predict_proba(saved.model, saved.tokenizer, ["房间很干净，服务热情周到", "太差了，再也不来了"])
    assert probs.shape == (2, 2)


@pytest.mark.slow
def test_accelerate_launch_trains_on_two_processes_with_disjoint_shards(one_process, exported, offline_inputs):
    records, out = exported.parent / "records", exported.parent / "two-processes"
    records.mkdir()
    for attempt in range(1, PORT_ATTEMPTS + 1):
        # a free port for the processes to meet on (accelerate's default may be taken), picked again when another
        # process took it before accelerate bound it (accelerate has no "port 0")
        done = subprocess.run(
            [str(VENV_BIN / "accelerate"), "launch", "--config_file", "accelerate_config.yaml", "--num_processes",
             "2", "--main_process_port", str(free_port()), str(ROOT / "tests" / "launch_recorder.py"), str(records),
             "train.py", "--model", str(offline_inputs["model"]), "--data", str(offline_inputs["data"]),
             "--output_dir", str(out), "--cpu", "--batch_size", "16"],
            cwd=exported, env=script_env(OMP_NUM_THREADS="1"),  # one thread each: two processes share the cores
            capture_output=True, text=True, timeout=600)
        output = done.stdout + done.stderr
        if done.returncode == 0 or attempt == PORT_ATTEMPTS or not ADDRESS_IN_USE.search(output):
            break
    assert done.returncode == 0, output[-6000:]
    ranks = [json.loads((records / f"rank-{rank}.json").read_text()) for rank in (0, 1)]
    assert [(r["rank"], r["world_size"], r["backend"]) for r in ranks] == [(0, 2, "gloo"), (1, 2, "gloo")]
    assert "process 1 of 2" in output and "process 2 of 2" in output
    assert len(ranks[0]["epochs"]) == len(ranks[1]["epochs"]) == 4
    for epoch_0, epoch_1 in zip(ranks[0]["epochs"], ranks[1]["epochs"]):
        rows_0, rows_1 = [i for batch in epoch_0 for i in batch], [i for batch in epoch_1 for i in batch]
        assert set(rows_0).isdisjoint(rows_1) and sorted(rows_0 + rows_1) == list(range(ROWS))
    assert ranks[1]["saved"] == [] and ranks[0]["saved"][-1] == str(out)  # checkpoints and the model: main only
    results = json.loads((out / "results.json").read_text())
    assert results["processes"] == 2 and results["steps"] == one_process["results"]["steps"]  # 16 x 2 = 32 a step
    one = one_process["results"]["validation"]["eval_accuracy"]
    assert abs(results["validation"]["eval_accuracy"] - one) <= VAL_TOLERANCE, (results["validation"], one)
