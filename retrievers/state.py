"""The local state database: non-secret facts per account, never the key itself."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    PRIMARY KEY (portal, account)
)
"""


def fingerprint(key: str) -> str:
    """First 12 hex digits of the key's SHA-256: tells keys apart without revealing them."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


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
            "attributes": self.attributes,
        }


class StateDB:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.row_factory = sqlite3.Row
        self._db.execute(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def get(self, portal: str, account: str) -> AccountState | None:
        row = self._db.execute(
            "SELECT * FROM accounts WHERE portal = ? AND account = ?", (portal, account)
        ).fetchone()
        return self._from_row(row) if row else None

    def all(self) -> list[AccountState]:
        rows = self._db.execute("SELECT * FROM accounts ORDER BY portal, account").fetchall()
        return [self._from_row(r) for r in rows]

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
            """UPDATE accounts SET fingerprint = ?, retrieved_at = ?, expires_at = ?,
                   generated_at = CASE WHEN ? THEN ? ELSE generated_at END,
                   attributes = ?
               WHERE portal = ? AND account = ?""",
            (
                key_fingerprint,
                at,
                expires_at.isoformat() if expires_at else None,
                generated,
                at,
                json.dumps(REDACTOR.value(attributes or {})),
                portal,
                account,
            ),
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
        )
