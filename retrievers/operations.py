"""What the commands do, shared by the CLI and the demo."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass

from retrievers import display
from retrievers.config import AccountConfig, Settings, check_passwords
from retrievers.errors import ConfigError
from retrievers.logs import log
from retrievers.redact import REDACTOR
from retrievers.runner import AccountResult, Runner, exit_code
from retrievers.state import AccountState, StateDB
from retrievers.store import KeyStore


def select_accounts(
    settings: Settings, portals: tuple[str, ...], account: str | None
) -> list[AccountConfig]:
    chosen = [
        a
        for a in settings.accounts
        if (not portals or a.portal in portals) and (account is None or a.name == account)
    ]
    if not chosen:
        wanted = " ".join(portals) or "any portal"
        named = f" named {account!r}" if account else ""
        raise ConfigError(
            f"no configured account{named} for {wanted} in "
            f"{settings.source_path or 'the configuration'}"
        )
    return chosen


@dataclass
class RunReport:
    results: list[AccountResult]
    stopped_by: int | None = None  # SIGINT or SIGTERM, when one stopped the run

    @property
    def exit_code(self) -> int:
        return exit_code(self.results, self.stopped_by)


def run_and_report(
    settings: Settings,
    accounts: list[AccountConfig],
    *,
    headed: bool = False,
    force_new: bool = False,
) -> RunReport:
    """Run the accounts (each under its own lock), show progress, then the results table."""
    check_passwords(settings, accounts)
    REDACTOR.add(*(a.password for a in accounts))
    store = KeyStore.from_config(settings.store)
    store.check_writable()  # before any browser starts: a key generated must be storable
    log.info("secure store", backend=store.description)
    state = StateDB(settings.resolved_state_path())
    try:
        with display.account_progress(accounts) as report:
            runner = Runner(
                settings, store, state, headed=headed, force_new=force_new, report=report
            )
            results = asyncio.run(runner.run(accounts))
    finally:
        state.close()
    out = display.console()
    out.print(display.results_table(results))
    summary = display.summary_line(results)
    if runner.stopped_by is not None:
        summary += f" (stopped by {signal.Signals(runner.stopped_by).name})"
    out.print(summary)
    return RunReport(results, runner.stopped_by)


def status_rows(settings: Settings) -> list[AccountState]:
    """Every configured account, and every account the state database knows (reading never
    creates it: a mistyped path must not look like an empty state)."""
    known: dict[tuple[str, str], AccountState] = {}
    if settings.resolved_state_path().exists():
        state = StateDB(settings.resolved_state_path())
        try:
            known = {(r.portal, r.account): r for r in state.all()}
        finally:
            state.close()
    for account in settings.accounts:
        known.setdefault((account.portal, account.name), AccountState(account.portal, account.name))
    return sorted(known.values(), key=lambda r: (r.portal, r.account))
