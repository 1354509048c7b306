"""Nothing lost under faults, tried with real processes: killed at the worst moment, stopped by
SIGTERM, two configurations on one store, a slow portal, leftovers of a killed run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from sandbox import Sandbox
from tests.conftest import Setup, finish, start


def status(setup: Setup, portal: str) -> dict:
    rows = json.loads(setup.cli("status", "--json").stdout)
    return next(r for r in rows if r["portal"] == portal)


def browsers_of(setup: Setup) -> list[str]:
    """Chromium processes started by this test's runs (their profile lives in its TMPDIR)."""
    done = subprocess.run(["pgrep", "-af", str(setup.env["TMPDIR"])], capture_output=True,
                          text=True)
    return [line for line in done.stdout.splitlines() if "chromium" in line]


def files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


@pytest.fixture
def private_tmp(make_setup):
    """Runs whose temporary files (Playwright's, Chromium's profile) land in a folder we scan."""

    folders: list[str] = []

    def make(**kw) -> Setup:
        setup = make_setup(**kw)
        # Short: Chromium's profile holds a Unix socket, whose path may not exceed 108 bytes.
        folders.append(tempfile.mkdtemp(prefix="kr-"))
        setup.env["TMPDIR"] = folders[-1]
        return setup

    yield make
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def assert_nothing_leaked(setup: Setup, *secrets: str) -> None:
    texts = setup.everything_written()
    texts += [p.read_bytes().decode("latin-1") for p in files_under(
        Path(setup.env["TMPDIR"]), setup.folder / "key-retriever.downloads")]
    for text in texts:
        for secret in [*secrets, *(a["password"] for a in setup.accounts)]:
            assert secret not in text


@pytest.mark.parametrize("portal", ["ocapiat", "mobilites"])
def test_killed_right_after_the_portal_generated_is_never_reported_ok(
    sandbox: Sandbox, private_tmp, portal: str
) -> None:
    setup = private_tmp(portals=(portal,))
    account = setup.account(portal)
    username, siret = account["username"], account.get("siret")
    first = setup.cli("run", "--force-new")  # a key stored, valid, not due
    assert first.returncode == 0, first.stdout + first.stderr
    stored_before = setup.stored_key(portal)
    replaced = sandbox.hold_after_generate(portal)

    process = start(setup, "run", "--force-new")
    assert replaced.wait(timeout=60), "the portal was never asked for a new key"
    os.killpg(process.pid, signal.SIGKILL)  # the whole group: tool, driver, browser
    finish(setup, process)
    sandbox.hold_after_generate(portal, hold=False)
    portal_key = sandbox.current_key(portal, username, siret)
    assert portal_key != stored_before and setup.stored_key(portal) == stored_before

    row = status(setup, portal)
    assert row["last_outcome"] != "ok" and row["valid"] is False
    shown = setup.cli("status").stdout  # what a person reads: never ok, and what to do
    assert "INVALID: a new key was generated on" in shown and "run again to check" in shown
    assert browsers_of(setup) == []

    generations = sandbox.generation_count(portal, username, siret)
    again = setup.cli("run")
    if portal == "mobilites":
        # It shows a key only by generating one: flagged, with how to get a new one.
        assert again.returncode == 3, again.stdout + again.stderr
        assert "action_needed" in again.stdout and "--force-new" in again.stdout
        assert status(setup, portal)["valid"] is False
        assert sandbox.generation_count(portal, username, siret) == generations
        again = setup.cli("run", "--force-new")
        assert again.returncode == 0, again.stdout + again.stderr
        portal_key = sandbox.current_key(portal, username, siret)
    else:
        # It shows its key: read again, nothing generated.
        assert again.returncode == 0, again.stdout + again.stderr
        assert sandbox.generation_count(portal, username, siret) == generations
    assert setup.stored_key(portal) == portal_key
    row = status(setup, portal)
    assert row["last_outcome"] == "ok" and row["valid"] is True
    assert_nothing_leaked(setup, portal_key, stored_before)


def test_sigterm_lets_a_generated_key_be_stored_then_exits_143(
    sandbox: Sandbox, private_tmp
) -> None:
    setup = private_tmp(portals=("mobilites", "atlas", "opcoep"),
                        extra={"browser": {"concurrency": 1}})
    username, siret = setup.account("mobilites")["username"], setup.account("mobilites")["siret"]
    replaced = sandbox.hold_after_generate("mobilites")

    process = start(setup, "run", "mobilites", "atlas", "opcoep")
    assert replaced.wait(timeout=60)
    process.send_signal(signal.SIGTERM)  # the main process, as systemd's KillMode=mixed does
    sandbox.hold_after_generate("mobilites", hold=False)
    done = finish(setup, process)

    assert done.returncode == 143, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "stopped by SIGTERM" in done.stdout  # the summary says what was done and not done
    assert "interrupted" in done.stdout
    assert setup.stored_key("mobilites") == sandbox.current_key("mobilites", username, siret)
    assert browsers_of(setup) == []
    assert_nothing_leaked(setup, sandbox.current_key("mobilites", username, siret) or "")


def test_two_configurations_sharing_a_store_never_keep_an_invalidated_key(
    sandbox: Sandbox, make_setup, tmp_path: Path
) -> None:
    first = make_setup(portals=("ocapiat",))
    config = yaml.safe_load(first.path.read_text())
    config["state_path"] = str(tmp_path / "other" / "state.sqlite")  # another state location
    second_path = tmp_path / "second.yaml"
    second_path.write_text(yaml.safe_dump(config, allow_unicode=True))
    second = Setup(path=second_path, env=first.env, accounts=first.accounts, folder=tmp_path)
    username = first.account("ocapiat")["username"]
    replaced = sandbox.hold_after_generate("ocapiat")

    one = start(first, "run", "--force-new")
    assert replaced.wait(timeout=60)
    two = finish(second, start(second, "run", "--force-new"))  # while the first one works
    sandbox.hold_after_generate("ocapiat", hold=False)
    done = finish(first, one)

    assert done.returncode == 0, done.stdout + done.stderr
    assert two.returncode == 1 and "busy" in two.stdout and f"pid {one.pid}" in two.stdout
    assert sandbox.generation_count("ocapiat", username) == 1
    assert first.stored_key("ocapiat") == sandbox.current_key("ocapiat", username)


def test_a_slow_portal_is_down_after_its_retries_not_changed(
    sandbox: Sandbox, make_setup
) -> None:
    setup = make_setup(portals=("atlas",), extra={"browser": {"step_timeout_seconds": 2}})
    sandbox.latency = (4.0, 4.0)  # every answer comes after the step timeout

    started = time.monotonic()
    done = setup.cli("run")

    assert done.returncode == 1
    line = next(line for line in done.stdout.splitlines() if "atlas" in line)
    assert "portal_down" in line
    assert "retrying" in done.stderr
    assert time.monotonic() - started < 60


def test_a_killed_run_leaves_no_download_behind(sandbox: Sandbox, private_tmp) -> None:
    setup = private_tmp(portals=("opcoep",))
    leftovers = setup.folder / "key-retriever.downloads" / "999999999"  # a dead process's
    leftovers.mkdir(parents=True)
    (leftovers / "token.txt").write_text("a token left by a killed run")

    done = setup.cli("run")

    assert done.returncode == 0, done.stdout + done.stderr
    assert files_under(setup.folder / "key-retriever.downloads") == []
    token = sandbox.current_key("opcoep", setup.account("opcoep")["username"]) or ""
    assert setup.stored_key("opcoep") == token
    assert_nothing_leaked(setup, token)
    folder = setup.folder / "key-retriever.downloads"
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_changed_label_names_the_step_and_the_label(sandbox: Sandbox, make_setup) -> None:
    """A redesign renames what the seed says to select: the failure says where, in time."""
    setup = make_setup(portals=("ocapiat",), extra={"browser": {"step_timeout_seconds": 4}})
    sandbox.relabel("ocapiat", "Organisme de formation ou CFA", "Prestataire de formation")

    started = time.monotonic()
    done = setup.cli("run")

    assert done.returncode == 1
    flat = " ".join(done.stdout.replace("│", " ").split())
    assert "page_changed" in flat
    assert "step 3. « Organisme de formation ou CFA » → « PartNet »" in flat
    assert "nothing a person could select named « Organisme de formation ou CFA »" in flat
    assert "Timeout" not in flat  # our words, not Playwright's
    assert time.monotonic() - started < 40  # one step timeout, not a retry loop
    shots = list((setup.folder / "artifacts").glob("*-ocapiat-*.png"))
    assert shots and shots[0].stat().st_mode & 0o777 == 0o600


def test_a_run_of_another_portal_goes_on_while_one_is_busy(
    sandbox: Sandbox, make_setup
) -> None:
    setup = make_setup(portals=("ocapiat", "atlas"))
    replaced = sandbox.hold_after_generate("ocapiat")

    one = start(setup, "run", "ocapiat")
    assert replaced.wait(timeout=60)
    other = setup.cli("run", "atlas")  # the same configuration, state and store
    sandbox.hold_after_generate("ocapiat", hold=False)
    done = finish(setup, one)

    assert other.returncode == 0, other.stdout + other.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    for portal in ("atlas", "ocapiat"):
        username = setup.account(portal)["username"]
        assert setup.stored_key(portal) == sandbox.current_key(portal, username)


def test_ctrl_c_stops_with_a_summary_and_no_traceback(sandbox: Sandbox, private_tmp) -> None:
    """Ctrl-C in a terminal reaches the whole process group, Playwright's driver included."""
    setup = private_tmp(portals=("ocapiat", "atlas"), extra={"browser": {"concurrency": 1}})
    replaced = sandbox.hold_after_generate("ocapiat")

    process = start(setup, "run", "ocapiat", "atlas")
    assert replaced.wait(timeout=60)
    os.killpg(process.pid, signal.SIGINT)
    sandbox.hold_after_generate("ocapiat", hold=False)
    done = finish(setup, process)

    assert done.returncode == 130, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "stopped by SIGINT" in done.stdout
    assert status(setup, "ocapiat")["last_outcome"] != "ok" or setup.stored_key(
        "ocapiat") == sandbox.current_key("ocapiat", setup.account("ocapiat")["username"])
    assert browsers_of(setup) == []


def test_a_store_that_fails_after_the_portal_generated_says_so_and_recovers(
    sandbox: Sandbox, make_setup, tmp_path: Path
) -> None:
    store_folder = tmp_path / "store"
    setup = make_setup(portals=("ocapiat",),
                       extra={"store": {"path": str(store_folder / "keys.enc")}})
    username = setup.account("ocapiat")["username"]
    assert setup.cli("run").returncode == 0
    replaced = sandbox.hold_after_generate("ocapiat")

    process = start(setup, "run", "--force-new")
    assert replaced.wait(timeout=60)
    # The store's folder turns read-only (root ignores modes: an immutable folder stops it).
    if subprocess.run(["chattr", "+i", str(store_folder)], capture_output=True).returncode:
        sandbox.hold_after_generate("ocapiat", hold=False)
        finish(setup, process)
        pytest.skip("chattr +i is not available here")
    try:
        sandbox.hold_after_generate("ocapiat", hold=False)
        done = finish(setup, process)
    finally:
        subprocess.run(["chattr", "-i", str(store_folder)], check=True)

    assert done.returncode == 1, done.stdout + done.stderr
    flat = " ".join(done.stdout.replace("│", " ").split())
    assert "store_failed" in flat and "the portal replaced the key" in flat
    assert "Traceback" not in done.stdout + done.stderr
    assert status(setup, "ocapiat")["valid"] is False
    generations = sandbox.generation_count("ocapiat", username)

    again = setup.cli("run")  # the store works again: the key the portal holds is read

    assert again.returncode == 0, again.stdout + again.stderr
    assert sandbox.generation_count("ocapiat", username) == generations
    assert setup.stored_key("ocapiat") == sandbox.current_key("ocapiat", username)


def test_an_answer_slower_than_the_step_after_generate_is_read_not_generated_again(
    sandbox: Sandbox, make_setup
) -> None:
    setup = make_setup(portals=("ocapiat",), extra={"browser": {"step_timeout_seconds": 3}})
    username = setup.account("ocapiat")["username"]
    replaced = sandbox.hold_after_generate("ocapiat")

    process = start(setup, "run")  # no key yet: it generates one
    assert replaced.wait(timeout=60)
    assert process.stderr is not None
    for line in process.stderr:  # the answer never came within the step: retried
        if "retrying" in line:
            break
    sandbox.hold_after_generate("ocapiat", hold=False)
    done = finish(setup, process)

    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox.generation_count("ocapiat", username) == 1  # never generated twice
    assert setup.stored_key("ocapiat") == sandbox.current_key("ocapiat", username)
    assert status(setup, "ocapiat")["valid"] is True
