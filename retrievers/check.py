"""`key-retriever check`: everything that can be known before a run, without signing in to any
portal and without touching a key: the store, the secrets' variables, the browser, the mailbox
and each portal's address. One line per fact, with what to do where it does not hold.
"""

from __future__ import annotations

import asyncio
import ssl
import tempfile
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from retrievers import credentials
from retrievers.config import (
    AccountConfig,
    Settings,
    password_missing,
    secret_variables,
    variable_problem,
)
from retrievers.errors import ConfigError, RetrievalError
from retrievers.portals import PORTALS
from retrievers.redact import REDACTOR
from retrievers.store import KeyStore


@dataclass(frozen=True)
class Line:
    what: str
    ok: bool
    detail: str
    fix: str = ""

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def configuration_lines(error: ConfigError) -> list[Line]:
    """A configuration that cannot be read: every problem, each naming its setting."""
    where = f" ({error.source})" if error.source else ""
    return [Line(f"configuration{where}", False, f"{path}: {message}" if path else message,
                 "correct this setting (config.example.yaml shows each one)")
            for path, message in error.problems]


def check(settings: Settings, accounts: list[AccountConfig]) -> list[Line]:
    source = settings.source_path or "the environment"
    lines = [Line("configuration", True, f"{source}: {len(accounts)} account(s) selected")]
    store_line, store = _store(settings)
    lines.append(store_line)
    lines += _variables(settings, accounts)
    lines += _stored_passwords(store, accounts)
    lines.append(asyncio.run(_browser(settings)))
    if settings.mailbox is not None:
        lines.append(_mailbox(settings))
    lines += asyncio.run(_portals(settings, accounts))
    return lines


def _store(settings: Settings) -> tuple[Line, KeyStore | None]:
    """The store's line, and the store when it can be read."""
    fix = ("`store.backend: file` with a store.path in a folder this user can write, and "
           "KEY_RETRIEVER_STORE_PASSPHRASE set; or unlock the system keyring")
    try:
        store = KeyStore.from_config(settings.store, create=True)
    except ConfigError as exc:
        problem = REDACTOR("; ".join(m for _, m in exc.problems))
        return Line("secure store", False, problem, fix), None
    problem = store.probe()
    if problem:
        return Line("secure store", False, f"{store.description}: {REDACTOR(problem)}",
                    fix), store
    path = store.store_file()
    if path is not None and not path.exists():
        return Line("secure store", True, f"{store.description}: created by the first run that "
                                          "stores a key (its folder is writable)"), store
    return Line("secure store", True, f"{store.description}: a test item was written, read "
                                      "back and deleted"), store


def _stored_passwords(store: KeyStore | None, accounts: list[AccountConfig]) -> list[Line]:
    """The accounts that name no password variable: their password is in the store."""
    lines = []
    for account in accounts:
        if not PORTALS[account.portal].logs_in or account.password_env:
            continue
        what = f"password of {account.portal}/{account.name}"
        path = store.store_file() if store else None
        if store is not None and (path is None or path.exists()):
            credentials.load(store, [account])
        problem = password_missing(account)
        lines.append(Line(what, problem is None,
                          problem or "in the secure store (`credentials set`)",
                          credentials.how_to_change(account) if problem else ""))
    return lines


def _variables(settings: Settings, accounts: list[AccountConfig]) -> list[Line]:
    lines = []
    for path, variable, what in secret_variables(settings, accounts):
        problem = variable_problem(variable, what)
        lines.append(Line(f"${variable}", problem is None, problem or f"set ({what}; {path})",
                          f"set {variable} in the environment the job runs in (its "
                          "EnvironmentFile)" if problem else ""))
    return lines


async def _browser(settings: Settings) -> Line:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    from retrievers import browser as browsers

    config = settings.browser
    fix = ("install Chromium's headless shell (scripts/setup.sh does), or set "
           "browser.executable_path")
    async with async_playwright() as playwright:
        try:
            if config.remote:
                browser = await browsers.connect(playwright, config)
                what = f"served at {config.remote}"
                fix = f"start the browser service at {config.remote}, or remove that setting"
            else:
                executable = browsers.find_chromium(config, playwright, headless=config.headless)
                with tempfile.TemporaryDirectory(prefix="key-retriever-check-") as folder:
                    browser = await browsers.launch(playwright, config, headed=False,
                                                    downloads=Path(folder))
                kind = "headless shell" if "headless" in Path(executable).name else "full Chromium"
                what = f"{kind}, {executable}"
        except ConfigError as exc:
            return Line("browser", False, "; ".join(m for _, m in exc.problems), fix)
        except PlaywrightError:
            return Line("browser", False, "the browser did not start or could not be reached",
                        fix)
        version = browser.version
        await browser.close()
    return Line("browser", True, f"Chromium {version} ({what}) starts")


def _mailbox(settings: Settings) -> Line:
    from retrievers.mailbox import Mailbox

    config = settings.mailbox
    assert config is not None
    tls = {"ssl": "TLS", "starttls": "STARTTLS", "none": "no TLS"}[config.security]
    where = (f"{config.username}@{config.host}:{config.resolved_port} ({tls}), "
             f"folder {config.folder}")
    fix = ("check mailbox.host, port, security, username, folder and the password in "
           f"${config.password_env}")
    password = config.password
    if not password:
        return Line("mailbox", False, f"{where}: not tried, ${config.password_env} is not set",
                    fix)
    try:
        Mailbox(config, password, timeout=settings.browser.step_timeout_seconds).check()
    except RetrievalError as exc:
        return Line("mailbox", False, REDACTOR(exc.message), fix)
    return Line("mailbox", True, f"{where}: signed in, folder opened")


async def _portals(settings: Settings, accounts: list[AccountConfig]) -> list[Line]:
    ids = [p for p in PORTALS if any(a.portal == p for a in accounts) and PORTALS[p].automated]
    timeout = settings.browser.step_timeout_seconds
    return list(await asyncio.gather(*(
        asyncio.to_thread(_address, p, settings.base_url(p), timeout) for p in ids)))


def _address(portal: str, url: str, timeout: float) -> Line:
    """The portal's base_url answers (after its redirects), over TLS this machine trusts."""
    what = f"portal {portal}"
    fix = (f"check portals.{portal}.base_url, and that this machine reaches it (network, "
           "proxy, firewall)")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status, final = response.status, response.url
    except urllib.error.HTTPError as exc:
        status, final = exc.code, exc.url
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            return Line(what, False, f"{url}: its certificate is not trusted "
                                     f"({reason.verify_message})",
                        "check the address; if it is right, the machine's trust store lacks "
                        "the portal's certificate authority")
        text = getattr(reason, "strerror", None) or str(reason)
        return Line(what, False, f"{url} did not answer: {text}", fix)
    except (TimeoutError, OSError) as exc:
        return Line(what, False, f"{url} did not answer: {exc.strerror or 'timed out'}", fix)
    moved = f" → {final}" if final != url else ""
    if status >= 500:
        return Line(what, False, f"{url}{moved} answers HTTP {status}: the portal is down", fix)
    return Line(what, True, f"{url}{moved} answers (HTTP {status})")
