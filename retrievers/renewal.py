"""When a key is due for renewal (certbot-style)."""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from retrievers.state import now


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
    at = at or now()
    if expires_at is None:
        if first_seen_at is None or lifetime is None:
            return False
        full = (first_seen_at + lifetime) - first_seen_at
        return at >= first_seen_at + full * 2 / 3
    window = timedelta(days=renew_before_days)
    if generated_at is not None and generated_at < expires_at:
        window = min(window, (expires_at - generated_at) / 3)
    return at >= expires_at - window
