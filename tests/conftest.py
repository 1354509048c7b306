"""Shared fixtures: fresh simulated portals per test, configurations, the CLI as a user runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import playwright
import pytest
import yaml

from retrievers.browser import CHROMIUM_FLAGS, system_chromium
from retrievers.demo import account_entry
from sandbox import DEMO_ACCOUNTS, Sandbox
from tests.machine import require, require_secret_service

# The browser library's own words: never in what the tool says (outcomes, logs, summaries).
LIBRARY_WORDS = re.compile(r"\b(Locator|Page|Route|BrowserContext|Browser)\.\w+:|"
                           r"Timeout \d+ms exceeded|waiting for (locator|get_by_|selector)|"
                           r"Traceback \(most recent call last\)")
FLOW_PORTALS = ("atlas", "ocapiat", "opcoep", "mobilites", "afdas", "opcommerce", "sante")
FAST = (0.0, 0.02)


@pytest.fixture
def rendering() -> str:
    """How the simulated portals build their pages; flow tests parametrize it over RENDERINGS."""
    return "classic"


@pytest.fixture
def sandbox(rendering: str) -> Iterator[Sandbox]:
    sb = Sandbox(latency=FAST, rendering=rendering)
    with sb.serve_in_thread(host="127.0.0.1", port=0):
        yield sb


def demo_account(portal: str) -> dict[str, Any]:
    return next(a for a in DEMO_ACCOUNTS if a["portal"] == portal)


@dataclass
class Setup:
    """A configuration file for some sandbox accounts, and the environment a run needs."""

    path: Path
    env: dict[str, str]
    accounts: list[dict[str, Any]]  # name, portal, username, siret, password
    folder: Path
    runs: list[subprocess.CompletedProcess[str]] = field(default_factory=list)

    def account(self, portal: str) -> dict[str, Any]:
        return next(a for a in self.accounts if a["portal"] == portal)

    def cli_args(self, *args: str) -> list[str]:
        # --config right after the command (`credentials set`: after its subcommand): what
        # follows `--` (exec) is another program's.
        words = 2 if args[:1] == ("credentials",) else 1
        return [sys.executable, "-m", "retrievers", *args[:words], "--config", str(self.path),
                *args[words:]]

    def cli(
        self, *args: str, input: str | None = None, prefix: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*prefix, *self.cli_args(*args)],
            env=self.env, capture_output=True, text=True, timeout=300, input=input,
        )
        self.runs.append(done)
        assert_in_our_words(done)
        return done

    def stored_key(self, portal: str) -> str | None:
        done = self.cli("get", portal, "--account", self.account(portal)["name"])
        return done.stdout.strip() if done.returncode == 0 else None

    def stored_keys(self) -> dict[str, str]:
        """Each portal's stored key, as `export --format json` hands them to the CFA's software:
        one process for all (each run of the CLI derives the store's key anew)."""
        done = self.cli("export", "--format", "json")
        assert done.returncode == 0, done.stdout + done.stderr
        return {row["portal"]: row["key"] for row in json.loads(done.stdout)}

    def everything_written(self) -> list[str]:
        """Every output, log, state row and artifact the tool produced (not the key store, nor
        `get` and `export`, which print keys)."""
        texts = [r.stdout + r.stderr for r in self.runs
                 if "get" not in r.args and "export" not in r.args]
        state = self.folder / "key-retriever.state.sqlite"
        if state.exists():
            with sqlite3.connect(state) as db:
                texts += [repr(row) for row in db.execute("SELECT * FROM accounts")]
            texts.append(state.read_bytes().decode("latin-1"))
        for artifact in (self.folder / "artifacts").glob("*"):
            texts.append(artifact.read_bytes().decode("latin-1"))
        texts.append(self.path.read_text())
        return texts


def start(setup: Setup, *args: str) -> subprocess.Popen[str]:
    """The CLI in a process group of its own, as a scheduler would start it."""
    return subprocess.Popen(
        [sys.executable, "-m", "retrievers", *args, "--config", str(setup.path)],
        env=setup.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )


def finish(setup: Setup, process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = process.communicate(timeout=120)
    done = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    setup.runs.append(done)
    assert_in_our_words(done)
    return done


def assert_in_our_words(done: subprocess.CompletedProcess[str]) -> None:
    """Every run of the suite, failures included: no library message, no traceback (except
    where --debug asks for one)."""
    if "--debug" in done.args:
        return
    found = LIBRARY_WORDS.search(done.stdout + done.stderr)
    assert found is None, f"the library's words reached the user: {found.group(0)!r} in\n" \
        f"{done.stdout}{done.stderr}"


@pytest.fixture
def make_setup(sandbox: Sandbox, tmp_path: Path):
    def make(
        portals: tuple[str, ...] = FLOW_PORTALS,
        backend: str = "file",
        extra: dict[str, Any] | None = None,
        passwords: dict[str, str] | None = None,
    ) -> Setup:
        suffix = uuid.uuid4().hex[:6]  # the Secret Service is shared by the tests
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEY_RETRIEVER_")}
        env["KEY_RETRIEVER_STORE_PASSPHRASE"] = "correct horse battery staple"
        accounts, config_accounts = [], []
        for portal in portals:
            demo = demo_account(portal)
            variable = f"PW_{portal.upper()}"
            env[variable] = (passwords or {}).get(portal, demo["password"])
            account = account_entry({**demo, "name": f"cfa-{portal}-{suffix}"}, variable)
            config_accounts.append(account)
            accounts.append({**account, "password": demo["password"]})
        config: dict[str, Any] = {
            "store": {"backend": backend, "path": str(tmp_path / "keys.enc")},
            "browser": {"step_timeout_seconds": 15},
            "retry": {"attempts": 2, "wait_seconds": 0.2},
            "portals": {p: {"base_url": sandbox.base_url(p)} for p in FLOW_PORTALS},
            "accounts": config_accounts,
            "artifacts_dir": str(tmp_path / "artifacts"),
        }
        for key, value in (extra or {}).items():
            config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
        path = tmp_path / "key-retriever.yaml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
        return Setup(path=path, env=env, accounts=accounts, folder=tmp_path)

    return make


@pytest.fixture(params=["file", "system"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "system":
        require_secret_service()
    return request.param


class _Inbox(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    """A JSON webhook on 127.0.0.1 that keeps what it is sent (Apprise's json:// target)."""
    inbox = type("Inbox", (_Inbox,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), inbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"json://127.0.0.1:{server.server_address[1]}/alerts", inbox.received
    server.shutdown()


def chromium_with_remote_debugging(*prefix: str) -> Iterator[str]:
    """A Chromium started with remote debugging (as a browser pool serves one): yields the URL
    for browser.cdp_url. `prefix` runs it visible on a virtual screen (xvfb-run -a)."""
    profile = tempfile.mkdtemp(prefix="kr-cdp-")
    process = subprocess.Popen(
        [*prefix, "/usr/bin/chromium", *([] if prefix else ["--headless"]), "--no-sandbox",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "about:blank"],
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    assert process.stderr is not None
    for line in process.stderr:  # Chromium says where it listens before anything else
        found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
        if found:
            break
    else:
        pytest.fail("Chromium did not start its remote debugging")
    # Keep reading what it says: a full pipe would stop Chromium mid-test.
    threading.Thread(target=process.stderr.read, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{found.group(1)}"
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # xvfb-run's Xvfb too
        process.wait()
        shutil.rmtree(profile, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first: started last, the simulated year alone (four minutes) would
    keep one worker busy after all the others are done."""
    def seconds(item: pytest.Item) -> float:
        long = item.get_closest_marker("long")
        return long.args[0] if long else 0

    items.sort(key=seconds, reverse=True)


@pytest.fixture
def headed_chromium() -> Iterator[str]:
    """A visible Chromium on a virtual screen, whose window the test acts in as a person would
    (remote debugging); the tool drives it through browser.cdp_url."""
    xvfb_run = shutil.which("xvfb-run")
    require(xvfb_run is not None, "xvfb-run missing: scripts/setup.sh --test installs it")
    yield from chromium_with_remote_debugging(str(xvfb_run), "-a")


# Playwright's own Node package (the Python package ships it with its Node) serves a browser
# over Playwright's protocol, as a browser pool that speaks it does.
_LAUNCH_SERVER = """
const [pkg, options] = process.argv.slice(1);
require(pkg).chromium.launchServer(JSON.parse(options))
  .then(server => console.log(server.wsEndpoint()));
"""


def playwright_server() -> Iterator[str]:
    """A Playwright server with a headless Chromium of its own: yields its ws:// endpoint for
    browser.playwright_url."""
    driver = Path(playwright.__file__).parent / "driver"
    options = {"executablePath": system_chromium(headless=True), "args": CHROMIUM_FLAGS,
               "host": "127.0.0.1", "port": 0}
    process = subprocess.Popen(
        [str(driver / "node"), "-e", _LAUNCH_SERVER, str(driver / "package"),
         json.dumps(options)],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    assert process.stdout is not None
    endpoint = process.stdout.readline().strip()  # printed once the browser is up
    try:
        if not endpoint.startswith("ws://"):
            pytest.fail(f"the Playwright server did not start: {endpoint!r}")
        yield endpoint
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
