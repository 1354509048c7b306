"""Time as the portals see it: now in UTC, calendar months, French dates."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def now() -> datetime:
    return datetime.now(UTC)


def add_months(moment: datetime, months: int) -> datetime:
    """Same day `months` later, clamped to the month's last day (31/08 + 6 months = 28/02)."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _paris() -> tzinfo:
    # Dates are shown as the French portals show them: the day in Paris.
    try:
        return ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:  # no tz database: UTC is close enough for a dd/mm/yyyy date
        return UTC


PARIS = _paris()


def frdate(moment: datetime | None) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y") if moment else ""


def frdatetime(moment: datetime | None) -> str:
    """dd/mm/yyyy hh:mm, Paris time."""
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if moment else ""
