"""One row per account for `status`, the metrics and `get`: the configured accounts and every
account the state database knows, and the text `status` prints. Light on imports (no Rich):
`status` must answer fast, at a thousand accounts too."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from retrievers.portals import PORTALS
from retrievers.state import AccountState, StateDB

if TYPE_CHECKING:
    from retrievers.config import Settings


def account_rows(settings: Settings, state: StateDB | None) -> list[AccountState]:
    known: dict[tuple[str, str], AccountState] = {}
    if state is not None:
        known = state.by_account()
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


def day(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "-"


def _last_outcome(row: AccountState) -> str:
    if row.valid is False:  # never shown as ok: the portal may hold another key by now
        assert row.generating_since is not None
        return (f"INVALID: a new key was generated on {row.generating_since:%Y-%m-%d %H:%M}"
                " UTC and not stored; run again to check")
    return row.last_outcome or "never run"


_SHOWN_ATTRIBUTES = {"code_apporteur": "Code Apporteur", "siret": "SIRET"}


def _details(row: AccountState) -> str:
    shown = [f"{label} {row.attributes[k]}" for k, label in _SHOWN_ATTRIBUTES.items()
             if row.attributes.get(k)]
    if row.attributes.get("o2s_handed"):
        handed_to = row.attributes["o2s_handed"].split(":")[0]
        shown.append("in O2S" if handed_to == row.fingerprint else "O2S: older TOKEN")
    if row.attributes.get("requested_at"):  # the portals that answer a request by e-mail
        shown.append(f"requested {row.attributes['requested_at'][:10]}")
    if row.password_from:
        shown.append(f"password from {row.password_from}")
    return ", ".join(shown) or "-"


def status_text(rows: list[AccountState]) -> str:
    """The status rows as plain aligned columns: tabulate lays out a thousand rows in tens of
    milliseconds, where a Rich table takes a second (status is asked often, and by scripts)."""
    from tabulate import tabulate

    body = [
        (
            row.portal,
            row.account,
            row.fingerprint or "-",
            f"{row.retrieved_at:%Y-%m-%d %H:%M}" if row.retrieved_at else "-",
            day(row.expires_at),
            "-" if (days := row.days_left()) is None else str(days),
            _last_outcome(row),
            _details(row),
        )
        for row in rows
    ]
    headers = ("portal", "account", "fingerprint", "retrieved_at", "expires_at", "days_left",
               "last outcome", "details")
    table = tabulate(body, headers=headers, tablefmt="simple", disable_numparse=True)
    return f"key-retriever status\n{table}"
