"""A keyring backend that keeps secrets in one encrypted file, for headless servers.

The cryptography is `cryptography`'s: Fernet (AES-128-CBC + HMAC-SHA256) under a key derived
from the passphrase with scrypt. Writes are atomic (temp file + rename) under a file lock, so a
crash never leaves a half-written store and two processes never lose each other's keys.

Other programs can read it with the `keyring` CLI:
  PYTHON_KEYRING_BACKEND=retrievers.encrypted_file.EncryptedFileKeyring \
  KEY_RETRIEVER_STORE__PATH=/var/lib/key-retriever/keys.enc \
  KEY_RETRIEVER_STORE_PASSPHRASE=... keyring get key-retriever:atlas cfa-paris
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from filelock import FileLock
from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

_FORMAT = "key-retriever-encrypted-file/1"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_ENV_PATH = "KEY_RETRIEVER_STORE__PATH"
_ENV_PASSPHRASE = "KEY_RETRIEVER_STORE_PASSPHRASE"


class EncryptedFileKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        # keyring instantiates every viable backend it knows: be viable only when configured,
        # and then rank below any OS keyring so auto-detection never picks this one.
        if not (os.environ.get(_ENV_PATH) and os.environ.get(_ENV_PASSPHRASE)):
            raise RuntimeError("not configured")
        return 0.1

    def __init__(self, path: Path | str | None = None, passphrase: str | None = None) -> None:
        super().__init__()
        path = path or os.environ.get(_ENV_PATH)
        passphrase = passphrase or os.environ.get(_ENV_PASSPHRASE)
        if not path or not passphrase:
            raise KeyringError("the encrypted file store needs a path and a passphrase")
        self.path = Path(path)
        self._passphrase = passphrase.encode()
        self._fernet: Fernet | None = None
        self._salt: bytes | None = None
        self._lock = FileLock(str(self.path) + ".lock")

    # -- keyring API -------------------------------------------------------------------------
    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            data = self._read()
            data.setdefault(service, {})[username] = password
            self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            data = self._read()
            if username not in data.get(service, {}):
                raise PasswordDeleteError(f"no such item: {service} / {username}")
            del data[service][username]
            self._write(data)

    # -- file format -------------------------------------------------------------------------
    def _cipher(self, salt: bytes) -> Fernet:
        if self._fernet is None or self._salt != salt:
            key = Scrypt(salt=salt, length=32, **_SCRYPT).derive(self._passphrase)
            self._fernet, self._salt = Fernet(base64.urlsafe_b64encode(key)), salt
        return self._fernet

    def _read(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        envelope = json.loads(self.path.read_text())
        if envelope.get("format") != _FORMAT:
            raise KeyringError(f"{self.path} is not a key-retriever encrypted store")
        cipher = self._cipher(base64.b64decode(envelope["salt"]))
        try:
            return json.loads(cipher.decrypt(envelope["data"].encode()))
        except InvalidToken:
            raise KeyringError(
                f"cannot decrypt {self.path}: wrong KEY_RETRIEVER_STORE_PASSPHRASE"
            ) from None

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        salt = self._salt or os.urandom(16)
        envelope = {
            "format": _FORMAT,
            "kdf": {"name": "scrypt", **_SCRYPT},
            "salt": base64.b64encode(salt).decode(),
            "data": self._cipher(salt).encrypt(json.dumps(data).encode()).decode(),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".keys-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:  # mkstemp creates it 0600
                json.dump(envelope, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
