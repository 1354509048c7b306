"""How many accounts run at once: a fixed number, or as many as the machine has room for.

`browser.concurrency` set: that many. Unset (the default): the limit follows the machine,
sampled every second while the run goes on. It rises while the processors have headroom and
accounts are waiting, and falls when the processors are saturated or memory runs short. The
accounts spend most of their time waiting on the portals, so a fixed number either leaves the
machine idle or, on a smaller one, overloads it.

Politeness stays per portal: each portal's `max_parallel` bounds its own accounts whatever
this limit is (the runner holds both).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import psutil

from retrievers.logs import log

_SAMPLE_SECONDS = 1.0
_BUSY_PERCENT = 95  # the processors are saturated: one account fewer
_ROOM_PERCENT = 85  # below: one account more (two below _WIDE_ROOM_PERCENT)
_WIDE_ROOM_PERCENT = 60
_MEMORY_FLOOR = 512 * 2**20  # bytes left to the rest of the machine
_PER_ACCOUNT = 150 * 2**20  # a browser context with its pages, with a margin (about 50 MB seen)
_CGROUP = Path("/sys/fs/cgroup")


class Parallelism:
    def __init__(self, fixed: int | None, *, most: int,
                 on_change: Callable[[str], None] = lambda described: None) -> None:
        """`fixed`: browser.concurrency; `most`: more could never run (the accounts of the
        run, within their portals' max_parallel); `on_change` is told `describe()` whenever
        the number running or the limit changes."""
        self.fixed = fixed
        self._on_change = on_change
        self.most = max(1, most if fixed is None else min(fixed, most))
        self._cores = os.cpu_count() or 1
        self.limit = self.most if fixed is not None else min(self.most, 2 * self._cores)
        self.running = 0
        self.waiting = 0
        self._changed = asyncio.Condition()

    def describe(self) -> str:
        how = "browser.concurrency" if self.fixed is not None else "follows the machine"
        return f"{self.running} running, at most {self.limit} ({how})"

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the `limit` places while an account runs."""
        async with self._changed:
            self.waiting += 1
            try:
                await self._changed.wait_for(lambda: self.running < self.limit)
            finally:
                self.waiting -= 1
            self.running += 1
        self._on_change(self.describe())
        try:
            yield
        finally:
            async with self._changed:
                self.running -= 1
                self._changed.notify_all()
            self._on_change(self.describe())

    async def follow_the_machine(self) -> None:
        """Adjust `limit` every second until cancelled (nothing to do when it is fixed)."""
        if self.fixed is not None or self.most == 1:
            return
        psutil.cpu_percent(None)  # starts the measure: the next call covers the interval
        while True:
            await asyncio.sleep(_SAMPLE_SECONDS)  # a sampling period, not a wait for a page
            before = self.limit
            self.adjust(psutil.cpu_percent(None), available_memory())
            if self.limit != before:
                log.info("parallelism", limit=self.limit, was=before)
                async with self._changed:
                    self._changed.notify_all()
                self._on_change(self.describe())

    def adjust(self, cpu_percent: float, available: int) -> None:
        """One step: down when the processors are saturated (not below one account per core)
        or memory is short (down to one); up when there is room and accounts wait for it."""
        if available < _MEMORY_FLOOR:
            self.limit = max(1, self.limit - 1)
        elif cpu_percent >= _BUSY_PERCENT:
            self.limit = max(min(self._cores, self.most), self.limit - 1)
        elif (cpu_percent < _ROOM_PERCENT and available > _MEMORY_FLOOR + _PER_ACCOUNT
              and self.waiting and self.running >= self.limit):
            step = 2 if cpu_percent < _WIDE_ROOM_PERCENT else 1
            self.limit = min(self.most, self.limit + step)


def available_memory() -> int:
    """Bytes still free for more accounts: the machine's, or its container's when less."""
    free = psutil.virtual_memory().available
    try:  # cgroup v2: a container (a Kubernetes pod) may allow far less than the machine has
        most = (_CGROUP / "memory.max").read_text().strip()
        if most != "max":
            free = min(free, int(most) - int((_CGROUP / "memory.current").read_text()))
    except (OSError, ValueError):
        pass
    return free
