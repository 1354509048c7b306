"""Portal passwords and authenticator (TOTP) secrets.

An account reads each from its variable (`password_env`, `totp_env`) when one is configured,
else from the secure store, where `key-retriever credentials set` keeps it as an item of the
account (`<account>#password`, `<account>#totp`) beside its key. Never anywhere else: not in the
state database, not in a child's environment, not in an argument.
"""

from __future__ import annotations

import base64
import binascii

from retrievers.config import AccountConfig
from retrievers.errors import ConfigError
from retrievers.redact import REDACTOR
from retrievers.store import AccountItem, KeyStore

PASSWORD, TOTP = "password", "totp"
WHAT = {PASSWORD: "password", TOTP: "authenticator secret"}


def _item(store: KeyStore, account: AccountConfig, secret: str) -> AccountItem:
    return AccountItem(store, account.portal, account.name, secret)


def _variable(account: AccountConfig, secret: str) -> str | None:
    return account.password_env if secret == PASSWORD else account.totp_env


def checked(secret: str, value: str) -> str:
    """The value as typed, refused before anything is stored when it cannot be right."""
    value = value.strip()
    if not value or "\n" in value:
        raise ConfigError(f"no {WHAT[secret]} given, or several lines: give it alone, on one line")
    REDACTOR.add(value)
    if secret == TOTP:
        compact = value.replace(" ", "").upper()
        try:
            base64.b32decode(compact + "=" * (-len(compact) % 8))
        except binascii.Error:
            raise ConfigError("the authenticator secret is not base32 (letters A-Z and digits "
                              "2-7, as the portal shows it beside its QR code)") from None
        return compact
    return value


def save(store: KeyStore, account: AccountConfig, secret: str, value: str) -> None:
    _item(store, account, secret).save(checked(secret, value))


def delete(store: KeyStore, account: AccountConfig, secret: str) -> bool:
    """Remove the stored secret; whether there was one."""
    item = _item(store, account, secret)
    had = item.load() is not None
    item.clear()
    return had


def source(store: KeyStore | None, account: AccountConfig, secret: str) -> str | None:
    """Where the account's secret comes from, in the user's words; None: nowhere."""
    variable = _variable(account, secret)
    if variable:
        return f"${variable}"
    if store is not None and _item(store, account, secret).load() is not None:
        return "the secure store"
    return None


def load(store: KeyStore, accounts: list[AccountConfig]) -> None:
    """Before a run: the stored secrets of the accounts that name no variable for them."""
    for account in accounts:
        for secret in (PASSWORD, TOTP):
            if _variable(account, secret) is None:
                value = _item(store, account, secret).load()
                if value is not None:
                    REDACTOR.add(value)
                    account.use_stored(secret, value)


def how_to_change(account: AccountConfig, secret: str = PASSWORD) -> str:
    """How a person gives the tool another value of the secret."""
    variable = _variable(account, secret)
    flag = " --totp" if secret == TOTP else ""
    command = f"`key-retriever credentials set {account.portal} --account {account.name}{flag}`"
    return f"change ${variable}" if variable else command
