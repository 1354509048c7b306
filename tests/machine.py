"""What the tests need from the machine: skipped on a developer's, required in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

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


def make_read_only(folder: Path) -> Callable[[], object]:
    """Make `folder` one no file can be created in, even by root (these tests run as root
    here); returns what undoes it.

    Root ignores permission bits, so chmod 0555 proves nothing for it; `chattr +i` (an
    immutable folder) stops root too, on ext4 and most local filesystems. A non-root user
    cannot chattr, and for them chmod is enough.
    """
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    if shutil.which("chattr") and subprocess.run(
        ["chattr", "+i", str(folder)], capture_output=True
    ).returncode == 0:
        return lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)
    pytest.skip("running as root without chattr +i: no way to make a folder read-only")
