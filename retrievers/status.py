"""One row per account for `status`, the metrics and `get`: the configured accounts and every
account the state database knows. Light on imports: `status` must answer fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrievers.portals import PORTALS
from retrievers.state import AccountState, StateDB

if TYPE_CHECKING:
    from retrievers.config import Settings


def account_rows(settings: Settings, state: StateDB | None) -> list[AccountState]:
    known: dict[tuple[str, str], AccountState] = {}
    if state is not None:
        known = {(r.portal, r.account): r for r in state.all()}
    for account in settings.accounts:
        row = known.setdefault((account.portal, account.name),
                               AccountState(account.portal, account.name))
        if PORTALS[account.portal].logs_in:  # the store is not opened: `credentials list` does
            row.password_from = (f"${account.password_env}" if account.password_env
                                 else "the secure store")
    return sorted(known.values(), key=lambda r: (r.portal, r.account))


def status_rows(settings: Settings) -> list[AccountState]:
    """Reading never creates the state database: a mistyped path must not look like an empty
    state."""
    if not settings.resolved_state_path().exists():
        return account_rows(settings, None)
    state = StateDB(settings.resolved_state_path())
    try:
        return account_rows(settings, state)
    finally:
        state.close()
