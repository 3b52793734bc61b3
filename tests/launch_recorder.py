"""Runs a training script unchanged inside `accelerate launch` and records, per process, what a test checks afterwards:
its rank, world size and backend, the row indices of every training batch its data loader handed it (epoch by epoch),
and the folders it saved a model into.

    accelerate launch [launch options] tests/launch_recorder.py RECORD_DIR train.py [train.py's arguments]

writes RECORD_DIR/rank-<rank>.json when the process exits."""
from __future__ import annotations

import atexit
import json
import os
import runpy
import sys
from pathlib import Path

import torch.distributed as dist
from accelerate.data_loader import BatchSamplerShard
from transformers import PreTrainedModel, Trainer

record_dir, script, *script_args = sys.argv[1:]
rank = int(os.environ.get("RANK", "0"))
seen: dict = {"rank": rank, "world_size": int(os.environ.get("WORLD_SIZE", "1")), "backend": None, "epochs": [],
              "saved": []}

real_batches = BatchSamplerShard.__iter__
real_train_loader = Trainer.get_train_dataloader
real_save = PreTrainedModel.save_pretrained


def training_batches(self):
    """The batches this process's shard yields; the training loader's are recorded, one list per epoch."""
    epoch = None
    if getattr(self, "records_training", False):
        epoch = []
        seen["epochs"].append(epoch)
    for batch in real_batches(self):
        if epoch is not None:
            epoch.append(list(batch))
        yield batch


def train_loader(self):
    loader = real_train_loader(self)
    loader.batch_sampler.records_training = True  # evaluation loaders are sharded too: only this one is recorded
    seen["backend"] = dist.get_backend() if dist.is_initialized() else None
    return loader


def save(self, save_directory, *args, **kwargs):
    seen["saved"].append(str(save_directory))
    return real_save(self, save_directory, *args, **kwargs)


def write() -> None:
    Path(record_dir, f"rank-{rank}.json").write_text(json.dumps(seen), encoding="utf-8")


BatchSamplerShard.__iter__ = training_batches
Trainer.get_train_dataloader = train_loader
PreTrainedModel.save_pretrained = save
atexit.register(write)
sys.argv = [script, *script_args]
runpy.run_path(script, run_name="__main__")
