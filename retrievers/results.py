"""What one account's run came to, and the exit code of many: read by the runner, the
reports and the CLI (which must not import the browser engine to show them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from retrievers.errors import Outcome

if TYPE_CHECKING:
    from retrievers.config import AccountConfig


class StepReporter:
    """Where a run's progress goes: nowhere (this class), or a live display (a subclass)."""

    def __call__(self, account: AccountConfig, text: str, *, done: bool = False) -> None:
        """`account` is at the step `text` (done: `text` is its outcome)."""

    def parallelism(self, described: str) -> None:
        """How many accounts run at once, and what sets the limit."""


silent = StepReporter()  # nobody watches a progress display


@dataclass
class AccountResult:
    portal: str
    account: str
    outcome: Outcome
    message: str
    fingerprint: str | None = None
    expires_at: datetime | None = None
    generated: bool = False
    changed: bool = False  # a key other than the one stored before was stored
    artifact: Path | None = None



def exit_code(results: list[AccountResult], stopped_by: int | None = None) -> int:
    """0 all done; 1 at least one failed; 3 a person must act (and nothing failed); 128 + the
    signal when one stopped the run (130 for SIGINT, 143 for SIGTERM)."""
    if stopped_by is not None:
        return 128 + stopped_by
    if any(r.outcome.failed for r in results):
        return 1
    if any(r.outcome.needs_person for r in results):
        return 3
    return 0
