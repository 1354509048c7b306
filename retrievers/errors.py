"""Typed outcomes of one account's retrieval, and the exceptions that carry them.

Users act on these words (like a bank aggregator's connection states), so each outcome says
what happened and whether retrying makes sense.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class Outcome(StrEnum):
    OK = "ok"  # key read from the portal and stored
    NOT_DUE = "not_due"  # not visited: the stored key is valid and the portal can only generate
    WRONG_CREDENTIALS = "wrong_credentials"  # don't retry: retrying locks accounts
    ACTION_NEEDED = "action_needed"  # a person must do something on the site
    PORTAL_DOWN = "portal_down"  # retry later
    PAGE_CHANGED = "page_changed"  # our bug or the portal's redesign: artifacts attached
    STORE_FAILED = "store_failed"
    BUSY = "busy"  # another process is working on this account: nothing done
    INTERRUPTED = "interrupted"  # stopped by a signal (SIGINT, SIGTERM) before it finished
    DRY_RUN = "dry_run"  # renew --dry-run: walked to the key page, changed nothing
    HOOK_FAILED = "hook_failed"  # the key is stored; its deploy hook failed (retried by renew)
    HANDOFF_FAILED = "handoff_failed"  # the key is stored; handing it to O2S failed (retried)
    ERROR = "error"

    @property
    def needs_person(self) -> bool:
        return self is Outcome.ACTION_NEEDED

    @property
    def failed(self) -> bool:
        return self not in (Outcome.OK, Outcome.NOT_DUE, Outcome.ACTION_NEEDED, Outcome.DRY_RUN)


class RetrievalError(Exception):
    """A failure of one account, with a message a CFA's IT person understands."""

    outcome: Outcome = Outcome.ERROR

    def __init__(self, message: str, *, artifact: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.artifact = artifact


class LoginRefused(RetrievalError):
    outcome = Outcome.WRONG_CREDENTIALS

    def __init__(self, message: str, *, secret: str | None = None) -> None:
        super().__init__(message)
        # Which of the account's own secrets was refused ("password", "totp"): it is not
        # submitted again unchanged. None: another one (O2S's, the mailbox's).
        self.secret = secret


class ActionNeeded(RetrievalError):
    outcome = Outcome.ACTION_NEEDED


class AccountLocked(ActionNeeded):
    """The portal locked the account: not tried again until a person runs it by name."""


class PortalDown(RetrievalError):
    outcome = Outcome.PORTAL_DOWN


class PageChanged(RetrievalError):
    outcome = Outcome.PAGE_CHANGED


class KeyStoreError(RetrievalError):
    outcome = Outcome.STORE_FAILED


class KeyKept(RetrievalError):
    """The portal shows no key again; the stored one is valid and not due: nothing to do."""

    outcome = Outcome.NOT_DUE


class AccountBusy(RetrievalError):
    outcome = Outcome.BUSY


class UnexpectedFile(RetrievalError):
    """A file the portal gave is not what its procedure describes (no artifact: not a page)."""

    outcome = Outcome.PAGE_CHANGED


class HandOffFailed(RetrievalError):
    """The key is stored, but handing it to the software that uses it failed."""

    outcome = Outcome.HANDOFF_FAILED


class SignedIn(RetrievalError):
    """`login`: the person signed in and the session is kept; the flow stops there."""

    outcome = Outcome.OK


class DryRunStop(RetrievalError):
    """renew --dry-run reached the click that would change something: it stops there."""

    outcome = Outcome.DRY_RUN


class ConfigError(Exception):
    """Bad usage or configuration: nothing was attempted (exit 2)."""

    def __init__(self, problems: list[tuple[str, str]] | str, *, source: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [("", problems)]
        self.problems = problems
        self.source = source
        super().__init__(self.describe())

    def describe(self) -> str:
        head = f"invalid configuration in {self.source}" if self.source else "invalid configuration"
        lines = [f"{path}: {msg}" if path else msg for path, msg in self.problems]
        if len(lines) == 1 and not self.source:
            return lines[0]
        return head + ":\n" + "\n".join(f"  {line}" for line in lines)


class StoreUnusable(ConfigError):
    """The secure store cannot be used as configured (missing, corrupt, unreadable, locked or
    not writable): found before anything is attempted, so exit 2 like a configuration error."""


class StateUnusable(ConfigError):
    """The state database cannot be opened or created: exit 2, nothing attempted."""


class RunInProgress(Exception):
    """Another run holds the lock: two runs never overlap."""
