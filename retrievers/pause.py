"""`run --headed --pause-on-failure`: at a failure, the browser stays on the failing page while
the person who will fix the configuration looks at it; the run goes on once they close the
window or press Enter in the terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from retrievers.logs import log


def refused_because(*, headed: bool) -> str | None:
    """Why --pause-on-failure cannot be honoured here, or None."""
    if not headed:
        return "--pause-on-failure needs --headed: the failing page is shown in its window"
    if not sys.stdin.isatty():
        return ("--pause-on-failure needs a terminal: the run waits for Enter there (or for the "
                "window to close)")
    return None


class FailurePause:
    """One pause at a time: the terminal has one person in front of it."""

    def __init__(self) -> None:
        self._one_at_a_time = asyncio.Lock()

    async def at(self, page: Page, where: str, message: str) -> None:
        """Hold `page` open on the failure until its window closes or Enter is pressed."""
        if page.is_closed():
            return
        async with self._one_at_a_time:
            log.warning("paused at the failure: the browser window shows the failing page; "
                        "close it or press Enter here to go on", account=where, failure=message)
            loop = asyncio.get_running_loop()
            entered: asyncio.Future[None] = loop.create_future()

            def read_line() -> None:
                sys.stdin.readline()
                if not entered.done():
                    entered.set_result(None)

            loop.add_reader(sys.stdin.fileno(), read_line)
            closed = asyncio.ensure_future(_closed(page))
            try:
                await asyncio.wait([entered, closed], return_when=asyncio.FIRST_COMPLETED)
            finally:
                loop.remove_reader(sys.stdin.fileno())
                closed.cancel()


async def _closed(page: Page) -> None:
    with contextlib.suppress(PlaywrightError):  # the browser itself went away: as good as closed
        await page.wait_for_event("close", timeout=0)
