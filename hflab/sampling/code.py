"""The copyable Python that reproduces the playground with plain transformers: the current
next-token distribution stage by stage, and the last generation with `model.generate`."""
from __future__ import annotations

from hflab.sampling.processors import PROCESSOR_CLASSES, SamplingSettings, processor_plan, processor_signature
from hflab.snippet.notebook import NotebookSpec
from hflab.snippet.reference import LoadReference

_TEMPLATE = '''import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, LogitsProcessorList
from transformers import {imports}

{setup}tokenizer = AutoTokenizer.from_pretrained({args})
model = AutoModelForCausalLM.from_pretrained({args}, dtype=torch.float32).eval()

prompt = {prompt!r}
{prompt_text}
prompt_ids = tokenizer(text, add_special_tokens=False, return_tensors="pt").input_ids
generated = {generated!r}  # tokens taken so far in the playground
input_ids = torch.cat([prompt_ids, torch.tensor([generated], dtype=torch.long)], dim=-1)

# the processors generate builds for these settings, in its order
stages = [
{stages}
]
with torch.no_grad():
    scores = model(input_ids).logits[:, -1, :].float()
probs = {{"raw": scores.softmax(-1)}}
for name, processor in stages:
    scores = processor(input_ids, scores)
    probs[name] = scores.softmax(-1)  # renormalised over the tokens still allowed
for name, p in probs.items():
    top = p[0].topk(5)
    print(name, [(tokenizer.decode([int(i)]), round(float(v), 4)) for v, i in zip(top.values, top.indices)])

# the last generation: the same seed and settings give the same tokens
torch.manual_seed({seed})
out = model.generate(prompt_ids, max_new_tokens={n_new}, {kwargs})
new_tokens = out[0, prompt_ids.shape[1]:].tolist()
print(new_tokens)
print(tokenizer.decode(new_tokens))
'''


def reproduction_code(model: LoadReference, prompt: str, use_chat: bool, generated: list[int], config,
                      last_run: SamplingSettings, seed: int, n_new: int) -> str:
    """Python source that recomputes the staged distribution after prompt + `generated` under the
    effective generation `config`, then reruns the last generation (`n_new` tokens, `last_run`
    settings) with `generate`; `model` says how the snippet loads the model (hflab.snippet.reference)."""
    plan = processor_plan(config)
    imports = ", ".join(sorted({PROCESSOR_CLASSES[name] for name, _ in plan})) or "GenerationConfig"
    if use_chat:
        prompt_text = ('messages = [{"role": "user", "content": prompt}]\n'
                       "text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)")
    else:
        prompt_text = "text = prompt"
    stages = "\n".join(f"    ({name!r}, {processor_signature(name, kwargs)})," for name, kwargs in plan)
    kwargs = ", ".join(f"{k}={v!r}" for k, v in last_run.generate_kwargs().items())
    return _TEMPLATE.format(imports=imports, setup=model.setup, args=model.args, prompt=prompt, prompt_text=prompt_text,
                            generated=list(generated), stages=stages, seed=int(seed), n_new=max(1, int(n_new)),
                            kwargs=kwargs)


def reproduction_notebook(model: LoadReference, prompt: str, use_chat: bool, generated: list[int], config,
                          last_run: SamplingSettings, seed: int, n_new: int) -> NotebookSpec:
    """The reproduction code (same arguments as `reproduction_code`) as a notebook with the page's settings."""
    code = reproduction_code(model, prompt, use_chat, generated, config, last_run, seed, n_new)
    settings = {"model": model.args, "prompt": prompt, "chat template": use_chat, "generated so far": list(generated),
                "stages": {name: kwargs for name, kwargs in processor_plan(config)},
                "last generation": last_run.generate_kwargs(), "seed": int(seed), "max_new_tokens": max(1, int(n_new))}
    packages = ("torch", "transformers", "tokenizers") + (("gguf",) if "GGUF_FILE" in model.args else ())
    return NotebookSpec("sampling", "nav.sampling", "sampling.code_title", code, settings, packages)
