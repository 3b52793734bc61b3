"""'Download training script': the Trainer recipe with the Train tab's current settings, as a folder to take home in
a zip: train.py, requirements.txt (the versions the lab runs with), accelerate_config.yaml and README.md.

train.py runs unchanged with `python train.py` (one process: a GPU when there is one), under `accelerate launch` on
the GPUs of one machine or of several (accelerate's multi-node settings), offline with a local model folder and a
local data folder given as arguments, or with the Hub ids by default. The settings sit in one dict at its top; every
value is written with repr (a Python literal, whatever text a model id holds) and each is an argument to override.
A Hub token never goes into the files: `--push_to_hub` reads the user's own from HF_TOKEN."""
from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

from hflab.sentiment.train import TrainConfig
from hflab.sentiment.trainer_recipe import EVAL_BATCH_SIZE
from hflab.snippet.notebook import ROOT, pinned_versions

FOLDER = "hflab-train"
# what train.py imports, directly or through transformers' Trainer
SCRIPT_PACKAGES = ("torch", "transformers", "tokenizers", "safetensors", "datasets", "accelerate", "scikit-learn",
                   "numpy", "huggingface_hub")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed: the same settings give the same bytes (the download does not change)


def script_settings(config: TrainConfig, mode: str, model: str, data: str, rows: int) -> dict:
    """The page's settings as train.py's SETTINGS: `mode` ("scratch" or "finetune"), `model` (the Hub id to
    fine-tune, or whose tokenizer a model from scratch uses), `data` (a Hub data set id), the first `rows` training
    reviews, and `config`'s numbers. Validation every N steps becomes validations per epoch, which holds on any
    number of processes. Numbers are made int or float here: text never takes a number's place."""
    if mode not in ("scratch", "finetune"):
        raise ValueError(f"unknown mode {mode!r}")
    steps_per_epoch = math.ceil(int(rows) / int(config.batch_size))
    evals = (max(1, round(steps_per_epoch / int(config.eval_every))) if config.eval_every
             else int(config.evals_per_epoch))
    return {
        "mode": mode, "model": str(model), "data": str(data), "train_rows": int(rows),
        "epochs": int(config.epochs), "batch_size": int(config.batch_size),
        "learning_rate": float(config.learning_rate), "warmup_ratio": float(config.warmup_ratio),
        "weight_decay": float(config.weight_decay), "max_length": int(config.max_length), "evals_per_epoch": evals,
        "patience": int(config.patience), "seed": int(config.seed),
        "time_limit_minutes": float(config.time_limit_s or 0) / 60,
        "hidden_size": int(config.hidden_size), "num_layers": int(config.num_layers),
        "num_heads": int(config.num_heads), "intermediate_size": int(config.intermediate_size),
    }


def training_script(settings: dict) -> str:
    """train.py: SETTINGS (one line per setting, each value its repr) and the fixed recipe below it."""
    lines = "".join(f"    {name!r}: {value!r},\n" for name, value in settings.items())
    body = SCRIPT_BODY.replace("EVAL_BATCH_SIZE", repr(EVAL_BATCH_SIZE))
    return SCRIPT_HEAD + "SETTINGS = {\n" + lines + "}\n" + body


def accelerate_config(processes: int = 2) -> str:
    """accelerate_config.yaml: `processes` GPUs on one machine; its comments say what to change for several."""
    return ACCELERATE_CONFIG.replace("NUM_PROCESSES", str(int(processes)))


def script_requirements(root: Path = ROOT) -> str:
    """requirements.txt: SCRIPT_PACKAGES pinned to the lab's requirements files (else this process's versions)."""
    versions = pinned_versions(SCRIPT_PACKAGES, root)
    pins = [f"{name}=={version}" for name, (version, _) in versions.items() if version]
    return "# the versions HF Lab ran this recipe with (pip install -r requirements.txt)\n" + "\n".join(pins) + "\n"


def training_script_zip(config: TrainConfig, mode: str, model: str, data: str, rows: int, processes: int = 2) -> bytes:
    """The zip to download: FOLDER/ with train.py (script_settings of the arguments), requirements.txt,
    accelerate_config.yaml for `processes` GPUs and README.md."""
    files = {"train.py": training_script(script_settings(config, mode, model, data, rows)),
             "requirements.txt": script_requirements(), "accelerate_config.yaml": accelerate_config(processes),
             "README.md": README}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(f"{FOLDER}/{name}", ZIP_TIME), text.encode("utf-8"))
    return buffer.getvalue()


SCRIPT_HEAD = '''"""Train a Chinese sentiment classifier with transformers' Trainer: the recipe of HF Lab's Train
tab, exported with the settings below. Every setting is also an argument (python train.py --help).

    python train.py                                          # one process: a GPU when there is one, else the CPU
    python train.py --model ./bert-base-chinese --data ./ChnSentiCorp   # offline: a model folder, a save_to_disk dir
    accelerate launch --num_processes 4 train.py             # 4 GPUs of this machine, one process each
    accelerate launch --config_file accelerate_config.yaml train.py
    accelerate launch --multi_gpu --num_processes 2 train.py --cpu      # 2 CPU processes (gloo): try it without GPUs
    HF_TOKEN=hf_... python train.py --push_to_hub --hub_model_id your-name/your-model

README.md has the multi-machine commands.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
from accelerate.utils import broadcast
from datasets import load_dataset, load_from_disk
from sklearn.metrics import accuracy_score, f1_score
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    DataCollatorWithPadding,
    EarlyStoppingCallback,
    Trainer,
    TrainerCallback,
    TrainingArguments,
    set_seed,
)

# the Train tab's settings when this script was downloaded
'''

SCRIPT_BODY = '''LABELS = {0: "negative", 1: "positive"}


def parse_args(argv=None):
    """SETTINGS as defaults of the command line."""
    parser = argparse.ArgumentParser(description="Train a Chinese sentiment classifier with transformers' Trainer.")
    parser.add_argument("--mode", choices=("scratch", "finetune"), default=SETTINGS["mode"],
                        help="finetune: the pretrained --model; scratch: a small new BERT on --model's tokenizer")
    parser.add_argument("--model", default=SETTINGS["model"], help="a Hub id or a local model folder")
    parser.add_argument("--data", default=SETTINGS["data"],
                        help="a Hub data set id or a save_to_disk folder: train, validation (and test) splits, "
                             "columns text and label (0 negative, 1 positive)")
    parser.add_argument("--output_dir", default="sentiment-model", help="checkpoints, then the best model")
    for name, value in SETTINGS.items():
        if isinstance(value, (int, float)):
            parser.add_argument(f"--{name}", type=type(value), default=value,
                                help="0: all rows" if name == "train_rows" else
                                     "0: no limit" if name == "time_limit_minutes" else None)
    parser.add_argument("--cpu", action="store_true",
                        help="train on the CPU even where there are GPUs (under accelerate launch --multi_gpu: one "
                             "CPU process per --num_processes, talking over gloo)")
    parser.add_argument("--bf16", action="store_true", help="bfloat16 mixed precision (recent GPUs)")
    parser.add_argument("--push_to_hub", action="store_true",
                        help="upload the model to your Hub account with the token in the HF_TOKEN environment variable")
    parser.add_argument("--hub_model_id", default=None, help="your-name/model-name for --push_to_hub")
    return parser.parse_args(argv)


def load_reviews(args):
    """The data set (a save_to_disk folder, else a Hub id) with its first --train_rows training reviews."""
    reviews = load_from_disk(args.data) if os.path.isdir(args.data) else load_dataset(args.data)
    missing = {"train", "validation"} - set(reviews)
    if missing:
        raise SystemExit(f"{args.data} has no {', '.join(sorted(missing))} split")
    if args.train_rows:
        reviews["train"] = reviews["train"].select(range(min(args.train_rows, len(reviews["train"]))))
    return reviews


def build_model(args, tokenizer):
    """The pretrained --model with a new two-label head, or (scratch) a small BERT on the tokenizer's vocab."""
    label2id = {name: i for i, name in LABELS.items()}
    if args.mode == "finetune":
        return AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=2, id2label=LABELS,
                                                                  label2id=label2id)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=args.hidden_size, num_hidden_layers=args.num_layers,
                        num_attention_heads=args.num_heads, intermediate_size=args.intermediate_size,
                        max_position_embeddings=512, pad_token_id=tokenizer.pad_token_id, num_labels=2,
                        id2label=LABELS, label2id=label2id)
    return BertForSequenceClassification(config)


def tokenize(batch, tokenizer, max_length):
    """Token ids, not padded: DataCollatorWithPadding pads each batch to its longest review."""
    return tokenizer(batch["text"], truncation=True, max_length=max_length)


def compute_metrics(prediction):
    """Validation accuracy (which picks the best checkpoint) and macro F1, from scikit-learn."""
    predicted = np.argmax(prediction.predictions, axis=-1)
    return {"accuracy": accuracy_score(prediction.label_ids, predicted),
            "f1": f1_score(prediction.label_ids, predicted, average="macro", zero_division=0.0)}


class TimeBudget(TrainerCallback):
    """Stops after the step that passes --time_limit_minutes; that step is validated and saved, so the best
    checkpoint is still the one loaded at the end."""

    def __init__(self, minutes):
        self.seconds, self.start = minutes * 60, time.monotonic()

    def on_step_end(self, args, state, control, **kwargs):
        if not self.seconds or control.should_training_stop:
            return control
        over = torch.tensor([int(time.monotonic() - self.start > self.seconds)], device=args.device)
        if broadcast(over).item():  # the main process's clock decides: every process stops at the same step
            control.should_training_stop = control.should_evaluate = control.should_save = True
        return control


def training_arguments(args, steps_per_epoch):
    """The recipe: AdamW (no weight decay on biases and LayerNorm), linear warmup and decay, gradients clipped at 1,
    validation (and a checkpoint) --evals_per_epoch times per epoch, the best checkpoint by validation accuracy
    loaded at the end."""
    strategy = "epoch" if args.evals_per_epoch <= 1 else "steps"
    every = None if strategy == "epoch" else max(1, steps_per_epoch // args.evals_per_epoch)
    return TrainingArguments(
        output_dir=args.output_dir, num_train_epochs=args.epochs, per_device_train_batch_size=args.batch_size,
        per_device_eval_batch_size=EVAL_BATCH_SIZE, learning_rate=args.learning_rate,
        warmup_steps=args.warmup_ratio,  # below 1: a share of all steps
        weight_decay=args.weight_decay, max_grad_norm=1.0, lr_scheduler_type="linear",
        eval_strategy=strategy, eval_steps=every, save_strategy=strategy, save_steps=every,
        save_only_model=True, save_total_limit=1, load_best_model_at_end=True, metric_for_best_model="accuracy",
        greater_is_better=True,
        # random batches, each padded to its longest review: group_by_length keeps each group of 50 batches in length
        # order, and with length going with the label a small BERT from scratch stayed at the majority class
        train_sampling_strategy="random",
        average_tokens_across_devices=False,  # BERT's loss is a batch mean: True multiplies it by the processes
        logging_steps=max(1, min(10, steps_per_epoch * args.epochs // 20)), seed=args.seed, data_seed=args.seed,
        use_cpu=args.cpu, bf16=args.bf16, report_to="none",
        push_to_hub=args.push_to_hub, hub_model_id=args.hub_model_id, hub_strategy="end",
        hub_token=os.environ.get("HF_TOKEN") if args.push_to_hub else None)


def main(argv=None):
    """Train, validate, test and save (the main process writes), then push when asked."""
    args = parse_args(argv)
    if args.push_to_hub and not os.environ.get("HF_TOKEN"):
        raise SystemExit("--push_to_hub uploads with your own token: set HF_TOKEN in the environment")
    set_seed(args.seed)  # every process starts from the same new weights
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = build_model(args, tokenizer)
    reviews = load_reviews(args)
    processes = int(os.environ.get("WORLD_SIZE", "1"))  # accelerate launch sets it; 1 under plain python
    steps_per_epoch = math.ceil(math.ceil(len(reviews["train"]) / args.batch_size) / processes)
    training_args = training_arguments(args, steps_per_epoch)
    with training_args.main_process_first(desc="tokenizing"):  # the main process tokenizes, the others read its cache
        columns = [name for name in reviews["train"].column_names if name != "label"]
        tokenized = reviews.map(tokenize, batched=True, remove_columns=columns,
                                fn_kwargs={"tokenizer": tokenizer, "max_length": args.max_length})
    tokenized.set_format("torch")
    trainer = Trainer(model=model, args=training_args, train_dataset=tokenized["train"],
                      eval_dataset=tokenized["validation"], processing_class=tokenizer,
                      data_collator=DataCollatorWithPadding(tokenizer), compute_metrics=compute_metrics,
                      callbacks=[EarlyStoppingCallback(early_stopping_patience=args.patience),
                                 TimeBudget(args.time_limit_minutes)])
    trainer.train()
    print(f"process {training_args.process_index + 1} of {training_args.world_size}: "
          f"{trainer.state.global_step} steps, each on its own share of the batches", flush=True)
    results = {"validation": trainer.evaluate(), "processes": training_args.world_size,
               "steps": trainer.state.global_step, "best_checkpoint_step": trainer.state.best_global_step}
    if "test" in tokenized:
        results["test"] = trainer.predict(tokenized["test"], metric_key_prefix="test").metrics
    trainer.save_model(args.output_dir)  # the best weights; only the main process writes
    if trainer.is_world_process_zero():
        with open(os.path.join(args.output_dir, "results.json"), "w", encoding="utf-8") as file:
            json.dump(results, file, indent=1)
        print(json.dumps(results, indent=1), flush=True)
    if args.push_to_hub:
        trainer.push_to_hub()


if __name__ == "__main__":
    main()
'''

ACCELERATE_CONFIG = """# accelerate launch --config_file accelerate_config.yaml train.py
# One machine: num_processes is its number of GPUs (one process each).
# Several machines: on each one, num_machines is how many take part, machine_rank is 0 on the main machine and
# 1, 2, ... on the others, main_process_ip / main_process_port say where the main machine listens, and
# num_processes counts the GPUs of all machines together (README.md shows the same as command-line flags).
compute_environment: LOCAL_MACHINE
distributed_type: MULTI_GPU
num_machines: 1
machine_rank: 0
num_processes: NUM_PROCESSES
gpu_ids: all
main_process_ip: null
main_process_port: null
rdzv_backend: static
same_network: true
mixed_precision: 'no'
downcast_bf16: 'no'
use_cpu: false
debug: false
main_training_function: main
"""

README = """# HF Lab training recipe / HF Lab 训练脚本

`train.py` trains a Chinese sentiment classifier with `transformers`' `Trainer`, with the settings HF Lab's Train
tab had when you downloaded it (the `SETTINGS` dict at the top of the file; each one is also a command-line
argument: `python train.py --help`).

`train.py` 用 `transformers` 的 `Trainer` 训练中文情感分类模型，设置来自下载时 HF Lab「训练」页的设置
（文件开头的 `SETTINGS`，每一项都可以用命令行参数覆盖）。

## Install / 安装

    pip install -r requirements.txt

## Run / 运行

    python train.py                                # one process: a GPU when there is one, else the CPU

Offline, with a model folder and a `save_to_disk` data folder (train / validation / test splits, columns `text`
and `label`) / 离线运行（本地模型目录和 `save_to_disk` 数据目录）:

    python train.py --model ./bert-base-chinese --data ./ChnSentiCorp

## Train bigger / 更大规模训练

All GPUs of one machine, one process each / 单机多卡:

    accelerate launch --num_processes 4 train.py
    accelerate launch --config_file accelerate_config.yaml train.py     # num_processes set in the file

Several machines (here 2 machines with 8 GPUs each): run the same command on each machine, with its own
`--machine_rank` (0 on the main machine) / 多机多卡（每台机器运行同一命令，`--machine_rank` 各不相同）:

    accelerate launch --multi_gpu --num_machines 2 --num_processes 16 --machine_rank 0 \\
        --main_process_ip 10.0.0.1 --main_process_port 29500 train.py
    accelerate launch --multi_gpu --num_machines 2 --num_processes 16 --machine_rank 1 \\
        --main_process_ip 10.0.0.1 --main_process_port 29500 train.py

No GPU: two CPU processes that talk over gloo show the same distributed run on a laptop (`accelerate launch --cpu`
starts one process unless MPI is set up) / 没有 GPU 时用两个 CPU 进程体验分布式训练:

    accelerate launch --multi_gpu --num_processes 2 train.py --cpu

Each process trains on its own share of every epoch's batches, the gradients are averaged, and only the main
process writes the checkpoints, the model and `results.json` into `--output_dir` (default `sentiment-model`).
`--batch_size` is per process: N processes train on N times as many reviews per step.

## Share / 上传到 Hub

    HF_TOKEN=hf_your_token python train.py --push_to_hub --hub_model_id your-name/your-model

The token is read from your environment, never written into a file / token 只从环境变量读取，不写进任何文件。
"""
