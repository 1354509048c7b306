"""`set`: AKTO and Uniformation keys, got by a person, stored from a pipe or a hidden prompt."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.conftest import Setup

KEY = "AKTO-k3y-Zq81-pX0v-77hTr"


@pytest.fixture
def setup(tmp_path: Path, backend: str) -> Setup:
    accounts = [{"name": "cfa-akto", "portal": "akto"},
                {"name": "cfa-uniformation", "portal": "uniformation"}]
    config = {"store": {"backend": backend, "path": str(tmp_path / "keys.enc")},
              "accounts": accounts, "artifacts_dir": str(tmp_path / "artifacts")}
    path = tmp_path / "key-retriever.yaml"
    path.write_text(yaml.safe_dump(config))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEY_RETRIEVER_")}
    env["KEY_RETRIEVER_STORE_PASSPHRASE"] = "correct horse battery staple"
    if backend == "system":  # the Secret Service is shared by the tests: names of their own
        suffix = tmp_path.name[-8:].replace("_", "-")
        for account in accounts:
            account["name"] += f"-{suffix}"
        path.write_text(yaml.safe_dump(config))
    return Setup(path=path, env=env, accounts=accounts, folder=tmp_path)


def test_a_piped_key_is_stored_and_shown_like_any_other(setup: Setup) -> None:
    expires = (datetime.now(UTC) + timedelta(days=200)).date()

    done = setup.cli("set", "akto", "--expires", f"{expires:%Y-%m-%d}", input=KEY + "\n")

    assert done.returncode == 0, done.stderr
    assert setup.stored_key("akto") == KEY
    status = setup.cli("status", "--json")
    row = next(r for r in yaml.safe_load(status.stdout) if r["portal"] == "akto")
    assert row["expires_at"].startswith(f"{expires:%Y-%m-%d}") and row["days_left"] >= 198
    assert row["last_outcome"] == "ok"
    # A valid key set by hand is kept by run; renew reminds only when it is due.
    run = setup.cli("run", "akto")
    assert run.returncode == 0 and "not_due" in run.stdout
    assert all(KEY not in text for text in setup.everything_written())


def test_a_key_near_its_expiry_calls_for_a_person(setup: Setup) -> None:
    soon = (datetime.now(UTC) + timedelta(days=10)).date()
    assert setup.cli("set", "akto", "--expires", f"{soon:%Y-%m-%d}", input=KEY).returncode == 0

    done = setup.cli("renew", "--json")

    assert done.returncode == 3
    rows = {r["portal"]: r for r in json.loads(done.stdout)}
    assert rows["akto"]["outcome"] == "action_needed"
    assert "key-retriever set akto --account" in rows["akto"]["message"]
    assert rows["uniformation"]["outcome"] == "action_needed"
    assert "no key stored" in rows["uniformation"]["message"]


def test_bad_input_stores_nothing(setup: Setup) -> None:
    for args, given, says in [
        (("set", "akto"), "", "no key given"),
        (("set", "akto"), "two words\n", "spaces or several lines"),
        (("set", "akto", "--expires", "2020-01-31"), KEY, "not in the future"),
        (("set", "akto", "--expires", "31/01/2030"), KEY, "%Y-%m-%d"),
        (("set", "atlas"), KEY, "no atlas account"),
        (("set", "akto", "--account", "nobody"), KEY, "no account named 'nobody'"),
    ]:
        done = setup.cli(*args, input=given)
        assert done.returncode == 2, (args, done.stderr)
        assert says in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert setup.stored_key("akto") is None


def test_a_typed_key_is_asked_twice_never_echoed_nor_in_argv(setup: Setup) -> None:
    """On a terminal: a hidden prompt (no echo), the key typed twice, never an argument."""
    primary, replica = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "retrievers", "set", "akto", "--config", str(setup.path)],
        stdin=replica, stdout=replica, stderr=replica, env=setup.env, close_fds=True,
    )
    os.close(replica)
    seen = b""

    def read_until(text: bytes) -> None:
        nonlocal seen
        while text not in seen:
            chunk = os.read(primary, 1024)  # blocks until the tool writes: no timing guess
            assert chunk, seen
            seen += chunk

    read_until(b"(hidden)")
    cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes()
    os.write(primary, KEY.encode() + b"\n")
    read_until(b"Repeat")
    os.write(primary, KEY.encode() + b"\n")
    read_until(b"stored key")
    assert process.wait(timeout=60) == 0
    os.close(primary)

    assert KEY.encode() not in seen  # the terminal never showed it
    assert KEY.encode() not in cmdline
    assert setup.stored_key("akto") == KEY
