"""The secure store on real backends: gnome-keyring's Secret Service and the encrypted file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.errors import KeyringError

from retrievers.config import StoreConfig
from retrievers.encrypted_file import EncryptedFileKeyring
from retrievers.errors import ConfigError
from retrievers.store import KeyStore
from tests.machine import require_secret_service

KEY = "T9epl6tM2uq3s0Cvlyc7craVqg1-AcL-test"


def test_encrypted_file_round_trip_and_no_plaintext(tmp_path: Path) -> None:
    path = tmp_path / "keys.enc"
    store = KeyStore(EncryptedFileKeyring(path, "passphrase-1"), "test")

    store.put_key("atlas", "cfa-paris", KEY)
    store.put_key("ocapiat", "cfa-paris", "other-key-0123456789")

    reopened = EncryptedFileKeyring(path, "passphrase-1")  # a new process would do this
    assert reopened.get_password("key-retriever:atlas", "cfa-paris") == KEY
    assert reopened.get_password("key-retriever:ocapiat", "cfa-paris") == "other-key-0123456789"
    raw = path.read_bytes()
    assert KEY.encode() not in raw and b"cfa-paris" not in raw
    assert path.stat().st_mode & 0o777 == 0o600


def test_encrypted_file_wrong_passphrase_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.enc"
    EncryptedFileKeyring(path, "right").set_password("key-retriever:atlas", "a", KEY)

    with pytest.raises(KeyringError, match="wrong KEY_RETRIEVER_STORE_PASSPHRASE"):
        EncryptedFileKeyring(path, "wrong").get_password("key-retriever:atlas", "a")
    # Nothing was lost.
    assert EncryptedFileKeyring(path, "right").get_password("key-retriever:atlas", "a") == KEY


def test_file_backend_without_passphrase_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KEY_RETRIEVER_STORE_PASSPHRASE", raising=False)
    with pytest.raises(ConfigError, match="KEY_RETRIEVER_STORE_PASSPHRASE"):
        KeyStore.from_config(StoreConfig(backend="file", path=tmp_path / "k.enc"))


def test_keyring_cli_reads_the_encrypted_file(tmp_path: Path) -> None:
    """Any program can read a key with `keyring get`, given the backend's settings."""
    path = tmp_path / "keys.enc"
    EncryptedFileKeyring(path, "pp").set_password("key-retriever:atlas", "cfa-paris", KEY)
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "retrievers.encrypted_file.EncryptedFileKeyring",
           "KEY_RETRIEVER_STORE__PATH": str(path), "KEY_RETRIEVER_STORE_PASSPHRASE": "pp"}
    done = subprocess.run([sys.executable, "-m", "keyring", "get", "key-retriever:atlas",
                           "cfa-paris"], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == KEY


@pytest.fixture
def secret_service() -> None:
    require_secret_service()


def test_system_backend_is_the_secret_service(secret_service: None) -> None:
    store = KeyStore.from_config(StoreConfig(backend="system"))
    assert "SecretService" in store.description

    store.put_key("atlas", "cfa-store-test", KEY)

    # The contract's layout: any program reads it with keyring (here, a separate process).
    done = subprocess.run([sys.executable, "-m", "keyring", "get", "key-retriever:atlas",
                           "cfa-store-test"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == KEY
    assert keyring.get_password("key-retriever:atlas", "cfa-store-test") == KEY
    keyring.delete_password("key-retriever:atlas", "cfa-store-test")
