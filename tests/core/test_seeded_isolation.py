"""One seed, one result, whatever else runs (issue 34): two sessions run the same seeded work in two threads, forced
to interleave step by step (a barrier at every forward pass, no sleeps), and each gets exactly what the same run gets
alone, for story generation (lab and tutorial mode), the Sampling page's steps and checks, and training."""
from __future__ import annotations

import random
import threading
from collections.abc import Callable

import pytest
import torch
from review_data import review
from torch.utils._python_dispatch import _get_current_dispatch_mode
from transformers import AutoTokenizer, LogitsProcessor, LogitsProcessorList

from hflab.loading import loaders
from hflab.loading.sources import Source
from hflab.runtime.rng import DrawsFrom, seeded_generate, seeded_generator
from hflab.sampling.processors import SamplingSettings, effective_generation_config
from hflab.sampling.stepper import Stepper, generate_tokens, sample_many
from hflab.sentiment.train import TrainConfig, small_bert, train_classifier
from hflab.story.tutorial import TutorialSettings, tutorial_prompt
from hflab.story.writer import StorySettings, build_messages, generate_story

SEED = 11
MESSAGES = build_messages("童话", "一只猫", 50)
SAMPLING = SamplingSettings(do_sample=True, temperature=1.5, top_k=0, top_p=1.0)


class Lockstep:
    """Two runs advance together: each `step()` waits for the other run's matching step, until one run is done."""

    def __init__(self):
        self.barrier = threading.Barrier(2)
        self.met = 0  # steps both runs took together

    def step(self, *args) -> None:
        """Wait for the other run's matching step (hook arguments ignored)."""
        try:
            if self.barrier.wait() == 0:
                self.met += 1
        except threading.BrokenBarrierError:  # the other run has finished: nothing left to interleave with
            pass

    def run_together(self, first: Callable, second: Callable) -> list:
        """Both calls in threads of their own, interleaved at every `step()`; their results, or their first error."""
        results, errors = [None, None], []

        def run(i: int, work: Callable) -> None:
            try:
                results[i] = work()
            except BaseException as exc:  # re-raised below, in the test's thread
                errors.append(exc)
            finally:
                self.barrier.abort()

        threads = [threading.Thread(target=run, args=(i, work)) for i, work in enumerate((first, second))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return results


def stepping(lockstep: Lockstep, *models) -> None:
    """Every forward pass of these models takes one lockstep step first."""
    for model in models:
        model.register_forward_pre_hook(lockstep.step)


@pytest.fixture()
def two_qwens(tiny_models):
    """Two copies of the tiny Qwen2 (two sessions' models, each with its own lock) and their tokenizers."""
    source = Source("causal_lm", "local", "tiny-qwen2", str(tiny_models["causal_lm"]), "source.local")
    return [loaders.load_causal_lm(source) for _ in range(2)]


LAB_STORY = StorySettings(style="童话", target_chars=50, creativity=9, seed=SEED, max_new_tokens=24)
TUTORIAL_STORY = TutorialSettings(style="童话", target_chars=50, creativity=9, seed=SEED)


@pytest.mark.parametrize("second", [LAB_STORY, TUTORIAL_STORY], ids=["lab-and-lab", "lab-and-tutorial"])
def test_two_stories_with_one_seed_each_equal_the_story_alone(two_qwens, second):
    (model_a, tok_a), (model_b, tok_b) = two_qwens
    first = LAB_STORY
    prompt = lambda settings: MESSAGES if isinstance(settings, StorySettings) else tutorial_prompt("童话", "一只猫", 50)  # noqa: E731
    alone = [generate_story(model_a, tok_a, threading.RLock(), prompt(s), s) for s in (first, second)]
    lockstep = Lockstep()
    stepping(lockstep, model_a, model_b)
    together = lockstep.run_together(
        lambda: generate_story(model_a, tok_a, threading.RLock(), prompt(first), first),
        lambda: generate_story(model_b, tok_b, threading.RLock(), prompt(second), second))
    assert together == alone and alone[0]
    assert lockstep.met >= 24  # the prompt and every token after it: the two generations interleaved throughout


def sampling_page(model, prompt_ids: list[int]) -> tuple:
    """What the Sampling page draws with one seed: sampled steps, its generate check, and 'sample many'."""
    config = effective_generation_config(model, SAMPLING)
    stepper = Stepper.start(model, prompt_ids, SEED)
    stepper.run(model, config, 12)
    return (stepper.generated, generate_tokens(model, prompt_ids, SAMPLING, SEED, 12),
            sample_many(model, prompt_ids, config, 3, 6, SEED).tolist())


def test_two_sampling_sessions_with_one_seed_each_equal_the_session_alone(two_qwens):
    (model_a, tok_a), (model_b, _) = two_qwens
    prompt_ids = tok_a("Once upon a time")["input_ids"]
    alone = sampling_page(model_a, prompt_ids)
    lockstep = Lockstep()
    stepping(lockstep, model_a, model_b)
    together = lockstep.run_together(lambda: sampling_page(model_a, prompt_ids),
                                     lambda: sampling_page(model_b, prompt_ids))
    assert together == [alone, alone]
    assert lockstep.met >= 12 + 12 + 6  # every step, every generated token and every batched draw interleaved


def test_seeded_generate_gives_the_tokens_of_a_global_seed_and_leaves_the_global_generator_alone(two_qwens):
    model, tok = two_qwens[0]
    inputs = torch.tensor([tok("a cat sitting")["input_ids"]])
    torch.manual_seed(SEED)
    expected = model.generate(inputs, max_new_tokens=10, **SAMPLING.generate_kwargs())
    torch.manual_seed(SEED + 1)  # another global state: only the run's own generator may decide
    global_state = torch.get_rng_state()
    with seeded_generate(SEED) as own:
        assert torch.equal(model.generate(inputs, max_new_tokens=10, **own, **SAMPLING.generate_kwargs()), expected)
    assert torch.equal(torch.get_rng_state(), global_state)


def test_a_generate_failing_between_the_hooks_leaves_no_hook_behind(two_qwens):
    class Fails(LogitsProcessor):
        def __call__(self, input_ids, scores):
            raise RuntimeError("bad logits")

    model, tok = two_qwens[0]
    with pytest.raises(RuntimeError, match="bad logits"), seeded_generate(SEED) as own:
        processors = LogitsProcessorList([*own["logits_processor"], Fails()])  # runs after the hook opened
        model.generate(torch.tensor([tok("a cat")["input_ids"]]), max_new_tokens=3, logits_processor=processors,
                       stopping_criteria=own["stopping_criteria"], **SAMPLING.generate_kwargs())
    assert _get_current_dispatch_mode() is None


def reviews(n: int, seed: int) -> tuple[list[str], list[int]]:
    """`n` ChnSentiCorp-like reviews with balanced labels."""
    rng = random.Random(seed)
    labels = [i % 2 for i in range(n)]
    return [review(rng, label) for label in labels], labels


def training(tokenizer, lockstep: Lockstep | None = None) -> tuple:
    """A small BERT built and trained with one seed (every forward pass a lockstep step): its weights and chart."""
    config = TrainConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, max_length=48,
                         batch_size=8, epochs=2, evals_per_epoch=2, patience=10, seed=SEED)
    model = small_bert(tokenizer, config)
    if lockstep is not None:
        stepping(lockstep, model)
    (texts, labels), (val_texts, val_labels) = reviews(48, 0), reviews(16, 1)
    result = train_classifier(model, tokenizer, texts, labels, val_texts, val_labels, config)
    return ({name: value.clone() for name, value in model.state_dict().items()},
            [(e.step, e.loss, e.val_accuracy) for e in result.history])


def test_small_bert_has_the_weights_of_a_global_seed(tiny_models):
    tokenizer = AutoTokenizer.from_pretrained(tiny_models["sentiment"])
    config = TrainConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, seed=SEED)
    model = small_bert(tokenizer, config)
    torch.manual_seed(SEED)
    expected = type(model)(model.config).state_dict()
    assert all(torch.equal(value, expected[name]) for name, value in model.state_dict().items())


def test_two_trainings_with_one_seed_each_equal_the_training_alone(tiny_models):
    tokenizers = [AutoTokenizer.from_pretrained(tiny_models["sentiment"]) for _ in range(2)]
    alone_weights, alone_chart = training(tokenizers[0])
    lockstep = Lockstep()
    # building the models does not interleave: the lab builds one model at a time (hflab.loading.policy.BUILDING, as
    # transformers swaps process-wide functions while it builds); their training steps do
    together = lockstep.run_together(lambda: training(tokenizers[0], lockstep),
                                     lambda: training(tokenizers[1], lockstep))
    assert lockstep.met >= 12  # the 12 training steps (6 batches x 2 epochs) interleaved
    for weights, chart in together:
        assert chart == alone_chart
        assert weights.keys() == alone_weights.keys()
        assert all(torch.equal(weights[name], alone_weights[name]) for name in weights)


def test_draws_from_covers_ops_without_a_generator_argument():
    torch.manual_seed(0)
    with DrawsFrom(seeded_generator(SEED)):
        drawn = (torch.rand(3), torch.randn(2), torch.randint(0, 100, (4,)), torch.randperm(5))
    generator = seeded_generator(SEED)
    expected = (torch.rand(3, generator=generator), torch.randn(2, generator=generator),
                torch.randint(0, 100, (4,), generator=generator), torch.randperm(5, generator=generator))
    assert all(torch.equal(a, b) for a, b in zip(drawn, expected, strict=True))
    assert torch.equal(torch.get_rng_state(), torch.Generator().manual_seed(0).get_state())  # the global one untouched
