"""Where keys (and logged-in sessions) are persisted: one keyring item per key.

Layout (the contract): service `key-retriever:<portal>`, username `<account name>`,
password = the raw key, so any program can read it with `keyring get`.
"""

from __future__ import annotations

import os

import keyring
import keyring.backend
from keyring.backends import chainer, fail
from keyring.errors import KeyringError

from retrievers.config import ENV_PASSPHRASE, StoreConfig
from retrievers.encrypted_file import EncryptedFileKeyring
from retrievers.errors import ConfigError, KeyStoreError
from retrievers.redact import REDACTOR


def key_service(portal: str) -> str:
    return f"key-retriever:{portal}"


class KeyStore:
    def __init__(self, backend: keyring.backend.KeyringBackend, description: str) -> None:
        self.backend = backend
        self.description = description  # which backend and why, for the user

    @classmethod
    def from_config(cls, config: StoreConfig) -> KeyStore:
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
            backend = EncryptedFileKeyring(config.path, passphrase)
            try:
                backend.get_password("key-retriever:check", "passphrase")  # decrypts the file
            except KeyringError as exc:
                raise ConfigError([("store.path", str(exc))]) from None
            return cls(backend, f"encrypted file {config.path} (store.backend: file)")
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

    # -- keys --------------------------------------------------------------------------------
    def put_key(self, portal: str, account: str, key: str) -> None:
        """Write, then read back and compare: a key shown once must never be lost silently."""
        service = key_service(portal)
        try:
            self.backend.set_password(service, account, key)
            stored = self.backend.get_password(service, account)
        except KeyringError as exc:
            raise KeyStoreError(f"the secure store refused the key: {exc}") from None
        if stored != key:
            raise KeyStoreError("the secure store did not return the key just written")

    def get_key(self, portal: str, account: str) -> str | None:
        try:
            key = self.backend.get_password(key_service(portal), account)
        except KeyringError as exc:
            raise KeyStoreError(f"cannot read the secure store: {exc}") from None
        REDACTOR.add(key)
        return key
