"""One process at a time per account of a store: never two runs driving one account.

The lock belongs to the secure store (not to a configuration or a state database), so two
configurations that share a store still never generate for the same account at once. A lock is
a file lock (`filelock`), released by the OS when its process dies, even by SIGKILL; beside it
an `.owner` file says which process holds it, for the message of the one that waits.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import platformdirs
from filelock import FileLock, Timeout

from retrievers.errors import AccountBusy
from retrievers.state import now
from retrievers.store import KeyStore


def lock_dir(store: KeyStore) -> Path:
    path = store.store_file()
    if path is not None:
        return path.with_name(path.name + ".locks")
    backend = store.backend
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{type(backend).__module__}.{type(backend).__name__}")
    return platformdirs.user_state_path("key-retriever") / "locks" / name


class AccountLock:
    def __init__(self, store: KeyStore, portal: str, account: str) -> None:
        folder = lock_dir(store)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = folder / f"{portal}--{account}.lock"
        self.owner = self.path.with_suffix(".owner")
        self._lock = FileLock(str(self.path), mode=0o600)

    def acquire(self) -> None:
        """At once or not at all: AccountBusy names the process that holds it."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise AccountBusy(f"another key-retriever process ({self._holder()}) is working on "
                              "this account; nothing was done") from None
        self.owner.write_text(json.dumps({"pid": os.getpid(), "since": now().isoformat()}))

    def release(self) -> None:
        with contextlib.suppress(OSError):  # only a courtesy for the next message
            self.owner.unlink(missing_ok=True)
        self._lock.release()

    def _holder(self) -> str:
        try:
            owner = json.loads(self.owner.read_text())
            return f"pid {owner['pid']}, since {owner['since']}"
        except (OSError, ValueError, KeyError):
            return "unknown pid"
