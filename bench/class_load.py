"""A class on one deployment (issue 35): N learners each write one story at the same moment, in-process vs through
llama.cpp's server, on the same 2 cores, with the same model at the same width.

The learners: N threads released together (the whole class presses "write" at once), each writing one story with
the Story page's default settings for the packaged SmolLM2-135M-Instruct (style 温馨, 100 characters: the page's
default length for this English-centric model; creativity 6, top_p 0.9, repetition penalty 1.1, seed 42; the token
budget from the model's measured characters per token), the chat prompt `build_messages` makes from one fixed
Chinese caption, cut at the sentence end near the length (`StorySettings.limit`) and finished as the page does.

(a) in-process: the app's own generation functions under the same locks, not browser sessions. Each learner does
    what the page's story step does: `ModelManager.get` with the page's key, loader, estimate and label, the
    characters per token measured under `Handle.use()`, then `stream_local` under the handle's lock; fp32 (the
    page's default for this model, whose fp32 load fits the memory budget). Peak RSS: this process.
(b) through llama.cpp's server with the app's remote client (`components.remote_backend.stream_story`, which the
    page streams a remote story with): llama.cpp's native `llama-server` with `--slots` parallel slots and
    continuous batching (built once by bench/llama_native.py), else llama-cpp-python's Python server, which serves
    one request at a time (its row says so). Its model is the packaged Q4_1 GGUF requantized by llama.cpp to F32:
    the same dequantized weights as the lab's fp32 conversion (bench/remote_ttft.py). The same prompt and settings
    as (a), so both write stories of the same budget (the page itself, on a server, sizes the budget without the
    model's tokenizer: 1.2 tokens per character + 64); the server samples with what the client sends (temperature,
    top_p, seed, max_tokens) and its own defaults for the rest. Peak RSS: the server's process tree.

Both run on the same 2 cores: this process pins itself (and so the server it starts) to the first two CPUs; torch
and llama.cpp get 2 threads each. Per class of N: p50 / p95 over the learners of the time to the first visible piece
of the story and to its end, both counted from the class's start (waiting in line included); aggregate tokens/s
(the delivered stories' tokens, counted with the model's tokenizer on both paths, over the class's wall time);
errors (an exception, a server error, an empty story, a request past its timeout: any error fails the row); peak
RSS (the kernel's high-water mark VmHWM, reset at the class's start). bench/rounds.py interleaves the two paths for
>= 5 rounds after one warm-up class each; every in-process story must be the same text in every class (one seed,
one settings, each run on its own generator: hflab/runtime/rng.py). Cells: the median (range) over the rounds.

Bounded: loopback only; every request has a timeout (--timeout: enforced on the socket by the remote client, between
story pieces in-process) and the whole run a deadline (--deadline: a class that would start after it does not, and
counts as errors). It stops by itself and stops its server.

Usage: python bench/class_load.py [--learners 10 25 50] [--slots 4] [--server auto|native|python] [--rounds 5]
       [--timeout 900] [--deadline 7200] [--quick] [--json PATH]   (--quick: 2 and 4 learners)
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from llama_native import choose_server, server_command  # noqa: E402
from report import add_args, finish  # noqa: E402
from rounds import OutputChanged, interleave, spread, with_extras  # noqa: E402

LEARNERS, QUICK_LEARNERS = (10, 25, 50), (2, 4)
CAPTION_ZH = "一只小猫坐在窗台上，看着窗外的雨。"  # the fixed caption every learner writes about
ALIAS = "SmolLM2-135M-Instruct-F32"  # the model name the server answers to
CORES = 2
IN_PROCESS = "in-process"
SERVER = "server"


@dataclass
class Outcome:
    """One learner's story: seconds from the class's start to its first visible piece and to its end, the story,
    and why it failed (None: it did not)."""

    first: float | None = None
    end: float | None = None
    text: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the story came whole: no error."""
        return self.error is None


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (1..99) of `values`, interpolated between the closest ranks (numpy.percentile's default
    method); one value is every percentile of itself; no value gives nan."""
    if not values:
        return math.nan
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@dataclass(frozen=True)
class ClassResult:
    """What one class measured: errors, p50 / p95 of first piece and story end (seconds, the stories that came),
    aggregate tokens/s and peak RSS (MB)."""

    learners: int
    errors: int
    first_p50: float
    first_p95: float
    end_p50: float
    end_p95: float
    tokens_per_s: float
    peak_mb: float
    reasons: tuple[str, ...]  # the distinct errors

    def numbers(self) -> dict[str, float]:
        """The per-round numbers kept by bench/rounds.py."""
        return {name: float(getattr(self, name)) for name in
                ("errors", "first_p50", "first_p95", "end_p50", "end_p95", "tokens_per_s", "peak_mb")}


def summarize(outcomes: list[Outcome], wall_s: float, peak_bytes: int,
              count_tokens: Callable[[str], int]) -> ClassResult:
    """One class's result: every outcome that is not ok is an error; times and tokens come from the ok ones;
    tokens/s is all their tokens over the class's wall time."""
    good = [o for o in outcomes if o.ok]
    firsts, ends = [o.first for o in good], [o.end for o in good]
    tokens = sum(count_tokens(o.text) for o in good)
    return ClassResult(len(outcomes), len(outcomes) - len(good), percentile(firsts, 50), percentile(firsts, 95),
                       percentile(ends, 50), percentile(ends, 95), tokens / wall_s if wall_s > 0 else math.nan,
                       peak_bytes / 2**20, tuple(sorted({o.error for o in outcomes if o.error})))


def run_class(n: int, learn: Callable[[float, float], Outcome], timeout_s: float, run_end: float,
              grace_s: float = 120.0) -> tuple[list[Outcome], float]:
    """`n` learners released at the same moment, each `learn(start, give_up)` (time.perf_counter times: the class's
    start, and when it must have stopped: its timeout or the run's deadline, whichever comes first). Returns the
    outcomes in learner order and the class's wall seconds (until the last learner ended or gave up).

    A learner that raises is an error with its exception; one still running at its give-up time is an error
    "timed out" (it ends itself soon after: learners stop between pieces); after the run's deadline no learner
    starts. Raises RuntimeError when a learner still runs `grace_s` after giving up (the path cannot be stopped)."""
    now = time.perf_counter()
    if now >= run_end:
        return [Outcome(error="not started: the whole run's deadline had passed") for _ in range(n)], 0.0
    outcomes: list[Outcome | None] = [None] * n
    go = threading.Event()
    start = give_up = now

    def one(i: int) -> None:
        go.wait()
        try:
            outcomes[i] = learn(start, give_up)
        except Exception as exc:  # any failure is this learner's error, the class goes on
            outcomes[i] = Outcome(error=f"{type(exc).__name__}: {exc}"[:300])

    threads = [threading.Thread(target=one, args=(i,), name=f"learner-{i}", daemon=True) for i in range(n)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    give_up = min(start + timeout_s, run_end)
    go.set()
    for thread in threads:
        thread.join(max(0.0, give_up - time.perf_counter()))
    wall = time.perf_counter() - start
    late = {i for i, thread in enumerate(threads) if thread.is_alive()}
    for thread in threads:
        thread.join(max(0.0, give_up + grace_s - time.perf_counter()))
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        raise RuntimeError(f"{stuck} learners still running {grace_s:.0f} s after giving up")
    timed_out = Outcome(error=f"timed out ({give_up - start:.0f} s)")
    return [timed_out if i in late or o is None else o for i, o in enumerate(outcomes)], wall


def story_outcome(chunks: Iterator[str], settings, start: float, give_up: float, failures: list) -> Outcome:
    """Read one story's pieces as the page does (limited by `settings`, then finished): when its first visible
    piece and its end came, from the class's `start`. Past `give_up` the stream is closed (which stops its
    generation) and the story is an error; so is a server error (`failures`, filled by stream_story) or no story."""
    first, text = None, ""
    try:
        for chunk in chunks:
            if chunk and first is None:
                first = time.perf_counter() - start
            text += chunk
            if time.perf_counter() > give_up:
                return Outcome(first, None, text, f"timed out ({give_up - start:.0f} s)")
    finally:
        chunks.close()
    end, story = time.perf_counter() - start, settings.finish(text)
    if failures:
        return Outcome(first, end, story, f"server: {failures[0].key} {failures[0].detail}".strip())
    return Outcome(first, end, story, None if story else "empty story")


class HighWater:
    """The kernel's peak resident memory (VmHWM, Linux) of a process, or of it and all its children: `reset()` at a
    class's start, `peak_bytes()` at its end. No sampling thread competes with the learners for the 2 cores."""

    def __init__(self, pid: int, tree: bool):
        import psutil

        self.proc, self.tree = psutil.Process(pid), tree

    def _procs(self) -> list:
        return [self.proc, *self.proc.children(recursive=True)] if self.tree else [self.proc]

    def reset(self) -> None:
        """Start the high-water marks from the current resident memory."""
        for proc in self._procs():
            Path(f"/proc/{proc.pid}/clear_refs").write_text("5")

    def peak_bytes(self) -> int:
        """The sum of the high-water marks since `reset()`."""
        total = 0
        for proc in self._procs():
            status = Path(f"/proc/{proc.pid}/status").read_text(encoding="ascii", errors="replace")
            total += next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM:"))
        return total


def pin_to_cores() -> list[int]:
    """Run this process (and every process it starts) on the first CORES CPUs it may use; returns them."""
    cores = sorted(os.sched_getaffinity(0))[:CORES]
    os.sched_setaffinity(0, cores)
    return cores


@contextmanager
def running_server(cmd: list[str], port: int, log_path: Path) -> Iterator[subprocess.Popen]:
    """The server started on loopback, ready to answer; stopped (terminated, then killed) on the way out."""
    from remote_ttft import wait_ready

    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=log, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        try:
            wait_ready(port, proc)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def arguments() -> argparse.Namespace:
    """The command line (see the module's usage line)."""
    parser = add_args(argparse.ArgumentParser(description=__doc__.split("\n")[0]))
    parser.add_argument("--learners", type=int, nargs="+", default=list(LEARNERS), help="class sizes to run")
    parser.add_argument("--slots", type=int, default=4, help="parallel slots of the native llama-server")
    parser.add_argument("--server", choices=("auto", "native", "python"), default="auto",
                        help="auto: native llama-server when it builds, else llama-cpp-python's Python server")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds one request may take in all")
    parser.add_argument("--deadline", type=float, default=7200.0, help="seconds the whole run may take")
    args = parser.parse_args()
    if args.quick:
        args.learners = list(QUICK_LEARNERS)
    args.rounds = max(args.rounds, 5)
    return args


def main() -> int:
    """Run every class size on both paths in interleaved rounds; print the table; write the result fragment."""
    args = arguments()
    cores = pin_to_cores()
    work = Path(tempfile.mkdtemp(prefix="hflab-bench-class-"))
    os.environ.update({"HFLAB_DATA_DIR": str(work / "data"), "HF_HOME": str(work / "hf_home"),
                       "HF_HUB_OFFLINE": "1", "HFLAB_TORCH_THREADS": str(CORES)})
    os.environ.setdefault("HFLAB_ASSETS_DIR", str(Path.home() / ".cache" / "hflab-test-assets"))
    for name in ("HFLAB_CAUSAL_LM_DIR", "HFLAB_CAUSAL_LM_ID"):  # the packaged model, whatever the shell says
        os.environ.pop(name, None)
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        raise SystemExit("llama-cpp-python is not installed (pip install -r requirements-llama.txt)") from None
    kind, binary, why_not_native = choose_server(args.server)

    from remote_ttft import cache_dir, free_port, requantized

    from components.remote_backend import stream_story
    from hflab.chat import chat_text_and_ids
    from hflab.loading import loaders, offline_assets
    from hflab.loading.manager import ModelManager
    from hflab.loading.sources import resolve
    from hflab.remote.client import RemoteConfig
    from hflab.settings import get_settings
    from hflab.story.writer import (
        DEFAULT_CHARS,
        ENGLISH_CENTRIC_DEFAULT_CHARS,
        StorySettings,
        StreamProgress,
        build_messages,
        chars_per_token,
        stream_local,
        token_budget,
    )

    offline_assets.convert_smollm2()
    source = resolve("causal_lm")
    if not source.from_gguf:
        raise SystemExit(f"the causal LM resolves to {source.kind} {source.target}, not the packaged SmolLM2")
    if not loaders.fits_fp32(source):
        raise SystemExit("fp32 is not the page's default for the packaged SmolLM2 here (HFLAB_MEMORY_BUDGET_MB)")
    gguf = requantized("F32", 0)
    manager = ModelManager(get_settings().memory_budget_mb * 2**20)
    cap = get_settings().max_new_tokens
    english = source.english_centric

    def handle():
        """The story model through the manager, as components.model_loading.load asks for it (fp32)."""
        return manager.get(source.cache_key, lambda: loaders.load_causal_lm(source, "fp32"),
                           loaders.estimate_load_bytes(source, "fp32"), source.repo_id, weights=source.target or "")

    target = ENGLISH_CENTRIC_DEFAULT_CHARS if english else DEFAULT_CHARS
    prompt = build_messages("温馨", CAPTION_ZH, target)
    shared = handle()
    with shared.use() as lm:
        measured = chars_per_token(lm.tokenizer, "en" if english else "zh")
        prompt_tokens = len(chat_text_and_ids(lm.tokenizer, prompt)[1])
    settings = StorySettings(style="温馨", target_chars=target, max_new_tokens=token_budget(target, cap, measured))
    ctx = -(-(prompt_tokens + settings.max_new_tokens + 16) // 256) * 256  # one story per slot, rounded up

    def count_tokens(text: str) -> int:
        with shared.use() as lm:
            return len(lm.tokenizer(text, add_special_tokens=False)["input_ids"])

    def learn_in_process(start: float, give_up: float) -> Outcome:
        """One learner on the Story page with the local model: what write_story does."""
        h = handle()
        model, tokenizer = h.value
        with h.use() as lm:  # measured_chars_per_token: once per session, under the model's lock
            mine = replace(settings, max_new_tokens=token_budget(target, cap, chars_per_token(
                lm.tokenizer, "en" if english else "zh")))
        progress = StreamProgress(mine.max_new_tokens, mine.target_chars)
        chunks = mine.limit(stream_local(model, tokenizer, h.lock, prompt, mine, progress))
        return story_outcome(chunks, mine, start, give_up, [])

    port = free_port()
    config = RemoteConfig(f"http://127.0.0.1:{port}/v1", ALIAS, timeout_s=args.timeout, max_seconds=args.timeout)

    def learn_on_server(start: float, give_up: float) -> Outcome:
        """One learner on the Story page with the remote backend: what write_story does with a server."""
        failures: list = []
        mine = replace(config, max_seconds=max(0.001, give_up - time.perf_counter()))
        chunks = settings.limit(stream_story(mine, prompt, settings, failures))
        return story_outcome(chunks, settings, start, give_up, failures)

    server_label = (f"llama.cpp's llama-server, {args.slots} parallel slots, continuous batching" if kind == "native"
                    else f"llama-cpp-python's Python server, one request at a time (native llama-server: "
                         f"{why_not_native})")
    cmd = server_command(kind, binary, gguf, port, alias=ALIAS, threads=CORES, slots=args.slots, ctx=ctx)
    print(f"cores {cores}; model {source.repo_id}: in-process fp32 (the page's default), server {gguf.name}; "
          f"prompt {prompt_tokens} tokens, {target} characters, max_new_tokens {settings.max_new_tokens}; "
          f"server: {server_label}\n  {' '.join(cmd)}", flush=True)
    texts: dict[str, set[str]] = {IN_PROCESS: set(), SERVER: set()}
    errors: dict[tuple[int, str], int] = {}  # (learners, path) -> errors in all its classes, warm-up included
    reasons: set[str] = set()
    run_end = time.perf_counter() + args.deadline
    timings = {}
    with running_server(cmd, port, cache_dir() / "class-load-server.log") as server:
        memory = {IN_PROCESS: HighWater(os.getpid(), tree=False), SERVER: HighWater(server.pid, tree=True)}
        learners = {IN_PROCESS: learn_in_process, SERVER: learn_on_server}

        def class_of(n: int, path: str):
            def run():
                memory[path].reset()
                outcomes, wall = run_class(n, learners[path], args.timeout, run_end)
                result = summarize(outcomes, wall, memory[path].peak_bytes(), count_tokens)
                good = frozenset(o.text for o in outcomes if o.ok)
                texts[path] |= good
                errors[n, path] = errors.get((n, path), 0) + result.errors
                reasons.update(f"{path}: {r}" for r in result.reasons)
                print(f"  {n} learners, {path}: {result.errors} errors, story p95 {result.end_p95:.1f} s, "
                      f"{result.tokens_per_s:.1f} tok/s, peak {result.peak_mb:.0f} MB", flush=True)
                # in-process: every story the same text (checked round to round by rounds.py); the server's vary
                return with_extras(good if path == IN_PROCESS else None, **result.numbers())
            return run

        for n in args.learners:
            timings[n] = interleave({path: class_of(n, path) for path in (IN_PROCESS, SERVER)}, rounds=args.rounds)
    if len(texts[IN_PROCESS]) > 1:
        raise OutputChanged(f"in-process stories differ between classes: {len(texts[IN_PROCESS])} texts")

    print("a story of each path: " + "; ".join(f"{path} {min(texts[path], default='')[:120]!r}"
                                               for path in (IN_PROCESS, SERVER)))
    short = {IN_PROCESS: "in-process (the app's functions, same locks)",
             SERVER: f"llama-server, {args.slots} slots" if kind == "native" else "Python server, one at a time"}
    print(f"\n| learners | path | first piece p50 / p95 (s) | story p50 / p95 (s) | tokens/s (class) | errors "
          f"(of {args.rounds + 1} classes) | peak RSS (MB; in-process: this process, server: its process tree) |\n"
          "| --- | --- | --- | --- | --- | --- | --- |")
    cells = []
    for n, t in timings.items():
        parts = []
        for path in (IN_PROCESS, SERVER):
            x = t[path].extras
            m = {key: statistics.median(values) for key, values in x.items()}
            print(f"| {n} | {short[path]} | {m['first_p50']:.1f} / {m['first_p95']:.1f} | {m['end_p50']:.1f} / "
                  f"{m['end_p95']:.1f} | {m['tokens_per_s']:.1f} | {errors[n, path]} | {m['peak_mb']:.0f} |")
            parts.append(f"{path}: first piece p50 {spread(x['first_p50'], 1)} s, p95 {spread(x['first_p95'], 1)} s; "
                         f"story p50 {spread(x['end_p50'], 1)} s, p95 {spread(x['end_p95'], 1)} s; "
                         f"**{spread(x['tokens_per_s'], 1)} tok/s**; peak RSS {spread(x['peak_mb'], 0)} MB; "
                         f"{errors[n, path]} errors")
        cells.append(f"**{n} learners**: " + " | ".join(parts))
    ok = not any(errors.values())
    labels = (f"in-process: the app's generation functions under the same locks, not browser sessions (peak RSS of "
              f"this process); server: {server_label} (peak RSS of the server's process tree)")
    result = (f"SmolLM2-135M-Instruct, in-process fp32 vs {gguf.name} (the same dequantized weights) on the same "
              f"{CORES} cores, N learners each writing the Story page's default story ({target} characters, "
              f"max_new_tokens {settings.max_new_tokens}, seed 42) from one Chinese caption at once, {args.rounds} "
              f"interleaved rounds after a warm-up class each (errors counted in all {args.rounds + 1}). {labels}. "
              + "; ".join(cells) + (f". Errors: {'; '.join(sorted(reasons)[:3])}" if reasons else "")
              + f". Every in-process story the same text; the server wrote {len(texts[SERVER])} different stories")
    command = "python bench/class_load.py" + (" --quick" if args.quick else "") + (
        f" --slots {args.slots}" if args.slots != 4 else "")
    return finish(args, "A class on one deployment: in-process vs llama.cpp's server (SmolLM2-135M)", command,
                  result, ok)


if __name__ == "__main__":
    sys.exit(main())
