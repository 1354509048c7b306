"""`set`: a key a person got from a portal with no automatable procedure (AKTO, Uniformation),
stored like any other so that `status`, `get`, renewal reminders and hooks treat it the same."""

from __future__ import annotations

from datetime import UTC, date, datetime

from retrievers.config import AccountConfig, Settings
from retrievers.errors import ConfigError
from retrievers.locks import AccountLock
from retrievers.redact import REDACTOR
from retrievers.state import StateDB, fingerprint, now
from retrievers.store import KeyStore


def read_key(text: str) -> str:
    """One line, as piped or typed; anything else is refused before it is stored."""
    key = text.strip()
    if not key:
        raise ConfigError("no key given: pipe it in (`... | key-retriever set PORTAL`) or type "
                          "it at the prompt")
    REDACTOR.add(key)
    if "\n" in key or any(c.isspace() for c in key):
        raise ConfigError("the key holds spaces or several lines; give the key alone, on one "
                          "line")
    return key


def store_by_hand(settings: Settings, account: AccountConfig, key: str,
                  expires: date | None) -> str:
    """Store the key (read back), record its facts; returns its fingerprint."""
    expires_at = datetime(expires.year, expires.month, expires.day, tzinfo=UTC) if expires else None
    if expires_at is not None and expires_at <= now():
        raise ConfigError(f"--expires {expires:%Y-%m-%d} is not in the future")
    store = KeyStore.from_config(settings.store)
    store.check_writable()
    state = StateDB(settings.resolved_state_path())
    lock = AccountLock(store, account.portal, account.name)
    lock.acquire()
    try:
        store.put_key(account.portal, account.name, key)
        key_fingerprint = fingerprint(key)
        state.record_key(account.portal, account.name, key_fingerprint=key_fingerprint,
                         expires_at=expires_at, generated=False)
        state.record_outcome(account.portal, account.name, "ok", "key set by hand")
    finally:
        lock.release()
        state.close()
    return key_fingerprint
