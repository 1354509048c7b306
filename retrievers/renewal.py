"""When a key is due for renewal (certbot-style), and what `renew` does about each account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from retrievers.errors import Outcome
from retrievers.portals import PORTALS, Portal
from retrievers.state import now

if TYPE_CHECKING:
    from retrievers.config import AccountConfig, Settings
    from retrievers.state import AccountState
    from retrievers.store import KeyStore

# Last outcomes that do not call for a visit of the portal: it answered, or only the deploy
# hook failed (renew retries the hook alone).
_SETTLED = {Outcome.OK, Outcome.NOT_DUE, Outcome.HOOK_FAILED, Outcome.DRY_RUN, Outcome.BUSY}


def is_due(
    expires_at: datetime | None,
    *,
    renew_before_days: int,
    generated_at: datetime | None = None,
    first_seen_at: datetime | None = None,
    lifetime: relativedelta | None = None,
    at: datetime | None = None,
) -> bool:
    """Due within `renew_before_days` of expiry.

    A short-lived key (say Ocapiat's 1 month) would be due the moment it is made, so the window
    never exceeds the last third of its known lifetime. With no known expiry, a key is due once
    2/3 of the portal's longest lifetime has passed since the tool first saw it (it may be older
    than that, never younger); with no known lifetime either, never (nothing to go on).
    """
    due = due_from(expires_at, renew_before_days=renew_before_days, generated_at=generated_at,
                   first_seen_at=first_seen_at, lifetime=lifetime)
    return due is not None and due <= (at or now())


def due_from(
    expires_at: datetime | None,
    *,
    renew_before_days: int,
    generated_at: datetime | None = None,
    first_seen_at: datetime | None = None,
    lifetime: relativedelta | None = None,
) -> datetime | None:
    """The moment the key becomes due (see is_due); None when nothing tells."""
    if expires_at is None:
        if first_seen_at is None or lifetime is None:
            return None
        full = (first_seen_at + lifetime) - first_seen_at
        return first_seen_at + full * 2 / 3
    window = timedelta(days=renew_before_days)
    if generated_at is not None and generated_at < expires_at:
        window = min(window, (expires_at - generated_at) / 3)
    return expires_at - window


@dataclass(frozen=True)
class Decision:
    visit: bool  # open the portal (renew or re-read); False: reported not_due, no browser
    reason: str


def decide(
    portal: Portal,
    stored: AccountState | None,
    *,
    has_key: bool,
    renew_before_days: int,
    reread_days: int,
    force: bool = False,
    at: datetime | None = None,
) -> Decision:
    """What the scheduled job does for one account, from the state database and the store."""
    at = at or now()
    if force:
        return Decision(True, "forced (--force)")
    if not has_key or stored is None or stored.fingerprint is None:
        return Decision(True, "no key stored")
    if stored.generating_since is not None:
        return Decision(True, "a run stopped after asking for a new key: read what the portal "
                              "now holds")
    due = due_from(stored.expires_at, renew_before_days=renew_before_days,
                   generated_at=stored.generated_at, first_seen_at=stored.first_seen_at,
                   lifetime=portal.lifetime)
    if due is not None and due <= at:
        if stored.expires_at is not None:
            return Decision(True, f"expires {stored.expires_at:%Y-%m-%d %H:%M} UTC, due since "
                                  f"{due:%Y-%m-%d}")
        return Decision(True, f"first seen {stored.first_seen_at:%Y-%m-%d}: older than 2/3 of "
                              f"{portal.name}'s longest key lifetime")
    last = stored.last_outcome
    if last is not None and last not in _SETTLED:
        if portal.generate_only:  # a visit could only generate, and the key is not due
            return Decision(False, f"last attempt ended {last}, but {portal.name} can only "
                                   f"generate and the stored key is not due{_until(due)}")
        return Decision(True, f"last attempt ended {last}")
    if not portal.generate_only and stored.retrieved_at is not None:
        age = at - stored.retrieved_at
        if age >= timedelta(days=reread_days):
            return Decision(True, f"last read {age.days} days ago (re-read every {reread_days})")
    return Decision(False, f"valid{_until(due)}")


def decide_for(
    settings: Settings, account: AccountConfig, store: KeyStore, stored: AccountState | None, *,
    force: bool
) -> Decision:
    """`decide` for one configured account, from what the state database holds of it."""
    return decide(
        PORTALS[account.portal],
        stored,
        has_key=store.has_key(account.portal, account.name),
        renew_before_days=settings.renew_before_days_for(account),
        reread_days=settings.reread_days,
        force=force,
    )


def _until(due: datetime | None) -> str:
    return f", due from {due:%Y-%m-%d}" if due else ""
