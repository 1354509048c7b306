"""Every bad input gets its documented exit code and one or two lines that name the file, field,
variable or account and what to do; never a traceback (unless --debug), and nothing attempted."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from keyring.backends import fail

from retrievers.config import AccountConfig, Settings, check_passwords
from retrievers.encrypted_file import EncryptedFileKeyring
from retrievers.errors import ConfigError, KeyStoreError, StoreUnusable
from retrievers.state import StateDB
from retrievers.store import KeyStore
from tests.machine import make_read_only, require_secret_service

KEY = "T9epl6tM2uq3s0Cvlyc7craVqg1-AcL-test"
PASSPHRASE = "correct horse battery staple"
ACCOUNT = {"name": "cfa-paris", "portal": "atlas", "username": "a@cfa.fr",
           "password_env": "KR_TEST_PASSWORD"}
# A browser that cannot start: had anything been attempted, the error would be about Chromium.
NO_BROWSER = {"executable_path": "/nonexistent/chromium-never-started"}


@dataclass
class World:
    """One case's folder, configuration and environment, and what to undo afterwards."""

    tmp: Path
    config: Path
    env: dict[str, str] = field(default_factory=dict)
    undo: list[Callable[[], Any]] = field(default_factory=list)

    @property
    def store(self) -> Path:
        return self.tmp / "store" / "keys.enc"

    @property
    def state(self) -> Path:
        return self.config.parent / "key-retriever.state.sqlite"

    def write_config(self, **changes: Any) -> None:
        config: dict[str, Any] = {
            "store": {"backend": "file", "path": str(self.store)},
            "browser": NO_BROWSER,
            "accounts": [ACCOUNT],
            **changes,
        }
        self.config.write_text(yaml.safe_dump(config))

    def store_a_key(self) -> None:
        EncryptedFileKeyring(self.store, PASSPHRASE).set_password(
            "key-retriever:atlas", "cfa-paris", KEY
        )

    def make_read_only(self, folder: Path) -> None:
        self.undo.append(make_read_only(folder))

    def busy_port(self) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        self.undo.append(listener.close)
        return listener.getsockname()[1]


def cli(world: World, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The CLI as a user runs it, without the developer's own KEY_RETRIEVER_* variables."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KEY_RETRIEVER_")}
    full_env.update({"KR_TEST_PASSWORD": "pw", "KEY_RETRIEVER_STORE_PASSPHRASE": PASSPHRASE,
                     **world.env, **(env or {})})
    return subprocess.run([sys.executable, "-m", "retrievers", *args, "--config",
                           str(world.config)], env=full_env, capture_output=True, text=True,
                          timeout=60, cwd=world.tmp)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp=tmp_path, config=tmp_path / "key-retriever.yaml")
    try:
        yield w
    finally:
        for undo in reversed(w.undo):
            undo()


# -- the table -------------------------------------------------------------------------------
# Each case prepares its bad input and returns the command to run; then it must exit `code`,
# stderr must contain every text of `names` ({config}, {store}, {state} are filled in), no
# text of `not_names`, and the paths of `absent` must not exist (nothing was attempted).


@dataclass
class Case:
    id: str
    prepare: Callable[[World], tuple[str, ...]]
    names: tuple[str, ...]
    code: int = 2
    not_names: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


def _raw_config(text: str | bytes) -> Callable[[World], tuple[str, ...]]:
    def prepare(w: World) -> tuple[str, ...]:
        if isinstance(text, bytes):
            w.config.write_bytes(text)
        else:
            w.config.write_text(text)
        return ("run",)

    return prepare


def _config_is_a_directory(w: World) -> tuple[str, ...]:
    w.config.mkdir()
    return ("run",)


def _damaged_store(damage: Callable[[Path], None]) -> Callable[[World], tuple[str, ...]]:
    def prepare(w: World) -> tuple[str, ...]:
        w.write_config()
        w.store_a_key()
        damage(w.store)
        return ("get", "atlas", "--account", "cfa-paris")

    return prepare


def _truncate(path: Path) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def _drop_salt(path: Path) -> None:
    envelope = json.loads(path.read_text())
    del envelope["salt"]
    path.write_text(json.dumps(envelope))


def _directory_in_its_place(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _wrong_passphrase(w: World) -> tuple[str, ...]:
    w.write_config()
    w.store_a_key()
    w.env["KEY_RETRIEVER_STORE_PASSPHRASE"] = "not the passphrase"
    return ("get", "atlas", "--account", "cfa-paris")


def _bad_env_json(w: World) -> tuple[str, ...]:
    w.write_config()
    w.env["KEY_RETRIEVER_ACCOUNTS"] = "[{"
    return ("run",)


def _corrupt_state(w: World) -> tuple[str, ...]:
    w.write_config()
    w.state.write_text("this is not a database, it only has the same name\n" * 100)
    return ("status",)


def _read_only_config_dir(w: World) -> tuple[str, ...]:
    w.config = w.tmp / "etc" / "key-retriever.yaml"
    w.config.parent.mkdir()
    w.write_config()
    w.make_read_only(w.config.parent)
    return ("run",)  # status only reads: it never creates the state database


def _read_only_store_folder(w: World) -> tuple[str, ...]:
    w.write_config()
    w.store_a_key()
    w.make_read_only(w.store.parent)
    return ("run",)


def _port_in_use(w: World) -> tuple[str, ...]:
    w.write_config()
    port = w.busy_port()
    w.env["BUSY_PORT"] = str(port)  # for the assertion below
    return ("sandbox", "--port", str(port))


def _unknown_account(w: World) -> tuple[str, ...]:
    w.write_config()
    w.store_a_key()
    return ("get", "atlas", "--account", "cfa-lyon")


def _base_url(url: str) -> Callable[[World], tuple[str, ...]]:
    def prepare(w: World) -> tuple[str, ...]:
        w.write_config(portals={"atlas": {"base_url": url}})
        return ("run",)

    return prepare


def _remote_browser(**browser: str) -> Callable[[World], tuple[str, ...]]:
    def prepare(w: World) -> tuple[str, ...]:
        w.write_config(browser=browser)
        return ("run",)

    return prepare


def _empty_password(w: World) -> tuple[str, ...]:
    w.write_config()
    w.env["KR_TEST_PASSWORD"] = ""
    return ("run",)


def _mistyped_store(command: tuple[str, ...]) -> Callable[[World], tuple[str, ...]]:
    def prepare(w: World) -> tuple[str, ...]:
        w.store_a_key()  # the real store: keys.enc; the configuration says keys.enx
        w.write_config(store={"backend": "file", "path": str(w.store.with_suffix(".enx"))})
        return command

    return prepare


def _mistyped_store_with_keys_recorded(w: World) -> tuple[str, ...]:
    prepare = _mistyped_store(("status",))
    command = prepare(w)
    StateDB(w.state).close()
    with sqlite3.connect(w.state) as db:
        db.execute("INSERT INTO accounts (portal, account, fingerprint) "
                   "VALUES ('atlas', 'cfa-paris', '0123456789ab')")
    return command


OPCO2I_ACCOUNT = {"name": "cfa-paris", "portal": "opco2i", "options": {"request": {
    "siren": "794528166", "cfa_name": "CFA Paris", "recipient_name": "Camille Martin",
    "recipient_email": "cle@cfa-paris.fr", "phone": "0102030405", "software": "Ypareo"}}}
MAILBOX = {"host": "127.0.0.1", "username": "cle@cfa-paris.fr", "password_env": "KR_MAIL_PW"}


def _mail_portal(**changes: Any) -> Callable[[World], tuple[str, ...]]:
    def prepare(w: World) -> tuple[str, ...]:
        config = {"accounts": [OPCO2I_ACCOUNT],
                  "portals": {"opco2i": {"base_url": "https://forms.office.com/r/abc"}},
                  "mailbox": MAILBOX, **changes}
        w.write_config(**{k: v for k, v in config.items() if v is not None})
        return ("run",)

    return prepare


STATE = "{state}"
TYPO = "{typo}"  # the store path as mistyped in the configuration
CASES = [
    Case("config-top-level-list", _raw_config("- store: {backend: file}\n"),
         ("{config}", "a list", "mapping"), absent=(STATE,)),
    Case("config-top-level-scalar", _raw_config("just a sentence\n"),
         ("{config}", "single value", "mapping"), absent=(STATE,)),
    Case("config-not-utf8", _raw_config(b"accounts: []\n# caf\xe9 cr\xe8me\n"),
         ("{config}", "not UTF-8", "line 2"), absent=(STATE,)),
    Case("config-is-a-directory", _config_is_a_directory, ("{config}", "is a directory"),
         not_names=("does not exist",)),
    Case("store-truncated", _damaged_store(_truncate), ("{store}", "corrupt", "not JSON"),
         not_names=("passphrase",)),
    Case("store-empty", _damaged_store(lambda p: p.write_bytes(b"")),
         ("{store}", "corrupt", "empty"), not_names=("passphrase",)),
    Case("store-without-salt", _damaged_store(_drop_salt), ("{store}", "corrupt", "salt"),
         not_names=("passphrase",)),
    Case("store-not-json", _damaged_store(lambda p: p.write_text("keys: none\n")),
         ("{store}", "corrupt", "not JSON"), not_names=("passphrase",)),
    Case("store-unreadable", _damaged_store(_directory_in_its_place),
         ("{store}", "unreadable", "Is a directory"), not_names=("passphrase",)),
    Case("store-wrong-passphrase", _wrong_passphrase,
         ("{store}", "wrong KEY_RETRIEVER_STORE_PASSPHRASE"), not_names=("corrupt",)),
    Case("env-bad-json", _bad_env_json, ("KEY_RETRIEVER_ACCOUNTS", "not valid JSON"),
         absent=(STATE,)),
    Case("state-db-corrupt", _corrupt_state,
         ("{state}", "no secret", "move it aside")),
    Case("config-dir-read-only", _read_only_config_dir, ("{state}", "state_path")),
    Case("store-folder-read-only", _read_only_store_folder,
         ("{store}", "not writable", "nothing was attempted"), absent=(STATE,)),
    Case("sandbox-port-in-use", _port_in_use, ("port {port}", "already in use", "--port 0")),
    Case("get-unknown-account", _unknown_account,
         ("'cfa-lyon'", "known accounts: cfa-paris", "{config}")),
    Case("base-url-newline", _base_url("https://myatlas.opco-atlas.fr/\nlogin"),
         ("portals.atlas.base_url", "line break"), absent=(STATE,)),
    Case("base-url-space", _base_url("https://myatlas opco-atlas.fr/"),
         ("portals.atlas.base_url", "space"), absent=(STATE,)),
    Case("base-url-control-character", _base_url("https://myatlas.opco-atlas.fr/\x07"),
         ("portals.atlas.base_url", "control character"), absent=(STATE,)),
    Case("base-url-no-host", _base_url("https:///login"),
         ("portals.atlas.base_url", "no host"), absent=(STATE,)),
    Case("playwright-url-not-websocket", _remote_browser(playwright_url="http://pool:3000/"),
         ("browser.playwright_url", "ws(s)://"), absent=(STATE,)),
    Case("two-remote-browsers", _remote_browser(cdp_url="http://pool:9222",
                                                playwright_url="ws://pool:3000/"),
         ("browser.cdp_url or browser.playwright_url, not both",), absent=(STATE,)),
    Case("password-variable-empty", _empty_password,
         ("accounts[0].password_env", "KR_TEST_PASSWORD is set but empty"),
         not_names=("not set",), absent=(STATE,)),
    Case("mail-portal-without-mailbox", _mail_portal(mailbox=None),
         ("mailbox", "sends its key by e-mail"), absent=(STATE,)),
    Case("mail-portal-without-form-address", _mail_portal(portals=None),
         ("portals.opco2i.base_url", "needed"), absent=(STATE,)),
    Case("mailbox-password-variable-unset", _mail_portal(),
         ("mailbox.password_env", "KR_MAIL_PW is not set", "the mailbox's password"),
         absent=(STATE,)),
    Case("mail-portal-siren-too-short", _mail_portal(accounts=[
        {**OPCO2I_ACCOUNT, "options": {"request": {
            **OPCO2I_ACCOUNT["options"]["request"], "siren": "12345"}}}]),
         ("accounts[0].options.request.siren", "a SIREN is 9 digits"), absent=(STATE,)),
    Case("login-portal-without-username", lambda w: (w.write_config(accounts=[
        {"name": "cfa-paris", "portal": "atlas", "password_env": "KR_TEST_PASSWORD"}]), "run")[1:],
         ("accounts[0].username", "required for portal atlas"), absent=(STATE,)),
    Case("get-mistyped-store-path", _mistyped_store(("get", "atlas", "--account", "cfa-paris")),
         (TYPO, "does not exist"), absent=(TYPO,)),
    Case("status-mistyped-store-path-with-keys", _mistyped_store_with_keys_recorded,
         (TYPO, "does not exist"), absent=(TYPO,)),
    Case("status-missing-store-before-any-run", _mistyped_store(("status",)),
         (TYPO, "does not exist yet"), code=0, absent=(TYPO,)),
]


def _fill(text: str, w: World) -> str:
    return text.format(config=w.config, store=w.store, state=w.state,
                       typo=w.store.with_suffix(".enx"), port=w.env.get("BUSY_PORT", ""))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_named_without_a_traceback(world: World, case: Case) -> None:
    args = case.prepare(world)
    done = cli(world, *args)

    output = done.stdout + done.stderr
    assert done.returncode == case.code, output
    assert "Traceback" not in output
    for text in case.names:
        assert _fill(text, world) in done.stderr, done.stderr
    for text in case.not_names:
        assert _fill(text, world) not in done.stderr, done.stderr
    said = [line for line in done.stderr.strip().splitlines() if not line.startswith("{")]
    assert len(said) <= 2, done.stderr  # short enough to read (JSON log records aside)
    assert "chromium" not in done.stderr.lower()  # nothing attempted: no browser
    for path in case.absent:
        assert not Path(_fill(path, world)).exists(), f"{path} was created"


def test_https_in_capitals_is_a_valid_base_url(world: World) -> None:
    world.write_config(portals={"atlas": {"base_url": "HTTPS://MyAtlas.opco-atlas.fr/login"}})
    done = cli(world, "status", "--json")
    assert done.returncode == 0, done.stderr


def test_debug_shows_the_traceback(world: World) -> None:
    world.config.write_text("- a list\n")
    for args in (("--debug", "run"), ("run", "--debug")):  # before or after the command
        done = cli(world, *args)
        assert done.returncode == 2
        assert "Traceback (most recent call last)" in done.stderr
        assert "holds a list" in done.stderr


def test_explicit_log_json_keeps_the_traceback_in_the_log(world: World) -> None:
    world.config.write_text("- a list\n")
    done = cli(world, "run", "--log-json")
    assert done.returncode == 2
    logged = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert any("Traceback" in entry.get("exception", "") for entry in logged)


# -- check_passwords at scale ----------------------------------------------------------------


def test_ten_thousand_accounts_are_checked_in_well_under_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KR_TEST_PASSWORD", "pw")
    monkeypatch.delenv("KR_UNSET_PASSWORD", raising=False)
    accounts = [AccountConfig(**{**ACCOUNT, "name": f"cfa-{i}"}) for i in range(10_000)]
    accounts[-1] = AccountConfig(**{**ACCOUNT, "name": "cfa-last",
                                    "password_env": "KR_UNSET_PASSWORD"})
    settings = Settings.model_construct(accounts=accounts)

    started = time.perf_counter()
    check_passwords(settings, accounts[:-1])
    with pytest.raises(ConfigError, match=r"accounts\[9999\]\.password_env"):
        check_passwords(settings, accounts)
    assert time.perf_counter() - started < 1.0


# -- file modes ------------------------------------------------------------------------------


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The modes must not depend on the caller's umask (the CLI sets 0077, tests and
    library users may not)."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_state_database_is_private(tmp_path: Path, loose_umask: None) -> None:
    path = tmp_path / "new" / "deeper" / "key-retriever.state.sqlite"
    StateDB(path).close()

    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "new" / "deeper").stat().st_mode & 0o777 == 0o700
    # SQLite gives its journal the database's mode: look at one during a write.
    with sqlite3.connect(path) as db:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO accounts (portal, account) VALUES ('atlas', 'x')")
        journal = path.with_name(path.name + "-journal")
        assert journal.stat().st_mode & 0o777 == 0o600


def test_encrypted_store_folder_is_private(tmp_path: Path, loose_umask: None) -> None:
    path = tmp_path / "var" / "key-retriever" / "keys.enc"
    EncryptedFileKeyring(path, PASSPHRASE).set_password("key-retriever:atlas", "a", KEY)

    assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600


# -- the store file: damage told apart from a wrong passphrase ---------------------------------


def test_unreadable_store_file_is_not_a_wrong_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EACCES itself (root reads any file, so it is simulated here)."""
    path = tmp_path / "keys.enc"
    EncryptedFileKeyring(path, PASSPHRASE).set_password("key-retriever:atlas", "a", KEY)

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setenv("KEY_RETRIEVER_STORE_PASSPHRASE", PASSPHRASE)
    from retrievers.config import StoreConfig

    with pytest.raises(StoreUnusable, match="unreadable: Permission denied") as raised:
        KeyStore.from_config(StoreConfig(backend="file", path=path))
    assert str(path) in str(raised.value) and "passphrase" not in str(raised.value)


# -- check_writable --------------------------------------------------------------------------


def test_check_writable_passes_and_leaves_nothing_behind(tmp_path: Path) -> None:
    store = KeyStore(EncryptedFileKeyring(tmp_path / "new" / "keys.enc", PASSPHRASE), "test")
    store.check_writable()
    assert list(tmp_path.iterdir()) == []  # not even the store's folder

    store.put_key("atlas", "a", KEY)
    store.check_writable()
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["keys.enc", "keys.enc.lock"]


def test_check_writable_refuses_a_store_under_a_file(tmp_path: Path) -> None:
    """A parent that is a regular file: root cannot create the folder either."""
    (tmp_path / "var").write_text("not a folder")
    store = KeyStore(EncryptedFileKeyring(tmp_path / "var" / "keys.enc", PASSPHRASE),
                     "encrypted file X")
    expected = r"not writable \(encrypted file X\): .*var is not a folder.*nothing was attempted"
    with pytest.raises(StoreUnusable, match=expected):
        store.check_writable()


def test_check_writable_refuses_a_read_only_folder(world: World) -> None:
    world.store_a_key()
    world.make_read_only(world.store.parent)
    store = KeyStore(EncryptedFileKeyring(world.store, PASSPHRASE), f"encrypted file {world.store}")

    with pytest.raises(StoreUnusable) as raised:
        store.check_writable()
    message = str(raised.value)
    assert str(world.store) in message and "not writable" in message
    assert "nothing was attempted" in message


def test_check_writable_on_the_secret_service() -> None:
    require_secret_service()
    from retrievers.config import StoreConfig

    KeyStore.from_config(StoreConfig(backend="system")).check_writable()


def test_check_writable_probes_other_keyrings() -> None:
    memory = _MemoryKeyring()
    KeyStore(memory, "memory").check_writable()  # type: ignore[arg-type]
    assert memory.items == {}  # the probe item was deleted

    with pytest.raises(StoreUnusable, match=r"secure store is not writable \(OS keyring fail"):
        KeyStore(fail.Keyring(), "OS keyring fail.Keyring").check_writable()


# -- put_key tries again ---------------------------------------------------------------------


class _MemoryKeyring:
    """Enough of a keyring backend for KeyStore; fails its first `failures` writes."""

    def __init__(self, failures: int = 0) -> None:
        self.items: dict[tuple[str, str], str] = {}
        self.failures = failures
        self.writes = 0

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writes += 1
        if self.writes <= self.failures:
            raise OSError("the keyring daemon is busy")
        self.items[service, username] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        del self.items[service, username]


def test_put_key_tries_a_failed_write_again() -> None:
    flaky = _MemoryKeyring(failures=2)
    KeyStore(flaky, "flaky").put_key("atlas", "a", KEY)  # type: ignore[arg-type]
    assert flaky.items == {("key-retriever:atlas", "a"): KEY}

    broken = _MemoryKeyring(failures=99)
    with pytest.raises(KeyStoreError, match=r"3 tries.*daemon is busy") as raised:
        KeyStore(broken, "broken").put_key("atlas", "a", KEY)  # type: ignore[arg-type]
    assert broken.writes == 3
    assert KEY not in str(raised.value)
