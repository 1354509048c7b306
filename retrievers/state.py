"""The local state database: non-secret facts per account, never the key itself."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from retrievers.errors import StateUnusable
from retrievers.redact import REDACTOR

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    portal TEXT NOT NULL,
    account TEXT NOT NULL,
    fingerprint TEXT,
    retrieved_at TEXT,
    generated_at TEXT,
    expires_at TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',
    last_outcome TEXT,
    last_message TEXT,
    last_run_at TEXT,
    first_seen_at TEXT,
    generating_since TEXT,
    deploy_pending TEXT,
    PRIMARY KEY (portal, account)
);
CREATE TABLE IF NOT EXISTS used_mail (
    portal TEXT NOT NULL,
    account TEXT NOT NULL,
    ref TEXT NOT NULL,  -- a hash of a mail's Message-ID or of a link it holds, never the link
    used_at TEXT NOT NULL,
    PRIMARY KEY (portal, account, ref)
);
CREATE TABLE IF NOT EXISTS refusals (
    portal TEXT NOT NULL,
    account TEXT NOT NULL,
    secret TEXT NOT NULL,  -- "password" or "totp"; "locked": the portal locked the account
    digest TEXT,  -- scrypt of the refused secret with `salt`, never the secret
    salt TEXT,
    refused_at TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (portal, account, secret)
)
"""
# Columns added after the first release: (name, type) added to older databases on open.
_ADDED_COLUMNS = (
    ("first_seen_at", "TEXT"), ("generating_since", "TEXT"), ("deploy_pending", "TEXT"),
)
# An account whose run died after its generate click: its stored key is not to be trusted.
INVALID = "invalid"


def _upgrade(db: sqlite3.Connection) -> None:
    present = {row[1] for row in db.execute("PRAGMA table_info(accounts)")}
    for name, kind in _ADDED_COLUMNS:
        if name not in present:
            db.execute(f"ALTER TABLE accounts ADD COLUMN {name} {kind}")


def fingerprint(key: str) -> str:
    """First 12 hex digits of the key's SHA-256: tells keys apart without revealing them."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Refusal:
    at: datetime
    message: str


def _digest(value: str, salt: bytes) -> str:
    # scrypt: a leaked state database does not give a refused password back cheaply.
    return hashlib.scrypt(value.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32).hex()


@dataclass
class AccountState:
    portal: str
    account: str
    fingerprint: str | None = None
    retrieved_at: datetime | None = None
    generated_at: datetime | None = None
    expires_at: datetime | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    last_outcome: str | None = None
    last_message: str | None = None
    last_run_at: datetime | None = None
    first_seen_at: datetime | None = None  # when this key was first read (expiry unknown)
    generating_since: datetime | None = None  # a generate click whose key was never stored
    deploy_pending: str | None = None  # fingerprint of a new key its deploy hook has not taken
    # Not stored here: where its password comes from (`status`), from the configuration.
    password_from: str | None = None

    @property
    def valid(self) -> bool | None:
        """False when the portal may have replaced the stored key; None when none is stored."""
        if self.fingerprint is None:
            return None
        return self.generating_since is None

    def days_left(self, at: datetime | None = None) -> int | None:
        if self.expires_at is None:
            return None
        return (self.expires_at - (at or now())).days

    def as_json(self) -> dict[str, Any]:
        def iso(d: datetime | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "portal": self.portal,
            "account": self.account,
            "fingerprint": self.fingerprint,
            "retrieved_at": iso(self.retrieved_at),
            "generated_at": iso(self.generated_at),
            "expires_at": iso(self.expires_at),
            "days_left": self.days_left(),
            "last_outcome": self.last_outcome,
            "last_message": self.last_message,
            "last_run_at": iso(self.last_run_at),
            "valid": self.valid,
            "generating_since": iso(self.generating_since),
            "deploy_pending": self.deploy_pending is not None,
            "password_from": self.password_from,
            "attributes": self.attributes,
        }


def make_private_dir(folder: Path) -> None:
    """Create `folder` and its missing parents 0700; folders that exist are left as they are.

    The chmod is needed: mkdir's mode goes through the umask, and parents=True ignores it.
    """
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir(mode=0o700, exist_ok=True)
        os.chmod(created, 0o700)


def _create_private_file(path: Path) -> None:
    """An empty file 0600 (an empty file is an empty SQLite database). SQLite gives its
    -journal and -wal files the database's own mode, so they are 0600 too."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600)  # the umask may have taken bits away: keep it usable by its owner
    finally:
        os.close(fd)


def _unwritable(path: Path, why: object) -> StateUnusable:
    return StateUnusable(
        f"cannot create or open the state database {path}: {why}. Set state_path in the "
        "configuration to a file in a folder this user can write (it holds no secret)"
    )


class StateDB:
    def __init__(self, path: Path) -> None:
        """Open (or create, 0600 in a 0700 folder) the database; StateUnusable (exit 2) says
        what to do when it cannot be created or is not a state database."""
        self.path = path
        try:
            make_private_dir(path.parent)
            _create_private_file(path)
            self._db = sqlite3.connect(path)
        except (OSError, sqlite3.Error) as exc:
            raise _unwritable(path, getattr(exc, "strerror", None) or exc) from None
        try:
            self._db.row_factory = sqlite3.Row
            self._db.executescript(_SCHEMA)
            _upgrade(self._db)
            self._db.commit()
        except sqlite3.OperationalError as exc:  # read-only, locked, a directory in its place
            self._db.close()
            raise _unwritable(path, exc) from None
        except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
            self._db.close()
            raise StateUnusable(
                f"the state database {path} is damaged or not a key-retriever database "
                f"({exc}). It holds no secret (keys are in the secure store): move it aside "
                "and run again; a new one is created"
            ) from None

    def close(self) -> None:
        self._db.close()

    def get(self, portal: str, account: str) -> AccountState | None:
        row = self._db.execute(
            "SELECT * FROM accounts WHERE portal = ? AND account = ?", (portal, account)
        ).fetchone()
        return self._from_row(row) if row else None

    def by_account(self) -> dict[tuple[str, str], AccountState]:
        """Every row, by (portal, account): one query for all the accounts of a run."""
        rows = self._db.execute("SELECT * FROM accounts ORDER BY portal, account").fetchall()
        return {(row["portal"], row["account"]): self._from_row(row) for row in rows}

    def record_key(
        self,
        portal: str,
        account: str,
        *,
        key_fingerprint: str,
        expires_at: datetime | None,
        generated: bool,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        at = now().isoformat()
        self._ensure(portal, account)
        self._db.execute(
            """UPDATE accounts SET
                   first_seen_at = CASE WHEN fingerprint IS ? THEN first_seen_at ELSE ? END,
                   deploy_pending = CASE WHEN fingerprint IS ? THEN deploy_pending ELSE ? END,
                   fingerprint = ?, retrieved_at = ?, expires_at = ?,
                   generated_at = CASE WHEN ? THEN ? ELSE generated_at END,
                   attributes = COALESCE(?, attributes), generating_since = NULL
               WHERE portal = ? AND account = ?""",
            (
                key_fingerprint,
                at,
                key_fingerprint,
                key_fingerprint,
                key_fingerprint,
                at,
                expires_at.isoformat() if expires_at else None,
                generated,
                at,
                None if attributes is None else json.dumps(REDACTOR.value(attributes)),
                portal,
                account,
            ),
        )
        self._db.commit()

    def open_intent(self, portal: str, account: str) -> None:
        """Before a click that replaces the portal's key; cleared by `record_key` once the new
        key is stored and read back. Committed at once, so it survives a killed process."""
        at = now().isoformat()
        self._ensure(portal, account)
        self._db.execute(
            """UPDATE accounts SET generating_since = COALESCE(generating_since, ?),
                   last_outcome = ?, last_message = ?, last_run_at = ?
               WHERE portal = ? AND account = ?""",
            (at, INVALID, "a new key was being generated and was not stored yet", at, portal,
             account),
        )
        self._db.commit()

    def close_intent(self, portal: str, account: str) -> None:
        """The portal answered a generate click with a refusal: nothing was replaced."""
        self._db.execute("UPDATE accounts SET generating_since = NULL WHERE portal = ? AND "
                         "account = ?", (portal, account))
        self._db.commit()

    def record_attributes(self, portal: str, account: str, attributes: dict[str, Any]) -> None:
        """Add to (or replace in) the account's non-secret facts."""
        self._ensure(portal, account)
        row = self.get(portal, account)
        merged = {**(row.attributes if row else {}), **REDACTOR.value(attributes)}
        self._db.execute(
            "UPDATE accounts SET attributes = ? WHERE portal = ? AND account = ?",
            (json.dumps(merged), portal, account),
        )
        self._db.commit()

    def mark_deployed(self, portal: str, account: str, key_fingerprint: str) -> None:
        """The deploy hook took this key (or none is configured): nothing pending for it."""
        self._db.execute(
            "UPDATE accounts SET deploy_pending = NULL "
            "WHERE portal = ? AND account = ? AND deploy_pending = ?",
            (portal, account, key_fingerprint),
        )
        self._db.commit()

    def mail_used(self, portal: str, account: str, refs: list[str]) -> bool:
        """Whether any of these references (a mail's, its link's) was used before."""
        marks = ",".join("?" * len(refs))
        return self._db.execute(
            f"SELECT 1 FROM used_mail WHERE portal = ? AND account = ? AND ref IN ({marks})",
            (portal, account, *refs),
        ).fetchone() is not None

    def use_mail(self, portal: str, account: str, refs: list[str]) -> None:
        """Committed before the mail's link is opened: a link that shows a key once is never
        opened twice, even by a run that starts after this one was killed."""
        at = now().isoformat()
        self._db.executemany(
            "INSERT OR IGNORE INTO used_mail (portal, account, ref, used_at) VALUES (?, ?, ?, ?)",
            [(portal, account, ref, at) for ref in refs],
        )
        self._db.commit()

    def record_outcome(self, portal: str, account: str, outcome: str, message: str) -> None:
        self._ensure(portal, account)
        self._db.execute(
            """UPDATE accounts SET last_outcome = ?, last_message = ?, last_run_at = ?
               WHERE portal = ? AND account = ?""",
            (outcome, REDACTOR(message), now().isoformat(), portal, account),
        )
        self._db.commit()

    # -- what a portal refused: never submitted again unchanged ---------------------------
    def record_refusal(self, portal: str, account: str, secret: str, value: str | None,
                       message: str) -> None:
        """The portal refused `value` (the account's password or TOTP secret; None: it locked
        the account). Only a salted scrypt digest of it is kept."""
        salt = os.urandom(16)
        digest = _digest(value, salt) if value is not None else None
        self._db.execute(
            "INSERT OR REPLACE INTO refusals VALUES (?, ?, ?, ?, ?, ?, ?)",
            (portal, account, secret, digest, salt.hex(), now().isoformat(), REDACTOR(message)),
        )
        self._db.commit()

    def refusal(self, portal: str, account: str, secret: str,
                value: str | None = None) -> Refusal | None:
        """The refusal recorded for `secret`, if `value` is the very one refused (or, for a
        locked account, any)."""
        row = self._db.execute(
            "SELECT * FROM refusals WHERE portal = ? AND account = ? AND secret = ?",
            (portal, account, secret),
        ).fetchone()
        if row is None:
            return None
        if row["digest"] is not None and (
            value is None or _digest(value, bytes.fromhex(row["salt"])) != row["digest"]
        ):
            return None
        return Refusal(datetime.fromisoformat(row["refused_at"]), row["message"])

    def clear_refusals(self, portal: str, account: str) -> None:
        """The portal let the account in: what it refused before no longer matters."""
        self._db.execute("DELETE FROM refusals WHERE portal = ? AND account = ?",
                         (portal, account))
        self._db.commit()

    def _ensure(self, portal: str, account: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO accounts (portal, account) VALUES (?, ?)", (portal, account)
        )

    @staticmethod
    def _from_row(row: sqlite3.Row) -> AccountState:
        return AccountState(
            portal=row["portal"],
            account=row["account"],
            fingerprint=row["fingerprint"],
            retrieved_at=_dt(row["retrieved_at"]),
            generated_at=_dt(row["generated_at"]),
            expires_at=_dt(row["expires_at"]),
            attributes=json.loads(row["attributes"]),
            last_outcome=row["last_outcome"],
            last_message=row["last_message"],
            last_run_at=_dt(row["last_run_at"]),
            first_seen_at=_dt(row["first_seen_at"]),
            generating_since=_dt(row["generating_since"]),
            deploy_pending=row["deploy_pending"],
        )
