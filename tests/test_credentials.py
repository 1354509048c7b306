"""Portal passwords in the secure store (`credentials`), a refused password never submitted
again unchanged, a locked account left to a person, and a portal that wants a new password."""

from __future__ import annotations

import json
import re
import subprocess

import pexpect
import pytest
import yaml
from playwright.sync_api import Playwright, expect

from sandbox import RENDERINGS, Sandbox
from tests.conftest import Setup
from tests.machine import require_secret_service

NEW_PASSWORD = "Nouveau-mot-de-passe-2026"


def _stored_credentials_only(setup: Setup) -> tuple[str, str]:
    """The Atlas account names no password variable: its password must come from the store.
    Returns its name and its password."""
    config = yaml.safe_load(setup.path.read_text())
    variable = config["accounts"][0].pop("password_env")
    setup.path.write_text(yaml.safe_dump(config, allow_unicode=True))
    setup.env.pop(variable)
    account = setup.account("atlas")
    return account["name"], account["password"]


def _typed(setup: Setup, *args: str, secret: str) -> str:
    """A person types the secret twice at the hidden prompt of a real pseudo-terminal."""
    child = pexpect.spawn(setup.cli_args(*args)[0], setup.cli_args(*args)[1:], env=setup.env,
                          encoding="utf-8", timeout=60)
    child.expect(r"\(hidden\): ")
    child.sendline(secret)
    child.expect("[Rr]epeat")
    child.sendline(secret)
    child.expect(pexpect.EOF)
    child.close()
    transcript = child.before or ""
    setup.runs.append(subprocess.CompletedProcess(args, child.exitstatus or 0, transcript, ""))
    assert child.exitstatus == 0, transcript
    return transcript


def _piped(setup: Setup, *args: str, secret: str) -> subprocess.CompletedProcess[str]:
    return setup.cli(*args, input=secret + "\n")


def _listed(setup: Setup) -> dict:
    done = setup.cli("credentials", "list", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)[0]


@pytest.mark.parametrize("rendering", ["classic"])
@pytest.mark.parametrize("backend", ["file", "system"])
def test_a_password_typed_at_the_prompt_is_stored_used_listed_and_deleted(
    sandbox: Sandbox, make_setup, backend: str
) -> None:
    if backend == "system":
        require_secret_service()
    setup: Setup = make_setup(portals=("atlas",), backend=backend)
    name, password = _stored_credentials_only(setup)
    assert setup.cli("run").returncode == 2  # no password anywhere: said before anything

    transcript = _typed(setup, "credentials", "set", "atlas", "--account", name,
                        secret=password)

    assert password not in transcript  # the prompt does not echo it
    assert _listed(setup) == {"portal": "atlas", "account": name,
                              "password": "the secure store", "totp": None}
    hook_saw = setup.folder / "hook.env"  # a child's environment holds no stored password
    done = setup.cli("run", "--deploy-hook", f"env > {hook_saw}; cat > /dev/null")
    assert done.returncode == 0, done.stdout + done.stderr
    assert setup.stored_key("atlas") == sandbox.current_key("atlas", setup.account("atlas")
                                                            ["username"])
    assert "KEY_RETRIEVER_PORTAL=atlas" in hook_saw.read_text()
    assert password not in hook_saw.read_text()
    status = json.loads(setup.cli("status", "--json").stdout)[0]
    assert status["password_from"] == "the secure store"

    assert setup.cli("credentials", "delete", "atlas", "--account", name).returncode == 0
    assert _listed(setup)["password"] is None
    again = setup.cli("run")
    assert again.returncode == 2 and "credentials set atlas --account" in again.stderr
    assert all(password not in text for text in setup.everything_written())


@pytest.mark.parametrize("rendering", ["classic"])
def test_a_piped_password_and_an_authenticator_secret_checked_as_base32(
    sandbox: Sandbox, make_setup
) -> None:
    setup: Setup = make_setup(portals=("atlas",))
    name, password = _stored_credentials_only(setup)

    assert _piped(setup, "credentials", "set", "atlas", secret=password).returncode == 0
    bad = _piped(setup, "credentials", "set", "atlas", "--totp", secret="not base32 at all!")
    assert bad.returncode == 2 and "base32" in bad.stderr
    assert _listed(setup)["totp"] is None  # nothing stored from a bad secret
    good = _piped(setup, "credentials", "set", "atlas", "--totp", secret="JBSWY3DPEHPK3PXP")
    assert good.returncode == 0
    assert _listed(setup) == {"portal": "atlas", "account": name,
                              "password": "the secure store", "totp": "the secure store"}
    assert setup.cli("run").returncode == 0
    written = "".join(setup.everything_written())
    assert password not in written and "JBSWY3DPEHPK3PXP" not in written


@pytest.mark.parametrize("rendering", ["classic"])
def test_a_refused_password_is_never_submitted_again_unchanged(
    sandbox: Sandbox, make_setup
) -> None:
    setup: Setup = make_setup(portals=("atlas",))
    name, password = _stored_credentials_only(setup)
    user = setup.account("atlas")["username"]
    _piped(setup, "credentials", "set", "atlas", secret=password)
    sandbox.set_password("atlas", user, NEW_PASSWORD)  # someone changed it on the portal

    first = setup.cli("run", "--json")
    assert first.returncode == 1
    assert json.loads(first.stdout)[0]["outcome"] == "wrong_credentials"
    assert sandbox.refused_logins("atlas", user) == 1

    for command in ("run", "run", "renew"):
        done = setup.cli(command, "--json")
        assert done.returncode == 1, done.stdout + done.stderr
        message = json.loads(done.stdout)[0]["message"]
        assert "not submitted again until it changes" in message, message
        assert f"credentials set atlas --account {name}" in message
    assert sandbox.refused_logins("atlas", user) == 1  # the portal saw no other attempt

    _piped(setup, "credentials", "set", "atlas", secret=NEW_PASSWORD)
    done = setup.cli("run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert setup.stored_key("atlas") == sandbox.current_key("atlas", user)
    assert sandbox.refused_logins("atlas", user) == 1
    written = "".join(setup.everything_written())
    assert password not in written and NEW_PASSWORD not in written


@pytest.mark.parametrize("rendering", ["classic"])
def test_a_locked_account_waits_for_a_person_to_run_it_by_name(
    sandbox: Sandbox, make_setup
) -> None:
    setup: Setup = make_setup(portals=("atlas",))
    name = setup.account("atlas")["name"]
    user = setup.account("atlas")["username"]
    sandbox.lock("atlas", user)

    locked = setup.cli("run", "--json")
    assert locked.returncode == 3
    assert "locked" in json.loads(locked.stdout)[0]["message"]
    tried = sandbox.refused_logins("atlas", user)

    again = setup.cli("run", "--json")  # a scheduled run: left to a person
    assert again.returncode == 3
    assert f"run atlas --account {name}" in json.loads(again.stdout)[0]["message"]
    assert sandbox.refused_logins("atlas", user) == tried

    sandbox.unlock("atlas", user)
    done = setup.cli("run", "atlas", "--account", name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert setup.stored_key("atlas") == sandbox.current_key("atlas", user)


@pytest.mark.parametrize("rendering", RENDERINGS)
def test_a_portal_that_wants_a_new_password_is_left_to_a_person(
    sandbox: Sandbox, make_setup
) -> None:
    setup: Setup = make_setup(portals=("atlas",))
    name = setup.account("atlas")["name"]
    user = setup.account("atlas")["username"]
    sandbox.require_password_change("atlas", user)

    done = setup.cli("run", "--json")

    assert done.returncode == 3, done.stdout + done.stderr
    message = json.loads(done.stdout)[0]["message"]
    assert f"key-retriever login atlas --account {name}" in message, message
    assert "never changes a portal password" in message
    assert setup.stored_key("atlas") is None
    assert sandbox.password_of("atlas", user) == setup.account("atlas")["password"]


@pytest.mark.parametrize("rendering", ["classic"])
@pytest.mark.parametrize("command", [("login", "atlas"), ("run", "--headed")],
                         ids=["login", "run --headed"])
def test_a_person_changes_the_password_in_the_window(
    sandbox: Sandbox, make_setup, headed_chromium: str, playwright: Playwright,
    command: tuple[str, ...]
) -> None:
    setup: Setup = make_setup(portals=("atlas",), extra={
        "browser": {"cdp_url": headed_chromium, "person_timeout_seconds": 90}})
    _, password = _stored_credentials_only(setup)
    _piped(setup, "credentials", "set", "atlas", secret=password)
    user = setup.account("atlas")["username"]
    sandbox.require_password_change("atlas", user)

    browser = playwright.chromium.connect_over_cdp(headed_chromium)
    with browser.contexts[0].expect_page(timeout=60_000) as opened:
        process = subprocess.Popen(setup.cli_args(*command), env=setup.env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    page = opened.value
    told = []
    assert process.stderr is not None
    for line in process.stderr:  # the person acts once the terminal says so
        told.append(line)
        if "change it in the browser window" in line:
            break
    boxes = page.locator("input[type=password]")
    expect(boxes).to_have_count(3)
    for box, value in zip((boxes.nth(0), boxes.nth(1), boxes.nth(2)),
                          (password, NEW_PASSWORD, NEW_PASSWORD), strict=True):
        box.fill(value)
    page.get_by_role("button", name=re.compile(r"^(Modifier|Enregistrer)")).click()
    out, err = process.communicate(timeout=120)
    browser.close()
    setup.runs.append(subprocess.CompletedProcess(process.args, process.returncode, out,
                                                  "".join(told) + err))
    assert process.returncode == 0, out + "".join(told) + err
    assert sandbox.password_of("atlas", user) == NEW_PASSWORD

    _piped(setup, "credentials", "set", "atlas", secret=NEW_PASSWORD)
    setup.path.write_text(setup.path.read_text().replace(
        f"cdp_url: {headed_chromium}", "headless: true"))
    done = setup.cli("run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert setup.stored_key("atlas") == sandbox.current_key("atlas", user)
    written = "".join(setup.everything_written())
    assert password not in written and NEW_PASSWORD not in written
