"""llama-server withholds the log-probabilities of a draw that ends inside a UTF-8 character (hflab/remote/withheld.py):
the lab asks again with a probe token forced and still shows the position's raw candidates and the server's own draw.

Against tests/llama_server_shape.py (llama.cpp on the packaged SmolLM2 GGUF behind llama-server's rules, its answers
recorded from the native build) with llama.cpp in process (llama_cpp.Llama on the same GGUF) as the oracle; the
recorded native answers themselves are parsed too.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from llama_server_shape import RECORDED, validate_utf8
from scripted_openai import TOP

from hflab.byte_pieces import piece_label
from hflab.i18n import t
from hflab.remote.candidates import next_token_candidates
from hflab.remote.client import RemoteConfig, RemoteError
from hflab.remote.withheld import PROBE_BIAS, Withheld
from hflab.sampling.processors import SamplingSettings
from hflab.sampling.remote import LLAMA_CPP, WIDE_CANDIDATES, ask, detect_profile, parse_answer, start

LLAMA_ATOL = 1e-3  # the server and the oracle run the same library on the same file
CHINESE = "从前有一只小猫，它"
GREEDY = SamplingSettings(do_sample=False)
K = 10


@pytest.fixture(scope="module")
def oracle():
    """llama.cpp in process on the same GGUF: the raw log-probabilities after a list of token ids."""
    from llama_cpp import Llama

    from hflab.loading import offline_assets

    llama = Llama(model_path=str(offline_assets.smollm2_gguf()), n_ctx=1024, n_threads=2, logits_all=True,
                  verbose=False)

    def logprobs(ids: list[int]) -> np.ndarray:
        llama.reset()
        llama.eval(ids)
        return np.asarray(Llama.logits_to_logprobs(llama.scores[len(ids) - 1]), dtype=np.float64)

    return llama, logprobs


@pytest.fixture()
def shaped(llama_shaped):
    config, server = llama_shaped
    server.force_draw = None
    server.requests.clear()
    yield config, server
    server.force_draw = None


def byte_pieces(llama) -> list[int]:
    """Every token id whose bytes end inside a UTF-8 character (what llama-server withholds)."""
    pieces = []
    for token in range(llama.n_vocab()):
        data = llama.detokenize([token])
        if data and validate_utf8(data) < len(data):
            pieces.append(token)
    return pieces


def shown(err: RemoteError) -> str:
    """The error as the page shows it in Chinese."""
    return t(err.message.key, "zh", **err.message.params)


def assert_oracle_candidates(answer, logprobs: np.ndarray, k: int = K) -> None:
    top = [int(i) for i in np.argsort(-logprobs, kind="stable")[:k]]
    assert [c.token_id for c in answer.candidates] == top
    assert np.allclose([c.logprob for c in answer.candidates], logprobs[top], atol=LLAMA_ATOL)


def test_the_recorded_native_answers():
    with pytest.raises(Withheld) as err:
        parse_answer(RECORDED["completions_withheld"], 3)
    assert err.value.key == "remote.error.no_logprobs"
    probed = parse_answer(RECORDED["completions_probed"], 3)
    assert [c.token_id for c in probed.candidates] == [178, 27830, 11567]
    assert [c.label for c in probed.candidates] == ["<0xE7>", "是", "的"]  # bytes, not the server's "" for a piece


def test_the_shaped_server_withholds_as_the_native_one_does(shaped, oracle):
    config, server = shaped
    llama, _ = oracle
    ids = llama.tokenize(CHINESE.encode(), add_bos=True, special=True)
    server.force_draw = byte_pieces(llama)[0]
    withheld = server.answer("/v1/completions", {"prompt": ids, "max_tokens": 1, "n_probs": 3, "temperature": 0})
    assert {k: withheld["choices"][0][k] for k in ("text", "logprobs")} == {
        k: RECORDED["completions_withheld"]["choices"][0][k] for k in ("text", "logprobs")}
    chat = server.answer("/v1/chat/completions", {"messages": [{"role": "user", "content": CHINESE}],
                                                  "max_tokens": 1, "logprobs": True, "top_logprobs": 3})
    assert chat["choices"][0].keys() == RECORDED["chat_withheld"]["choices"][0].keys()


def test_stepping_through_a_withheld_byte_piece(shaped, oracle):
    config, server = shaped
    llama, logprobs = oracle
    profile = detect_profile(config)
    assert profile.name == LLAMA_CPP
    stepper = start(config, profile, CHINESE, seed=7)
    first = logprobs(list(stepper.prompt_ids))
    lead = next(i for i in np.argsort(-first, kind="stable")[:K] if int(i) in set(byte_pieces(llama)))
    server.force_draw = int(lead)  # the server draws the first byte piece of a character here
    answer = ask(config, stepper, GREEDY, K)
    assert_oracle_candidates(answer, first)
    drawn = answer.candidates[answer.index_of(answer.drawn)]
    assert answer.drawn.ids == (int(lead),) and answer.drawn.data == drawn.data == llama.detokenize([int(lead)])
    assert math.isclose(answer.drawn.logprob, first[lead], abs_tol=LLAMA_ATOL)
    paths = [path for path, _ in server.requests]
    assert paths.count("/completion") == 1 and paths.count("/tokenize") == 2  # the prompt's ids, the probe's
    probed = server.requests[-1][1]
    assert probed["logit_bias"][0][1] == PROBE_BIAS and probed["seed"] == stepper.position_seed()
    stepper.take(answer, GREEDY)
    server.force_draw = None
    for _ in range(UTF8_STEPS := 3):  # on until the character is whole: continuation bytes are never withheld
        answer = ask(config, stepper, GREEDY, K)
        assert_oracle_candidates(answer, logprobs(stepper.context()))
        stepper.take(answer, GREEDY)
    assert len(stepper.steps) == 1 + UTF8_STEPS
    assert stepper.pieces()[0].complete and "\ufffd" not in stepper.pieces()[0].text


def test_a_sampled_withheld_draw_outside_the_first_k(shaped, oracle):
    config, server = shaped
    llama, logprobs = oracle
    stepper = start(config, detect_profile(config), CHINESE, seed=3)
    first = logprobs(list(stepper.prompt_ids))
    ranks = {int(token): rank for rank, token in enumerate(np.argsort(-first, kind="stable"))}
    pieces = sorted(byte_pieces(llama), key=ranks.get)
    settings = SamplingSettings(temperature=1.5, top_k=0, top_p=1.0)
    server.force_draw = next(p for p in pieces if K < ranks[p] < WIDE_CANDIDATES)  # asked again, wide
    answer = ask(config, stepper, settings, K)
    assert_oracle_candidates(answer, first)
    assert answer.index_of(answer.drawn) is None and answer.drawn.ids == (server.force_draw,)
    assert answer.drawn.data == llama.detokenize([server.force_draw])
    assert math.isclose(answer.drawn.logprob, first[server.force_draw], abs_tol=LLAMA_ATOL)
    server.force_draw = pieces[-1]  # the least likely byte piece: outside even the wide ask
    with pytest.raises(RemoteError) as err:
        ask(config, stepper, settings, K)
    assert shown(err.value) == t("remote_step.error.draw_unseen", "zh", n=WIDE_CANDIDATES)


def test_chat_candidates_through_a_withheld_byte_piece(shaped, oracle):
    config, server = shaped
    llama, logprobs = oracle
    chat_ids = server.chat_ids([{"role": "user", "content": CHINESE}])
    raw = logprobs(chat_ids)
    server.force_draw = byte_pieces(llama)[0]  # withheld, whatever the numbers of this build
    result = next_token_candidates(config, CHINESE, k=5)
    top = [int(i) for i in np.argsort(-raw, kind="stable")[:5]]
    assert [c.label for c in result.candidates] == [piece_label(llama.detokenize([i])) for i in top]
    assert np.allclose([c.logprob for c in result.candidates], raw[top], atol=LLAMA_ATOL)
    assert result.chosen == result.candidates[0].label  # temperature 0: the greedy choice is the most likely
    assert [path for path, _ in server.requests] == ["/v1/chat/completions", "/tokenize", "/v1/chat/completions"]
    assert server.requests[-1][1]["logit_bias"] == {str(llama.tokenize(b"a", add_bos=False)[0]): PROBE_BIAS}


def test_a_withheld_answer_from_a_server_without_tokenize(server):
    with pytest.raises(RemoteError) as err:
        next_token_candidates(RemoteConfig(f"{server}/withheld/v1", "m", timeout_s=10), CHINESE, k=len(TOP))
    assert shown(err.value) == t("remote.error.no_logprobs", "zh")
