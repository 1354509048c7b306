"""Where keys (and logged-in sessions) are persisted: one keyring item per key.

Layout (the contract): service `key-retriever:<portal>`, username `<account name>`,
password = the raw key, so any program can read it with `keyring get`.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
from keyring.backends import chainer, fail
from keyring.errors import KeyringError, PasswordDeleteError
from tenacity import (
    RetryCallState,
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from retrievers.config import ENV_PASSPHRASE, StoreConfig
from retrievers.encrypted_file import EncryptedFileKeyring, StoreFileError
from retrievers.errors import ConfigError, KeyStoreError, StoreUnusable
from retrievers.logs import log
from retrievers.redact import REDACTOR

CHECK_SERVICE = "key-retriever:check"  # probe items of check_writable, deleted at once
WRITE_ATTEMPTS = 3


def key_service(portal: str) -> str:
    return f"key-retriever:{portal}"


class _WriteFailed(Exception):
    """One failed attempt of put_key: retried, then reported as KeyStoreError."""


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning("the secure store refused the key; trying again",
                attempt=state.attempt_number, error=REDACTOR(str(error)))


class KeyStore:
    def __init__(self, backend: keyring.backend.KeyringBackend, description: str) -> None:
        self.backend = backend
        self.description = description  # which backend and why, for the user

    @classmethod
    def from_config(cls, config: StoreConfig, *, create: bool = True) -> KeyStore:
        """The configured store, opened and (file backend) decrypted once to check the
        passphrase. create=False (commands that only read: get, status) refuses a store file
        that does not exist, so a mistyped store.path is told instead of looking empty."""
        if config.backend == "file":
            passphrase = os.environ.get(ENV_PASSPHRASE)
            if not passphrase:
                raise ConfigError(
                    [
                        (
                            "store.backend",
                            f"the file backend reads its passphrase from {ENV_PASSPHRASE}: not set",
                        )
                    ]
                )
            REDACTOR.add(passphrase)
            assert config.path is not None  # checked when the configuration loaded
            path = config.path
            if not path.exists() and not path.is_symlink():
                if not create:
                    raise StoreUnusable(
                        f"the store file {path} (store.path) does not exist: check the path; "
                        "a new store is created only by a command that stores a key (run)"
                    )
                log.info("the store file does not exist yet: a new store will be created there",
                         path=str(path))
            backend = EncryptedFileKeyring(path, passphrase)
            try:
                backend.get_password(CHECK_SERVICE, "passphrase")  # decrypts the file
            except KeyringError as exc:
                raise StoreUnusable([("store.path", str(exc))]) from None
            return cls(backend, f"encrypted file {path} (store.backend: file)")
        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or (
            isinstance(backend, chainer.ChainerBackend) and not backend.backends
        ):
            raise ConfigError(
                [
                    (
                        "store.backend",
                        "no OS keyring is available here (no Secret Service, macOS "
                        "Keychain or Windows Credential Locker); on a headless server use "
                        f"`backend: file` with a path and {ENV_PASSPHRASE}",
                    )
                ]
            )
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        return cls(backend, f"OS keyring {name} (store.backend: system)")

    def store_file(self) -> Path | None:
        """The encrypted file of the file backend; None for an OS keyring."""
        return self.backend.path if isinstance(self.backend, EncryptedFileKeyring) else None

    # -- before a run ------------------------------------------------------------------------
    def check_writable(self) -> None:
        """Before any browser starts: can a key be written now? A key generated on a portal
        that cannot be stored is lost (and the old one invalidated), so ask first.

        Raises StoreUnusable (a ConfigError: exit 2) naming the store and the reason.
        """
        path = self.store_file()
        problem = _file_problem(path) if path else _keyring_problem(self.backend)
        if problem:
            raise StoreUnusable(
                f"the secure store is not writable ({self.description}): "
                f"{REDACTOR(problem)}; nothing was attempted"
            )

    def probe(self) -> str | None:
        """`check`: why a key could not be kept now, or None. A test item is written, read
        back and deleted; in a store file that does not exist yet only its folder is tried
        (check creates nothing)."""
        path = self.store_file()
        if path is None:  # other keyrings than the Secret Service were probed already
            probed = not _is_secret_service(self.backend)
            return _keyring_problem(self.backend) or (None if probed else
                                                      _probe_item(self.backend))
        return _file_problem(path) or (_probe_item(self.backend) if path.exists() else None)

    # -- keys --------------------------------------------------------------------------------
    def put_key(self, portal: str, account: str, key: str) -> None:
        """Write, then read back and compare: a key shown once must never be lost silently.
        A failed write is tried again a few times (a busy keyring daemon, a file lock)."""
        REDACTOR.add(key)
        path = self.store_file()
        creating = path is not None and not path.exists()
        try:
            self._write_and_read_back(key_service(portal), account, key)
        except StoreFileError as exc:  # corrupt, unreadable, wrong passphrase: no use retrying
            raise KeyStoreError(f"the secure store refused the key: {exc}") from None
        except _WriteFailed as exc:
            raise KeyStoreError(
                f"the secure store refused the key ({WRITE_ATTEMPTS} tries): {exc}"
            ) from None
        if creating:
            log.info("created a new encrypted store", path=str(path))

    @retry(
        retry=retry_if_exception_type(_WriteFailed),
        stop=stop_after_attempt(WRITE_ATTEMPTS),
        wait=wait_exponential(multiplier=0.2, max=1),  # short: a browser page is waiting
        before_sleep=_log_retry,
        reraise=True,
    )
    def _write_and_read_back(self, service: str, account: str, key: str) -> None:
        try:
            self.backend.set_password(service, account, key)
            stored = self.backend.get_password(service, account)
        except StoreFileError:
            raise
        except Exception as exc:  # keyring backends raise more than KeyringError (D-Bus, OS)
            raise _WriteFailed(REDACTOR(f"{type(exc).__name__}: {exc}")) from None
        if stored != key:
            raise _WriteFailed("the secure store did not return the key just written")

    def delete_key(self, portal: str, account: str) -> None:
        """Remove an item (none there is fine)."""
        try:
            self.backend.delete_password(key_service(portal), account)
        except PasswordDeleteError:
            pass
        except KeyringError as exc:
            raise KeyStoreError(f"cannot write the secure store: {exc}") from None

    def has_key(self, portal: str, account: str) -> bool:
        """Whether the store holds the account's key. The key is not handed out, so the
        redactor need not learn it (a renew asks this of a thousand accounts)."""
        return self._read_key(portal, account) is not None

    def get_key(self, portal: str, account: str) -> str | None:
        key = self._read_key(portal, account)
        REDACTOR.add(key)
        return key

    def _read_key(self, portal: str, account: str) -> str | None:
        try:
            return self.backend.get_password(key_service(portal), account)
        except KeyringError as exc:
            raise KeyStoreError(f"cannot read the secure store: {exc}") from None


def _is_secret_service(backend: keyring.backend.KeyringBackend) -> bool:
    # Imported here: the file backend, the one of servers, never loads D-Bus and secretstorage.
    from keyring.backends import SecretService

    return isinstance(backend, SecretService.Keyring)


def _file_problem(path: Path) -> str | None:
    """Why the encrypted file could not be written now, or None. os.access answers for the
    permission bits; creating a real file also catches read-only mounts and immutable files."""
    if path.exists():
        if not path.is_file():
            return f"{path} is not a file"
        if not os.access(path, os.R_OK | os.W_OK):
            return f"{path} cannot be read and written by this user"
        try:
            with open(path, "r+b"):
                pass
        except OSError as exc:
            return f"{path} cannot be opened for writing ({exc.strerror or exc})"
    # The folder the file is replaced in (atomic rename), or the nearest existing folder above
    # it, in which the store's folders will be created.
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a folder, so the store cannot be created under it"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable by this user"
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".key-retriever-check-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"cannot create a file in {folder} ({exc.strerror or exc})"
    return None


def _keyring_problem(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why the OS keyring could not store a key now, or None. The Secret Service is asked
    whether its collection is locked (a probe write would pop up an unlock prompt that nobody
    answers in a scheduled run); other backends store, read and delete a probe item."""
    try:
        if _is_secret_service(backend):
            import secretstorage

            with closing(secretstorage.dbus_init()) as connection:
                collection = (
                    secretstorage.Collection(connection, backend.preferred_collection)
                    if hasattr(backend, "preferred_collection")
                    else secretstorage.get_default_collection(connection)
                )
                if collection.is_locked():
                    return ("its collection is locked: unlock the login keyring (log in to the "
                            "desktop session), or use `backend: file` on a headless server")
            return None
    except Exception as exc:  # any backend failure means "not usable now", whatever its type
        return f"{type(exc).__name__}: {exc}"
    return _probe_item(backend)


def _probe_item(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why a test item could not be written, read back and deleted, or None."""
    probe = f"probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        backend.set_password(CHECK_SERVICE, probe, probe)
        read = backend.get_password(CHECK_SERVICE, probe)
        backend.delete_password(CHECK_SERVICE, probe)
    except Exception as exc:  # any backend failure means "not usable now", whatever its type
        return f"{type(exc).__name__}: {exc}"
    if read != probe:
        return "a test item written to it could not be read back"
    return None


class AccountItem:
    """A secret of an account besides its key (its kept session, a one-time page's answer):
    one keyring item of the portal's service, user name `<account>#<what>` (an account name
    never holds « # », so it is never another account's key), holding JSON."""

    def __init__(self, store: KeyStore, portal: str, account: str, what: str) -> None:
        self._store, self._portal, self._name = store, portal, f"{account}#{what}"

    def load(self) -> Any:
        raw = self._store.get_key(self._portal, self._name)
        return json.loads(raw) if raw else None

    def save(self, value: Any) -> None:
        self._store.put_key(self._portal, self._name, json.dumps(value))

    def clear(self) -> None:
        self._store.delete_key(self._portal, self._name)
