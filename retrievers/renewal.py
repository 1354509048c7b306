"""When a key is due for renewal (certbot-style)."""

from __future__ import annotations

from datetime import datetime, timedelta

from retrievers.state import now


def is_due(
    expires_at: datetime | None,
    *,
    renew_before_days: int,
    generated_at: datetime | None = None,
    at: datetime | None = None,
) -> bool:
    """Due within `renew_before_days` of expiry; with no known expiry, never (nothing to go on).

    A short-lived key (say Ocapiat's 1 month) would be due the moment it is made, so the window
    never exceeds the last third of its known lifetime.
    """
    if expires_at is None:
        return False
    window = timedelta(days=renew_before_days)
    if generated_at is not None and generated_at < expires_at:
        window = min(window, (expires_at - generated_at) / 3)
    return (at or now()) >= expires_at - window
