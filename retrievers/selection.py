"""Which configured accounts a command acts on: by portal, by name, by shard."""

from __future__ import annotations

import hashlib

from retrievers.config import AccountConfig, Settings
from retrievers.errors import ConfigError
from retrievers.logs import log


def in_shard(account: AccountConfig, shard: tuple[int, int]) -> bool:
    """Shard I of N: by a hash of the account's portal and name, so an account stays in its
    shard when others are added or removed (one account belongs to one worker)."""
    index, count = shard
    digest = hashlib.sha256(f"{account.portal}/{account.name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % count == index


def select_accounts(
    settings: Settings,
    portals: tuple[str, ...],
    account: str | None,
    shard: tuple[int, int] | None = None,
) -> list[AccountConfig]:
    chosen = [
        a
        for a in settings.accounts
        if (not portals or a.portal in portals) and (account is None or a.name == account)
    ]
    if shard is not None:
        chosen = [a for a in chosen if in_shard(a, shard)]
        if not chosen:  # a worker with nothing to do is fine: others have it
            log.info("no account in this shard", shard=f"{shard[0]}/{shard[1]}")
            return []
    if not chosen:
        wanted = " ".join(portals) or "any portal"
        named = f" named {account!r}" if account else ""
        raise ConfigError(
            f"no configured account{named} for {wanted} in "
            f"{settings.source_path or 'the configuration'}"
        )
    return chosen


def configured_account(settings: Settings, portal: str, name: str | None) -> AccountConfig:
    """The configured account `name` of `portal` (or its only one)."""
    accounts = [a for a in settings.accounts if a.portal == portal]
    where = settings.source_path or "the configuration"
    if name is None and len(accounts) == 1:
        return accounts[0]
    if name is None:
        raise ConfigError(
            f"{portal} has accounts {', '.join(a.name for a in accounts)}: choose one with "
            "--account" if accounts else
            f"no {portal} account in {where}: add one (`- name: ...` and `portal: {portal}` "
            "under accounts:)"
        )
    for account in accounts:
        if account.name == name:
            return account
    known = ", ".join(a.name for a in accounts) or "none"
    raise ConfigError(f"no account named {name!r} for {portal} in {where} (known: {known})")
