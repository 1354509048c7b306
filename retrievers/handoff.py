"""Keys handed to the CFA's software: environment variable names, and the keys to hand."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from retrievers.config import AccountConfig, Settings
from retrievers.errors import RetrievalError
from retrievers.state import StateDB
from retrievers.store import KeyStore


@dataclass(frozen=True)
class HandedKey:
    portal: str
    account: str
    variables: tuple[str, ...]  # CFA_KEY_<PORTAL>_<ACCOUNT>, and CFA_KEY_<PORTAL> if alone
    key: str
    fingerprint: str | None
    expires_at: datetime | None


def _name(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def variable_names(account: AccountConfig, alone: bool) -> tuple[str, ...]:
    """CFA_KEY_ATLAS_CFA_PARIS for account cfa-paris of atlas; CFA_KEY_ATLAS as well when it is
    the portal's only selected account."""
    full = f"CFA_KEY_{_name(account.portal)}_{_name(account.name)}"
    return (f"CFA_KEY_{_name(account.portal)}", full) if alone else (full,)


def stored_keys(settings: Settings, accounts: list[AccountConfig]) -> list[HandedKey]:
    """The stored key of every account; an error naming those that have none (a deployment
    must not go on with half of its keys)."""
    store = KeyStore.from_config(settings.store, create=False)
    facts = {}
    if settings.resolved_state_path().exists():
        state = StateDB(settings.resolved_state_path())
        try:
            facts = state.by_account()
        finally:
            state.close()
    per_portal: dict[str, int] = {}
    for account in accounts:
        per_portal[account.portal] = per_portal.get(account.portal, 0) + 1
    handed, missing = [], []
    for account in accounts:
        key = store.get_key(account.portal, account.name)
        if key is None:
            missing.append(f"{account.portal}/{account.name}")
            continue
        row = facts.get((account.portal, account.name))
        handed.append(HandedKey(
            account.portal, account.name, variable_names(account, per_portal[account.portal] == 1),
            key, row.fingerprint if row else None, row.expires_at if row else None,
        ))
    if missing:
        raise RetrievalError(
            f"no key stored for {', '.join(missing)}: run `key-retriever run` first"
        )
    return handed
