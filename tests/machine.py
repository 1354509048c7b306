"""What the tests need from the machine: skipped on a developer's, required in CI."""

from __future__ import annotations

import os

import pytest

from sandbox.mailserver import DOVECOT


def secret_service_available() -> bool:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    try:
        import secretstorage

        with secretstorage.dbus_init() as conn:
            return not secretstorage.get_default_collection(conn).is_locked()
    except Exception:
        return False


def require(available: bool, message: str) -> None:
    """Skip without it here; in CI it is a failure, so a missing install step never hides."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_secret_service() -> None:
    require(secret_service_available(),
            "no unlocked Secret Service: run the tests with scripts/test.sh")


def require_dovecot() -> None:
    require(DOVECOT.exists(), f"no {DOVECOT}: install dovecot-imapd (scripts/setup.sh)")
