"""Real browser sessions that each do one page's main job (tokenize, generate, predict), driven
concurrently with async Playwright against one server. Used by the concurrency test and bench."""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

import psutil
from app_server import CHROMIUM, CHROMIUM_ARGS

from hflab.i18n import t

# idle: the script finished, the page has its title, and no lazily loaded widget is still a placeholder
IDLE_JS = ("() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
           " return !!app && app.getAttribute('data-test-script-state') === 'notRunning'"
           " && !!document.querySelector('[data-testid=\"stMain\"] h1')"
           " && !document.querySelector('[data-testid=\"stSkeleton\"]'); }")
RUNNING_JS = ("() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
              " === 'running'")


@dataclass(frozen=True)
class Scenario:
    """One session's job: a page, the widget inputs it sets (key -> value), the button it presses."""

    name: str
    path: str
    marker: str  # a string only this session types, to detect leaks into other sessions
    inputs: tuple[tuple[str, str], ...]
    button: str | None
    result: str  # "main" (the page's main text), "textarea:<key>", or "metrics"
    shows: str | None = None  # a metric label the result must hold (a late rerun under load is waited for)


async def wait_idle(page, timeout_ms: int = 120_000) -> None:
    """Wait for a script run to start (if it does) and finish."""
    try:
        await page.wait_for_function(RUNNING_JS, timeout=1_500)
    except Exception:  # the run may already be over
        pass
    await page.wait_for_function(IDLE_JS, timeout=timeout_ms)


async def wait_stable(page, main, settle_s: float = 2.0, timeout_s: float = 300) -> None:
    """Wait until the script is idle and the main area's text stays the same for `settle_s`:
    under load a rerun can start late, and a half-drawn page must not be read as the result."""
    deadline = time.monotonic() + timeout_s
    previous = None
    while time.monotonic() < deadline:
        await page.wait_for_function(IDLE_JS, timeout=120_000)
        current = await main.inner_text()
        if current == previous:
            return
        previous = current
        await asyncio.sleep(settle_s)
    raise TimeoutError("page did not settle")


async def set_input(page, key: str, value: str) -> None:
    """Type into the text area / text input / number input with widget key `key` and submit it;
    for a slider, `value` is a key to press on its thumb (e.g. "Home" for its minimum)."""
    slider = page.locator(f".st-key-{key} [role=slider]")
    if await slider.count():
        await slider.first.press(value)
        await wait_idle(page)
        return
    box = page.locator(f".st-key-{key} textarea, .st-key-{key} input").first
    await box.fill(value)
    tag = await box.evaluate("e => e.tagName")
    await box.press("Control+Enter" if tag == "TEXTAREA" else "Enter")
    await wait_idle(page)


async def run_scenario(browser, url: str, sc: Scenario) -> dict:
    """Do `sc` in a fresh browser context (a new Streamlit session); return what it saw."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(180_000)  # eight sessions on two shared cores are slow, not stuck
    try:
        await page.goto(f"{url}/{sc.path}")
        await page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=120_000)
        await wait_idle(page)
        for key, value in sc.inputs:
            tab = key.partition("@")[2]
            if tab:  # widget inside a tab: open the tab first
                await page.get_by_role("tab", name=tab).click()
                key = key.partition("@")[0]
            await set_input(page, key, value)
        if sc.button:
            await page.locator(f".st-key-{sc.button} button").click()
            await wait_idle(page, 300_000)
        main = page.locator('[data-testid="stMain"]')
        await wait_stable(page, main)
        if sc.result.startswith("textarea:"):
            result = await page.locator(f".st-key-{sc.result.split(':', 1)[1]} textarea").input_value()
        elif sc.result == "metrics":
            if sc.shows:
                await main.locator('[data-testid="stMetric"]', has_text=sc.shows).first.wait_for()
                await wait_stable(page, main)
            result = "\n".join(await main.locator('[data-testid="stMetric"]').all_inner_texts())
        else:
            result = await main.inner_text()
        return {"result": result, "text": await main.text_content(),
                "exceptions": await page.locator('[data-testid="stException"]').count()}
    finally:
        await context.close()


async def run_all(url: str, scenarios: list[Scenario], concurrent: bool) -> list[dict]:
    """Run every scenario, all at once or one after the other, in one headless Chromium."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            if concurrent:
                return list(await asyncio.gather(*(run_scenario(browser, url, sc) for sc in scenarios)))
            return [await run_scenario(browser, url, sc) for sc in scenarios]
        finally:
            await browser.close()


def server_process() -> psutil.Process:
    """The `streamlit run` child of this process (started by app_server.running_app)."""
    for child in psutil.Process().children(recursive=True):
        try:
            if "streamlit" in " ".join(child.cmdline()):
                return child
        except psutil.Error:
            continue
    raise RuntimeError("no streamlit server child process")


class PeakRSS:
    """Sample a process's resident memory in a thread; `peak` is the highest value seen (bytes)."""

    def __init__(self, proc: psutil.Process, interval_s: float = 0.05):
        self.proc, self.interval_s, self.peak = proc, interval_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.proc.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(self.interval_s)

    def __enter__(self) -> PeakRSS:
        self.peak = self.proc.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def default_scenarios() -> list[Scenario]:
    """Eight sessions over four jobs: tokenize (3), write a story with a seed (3), predict sentiment (2)."""
    out = []
    for i in range(3):
        marker = f"qzx{i}mark"
        out.append(Scenario(f"tokenize-{i}", "tokenizer", marker,
                            (("tok_texts", f"{marker} 我爱北京天安门 {i}\n第二行 {marker} {'好' * (i + 1)}"),),
                            None, "main"))
    for i in range(3):
        marker = f"qzy{i}mark"
        out.append(Scenario(f"story-{i}", "image_story", marker,
                            (("story_caption_en", f"a cat {marker} on a mat"), ("story_seed", str(11 + i)),
                             ("story_length", "Home")),
                            "story_run", "textarea:story_text"))
    for i in range(2):
        marker = f"qzw{i}mark"
        out.append(Scenario(f"predict-{i}", "sentiment", marker,
                            (("sentiment_text@🔮 预测", f"{marker} 这家酒店{'很好' if i else '太差了'}"),),
                            None, "metrics", t("sentiment.predict.label", "zh")))
    return out
