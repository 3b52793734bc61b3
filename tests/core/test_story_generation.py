"""Story streaming against transformers' own generate, stopping, errors, and regeneration from settings."""
import threading
from dataclasses import replace

import pytest

from hflab.loading import loaders
from hflab.story.tutorial import TutorialSettings, tutorial_prompt
from hflab.story.writer import (
    StoryGenerationError,
    StorySettings,
    StreamProgress,
    build_messages,
    count_chars,
    generate_story,
    stream_local,
)


@pytest.fixture(scope="module")
def qwen(tiny_models):
    from hflab.loading.sources import Source

    source = Source("causal_lm", "local", "tiny-qwen2", str(tiny_models["causal_lm"]), "source.local")
    return loaders.load_causal_lm(source)


MESSAGES = build_messages("童话", "一只猫", 50)
SETTINGS = StorySettings(style="童话", target_chars=50, creativity=6, seed=11, max_new_tokens=24)


def _oracle(model, tokenizer, settings):
    import torch

    inputs = tokenizer.apply_chat_template(MESSAGES, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    torch.manual_seed(settings.seed)
    out = model.generate(**inputs, **settings.generate_kwargs())
    return tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)


@pytest.mark.parametrize("creativity", [0, 6])
def test_streamed_text_equals_plain_generate(qwen, creativity):
    model, tokenizer = qwen
    settings = replace(SETTINGS, creativity=creativity)
    streamed = "".join(stream_local(model, tokenizer, threading.RLock(), MESSAGES, settings))
    # the same text, less an unfinished character's bytes at the very end (U+FFFD in a one-shot decode)
    assert streamed == _oracle(model, tokenizer, settings).rstrip("\ufffd")


def test_closing_the_stream_stops_generation(qwen):
    model, tokenizer = qwen
    stream = stream_local(model, tokenizer, threading.RLock(), MESSAGES, replace(SETTINGS, max_new_tokens=400))
    next(stream)
    stream.close()
    assert not [th for th in threading.enumerate() if th.name == "story-generate"]


def test_a_failing_generate_raises_instead_of_hanging(qwen):
    model, tokenizer = qwen
    with pytest.raises(StoryGenerationError):
        "".join(stream_local(model, tokenizer, threading.RLock(), MESSAGES, replace(SETTINGS, top_p=-1.0)))


def test_same_seed_same_story_and_lock_is_released(qwen):
    model, tokenizer = qwen
    lock = threading.RLock()
    first = generate_story(model, tokenizer, lock, MESSAGES, SETTINGS)
    assert first == generate_story(model, tokenizer, lock, MESSAGES, SETTINGS)
    assert lock.acquire(blocking=False)
    lock.release()


def test_progress_counts_exactly_the_generated_tokens(qwen):
    model, tokenizer = qwen
    settings = replace(SETTINGS, creativity=0)
    progress = StreamProgress(settings.max_new_tokens, settings.target_chars)
    for chunk in stream_local(model, tokenizer, threading.RLock(), MESSAGES, settings, progress):
        progress.add(chunk)
    inputs = tokenizer.apply_chat_template(MESSAGES, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    out = model.generate(**inputs, **settings.generate_kwargs())
    assert progress.tokens == out.shape[1] - inputs["input_ids"].shape[1]
    assert progress.chars == count_chars(_oracle(model, tokenizer, settings))
    assert progress.tokens_per_s() > 0 and progress.seconds_left() is not None


def test_tutorial_mode_equals_the_tutorials_own_code(qwen):
    """The tutorial's generate_story, line for line (raw prompt, always sampling, decode, replace, hard cut)."""
    import torch

    model, tokenizer = qwen
    settings = TutorialSettings(style="童话", target_chars=50, creativity=5, seed=3)
    prompt = tutorial_prompt("童话", "一只猫", 50)
    inputs = tokenizer(prompt, return_tensors="pt", truncation=True, max_length=512)
    torch.manual_seed(3)
    outputs = model.generate(**inputs, max_length=len(inputs["input_ids"][0]) + 50, temperature=1.15, do_sample=True,
                             top_p=0.9, pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
    story = tokenizer.decode(outputs[0], skip_special_tokens=True).replace(prompt, "").strip()
    if len(story) > 50:
        story = story[:50].rsplit("。", 1)[0] + "......(故事已截断以符合字数要求)"
    assert generate_story(model, tokenizer, threading.RLock(), prompt, settings) == story


def test_an_unfinished_character_at_the_end_is_held_back(qwen):
    # issue 33.9: a budget that ends inside a character's bytes showed U+FFFD at the end of the story
    import torch

    from hflab.byte_pieces import bytes_to_unicode
    from hflab.story.writer import INCOMPLETE, whole_char_streamer

    _, tokenizer = qwen
    as_text = bytes_to_unicode()
    byte_ids = [tokenizer.convert_tokens_to_ids(as_text[b]) for b in "小猫".encode() + "好".encode()[:2]]
    assert INCOMPLETE in tokenizer.decode(byte_ids)  # a one-shot decode shows the cut piece
    streamer = whole_char_streamer(tokenizer, skip_prompt=False)
    for token in byte_ids:  # generate hands the streamer one token at a time
        streamer.put(torch.tensor([token]))
    streamer.end()
    assert "".join(streamer) == "小猫"
