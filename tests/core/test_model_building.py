"""Models built by several sessions at once (hflab.loading.policy.BUILDING): transformers 5 swaps process-wide
functions while from_pretrained builds a model (PreTrainedModel.tie_weights, torch's default dtype, torch.linspace),
so unguarded parallel builds left a tied head on the meta device (the three-learner rehearsal's "Cannot copy out of
meta tensor") and could leave those functions swapped for every later load."""
import threading

import torch
from transformers import PreTrainedModel

from hflab.loading.loaders import load_with_head
from hflab.sentiment import data
from hflab.sentiment.train import TrainConfig, small_bert

CONFIG = TrainConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64)
ROUNDS = 10


def test_models_built_in_parallel_sessions_are_whole_tied_and_initialised(tiny_env):
    tokenizer = data.bert_tokenizer()
    alone = {k: v.clone() for k, v in small_bert(tokenizer, CONFIG).state_dict().items()}
    tie_weights, default_dtype, linspace = PreTrainedModel.tie_weights, torch.get_default_dtype(), torch.linspace
    built: dict[str, list] = {"bert": [], "translation": [], "causal_lm": []}
    errors = []

    def keep_going(name, work):
        try:
            for _ in range(ROUNDS):
                built[name].append(work())
        except Exception as exc:  # reported below: a thread's exception would only reach the log
            errors.append(f"{name}: {type(exc).__name__}: {exc}")

    work = {
        "bert": lambda: small_bert(tokenizer, CONFIG),
        "translation": lambda: load_with_head(str(tiny_env["translation"]), "AutoModelForSeq2SeqLM")[0],
        "causal_lm": lambda: load_with_head(str(tiny_env["causal_lm"]), "AutoModelForCausalLM")[0],
    }
    threads = [threading.Thread(target=keep_going, args=item) for item in work.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    assert errors == [] and [len(models) for models in built.values()] == [ROUNDS] * 3
    for model in built["bert"]:  # the same seed gives the same float32 weights as a build alone
        state = model.state_dict()
        assert all(state[k].dtype == torch.float32 and torch.equal(state[k], alone[k]) for k in alone)
    for model in built["translation"] + built["causal_lm"]:
        assert not any(t.is_meta for t in [*model.parameters(), *model.buffers()])
        if model.config.tie_word_embeddings:  # the head is the embedding, as a load alone ties it
            assert model.get_output_embeddings().weight is model.get_input_embeddings().weight
    # nothing stays swapped for the loads that come after
    assert (PreTrainedModel.tie_weights, torch.get_default_dtype(), torch.linspace) == (tie_weights, default_dtype,
                                                                                        linspace)
