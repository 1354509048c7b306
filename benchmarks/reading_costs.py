"""What each way of reading the page costs, per call: where the tool's CPU per account goes.

  .venv/bin/python benchmarks/reading_costs.py [--calls 200]

On OPCO EP's home page of the simulated portals, in the headless Chromium the tool runs, each
primitive is called `--calls` times; printed per call: wall time, the CPU of Playwright's driver
and Chromium together (the process tree below this one), and this process's own CPU. A
primitive costs its round trips (about 1 ms of CPU each here) plus what it makes the page
compute: a locator that accepts any of six roles walks the page six times.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from playwright.async_api import Page, async_playwright
from run_benchmark import process_tree  # benchmarks/, beside this script

from retrievers import answers, locate
from retrievers.browser import (
    CHROMIUM_FLAGS,
    consent_button,
    dismiss_cookie_banners,
    new_context,
    system_chromium,
)
from retrievers.config import BrowserConfig
from sandbox import Sandbox

TICK = os.sysconf("SC_CLK_TCK")
LABEL = "Mes services en ligne"  # a button of OPCO EP's home page


def descendants_cpu(root: int) -> float:
    """CPU seconds of the live descendants of `root` (the driver and Chromium's processes)."""
    total = 0.0
    for pid in process_tree(root)[1:]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def primitives(page: Page) -> dict[str, Callable[[], Awaitable[object]]]:
    return {
        "a round trip (evaluate 1)": lambda: page.evaluate("() => 1"),
        "note the page's words": lambda: answers.note_what_is_said(page),
        "ask the click watch": lambda: page.evaluate(locate.CLICK_CAME_JS),
        "new words said (count)": lambda: answers.said(page).count(),
        "one role: is_visible": lambda: page.get_by_role("button", name=LABEL).is_visible(),
        "clickable (6 roles): is_visible": lambda: locate.clickable(page, LABEL).is_visible(),
        "shows (any kind): is_visible": lambda: locate.shows(page, LABEL).is_visible(),
        "clickable: wait_for, present": lambda: locate.clickable(page, LABEL).wait_for(),
        "consent banner check": lambda: consent_button(page).is_visible(),
    }


async def measure(calls: int) -> None:
    sandbox = Sandbox()
    with sandbox.serve_in_thread():
        async with async_playwright() as playwright:
            await locate.register_engines(playwright)
            browser = await playwright.chromium.launch(
                executable_path=system_chromium(headless=True), args=CHROMIUM_FLAGS)
            page = await (await new_context(browser, BrowserConfig())).new_page()
            await dismiss_cookie_banners(page)
            await page.goto(sandbox.base_url("opcoep"))
            await page.wait_for_load_state()
            print(f"{calls} calls each; per call:")
            for name, call in primitives(page).items():
                await call()  # warm: the first call injects Playwright's script
                children, own = descendants_cpu(os.getpid()), time.process_time()
                started = time.perf_counter()
                for _ in range(calls):
                    await call()
                wall = (time.perf_counter() - started) / calls * 1000
                children = (descendants_cpu(os.getpid()) - children) / calls * 1000
                own = (time.process_time() - own) / calls * 1000
                print(f"  {name:<34} wall {wall:4.1f} ms   driver+Chromium {children:4.1f} ms"
                      f"   Python {own:4.1f} ms", flush=True)
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls of each primitive")
    asyncio.run(measure(parser.parse_args().calls))


if __name__ == "__main__":
    main()
