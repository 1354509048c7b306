"""Helpers of the spa tests that are not fixtures (those live in sandbox_fixtures.py); a module of
its own so that importing it does not import the fixtures plugin before pytest registers it."""

from __future__ import annotations

from typing import Any

from sandbox import DEMO_ACCOUNTS


def demo_account(portal: str) -> dict[str, Any]:
    """The demo account of one portal (both renderings have the same ones)."""
    return next(a for a in DEMO_ACCOUNTS if a["portal"] == portal)
