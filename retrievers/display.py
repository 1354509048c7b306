"""What a person sees: progress while accounts run, result and status tables."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from retrievers.errors import Outcome
from retrievers.results import AccountResult, StepReporter, silent
from retrievers.status import day

if TYPE_CHECKING:
    from retrievers.config import AccountConfig


def console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    # Piped output keeps whole lines rather than wrapping at 80 columns.
    width = None if stream.isatty() else max(shutil.get_terminal_size().columns, 160)
    return Console(file=stream, width=width, highlight=False)


@contextmanager
def account_progress(accounts: list[AccountConfig]) -> Iterator[StepReporter]:
    """On a terminal, a live line for the run (done, running, the limit) and one per account
    while it runs (the results table follows); nothing otherwise (the logs tell the story)."""
    if not sys.stderr.isatty():
        yield silent
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console(stderr=True), transient=True) as progress:
        yield _LiveProgress(progress, accounts)


class _LiveProgress(StepReporter):
    # Only the accounts running are drawn: a live display redrawn ten times a second costs
    # in proportion to its lines, and a run may have a thousand accounts.
    def __init__(self, progress: Progress, accounts: list[AccountConfig]) -> None:
        self._progress = progress
        self._total = len(accounts)
        self._done = 0
        self._running = ""
        self._run = progress.add_task("", total=len(accounts))
        self._tasks: dict[tuple[str, str], TaskID] = {}
        self._describe_run()

    def __call__(self, account: AccountConfig, text: str, *, done: bool = False) -> None:
        key = (account.portal, account.name)
        if key not in self._tasks:
            self._tasks[key] = self._progress.add_task("", total=1)
        self._progress.update(self._tasks[key], description=f"{account.portal}/{account.name}: "
                                                            f"{text}", visible=not done)
        if done:
            self._done += 1
            self._describe_run()

    def parallelism(self, described: str) -> None:
        self._running = described
        self._describe_run()

    def _describe_run(self) -> None:
        running = f" · {self._running}" if self._running else ""
        self._progress.update(self._run, completed=self._done,
                              description=f"{self._done} of {self._total} accounts done{running}")


_STYLE = {"ok": "green", "not_due": "cyan"}


def kind(result: AccountResult) -> str:
    """What the unattended job's reader wants told apart."""
    if result.outcome is Outcome.OK:
        return "renewed" if result.generated else "re-read"
    if result.outcome.needs_person:
        return "action needed"
    if result.outcome.failed and result.outcome is not Outcome.BUSY:
        return "failed"
    return str(result.outcome).replace("_", " ")


def results_table(results: list[AccountResult], title: str = "key-retriever run") -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("portal", "account", "outcome", "fingerprint", "expires", "details"):
        table.add_column(column, overflow="fold")
    for r in results:
        style = _STYLE.get(r.outcome, "yellow" if r.outcome.needs_person else "red")
        table.add_row(
            r.portal,
            r.account,
            f"[{style}]{r.outcome}[/]",
            r.fingerprint or "-",
            day(r.expires_at),
            r.message,
        )
    return table


def summary_line(results: list[AccountResult]) -> str:
    counts: dict[str, int] = {}
    for r in results:
        counts[kind(r)] = counts.get(kind(r), 0) + 1
    return ", ".join(f"{n} {outcome}" for outcome, n in counts.items()) or "no account"
