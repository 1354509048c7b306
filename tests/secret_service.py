"""Is gnome-keyring's Secret Service running and unlocked (scripts/test.sh starts one)?"""

from __future__ import annotations

import os


def secret_service_available() -> bool:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    try:
        import secretstorage

        with secretstorage.dbus_init() as conn:
            return not secretstorage.get_default_collection(conn).is_locked()
    except Exception:
        return False
