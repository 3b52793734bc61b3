"""Speech for the story: gTTS (zh-CN) with a deadline, falling back to espeak-ng (voice cmn-latn-pinyin).

gTTS 2.2.4 (pinned, see requirements.txt) has no timeout argument and sends through a fresh
`requests.Session` without one, so each chunk runs in a daemon thread that we stop waiting for at the
deadline. Results are cached in the story data dir, keyed by engine and text.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hflab.messages import Message, MessageError
from hflab.paths import atomic_write_bytes
from hflab.story.files import story_dir

GTTS_LANG = "zh-CN"
ESPEAK_VOICE = "cmn-latn-pinyin"  # the plain `cmn` voice of espeak-ng 1.51 reads tone digits aloud in English
CHUNK_CHARS = 200  # gTTS splits again at 100 characters; ours keeps requests and the deadline per sentence group
ENGINES = ("gtts", "espeak")
EXTENSIONS = {"gtts": ("mp3", "audio/mpeg"), "espeak": ("wav", "audio/wav")}
MAX_SPEECH_CHARS = 5000
_BREAKS = re.compile(r"(?<=[。！？!?…；;\n])")


class NoAudio(RuntimeError):
    """An engine answered but produced no audio."""


class SpeechFailed(MessageError):
    """No engine could speak the text; `failures` says why for each engine tried (engine, reason message)."""

    def __init__(self, failures: list[tuple[str, Message]]):
        super().__init__("image_story.speech.failed")
        self.failures = failures


@dataclass
class Speech:
    """Audio written to disk by one engine, and what went wrong with the engines tried before it."""

    engine: str
    path: Path
    mime: str
    cached: bool
    failures: list[tuple[str, Message]] = field(default_factory=list)

    @property
    def extension(self) -> str:
        """File extension of the audio (mp3 or wav)."""
        return self.path.suffix.lstrip(".")


def gtts_timeout_s() -> float:
    """Seconds to wait for each gTTS chunk (HFLAB_TTS_TIMEOUT_S, default 8)."""
    try:
        return float(os.environ.get("HFLAB_TTS_TIMEOUT_S", 8))
    except ValueError:
        return 8.0


def chunk_text(text: str, max_chars: int = CHUNK_CHARS) -> list[str]:
    """Split at sentence ends into chunks of at most `max_chars` (a longer sentence is split hard)."""
    chunks: list[str] = []
    current = ""
    for piece in _BREAKS.split(text.strip()):
        while len(piece) > max_chars:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(piece[:max_chars])
            piece = piece[max_chars:]
        if len(current) + len(piece) > max_chars:
            chunks.append(current)
            current = ""
        current += piece
    if current.strip():
        chunks.append(current)
    return [c.strip() for c in chunks if c.strip()]


def cache_path(engine: str, text: str) -> Path:
    """Where the audio for (engine, text) is cached: the name is a hash of both, so it is unique per content."""
    digest = hashlib.sha256(f"{engine}\0{GTTS_LANG}\0{ESPEAK_VOICE}\0{text}".encode()).hexdigest()[:24]
    return story_dir() / "speech" / f"speech-{engine}-{digest}.{EXTENSIONS[engine][0]}"


def _with_deadline(fn: Callable[[], bytes], timeout_s: float) -> bytes:
    """Run `fn` in a daemon thread and give up waiting after `timeout_s` seconds."""
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=run, name="gtts-request", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout_s:g} s")
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["value"]  # type: ignore[return-value]


def _gtts_chunk(text: str) -> bytes:
    from gtts import gTTS

    buf = io.BytesIO()
    gTTS(text, lang=GTTS_LANG, lang_check=False).write_to_fp(buf)  # lang_check would make one more request
    if not buf.getvalue():
        raise NoAudio("gTTS returned no audio")
    return buf.getvalue()


def speak_gtts(text: str, timeout_s: float | None = None) -> bytes:
    """MP3 bytes from Google Translate's TTS; MP3 frames of consecutive chunks simply concatenate."""
    timeout_s = gtts_timeout_s() if timeout_s is None else timeout_s
    return b"".join(_with_deadline(lambda c=chunk: _gtts_chunk(c), timeout_s) for chunk in chunk_text(text))


def speak_espeak(text: str, timeout_s: float = 120) -> bytes:
    """WAV bytes from espeak-ng (offline). The text goes through stdin, never the command line."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise FileNotFoundError("espeak-ng is not installed (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory(prefix="hflab-espeak-") as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run([binary, "-v", ESPEAK_VOICE, "-w", str(out), "--stdin"], input=text.encode("utf-8"),
                       capture_output=True, timeout=timeout_s, check=True)
        data = out.read_bytes()
    if len(data) <= 44:  # a bare WAV header: nothing was spoken
        raise NoAudio("espeak-ng produced no audio")
    return data


SPEAKERS: dict[str, Callable[[str], bytes]] = {"gtts": speak_gtts, "espeak": speak_espeak}


def failure_reason(engine: str, exc: BaseException) -> Message:
    """Why an engine failed, as a catalog message (never the library's own English text)."""
    response = getattr(exc, "rsp", None)  # gTTSError: the HTTP response, None when the connection failed
    if isinstance(exc, (TimeoutError, subprocess.TimeoutExpired)):
        return Message("image_story.speech.reason.timeout", level="warning")
    if isinstance(exc, NoAudio):
        return Message("image_story.speech.reason.no_audio", level="warning")
    if isinstance(exc, FileNotFoundError):
        return Message("image_story.speech.reason.not_installed", level="warning")
    if engine == "gtts" and type(exc).__name__ == "gTTSError":
        if response is None:
            return Message("image_story.speech.reason.no_connection", level="warning")
        if response.status_code == 429:
            return Message("image_story.speech.reason.rate_limited", level="warning")
        return Message("image_story.speech.reason.http", {"status": response.status_code}, "warning")
    if isinstance(exc, OSError):  # requests' connection errors and proxies refusing are OSErrors too
        return Message("image_story.speech.reason.no_connection", level="warning")
    return Message("image_story.speech.reason.other", {"error": type(exc).__name__}, "warning")


def synthesize(text: str, engines: tuple[str, ...] = ENGINES) -> Speech:
    """Speak `text` with the first engine that works, trying the cache first; raise SpeechFailed if none does."""
    text = text.strip()
    failures: list[tuple[str, Message]] = []
    for engine in engines:
        path = cache_path(engine, text)
        if path.is_file():
            os.utime(path)  # in use: keep it out of the age-based cleanup
            return Speech(engine, path, EXTENSIONS[engine][1], True, failures)
        try:
            data = SPEAKERS[engine](text)
        except Exception as exc:  # network errors, HTTP 429, timeouts, missing binary: try the next engine
            failures.append((engine, failure_reason(engine, exc)))
            continue
        atomic_write_bytes(path, data)
        return Speech(engine, path, EXTENSIONS[engine][1], False, failures)
    raise SpeechFailed(failures)
