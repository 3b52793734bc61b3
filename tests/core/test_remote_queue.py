"""The engine's queue (hflab/remote/queue.py): llama.cpp's /slots (both shapes) and /metrics, vLLM's /metrics, read
from the scripted server on loopback (tests/scripted_openai.py, QUEUE_ANSWERS) through the client's safe path, and
every answer that is no queue (404, 501, garbage, too big, silent, a refused host) as None without an exception."""
from __future__ import annotations

import json

import pytest
from scripted_openai import LLAMA_METRICS, VLLM_METRICS

from hflab.remote import queue
from hflab.remote.client import RemoteConfig, RemoteError, root_request, server_root
from hflab.remote.hosts import HostPolicy
from hflab.remote.queue import EngineQueue, engine_queue, metric_sums, metrics_queue, slots_queue


def cfg(server: str, mode: str, **kw) -> RemoteConfig:
    return RemoteConfig(base_url=f"{server}/{mode}/v1", **{"model": "scripted", "timeout_s": 5.0, **kw})


def asked(server, mode: str, config: RemoteConfig | None = None):
    """engine_queue of `mode` and how many queue requests the server got for it."""
    before = server.queue_requests[mode]
    result = engine_queue(config or cfg(server, mode))
    return result, server.queue_requests[mode] - before


# --- parsing, real-shaped answers ----------------------------------------------------------------------------------


def test_current_slots_count_the_processing_ones():
    slots = [{"id": i, "n_ctx": 4096, "is_processing": i in (1, 3), "next_token": {"n_decoded": 5}} for i in range(5)]
    assert slots_queue(slots) == EngineQueue("llama.cpp", 2, 5, None, "/slots")


def test_older_slots_count_a_nonzero_state():
    slots = [{"id": 0, "state": 1, "prompt": "hi", "n_ctx": 2048}, {"id": 1, "state": 0, "n_ctx": 2048}]
    assert slots_queue(slots) == EngineQueue("llama.cpp", 1, 2, None, "/slots")


@pytest.mark.parametrize("data", [
    {"object": "list", "data": []},  # /v1/models' shape, not slots
    [],
    [{"id": 0}],  # neither is_processing nor state
    [{"id": 0, "is_processing": "yes"}],
    [{"id": 0, "state": True}],
    [{"is_processing": True}],  # no id
    ["slot"],
    "[]",
    None,
])
def test_other_shapes_are_no_slots(data):
    assert slots_queue(data) is None


def test_llama_cpp_metrics():
    assert metrics_queue(LLAMA_METRICS) == EngineQueue("llama.cpp", 2, None, 3, "/metrics")


def test_vllm_metrics_sum_every_label_set():
    # running 3 + 1 over two engines, waiting 2 + 5; the *_by_reason series and the histograms are other metrics
    assert metrics_queue(VLLM_METRICS) == EngineQueue("vLLM", 4, None, 7, "/metrics")


def test_prometheus_text_is_read_tolerantly():
    text = "\n".join([
        "# HELP vllm:num_requests_running Number of requests.",
        "# TYPE vllm:num_requests_running gauge",
        "",
        'vllm:num_requests_running{model_name="a \\"quoted\\" } name, with spaces",engine="0"} 2 1712345678000',
        'vllm:num_requests_running{model_name="b"} 1.5e0 # {trace_id="x"} 1.0',  # an OpenMetrics exemplar
        'vllm:num_requests_running{model_name="c"} NaN',
        "vllm:num_requests_running 1",
        "vllm:num_requests_running{model_name=\"broken} 100",  # an unclosed label set: skipped
        "vllm:num_requests_running one",
        "vllm:num_requests_running",
        "vllm:num_requests_running 1 2 3",
        "vllm:num_requests_running_total 100",
        "  vllm:num_requests_waiting +Inf  ",
        "# EOF",
    ])
    assert metric_sums(text, ["vllm:num_requests_running", "vllm:num_requests_waiting", "absent"]) == {
        "vllm:num_requests_running": 4.5, "vllm:num_requests_waiting": float("inf")}
    assert metrics_queue(text) == EngineQueue("vLLM", 4, None, None, "/metrics")  # infinity is no count


def test_only_nan_samples_are_no_metric():
    assert metric_sums("llamacpp:requests_processing NaN\n", ["llamacpp:requests_processing"]) == {}
    assert metrics_queue("llamacpp:requests_processing NaN\nllamacpp:requests_deferred 1\n") is None


def test_the_line_cap_holds():
    text = "# filler\n" * 10 + "vllm:num_requests_running 3\n"
    assert metric_sums(text, ["vllm:num_requests_running"], max_lines=10) == {}
    assert metric_sums(text, ["vllm:num_requests_running"], max_lines=11) == {"vllm:num_requests_running": 3.0}


@pytest.mark.parametrize("text", ["", "<html>login</html>", json.dumps({"object": "list"}), "vllm:other 1\n",
                                  "vllm:num_requests_running -1\n"])
def test_other_text_is_no_metrics_queue(text):
    assert metrics_queue(text) is None


# --- over the wire, through the client's path ----------------------------------------------------------------------


def test_the_root_is_the_base_url_without_v1():
    assert server_root(RemoteConfig("http://h:8080/v1/", "m")) == "http://h:8080"
    assert server_root(RemoteConfig("http://h:8080/api", "m")) == "http://h:8080/api"


def test_root_request_reads_json_and_text(server):
    config = cfg(server, "llamacpp")
    assert len(root_request(config, "/slots", list)) == 4
    assert root_request(config, "/metrics", str, text=True) == LLAMA_METRICS


def test_llama_cpp_slots_with_metrics(server):
    assert asked(server, "llamacpp") == (EngineQueue("llama.cpp", 2, 4, 3, "/slots + /metrics"), 2)


def test_older_llama_cpp_slots_without_metrics(server):
    assert asked(server, "llamacpp_old") == (EngineQueue("llama.cpp", 1, 3, None, "/slots"), 2)


def test_llama_cpp_metrics_without_slots(server):
    assert asked(server, "llamacpp_metrics") == (EngineQueue("llama.cpp", 2, None, 3, "/metrics"), 2)


def test_vllm_metrics(server):
    assert asked(server, "vllm") == (EngineQueue("vLLM", 4, None, 7, "/metrics"), 2)


@pytest.mark.parametrize("mode", [
    "noqueue",  # llama.cpp with both endpoints off: 501
    "ok",  # an OpenAI server without them: 404
    "error500",
    "auth",  # 401
    "queue_garbage",  # broken JSON, then text that holds no metric
    "big",  # 32 MB without a length
    "bigdeclared",  # 32 MB declared
])
def test_no_queue_is_none(server, mode):
    assert asked(server, mode) == (None, 2)


def test_an_answer_over_the_cap_is_none(server, monkeypatch):
    monkeypatch.setattr(queue, "QUEUE_MAX_BYTES", 64)
    assert asked(server, "llamacpp") == (None, 2)


def test_a_silent_server_costs_one_short_deadline(server, monkeypatch):
    monkeypatch.setattr(queue, "QUEUE_SECONDS", 0.5)  # shorter than the config's own 5 s: the queue's applies
    assert asked(server, "silent") == (None, 1)  # past the deadline no second request


def test_a_server_that_is_down_is_none():
    assert engine_queue(RemoteConfig("http://127.0.0.1:9/v1", "m", timeout_s=2.0)) is None  # discard port


def test_a_refused_host_gets_no_request(server):
    before = server.requests["llamacpp"]
    # a typed URL on loopback while the app does not listen on loopback only
    assert asked(server, "llamacpp", cfg(server, "llamacpp", guard=HostPolicy())) == (None, 0)
    assert server.requests["llamacpp"] == before


def test_a_redirect_to_a_refused_host_is_none(server):
    # the operator allows loopback; the 307 goes to a cloud metadata address, which no typed URL may reach
    assert asked(server, "redirect", cfg(server, "redirect", guard=HostPolicy(("127.0.0.1",)))) == (None, 1)


def test_an_unusable_config_is_none_without_a_request(server):
    assert asked(server, "llamacpp", cfg(server, "llamacpp", model="")) == (None, 0)


@pytest.mark.slow
def test_llama_cpp_pythons_server_shows_no_queue(llama_server):
    """llama-cpp-python's server has neither /slots nor /metrics (404): no queue, and no exception."""
    for path in ("/slots", "/metrics"):
        with pytest.raises(RemoteError) as caught:
            root_request(llama_server, path, str, text=True)
        assert caught.value.status == 404, path
    assert engine_queue(llama_server) is None
