"""Stepping on a server (hflab/sampling/remote.py) against llama-cpp-python's real server on the packaged SmolLM2 GGUF
(fixture `llama_server`, tests/conftest.py), with llama.cpp in process (llama_cpp.Llama on the same GGUF) and
transformers (the same GGUF dequantized, `smollm2_dir`) as the oracles; and the stage rebuild against transformers'
own warpers over a whole vocabulary built in code.

Tolerances: the server and llama_cpp.Llama run the same library on the same file, so their log-probabilities agree
to LLAMA_ATOL. transformers runs the dequantized fp32 weights while llama.cpp multiplies Q4_1 weights by 8-bit
quantized activations, so stage probabilities agree to QUANT_ATOL (absolute).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from hflab.byte_pieces import is_partial
from hflab.sampling.processors import SamplingSettings, next_token_view
from hflab.sampling.remote import (
    LLAMA_CPP,
    LLAMA_CPP_PYTHON,
    PROFILES,
    VLLM,
    Answer,
    Draw,
    RemoteStepper,
    ServerCandidate,
    ask,
    detect_profile,
    parse_answer,
    rebuild_stages,
    request_body,
    stage_settings,
    start,
)

LLAMA_ATOL = 1e-3
QUANT_ATOL = 0.03
GREEDY = SamplingSettings(do_sample=False)
ENGLISH = "The capital of France is"
CHINESE = "从前有一只小猫，它"
STAGE_SETTINGS = [
    SamplingSettings(temperature=1.0, top_k=5, top_p=1.0),
    SamplingSettings(temperature=0.7, top_k=0, top_p=0.9),
    SamplingSettings(temperature=1.3, top_k=0, top_p=1.0, min_p=0.05),
    SamplingSettings(temperature=1.0, top_k=8, top_p=0.8, min_p=0.1),
]


@pytest.fixture(scope="module")
def llama():
    """llama.cpp in process on the same GGUF, every position's logits kept."""
    from llama_cpp import Llama

    from hflab.loading import offline_assets

    return Llama(model_path=str(offline_assets.smollm2_gguf()), n_ctx=1024, n_threads=2, logits_all=True,
                 verbose=False)


def llama_top(llama, text: str, k: int) -> tuple[list[int], np.ndarray]:
    """llama.cpp's own top-k token ids and raw log-probabilities for the token after `text` (tokenized as the server
    does: its BOS rule, special tokens parsed)."""
    from llama_cpp import Llama

    tokens = llama.tokenize(text.encode("utf-8"), add_bos=True, special=True)
    llama.reset()
    llama.eval(tokens)
    logprobs = Llama.logits_to_logprobs(llama.scores[len(tokens) - 1])
    top = [int(i) for i in np.argsort(-logprobs, kind="stable")[:k]]
    return top, logprobs


@pytest.fixture(scope="module")
def smollm2(smollm2_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return (AutoModelForCausalLM.from_pretrained(smollm2_dir, dtype=torch.float32).eval(),
            AutoTokenizer.from_pretrained(smollm2_dir))


def same_answer(a: Answer, b: Answer) -> bool:
    """The same candidates and draw; log-probabilities to LLAMA_ATOL (the server's KV-cache reuse may evaluate the
    context in other batches)."""
    return ([c.data for c in a.candidates] == [c.data for c in b.candidates] and a.drawn.data == b.drawn.data
            and np.allclose([c.logprob for c in a.candidates], [c.logprob for c in b.candidates], atol=LLAMA_ATOL))


@pytest.mark.slow  # a real llama.cpp server
def test_llama_cpp_python_is_recognised(llama_server):
    assert detect_profile(llama_server) == PROFILES[LLAMA_CPP_PYTHON]


@pytest.mark.slow  # a real llama.cpp server
def test_candidates_equal_llama_cpp_in_process(llama_server, llama):
    """The server's top candidates, their order and raw log-probabilities are llama.cpp's own for the same text."""
    k = 12
    stepper = start(llama_server, PROFILES[LLAMA_CPP_PYTHON], ENGLISH, seed=0)
    answer = ask(llama_server, stepper, GREEDY, k)
    top, logprobs = llama_top(llama, ENGLISH, k)
    assert [c.data for c in answer.candidates] == [llama.detokenize([i]) for i in top]
    assert np.allclose([c.logprob for c in answer.candidates], logprobs[top], atol=LLAMA_ATOL)
    assert answer.merged == 0 and math.isclose(answer.covered_mass, float(np.exp(logprobs[top]).sum()), abs_tol=1e-3)
    assert answer.drawn.data == llama.detokenize([top[0]])  # greedy: the top candidate
    assert math.isclose(answer.drawn.logprob, logprobs[top[0]], abs_tol=LLAMA_ATOL)


@pytest.mark.slow  # a real llama.cpp server
@pytest.mark.parametrize("settings", STAGE_SETTINGS, ids=lambda s: f"T{s.temperature}-k{s.top_k}-p{s.top_p}-m{s.min_p}")
def test_stages_equal_transformers_in_process(llama_server, smollm2, settings):
    """The server's raw candidates through transformers' warpers (temperature last, as llama.cpp samples) equal the
    in-process stages of the same model in transformers over its whole vocabulary: within QUANT_ATOL where the
    rebuild says exact, inside its range (widened by QUANT_ATOL) elsewhere."""
    import torch

    model, tokenizer = smollm2
    k = 20
    answer = ask(llama_server, start(llama_server, PROFILES[LLAMA_CPP_PYTHON], ENGLISH, 0), GREEDY, k)
    stages = rebuild_stages(answer, settings, temperature_last=True)
    ids = tokenizer(ENGLISH, return_tensors="pt").input_ids
    with torch.inference_mode():
        logits = model(ids).logits[:, -1].float()
    local = next_token_view(ids, logits, stage_settings(settings), top_n=k, temperature_last=True)
    assert local.stages == stages.view.stages
    by_bytes = {tokenizer.decode([int(i)]).encode("utf-8"): r for r, i in enumerate(local.candidates)}
    matched = [(r, by_bytes[c.data]) for r, c in enumerate(answer.candidates) if c.data in by_bytes]
    assert len(matched) >= k - 4  # quantization may swap the last ranks in and out
    for s in range(len(local.stages)):
        for remote_rank, local_rank in matched:
            p = local.probs[s, local_rank]
            if stages.exact[s]:
                assert abs(stages.view.probs[s, remote_rank] - p) <= QUANT_ATOL, (s, remote_rank)
            else:
                assert stages.low[s, remote_rank] - QUANT_ATOL <= p <= stages.high[s, remote_rank] + QUANT_ATOL
    assert stages.exact[0] and (stages.exact[-1] or settings.top_k == 0)  # top-k within the candidates cuts the tail


@pytest.mark.slow  # a real llama.cpp server
def test_step_branch_undo(llama_server, llama):
    """Greedy steps follow llama.cpp's own greedy continuation; a branch appends the picked candidate; undo goes back
    to the very answer of that position; a sampled step undone and taken again draws the same token (seed +
    position)."""
    profile = PROFILES[LLAMA_CPP_PYTHON]
    stepper = start(llama_server, profile, ENGLISH, seed=7)
    for _ in range(3):
        stepper.take(ask(llama_server, stepper, GREEDY, 5), GREEDY)
    expected = llama.create_completion(ENGLISH, max_tokens=3, temperature=0.0, top_k=0, top_p=1.0, min_p=0.0,
                                       repeat_penalty=1.0)["choices"][0]["text"]
    assert stepper.generated_bytes().decode() == expected
    here = ask(llama_server, stepper, GREEDY, 5)
    branch = stepper.pick(here, 1, GREEDY)
    assert branch.how == "picked" and branch.draw.data == here.candidates[1].data
    assert stepper.context() == ENGLISH + expected + here.candidates[1].data.decode()
    assert stepper.undo() is branch and len(stepper.steps) == 3
    assert same_answer(ask(llama_server, stepper, GREEDY, 5), here)
    sampling = SamplingSettings(temperature=1.5, top_k=0, top_p=1.0)
    first = stepper.take(ask(llama_server, stepper, sampling, 5), sampling)
    stepper.undo()
    assert stepper.take(ask(llama_server, stepper, sampling, 5), sampling).draw.data == first.draw.data
    assert first.seed == 7 + 3
    stepper.reset()
    assert stepper.steps == [] and stepper.context() == ENGLISH


@pytest.mark.slow  # a real llama.cpp server
def test_chinese_byte_pieces_stay_whole(llama_server, llama):
    """A prompt whose next token is a byte piece: llama.cpp in process ranks a partial UTF-8 piece first; the server
    names such pieces "" (they all collide), which the answer reports as merged away and never as "�"; its step
    holds the piece back until the character is whole, and the steps merge into exactly llama.cpp's own greedy
    characters."""
    k = 20
    top, _ = llama_top(llama, CHINESE, k)
    assert is_partial(llama.detokenize([top[0]]))  # the precondition: the next token is a byte piece
    unnamed = sum(llama.detokenize([i]).decode("utf-8", errors="ignore") == "" for i in top)  # all named ""
    stepper = start(llama_server, PROFILES[LLAMA_CPP_PYTHON], CHINESE, seed=0)
    answer = ask(llama_server, stepper, GREEDY, k)
    assert answer.candidates[0].data is None and not answer.candidates[0].named  # the unnamed byte piece(s)
    assert answer.merged >= unnamed - 1
    assert all("\ufffd" not in c.label for c in answer.candidates)
    for _ in range(3):
        stepper.take(ask(llama_server, stepper, GREEDY, k), GREEDY)
    assert stepper.steps[0].draw.n_tokens > 1  # the first step is the pieces of one character
    assert all(piece.complete for piece in stepper.pieces())
    expected = llama.create_completion(CHINESE, max_tokens=stepper.steps[0].draw.n_tokens, temperature=0.0,
                                       repeat_penalty=1.0)["choices"][0]["text"]
    assert stepper.steps[0].draw.data.decode() == expected


def test_rebuilt_stages_equal_transformers_over_the_whole_vocabulary():
    """With every token as a candidate the rebuild is transformers' own stages to float precision and exact
    throughout; with the top 40 only, every stage it calls exact is transformers' own, and the rest lies in its
    range."""
    import torch

    generator = torch.Generator().manual_seed(0)
    logits = torch.randn((1, 3000), generator=generator, dtype=torch.float32) * 1.2  # every token above MIN_PROB
    logprobs = torch.log_softmax(logits, dim=-1)[0]
    order = torch.argsort(logprobs, descending=True)
    ids = torch.zeros((1, 1), dtype=torch.long)
    for settings in STAGE_SETTINGS:
        local = next_token_view(ids, logits, stage_settings(settings), top_n=3000, temperature_last=True)
        for n in (3000, 40):
            answer = Answer(tuple(ServerCandidate(float(logprobs[i]), int(i)) for i in order[:n]), None, n)
            stages = rebuild_stages(answer, settings, temperature_last=True)
            rank = {int(i): r for r, i in enumerate(local.candidates)}
            expected = local.probs[:, [rank[int(i)] for i in order[:n]]]
            assert stages.n == n
            if n == 3000:
                assert stages.exact.all()
            for s in range(len(local.stages)):
                if stages.exact[s]:
                    assert np.allclose(stages.view.probs[s], expected[s], atol=1e-5)
                else:
                    assert (stages.low[s] - 1e-6 <= expected[s]).all() and (expected[s] <= stages.high[s] + 1e-6).all()


def test_requests_say_each_server_s_names():
    """Each server gets the settings under its own names: greedy as temperature 0, no repetition penalty (llama-cpp-
    python would use 1.1), llama-server's n_probs with raw probabilities, vLLM's token ids as names."""
    settings = SamplingSettings(temperature=0.8, top_k=40, top_p=0.9, min_p=0.05)
    python_body = request_body(PROFILES[LLAMA_CPP_PYTHON], "m", "text", settings, 3, 10)
    assert python_body == {"model": "m", "prompt": "text", "max_tokens": 1, "logprobs": 10, "seed": 3,
                           "temperature": 0.8, "top_p": 0.9, "top_k": 40, "min_p": 0.05, "repeat_penalty": 1.0}
    server_body = request_body(PROFILES[LLAMA_CPP], "m", [1, 2], GREEDY, 3, 10)
    assert server_body["temperature"] == 0.0 and server_body["n_probs"] == 10
    assert server_body["post_sampling_probs"] is False and server_body["prompt"] == [1, 2]
    vllm_body = request_body(PROFILES[VLLM], "m", [1, 2], settings, 3, 10)
    assert vllm_body["return_tokens_as_token_ids"] is True and vllm_body["repetition_penalty"] == 1.0


def test_token_id_answers_keep_byte_pieces():
    """llama-server's documented `logprobs.content` (ids and bytes) and vLLM's `token_id:N` names keep every byte
    piece: a stepper on them branches by id and merges the pieces into the character."""
    piece = {"id": 7, "token": "", "bytes": [0xE4, 0xB8], "logprob": -0.1,
             "top_logprobs": [{"id": 7, "token": "", "bytes": [0xE4, 0xB8], "logprob": -0.1},
                              {"id": 9, "token": " a", "bytes": [0x20, 0x61], "logprob": -2.5}]}
    answer = parse_answer({"choices": [{"text": "", "logprobs": {"content": [piece]}}]}, 2)
    assert [c.token_id for c in answer.candidates] == [7, 9] and answer.candidates[0].label == "<0xE4><0xB8>"
    assert answer.drawn == Draw(b"\xe4\xb8", -0.1, (7,))
    vllm = {"choices": [{"text": "", "logprobs": {"tokens": ["token_id:8"], "token_logprobs": [-0.2],
                                                  "top_logprobs": [{"token_id:8": -0.2, "token_id:9": -3.0}]}}]}
    table = {7: b"\xe4\xb8", 8: b"\x80", 9: b" a"}
    second = parse_answer(vllm, 2, lambda ids: [table[i] for i in ids])
    stepper = RemoteStepper(PROFILES[LLAMA_CPP], "p", 0, (1, 2))
    stepper.take(answer, GREEDY)
    stepper.take(second, GREEDY)
    assert stepper.context() == [1, 2, 7, 8]
    assert [(p.text, p.complete) for p in stepper.pieces()] == [("一", True)]
