"""The story page's copyable code: the story step with plain transformers, in the lab's way (chat template,
sentence-end stop) or the tutorial's (its raw prompt, always sampling, its hard cut), with the page's settings."""
from __future__ import annotations

from hflab.snippet.notebook import NotebookSpec
from hflab.snippet.reference import LoadReference
from hflab.story.tutorial import PROMPT_MAX_TOKENS, TRUNCATION_MARKER, TutorialSettings

_LOAD = '''import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

{setup}tokenizer = AutoTokenizer.from_pretrained({args})
model = AutoModelForCausalLM.from_pretrained({args}, dtype=torch.float32).eval()
'''

_LAB = '''
messages = {messages!r}
text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
inputs = tokenizer(text, add_special_tokens=False, return_tensors="pt")
torch.manual_seed({seed})
with torch.inference_mode():
    out = model.generate(**inputs, **{kwargs!r})
story = tokenizer.decode(out[0, inputs.input_ids.shape[1]:], skip_special_tokens=True).strip()
# the page streams the same tokens and stops at the first sentence end after 90% of {target} characters:
# its story is the beginning of this text
print(story)
'''

_TUTORIAL = '''
prompt = {prompt!r}
inputs = tokenizer(prompt, return_tensors="pt", truncation=True, max_length={prompt_max})
pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
torch.manual_seed({seed})
with torch.inference_mode():
    out = model.generate(**inputs, **{kwargs!r}, pad_token_id=pad, eos_token_id=tokenizer.eos_token_id)
story = tokenizer.decode(out[0, inputs.input_ids.shape[1]:], skip_special_tokens=True).strip()
max_length = {target}
if len(story) > max_length:  # the tutorial's length control: cut, back to the last "。", add the marker
    story = story[:max_length].rsplit("。", 1)[0] + {marker!r}
print(story)
'''


def story_code(model: LoadReference, prompt: list[dict] | str, settings) -> str:
    """Python that writes the page's story: `prompt` is the lab's chat messages or the tutorial's prompt text,
    `settings` the lab's StorySettings or the tutorial's TutorialSettings (same seed, same generate arguments)."""
    code = _LOAD.format(setup=model.setup, args=model.args)
    if isinstance(settings, TutorialSettings):
        return code + _TUTORIAL.format(prompt=prompt, prompt_max=PROMPT_MAX_TOKENS, seed=int(settings.seed),
                                       kwargs=settings.generate_kwargs(), target=int(settings.target_chars),
                                       marker=TRUNCATION_MARKER)
    return code + _LAB.format(messages=prompt, seed=int(settings.seed), kwargs=settings.generate_kwargs(),
                              target=int(settings.target_chars))


def story_notebook(model: LoadReference, prompt: list[dict] | str, settings) -> NotebookSpec:
    """`story_code` as a notebook with the story's params (what params.json records)."""
    packages = ("torch", "transformers", "tokenizers") + (("gguf",) if "GGUF_FILE" in model.args else ())
    return NotebookSpec("story", "nav.image_story", "image_story.code_title", story_code(model, prompt, settings),
                        {"model": model.args, **settings.as_dict()}, packages)
