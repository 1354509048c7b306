"""`demo` and `sandbox`: the whole tool against the simulated portals, nothing real touched."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import secrets
import socket
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from retrievers import display
from retrievers.config import load_config
from retrievers.errors import ConfigError
from retrievers.operations import run_and_report
from retrievers.portals import PORTALS as PORTALS_BY_ID
from retrievers.results import exit_code
from retrievers.status import status_rows, status_text
from sandbox import (
    DEFAULT_LATENCY,
    DEMO_ACCOUNTS,
    DEMO_MAILBOX,
    EXTRA_DEMO_ACCOUNTS,
    MAIL_DEMO_ACCOUNTS,
    PORTALS,
    Sandbox,
    serve,
)
from sandbox.mailserver import MailServer

DEMO_CARDIF = next(a for a in EXTRA_DEMO_ACCOUNTS if a["portal"] == "cardif")
DEMO_O2S = next(a for a in EXTRA_DEMO_ACCOUNTS if a["portal"] == "o2s")


def account_entry(demo: dict[str, Any], password_env: str | None) -> dict[str, Any]:
    """The configuration's account for a sandbox account, its password read from password_env
    (portals that answer by e-mail have no login: their request form's answers instead)."""
    account: dict[str, Any] = {"name": demo["name"], "portal": demo["portal"]}
    if "request" in demo:
        account["options"] = {"request": demo["request"]}
    else:
        account.update(username=demo["username"], password_env=password_env)
    if demo.get("siret"):
        account["siret"] = demo["siret"]
    return account


def demo_config(
    sandbox: Sandbox,
    folder: Path,
    demo_accounts: Sequence[dict[str, Any]] = (*DEMO_ACCOUNTS, DEMO_CARDIF),
    o2s: dict[str, Any] | None = DEMO_O2S,
    extra: dict[str, Any] | None = None,
    mail: MailServer | None = None,
) -> tuple[Path, dict[str, str]]:
    """A configuration for sandbox accounts (top-level `extra` entries replace the defaults),
    and the environment it reads passwords from; `mail`: the IMAP server of DEMO_MAILBOX."""
    env = {"KEY_RETRIEVER_STORE_PASSPHRASE": secrets.token_urlsafe(24)}
    accounts = []
    for i, demo in enumerate(demo_accounts):
        variable = None
        if "password" in demo:
            variable = f"DEMO_{demo['portal'].upper()}_{i}_PASSWORD"
            env[variable] = demo["password"]
        account = account_entry(demo, variable)
        if demo["portal"] == "cardif" and o2s is not None:
            # The adviser's O2S takes the TOKEN and the Code Apporteur after each change.
            env["DEMO_O2S_PASSWORD"] = o2s["password"]
            account["options"] = {"o2s": {"base_url": sandbox.base_url("o2s"),
                                          "username": o2s["username"],
                                          "password_env": "DEMO_O2S_PASSWORD"}}
        accounts.append(account)
    config: dict[str, Any] = {
        "store": {"backend": "file", "path": str(folder / "keys.enc")},
        "portals": {p: {"base_url": sandbox.base_url(p)} for p in PORTALS},
        "accounts": accounts,
        "artifacts_dir": str(folder / "artifacts"),
        "retry": {"attempts": 2, "wait_seconds": 1},
    }
    if mail is not None:
        env["DEMO_MAILBOX_PASSWORD"] = DEMO_MAILBOX["password"]
        config["mailbox"] = {"host": mail.host, "port": mail.port, "security": "none",
                             "username": DEMO_MAILBOX["address"],
                             "password_env": "DEMO_MAILBOX_PASSWORD"}
    config.update(extra or {})
    path = folder / "key-retriever.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return path, env


def run_demo(rendering: str = "classic") -> int:
    """Every flow against the simulated portals; the e-mail portals' journeys end to end, the
    demo playing the person who answers Constructys' mail."""
    out = display.console()
    with tempfile.TemporaryDirectory(prefix="key-retriever-demo-") as tmp:
        folder = Path(tmp)
        users = {DEMO_MAILBOX["address"]: DEMO_MAILBOX["password"]}
        with MailServer(folder / "imap", users) as mail:
            sandbox = Sandbox(rendering=rendering, mail_dir=mail.root / "mail")
            with sandbox.serve_in_thread(host="127.0.0.1", port=0):
                path, env = demo_config(
                    sandbox, folder, (*DEMO_ACCOUNTS, DEMO_CARDIF, *MAIL_DEMO_ACCOUNTS), mail=mail)
                os.environ.update(env)
                settings = load_config(path)
                out.print(f"Simulated portals on {sandbox.root_url}, their mails on IMAP "
                          f"{mail.host}:{mail.port}; throw-away store in {tmp}")
                results = {(r.portal, r.account): r
                           for r in run_and_report(settings, settings.accounts).results}
                by_mail = [a for a in settings.accounts if PORTALS_BY_ID[a.portal].by_mail]
                out.print("The OPCOs that answer by e-mail have answered the requests: reading "
                          "their mails.")
                results.update(((r.portal, r.account), r)
                               for r in run_and_report(settings, by_mail).results)
                og = next(a for a in MAIL_DEMO_ACCOUNTS if a["portal"] == "constructys")
                sandbox.validate_perimeter(og["request"]["og_siret"])
                out.print("The demo answered Constructys' mail for you (the list of "
                          "establishments is right); Constructys mails the key.")
                results.update(((r.portal, r.account), r) for r in run_and_report(
                    settings, [a for a in by_mail if a.portal == "constructys"]).results)
                out.print(status_text(status_rows(settings)), markup=False, soft_wrap=True)
    return exit_code(list(results.values()))


def serve_sandbox(host: str, port: int, rendering: str = "classic") -> None:
    """Serve until Ctrl-C; a port or address that cannot be used is bad usage (exit 2)."""
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(host, port, DEFAULT_LATENCY, rendering))
    except OSError as exc:
        other = "--port 0 (a free port) or another --port"
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"port {port} on {host} is already in use (another sandbox?): use {other}"
            ) from None
        if exc.errno == errno.EACCES:
            raise ConfigError(
                f"port {port} on {host} is reserved to the administrator: use {other}"
            ) from None
        if exc.errno in (errno.EADDRNOTAVAIL, socket.EAI_NONAME, socket.EAI_AGAIN):
            raise ConfigError(
                f"cannot listen on {host}: it is not an address of this machine "
                "(--host 127.0.0.1 is the default)"
            ) from None
        raise
