"""The workshop page in Chromium, timed: not a test.

    .venv/bin/python -m tests.bench.browser_bench [--pages 5] [--keys 200] [--delay-ms 50]

Starts a Verstas server on a fresh SQLite database, creates a workshop and prints:
- how long the page takes until its editors are up (`main[data-ready]`), over `--pages` loads;
- keystroke-to-screen latency: one page types `--keys` characters into a text at a typist's
  pace (`--delay-ms` apart), a second page (another browser context: another person) records
  when each character appears in its editor. Both pages read the same clock
  (`performance.timeOrigin + performance.now()`), so the figure is from the key press in one
  page to the text in the other, through the server's commit and relay.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from playwright.async_api import Browser, Page

from tests.support.browser import chromium
from tests.support.server import running_server

FIELD = "model/purpose"

# In the typing page: the time of each key press. In the watching page: the time the text in
# FIELD reached each length (without the remote caret's name label, which is in the DOM too).
RECORD_KEYS = """() => {
    window.__keys = []
    document.addEventListener('keydown', () => {
        window.__keys.push(performance.timeOrigin + performance.now())
    }, true)
}"""
RECORD_ARRIVALS = """field => {
    const node = document.querySelector(`.cm-content[data-field="${field}"]`)
    window.__arrivals = []
    const length = () => {
        const copy = node.cloneNode(true)
        copy.querySelectorAll('.cm-ySelectionCaret').forEach(caret => caret.remove())
        return copy.textContent.length
    }
    new MutationObserver(() => {
        window.__arrivals.push([performance.timeOrigin + performance.now(), length()])
    }).observe(node, { subtree: true, characterData: true, childList: true })
}"""


async def open_ready(browser: Browser, url: str) -> tuple[Page, float]:
    """A page in a context of its own, and the milliseconds until its editors were up."""
    page = await (await browser.new_context()).new_page()
    start = time.perf_counter()
    await page.goto(url)
    await page.wait_for_selector("main#workshop[data-ready=true]", timeout=30_000)
    return page, (time.perf_counter() - start) * 1000


def summary(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(
        f"  {label:<44} n={len(ordered):<4} p50 {statistics.median(ordered):7.1f} ms"
        f"   p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms",
        flush=True,
    )


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with running_server(Path(folder), open_documents=False) as server:
            async with httpx.AsyncClient(base_url=server.http_url) as http:
                body = {"title": "Mittaus", "organisation": "Verstas"}
                created = (await http.post("/api/workshops", json=body)).json()
            url = f"{server.http_url}/workshops/{created['id']}?token={created['owner_token']}"
            async with chromium() as browser:
                loads = []
                for _ in range(args.pages):
                    page, took = await open_ready(browser, url)
                    loads.append(took)
                    await page.context.close()
                summary("page load until the editors are up", loads)

                typist, _ = await open_ready(browser, url)
                watcher, _ = await open_ready(browser, url)
                await typist.evaluate(RECORD_KEYS)
                await watcher.evaluate(RECORD_ARRIVALS, FIELD)
                await typist.locator(f'.cm-content[data-field="{FIELD}"]').click()
                await typist.keyboard.type("x" * args.keys, delay=args.delay_ms)
                await watcher.wait_for_function(
                    "([n]) => window.__arrivals.some(([, length]) => length >= n)",
                    arg=[args.keys],
                    timeout=30_000,
                )
                keys: list[float] = await typist.evaluate("window.__keys")
                arrivals: list[list[float]] = await watcher.evaluate("window.__arrivals")
    latencies = []
    for count, pressed in enumerate(keys, start=1):
        seen = next(at for at, length in arrivals if length >= count)
        latencies.append(seen - pressed)
    summary("keystroke in one page to text in another", latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=5, help="page loads to time")
    parser.add_argument("--keys", type=int, default=200, help="characters typed")
    parser.add_argument("--delay-ms", type=int, default=50, help="between key presses")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
