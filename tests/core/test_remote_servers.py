"""The remote backend against real OpenAI-compatible server processes on loopback.

- `transformers serve` (transformers' own server, installed with fastapi) serving the offline SmolLM2:
  streamed greedy text must equal local `generate` on the same chat; it ignores logprobs, which
  the backend must report clearly. Runs everywhere, CI included.
- llama.cpp's server from `llama-cpp-python[server]` serving the offline SmolLM2 GGUF: streaming and
  top_logprobs. pip builds llama.cpp from source (about 10 minutes on 2 cores); `python dev.py test`
  does so once per venv, and where the build fails these tests skip with that reason.
"""
from __future__ import annotations

import importlib.util
import sys

import pytest
from local_servers import server_on_free_port

from hflab.remote.candidates import next_token_candidates
from hflab.remote.client import RemoteConfig, RemoteError, stream_chat

pytestmark = pytest.mark.slow  # real server processes (transformers serve, llama.cpp)

STORY = [{"role": "user", "content": "Tell a short story about a cat."}]


@pytest.fixture(scope="module")
def transformers_server(smollm2_dir, session_dir):
    if importlib.util.find_spec("fastapi") is None:
        pytest.skip("fastapi is not installed (pip install -r requirements-test.txt)")
    model_dir = str(smollm2_dir)

    def cmd(port: int) -> list[str]:
        return [sys.executable, "-c", "import sys; from transformers.cli.transformers import main; sys.exit(main())",
                "serve", model_dir, "--host", "127.0.0.1", "--port", str(port), "--device", "cpu", "--dtype", "float32"]
    with server_on_free_port(cmd, "/health", session_dir / "transformers_serve.log") as url:
        yield RemoteConfig(base_url=url, model=model_dir, timeout_s=60)


def test_transformers_serve_streams_what_generate_produces(transformers_server, smollm2_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = smollm2_dir
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    pieces = list(stream_chat(transformers_server, STORY, max_tokens=12, temperature=0.0))
    ids = tokenizer.apply_chat_template(STORY, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    expected = model.generate(**ids, max_new_tokens=12, do_sample=False)
    assert len(pieces) > 1  # really streamed, piece by piece
    assert "".join(pieces) == tokenizer.decode(expected[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)


def test_transformers_serve_unknown_model(transformers_server):
    config = RemoteConfig(base_url=transformers_server.base_url, model="no-such-org/no-such-model", timeout_s=60)
    with pytest.raises(RemoteError) as err:
        list(stream_chat(config, STORY, max_tokens=4))
    assert err.value.key in ("remote.error.unknown_model", "remote.error.http")


def test_transformers_serve_ignores_logprobs_and_we_say_so(transformers_server):
    with pytest.raises(RemoteError) as err:
        next_token_candidates(transformers_server, "Once upon a time", k=5)
    assert err.value.key == "remote.error.no_logprobs"


def test_llama_cpp_streams_a_story(llama_server):
    pieces = list(stream_chat(llama_server, [{"role": "user", "content": "Tell a story about a cat."}],
                              max_tokens=16, temperature=0.0))
    assert len(pieces) > 1 and "".join(pieces).strip()


@pytest.mark.parametrize("as_chat", [True, False])
def test_llama_cpp_top_logprobs_match_the_local_model(llama_server, smollm2_dir, as_chat):
    """The server's top candidate is the token the same weights (dequantized, in transformers) rank first."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    prompt = "The capital of France is"
    result = next_token_candidates(llama_server, prompt, k=5, as_chat=as_chat)
    assert 1 <= len(result.candidates) <= 5 and 0 < result.covered_mass <= 1
    assert result.candidates[0].token == result.chosen  # temperature 0: the server picks its own top-1
    if not as_chat:
        tokenizer = AutoTokenizer.from_pretrained(smollm2_dir)
        model = AutoModelForCausalLM.from_pretrained(smollm2_dir, dtype=torch.float32).eval()
        with torch.inference_mode():
            logits = model(**tokenizer(prompt, return_tensors="pt")).logits[0, -1]
        assert result.chosen == tokenizer.decode([int(logits.argmax())])
