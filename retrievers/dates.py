"""Dates as French portals show them (dd/mm/yyyy, Paris time)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

FRENCH_DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")
FRENCH_DATE_TIME = re.compile(r"\b\d{2}/\d{2}/\d{4}\s+\d{1,2}[:h]\d{2}\b")
PARIS = ZoneInfo("Europe/Paris")


def end_of_french_day(text: str) -> datetime | None:
    """The last second of the dd/mm/yyyy day found in `text` (a key valid « until » that day),
    in UTC; None when there is no such date."""
    match = re.search(r"(\d{2})/(\d{2})/(\d{4})", text)
    if not match:
        return None
    day, month, year = map(int, match.groups())
    try:
        return datetime(year, month, day, 23, 59, 59, tzinfo=PARIS).astimezone(UTC)
    except ValueError:  # 31/02/2027: not a date
        return None


def french_date_time(text: str) -> datetime | None:
    """« 21/03/2022 15:18 » (Paris) in UTC; a date alone stands for the end of its day."""
    match = re.search(r"(\d{2})/(\d{2})/(\d{4})\s+(\d{1,2})[:h](\d{2})", text)
    if not match:
        return end_of_french_day(text)
    day, month, year, hour, minute = map(int, match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)
    except ValueError:
        return None
