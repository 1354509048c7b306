"""What the commands do, shared by the CLI and the demo."""

from __future__ import annotations

import asyncio

from filelock import FileLock, Timeout

from retrievers import display
from retrievers.config import AccountConfig, Settings, check_passwords
from retrievers.errors import ConfigError, RunInProgress
from retrievers.logs import log
from retrievers.redact import REDACTOR
from retrievers.runner import AccountResult, Runner
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


def run_and_report(
    settings: Settings,
    accounts: list[AccountConfig],
    *,
    headed: bool = False,
    force_new: bool = False,
) -> list[AccountResult]:
    """Run the accounts under the run lock, show progress, then the results table."""
    check_passwords(settings, accounts)
    REDACTOR.add(*(a.password for a in accounts))
    store = KeyStore.from_config(settings.store)
    log.info("secure store", backend=store.description)
    state_path = settings.resolved_state_path()
    state_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(state_path) + ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise RunInProgress(
            f"another key-retriever run is in progress (lock {lock.lock_file})"
        ) from None
    state = StateDB(state_path)
    try:
        with display.account_progress(accounts) as report:
            runner = Runner(
                settings, store, state, headed=headed, force_new=force_new, report=report
            )
            results = asyncio.run(runner.run(accounts))
    finally:
        state.close()
        lock.release()
    out = display.console()
    out.print(display.results_table(results))
    out.print(display.summary_line(results))
    return results


def status_rows(settings: Settings) -> list[AccountState]:
    """Every configured account, and every account the state database knows."""
    state = StateDB(settings.resolved_state_path())
    try:
        known = {(r.portal, r.account): r for r in state.all()}
    finally:
        state.close()
    for account in settings.accounts:
        known.setdefault((account.portal, account.name), AccountState(account.portal, account.name))
    return sorted(known.values(), key=lambda r: (r.portal, r.account))
