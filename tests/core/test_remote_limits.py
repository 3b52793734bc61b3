"""Issue 38: a hostile remote server can neither hold a request past its deadline nor fill the memory.

Loopback servers (tests/scripted_openai.py) that ping forever, go silent, flood text without a sentence end or
answer with 32 MB, and a mute one that accepts the connection and never sends a byte (not even a status line); the
scripted ones give up by themselves after HOSTILE_S seconds, so every "it ended" bound below is far under
what the old code took (it waited for the server to give up, or read everything). Deadlines and caps are set
small per test; no timing is asserted except those generous upper bounds.
"""
from __future__ import annotations

import select
import socket
import threading
import time
import tracemalloc

import pytest
from scripted_openai import ENDED_S, HOSTILE_BYTES, wait_for

from hflab import i18n
from hflab.remote.candidates import next_token_candidates
from hflab.remote.client import (
    KEEPALIVE,
    RemoteConfig,
    RemoteError,
    list_models,
    size_label,
    stream_chat,
)
from hflab.story.writer import cut_at_sentence

HI = [{"role": "user", "content": "讲个故事"}]
CAP = 64 * 2**10


def cfg(server: str, mode: str, **kw) -> RemoteConfig:
    return RemoteConfig(base_url=f"{server}/{mode}/v1", model="scripted", **{"timeout_s": 30.0, **kw})


def hung_up(server, mode: str):
    """A check that is true once the server has seen one more client hang up in `mode` than now (the server
    lives for the whole module)."""
    before = server.disconnects[mode]
    return lambda: server.disconnects[mode] == before + 1


def assert_message(err: RemoteError, key: str, **params) -> None:
    assert err.key == key
    for lang in i18n.LANGUAGES:
        assert i18n.t(err.key, lang, **err.params) == i18n.t(key, lang, **{"status": "", **params})


@pytest.mark.parametrize("mode", ["ping", "silent"])
def test_the_whole_request_deadline_holds_against_keepalives_and_silence(server, mode):
    """`ping`: one chunk, then `: ping` every 0.1 s (no single read ever waits); `silent`: one chunk, then nothing
    (the socket read timeout is 30 s). Both must end with the deadline's message shortly after 2 s."""
    seen, pieces, started = hung_up(server, mode), [], time.monotonic()
    with pytest.raises(RemoteError) as err:
        for piece in stream_chat(cfg(server, mode, max_seconds=2.0), HI):
            pieces.append(piece)
    assert time.monotonic() - started < ENDED_S
    assert pieces == ["从前"]
    assert_message(err.value, "remote.error.timeout")
    assert wait_for(seen)  # the server saw the connection close


def test_keepalives_reach_the_caller_as_empty_pieces(server):
    """A page drawing the stream gets control back on every keep-alive: its Stop can close the generator."""
    seen = hung_up(server, "ping")
    stream = stream_chat(cfg(server, "ping", max_seconds=60.0), HI, keepalive=True)
    assert next(stream) == "从前"
    assert next(stream) == KEEPALIVE == ""
    stream.close()  # what the page's Stop does (st.write_stream raises, the page's finally closes the chunks)
    assert wait_for(seen)


def test_a_stop_event_closes_a_stream_blocked_on_a_silent_server(server):
    seen, stop = hung_up(server, "silent"), threading.Event()
    stream = stream_chat(cfg(server, "silent", max_seconds=60.0), HI, stop=stop)
    assert next(stream) == "从前"
    timer = threading.Timer(0.3, stop.set)  # from another thread, while this one waits in recv
    timer.start()
    started = time.monotonic()
    try:
        rest = list(stream)  # ends quietly: stopping is not a failure
    finally:
        timer.cancel()
    assert rest == [] and time.monotonic() - started < ENDED_S
    assert wait_for(seen)


def test_closing_the_story_stream_closes_the_connection_to_a_flooding_server(server):
    """The page's chain (stream, cut at a sentence end that never comes): closing it hangs up on the server."""
    seen, sent = hung_up(server, "flood"), server.sent["flood"]
    stream = cut_at_sentence(stream_chat(cfg(server, "flood", max_seconds=60.0), HI), 10**9)
    got = [next(stream) for _ in range(3)]
    assert got[0] == "从前" and set("".join(got[1:])) == {"啊"}
    stream.close()
    assert wait_for(seen)
    assert server.sent["flood"] - sent < HOSTILE_BYTES


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_a_flood_is_cut_at_the_stream_cap(server, lang):
    seen, sent, text = hung_up(server, "flood"), server.sent["flood"], []
    with pytest.raises(RemoteError) as err:
        for piece in stream_chat(cfg(server, "flood", max_seconds=60.0, max_stream_bytes=CAP), HI):
            text.append(piece)
    assert i18n.t(err.value.key, lang, **err.value.params) == i18n.t("remote.error.stream_too_big", lang,
                                                                      size="64 KB")
    assert len("".join(text).encode()) <= CAP  # what reached the caller is within the cap
    assert wait_for(seen)
    assert server.sent["flood"] - sent < HOSTILE_BYTES / 2  # the server could not push its 32 MB (socket buffers aside)


@pytest.mark.parametrize("mode", ["big", "bigdeclared"])
@pytest.mark.parametrize("call", ["candidates", "models"])
def test_a_huge_reply_is_not_read_past_the_cap(server, mode, call):
    """32 MB of JSON, with or without a Content-Length: a clear message, and the memory stays small."""
    import openai  # noqa: F401  (imported before measuring)

    seen, sent = hung_up(server, mode), server.sent[mode]
    config = cfg(server, mode, timeout_s=20.0, max_reply_bytes=CAP)
    tracemalloc.start()
    try:
        with pytest.raises(RemoteError) as err:
            next_token_candidates(config, "Hi") if call == "candidates" else list_models(config)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_message(err.value, "remote.error.reply_too_big", size="64 KB")
    assert peak < 8 * 2**20  # the old client read (and decoded) all 32 MB
    assert wait_for(seen)
    assert server.sent[mode] - sent < HOSTILE_BYTES / 2


def test_size_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HFLAB_REMOTE_MAX_REPLY_MB", "0.5")
    monkeypatch.setenv("HFLAB_REMOTE_MAX_STREAM_MB", "not a number")
    config = RemoteConfig("http://127.0.0.1:1/v1", "m")
    assert config.max_reply_bytes == 2**19
    assert config.max_stream_bytes == 4 * 2**20  # malformed: the default
    monkeypatch.delenv("HFLAB_REMOTE_MAX_REPLY_MB")
    assert RemoteConfig("http://127.0.0.1:1/v1", "m").max_reply_bytes == 8 * 2**20
    assert [size_label(n) for n in (8 * 2**20, 3 * 2**19, CAP)] == ["8 MB", "1.5 MB", "64 KB"]


class MuteServer:
    """A loopback server that accepts connections, reads what it is sent and never answers a byte. Counts the
    connections it `accepted` and those the client `closed`; serves until `stop()`."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/v1"
        self.accepted = self.closed = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        open_ = [self.listener]
        while not self._done.is_set():
            for sock in select.select(open_, [], [], 0.02)[0]:
                if sock is self.listener:
                    open_.append(sock.accept()[0])
                    self.accepted += 1
                elif not _drained(sock):
                    open_.remove(sock)
                    sock.close()
                    self.closed += 1
        for sock in open_:
            sock.close()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def _drained(sock: socket.socket) -> bool:
    """Read what the client sent; False once it has hung up."""
    try:
        return sock.recv(65536) != b""
    except OSError:
        return False


@pytest.fixture()
def mute():
    server = MuteServer()
    yield server
    server.stop()


def ask(call: str, url: str, stop: threading.Event | None = None, seconds: float = 60.0):
    """The story's stream or the Sampling page's one-shot candidates call, with `seconds` as its whole deadline."""
    if call == "story":
        return list(stream_chat(RemoteConfig(url, "m", timeout_s=60.0, max_seconds=seconds), HI, stop=stop))
    return next_token_candidates(RemoteConfig(url, "m", timeout_s=seconds), "Hi", stop=stop)


@pytest.mark.parametrize("call", ["story", "candidates"])
def test_stop_ends_a_request_to_a_server_that_never_answers(mute, call):
    """Stop, pressed while the request waits for a status line that never comes: the request ends at once and the
    connection is closed (a stream ends quietly, the candidates call says it was stopped). The old candidates call
    took no stop and waited for its whole 60 s deadline."""
    stop = threading.Event()
    presser = threading.Thread(target=lambda: wait_for(lambda: mute.accepted == 1) and stop.set())
    presser.start()
    started = time.monotonic()
    try:
        if call == "story":
            assert ask(call, mute.url, stop) == []
        else:
            with pytest.raises(RemoteError) as err:
                ask(call, mute.url, stop)
            assert_message(err.value, "remote.error.stopped")
            assert i18n.t(err.value.key, "en") == (
                "Stopped: the request was cancelled before the server answered, and the connection was closed.")
    finally:
        presser.join()
    assert stop.is_set() and time.monotonic() - started < ENDED_S
    assert wait_for(lambda: mute.closed == 1)


@pytest.mark.parametrize("call", ["story", "candidates"])
def test_the_whole_request_deadline_fires_against_a_server_that_never_answers(mute, call):
    started = time.monotonic()
    with pytest.raises(RemoteError) as err:
        ask(call, mute.url, seconds=0.5)
    assert_message(err.value, "remote.error.timeout")
    assert time.monotonic() - started < ENDED_S
    assert mute.accepted == 1 and wait_for(lambda: mute.closed == 1)
