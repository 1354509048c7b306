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
import binascii
import functools
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

from retrievers.state import make_private_dir

_FORMAT = "key-retriever-encrypted-file/1"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_ENV_PATH = "KEY_RETRIEVER_STORE__PATH"
_ENV_PASSPHRASE = "KEY_RETRIEVER_STORE_PASSPHRASE"
_SALT_BYTES = 16
# A Fernet token: version (1) + timestamp (8) + IV (16) + ciphertext (16·n, n ≥ 1) + HMAC (32).
_TOKEN_OVERHEAD = 1 + 8 + 16 + 32


class StoreFileError(KeyringError):
    """The store file cannot be used as it is: retrying will not help."""


class StoreCorrupt(StoreFileError):
    def __init__(self, path: Path, why: str) -> None:
        super().__init__(
            f"the encrypted store {path} is corrupt: {why}. Restore it from a backup, or move "
            "it aside to start a new store (its keys must then be retrieved again)"
        )


class StoreUnreadable(StoreFileError):
    def __init__(self, path: Path, why: str) -> None:
        super().__init__(
            f"the encrypted store {path} is unreadable: {why}. It must be a file that this "
            "user can read and write"
        )


class WrongPassphrase(StoreFileError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"cannot decrypt {path}: wrong {_ENV_PASSPHRASE} (or the file was altered)"
        )


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
        # The last items decrypted, and the file they came from: read again only once it
        # changed (a write replaces the file; chmod changes its ctime), not at every lookup.
        self._read_from: os.stat_result | None = None
        self._items: dict[str, dict[str, str]] = {}

    # -- keyring API -------------------------------------------------------------------------
    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        # Before the lock: filelock would create the folder with the umask's mode.
        make_private_dir(self.path.parent)  # 0700: only this user lists or replaces the store
        with self._lock:
            data = self._copy()
            data.setdefault(service, {})[username] = password
            self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            data = self._copy()
            if username not in data.get(service, {}):
                raise PasswordDeleteError(f"no such item: {service} / {username}")
            del data[service][username]
            self._write(data)

    # -- file format -------------------------------------------------------------------------
    def _cipher(self, salt: bytes) -> Fernet:
        if self._fernet is None or self._salt != salt:
            self._fernet, self._salt = Fernet(_derived_key(self._passphrase, salt)), salt
        return self._fernet

    def _read(self) -> dict[str, dict[str, str]]:
        """The decrypted items (not to be changed: see _copy); {} when the file does not exist
        yet. A damaged file is told
        apart from a wrong passphrase, as far as the format allows (see _token_intact)."""
        try:
            seen = self.path.stat()
            if not _same_file(seen, self._read_from):
                self._items, self._read_from = self._decrypt(self.path.read_bytes()), seen
        except FileNotFoundError:
            return {}
        except OSError as exc:  # permissions, a directory in its place, an I/O error
            raise StoreUnreadable(self.path, exc.strerror or str(exc)) from None
        return self._items

    def _copy(self) -> dict[str, dict[str, str]]:
        return {service: dict(items) for service, items in self._read().items()}

    def _decrypt(self, raw: bytes) -> dict[str, dict[str, str]]:
        if not raw.strip():
            raise StoreCorrupt(self.path, "the file is empty")
        try:
            envelope = json.loads(raw)
        except ValueError:
            raise StoreCorrupt(self.path, "it is not JSON (cut short or overwritten?)") from None
        if not isinstance(envelope, dict) or envelope.get("format") != _FORMAT:
            raise StoreCorrupt(self.path, "it is not a key-retriever encrypted store")
        try:
            salt = base64.b64decode(envelope["salt"], validate=True)
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise StoreCorrupt(self.path, "its salt is missing or damaged") from None
        token = envelope.get("data")
        if len(salt) != _SALT_BYTES or not isinstance(token, str):
            raise StoreCorrupt(self.path, "its salt or its encrypted data is missing")
        if not _token_intact(token):
            raise StoreCorrupt(self.path, "its encrypted data is cut short or damaged")
        try:
            plain = self._cipher(salt).decrypt(token.encode())
        except InvalidToken:
            raise WrongPassphrase(self.path) from None
        try:
            data = json.loads(plain)
        except ValueError:
            raise StoreCorrupt(self.path, "its decrypted content is not JSON") from None
        if not isinstance(data, dict):
            raise StoreCorrupt(self.path, "its decrypted content is not a set of items")
        return data

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        salt = self._salt or os.urandom(16)
        envelope = {
            "format": _FORMAT,
            "kdf": {"name": "scrypt", **_SCRYPT},
            "salt": base64.b64encode(salt).decode(),
            "data": self._cipher(salt).encrypt(json.dumps(data).encode()).decode(),
        }
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


@functools.lru_cache(maxsize=4)
def _derived_key(passphrase: bytes, salt: bytes) -> bytes:
    """scrypt costs 0.1 s by design: once per passphrase and salt in a process that opens its
    store again and again (a service, the tests' simulated year), not each time."""
    return base64.urlsafe_b64encode(Scrypt(salt=salt, length=32, **_SCRYPT).derive(passphrase))


def _same_file(now: os.stat_result, before: os.stat_result | None) -> bool:
    return before is not None and (now.st_ino, now.st_ctime_ns, now.st_mtime_ns, now.st_size) == (
        before.st_ino, before.st_ctime_ns, before.st_mtime_ns, before.st_size)


def _token_intact(token: str) -> bool:
    """Whether a Fernet token has a well-formed shape. Fernet cannot tell a wrong key from a
    damaged token (both fail the HMAC); a shape that is wrong is damage, not a passphrase."""
    try:
        raw = base64.urlsafe_b64decode(token.encode())
    except (ValueError, binascii.Error):
        return False
    body = len(raw) - _TOKEN_OVERHEAD
    return raw[:1] == b"\x80" and body >= 16 and body % 16 == 0
