"""Speech: gTTS failing at the network level (refused, silent, HTTP 429 proxies) falls back to the real espeak-ng."""
import socket
import threading
import wave
from contextlib import contextmanager
from pathlib import Path

import pytest
from local_servers import refused_port

from hflab.i18n import t
from hflab.messages import Message
from hflab.story import tts

pytestmark = pytest.mark.skipif(tts.shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


def _closed_port() -> int:
    return refused_port()


@contextmanager
def _proxy(reply: bytes | None):
    """A local 'proxy' that answers every connection with `reply`, or never answers (None)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            if reply is not None:
                conn.recv(65536)
                conn.sendall(reply)
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()
        for conn in held:
            conn.close()


def _use_proxy(monkeypatch, port: int) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{port}")


def _assert_wav(path: Path) -> None:
    with wave.open(str(path)) as w:
        assert w.getnframes() > 1000


def test_chunks_respect_the_limit_and_keep_every_character():
    text = "小猫坐在窗台上。" * 40 + "没有标点的很长一句" * 30
    chunks = tts.chunk_text(text, 50)
    assert all(len(c) <= 50 for c in chunks)
    assert "".join(chunks) == text


def test_refused_connection_falls_back_to_espeak(monkeypatch):
    _use_proxy(monkeypatch, _closed_port())
    speech = tts.synthesize("小猫坐在窗台上看雨。")
    assert speech.engine == "espeak" and speech.mime == "audio/wav" and not speech.cached
    assert [engine for engine, _ in speech.failures] == ["gtts"]
    _assert_wav(speech.path)
    again = tts.synthesize("小猫坐在窗台上看雨。")
    assert again.cached and again.path == speech.path
    assert tts.cache_path("gtts", "小猫坐在窗台上看雨。") != speech.path  # the cache key includes the engine


def test_silent_network_hits_the_timeout(monkeypatch):
    monkeypatch.setenv("HFLAB_TTS_TIMEOUT_S", "0.5")
    with _proxy(None) as port:
        _use_proxy(monkeypatch, port)
        speech = tts.synthesize("超时以后改用离线引擎。")
    assert speech.engine == "espeak"
    assert speech.failures[0][1].key == "image_story.speech.reason.timeout"


def test_http_429_falls_back(monkeypatch):
    with _proxy(b"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n") as port:
        _use_proxy(monkeypatch, port)
        speech = tts.synthesize("请求太多了。")
    assert speech.engine == "espeak" and speech.failures[0][0] == "gtts"
    # the proxy refuses the tunnel with 429: to gTTS that is a connection that failed
    assert speech.failures[0][1] == Message("image_story.speech.reason.no_connection", level="warning")


@pytest.mark.parametrize(("status", "key", "params"), [(429, "rate_limited", {}), (503, "http", {"status": 503})])
def test_a_gtts_http_error_gets_its_own_message(status, key, params):
    from types import SimpleNamespace

    from gtts.tts import gTTSError

    error = gTTSError("upstream said no", response=SimpleNamespace(status_code=status, reason="x"))
    assert tts.failure_reason("gtts", error) == Message(f"image_story.speech.reason.{key}", params, "warning")


def test_all_engines_failing_leaves_no_file(monkeypatch, tmp_path):
    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path))
    _use_proxy(monkeypatch, _closed_port())
    monkeypatch.setenv("PATH", str(tmp_path / "no-binaries-here"))
    with pytest.raises(tts.SpeechFailed) as info:
        tts.synthesize("谁也读不出来。")
    assert info.value.failures == [("gtts", Message("image_story.speech.reason.no_connection", level="warning")),
                                   ("espeak", Message("image_story.speech.reason.not_installed", level="warning"))]
    assert info.value.key == "image_story.speech.failed"
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_gtts_failing_to_connect_is_a_catalog_message_not_its_english_exception(monkeypatch):
    # issue 18.14: the page showed "gTTSError: Failed to connect. Probable cause: Unknown"
    _use_proxy(monkeypatch, _closed_port())
    speech = tts.synthesize("连不上就换一个引擎。")
    engine, reason = speech.failures[0]
    assert engine == "gtts" and reason == Message("image_story.speech.reason.no_connection", level="warning")
    assert t(reason.key, "zh") == "连接不上语音服务（离线，或网络被拦截）"
    assert t(reason.key, "en") == "could not connect to the speech service (offline, or the network is blocked)"
