"""Second factors after the password: a headless run stops before any code is sent, an
authenticator (TOTP) account signs in unattended, a person completes the factor in the headed
window (played here by the test, in that very window, through the browser's remote debugging),
`login` keeps a session that headless runs reuse, and an ended session falls back to the
password."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Playwright, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from retrievers.demo import demo_config
from sandbox import DEMO_ACCOUNTS, RENDERINGS, Sandbox
from tests.conftest import FAST, Setup

ATLAS = next(a for a in DEMO_ACCOUNTS if a["portal"] == "atlas")
USER = ATLAS["username"]
# What the person reads and does, in the words of either wording of the factor page.
FACTOR_PAGE = re.compile("Vérification en deux étapes|Vérifiez votre identité")
SEND_SMS = re.compile("code par SMS")
CODE_BOX = re.compile("^Code")
VALIDATE = re.compile("^Valider")
TOLD = "complete it in the browser window"  # what the terminal says to the person


@contextlib.contextmanager
def _world(folder: Path, rendering: str = "classic",
           browser: dict | None = None) -> Iterator[tuple[Sandbox, Setup]]:
    sandbox = Sandbox(latency=FAST, rendering={"atlas": rendering})
    with sandbox.serve_in_thread():
        path, env = demo_config(sandbox, folder, [ATLAS], o2s=None, extra={
            "browser": {"step_timeout_seconds": 15, "person_timeout_seconds": 90,
                        **(browser or {})}})
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("KEY_RETRIEVER_")},
               **env}
        yield sandbox, Setup(path=path, env=env, accounts=[ATLAS], folder=folder)


def _results(setup: Setup, *args: str) -> tuple[int, dict]:
    done = setup.cli(*args, "--json")
    rows = json.loads(done.stdout) if done.stdout.startswith("[") else []
    return done.returncode, (rows[0] if rows else {"output": done.stdout + done.stderr})


@pytest.mark.parametrize("rendering", RENDERINGS)
@pytest.mark.parametrize("kind", ["sms", "email", "app"])
def test_headless_stops_before_any_code_is_sent(tmp_path: Path, kind: str,
                                                rendering: str) -> None:
    """Recognised by what the page asks (a button that sends a code or a notification, a
    wait for a phone), whatever its words: on every rendering, nothing is sent."""
    with _world(tmp_path, rendering) as (sandbox, setup):
        sandbox.set_second_factor("atlas", USER, kind)

        code, row = _results(setup, "run")

        assert code == 3 and row["outcome"] == "action_needed"
        assert "no code sent" in row["message"]
        assert f"key-retriever login atlas --account {ATLAS['name']}" in row["message"]
        assert sandbox.sent_codes("atlas", USER) == []
        assert not sandbox.approve_login("atlas", USER)  # no request waits in the app either


@pytest.mark.parametrize("rendering", RENDERINGS)
def test_an_authenticator_account_signs_in_unattended(tmp_path: Path, rendering: str) -> None:
    with _world(tmp_path, rendering) as (sandbox, setup):
        secret = sandbox.set_second_factor("atlas", USER, "totp")
        assert secret
        config = setup.path.read_text().replace(
            "password_env:", "totp_env: ATLAS_TOTP\n  password_env:")
        setup.path.write_text(config)
        setup.env["ATLAS_TOTP"] = secret

        code, row = _results(setup, "run")
        assert code == 0, row
        assert setup.stored_key("atlas") == sandbox.current_key("atlas", USER)
        assert sandbox.second_factor_prompts("atlas", USER) == 1

        # The kept session: the next run goes straight in.
        assert _results(setup, "run")[0] == 0
        assert sandbox.second_factor_prompts("atlas", USER) == 1

        # The portal ended its sessions: the password again, and the device the tool asked
        # the portal to remember (« Se souvenir de cet appareil ») spares the code.
        sandbox.end_sessions("atlas")
        assert _results(setup, "run")[0] == 0
        assert sandbox.second_factor_prompts("atlas", USER) == 1
        assert secret not in "".join(setup.everything_written())


def test_a_wrong_authenticator_secret_is_said(tmp_path: Path) -> None:
    with _world(tmp_path) as (sandbox, setup):
        sandbox.set_second_factor("atlas", USER, "totp")
        setup.path.write_text(setup.path.read_text().replace(
            "password_env:", "totp_env: ATLAS_TOTP\n  password_env:"))
        setup.env["ATLAS_TOTP"] = wrong = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

        code, row = _results(setup, "run")

        assert code == 1 and row["outcome"] == "wrong_credentials", row
        assert "refused the authenticator codes" in row["message"]
        assert "$ATLAS_TOTP" in row["message"] and "clock" in row["message"]
        assert setup.stored_key("atlas") is None
        assert wrong not in "".join(setup.everything_written())


def _with_a_person(playwright: Playwright, cdp_url: str, setup: Setup, sandbox: Sandbox,
                   *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the tool headed while a person, in its window, asks for the SMS and types the code
    it brought. Returns the run, and the values of the cookies the window held once signed in.
    """
    browser = playwright.chromium.connect_over_cdp(cdp_url)
    with browser.contexts[0].expect_page(timeout=60_000) as opened:
        process = subprocess.Popen(setup.cli_args(*args), env=setup.env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    page = opened.value
    asked = page.get_by_role("heading", name=FACTOR_PAGE)
    expect(asked).to_be_visible(timeout=60_000)
    # The person acts once the terminal tells them to, as they would.
    told = []
    assert process.stderr is not None
    for line in process.stderr:
        told.append(line)
        if TOLD in line:
            break
    assert TOLD in "".join(told), "".join(told)
    page.get_by_role("button", name=SEND_SMS).click()
    code_box = page.get_by_role("textbox", name=CODE_BOX)
    expect(code_box).to_be_visible()
    code_box.fill(sandbox.sent_codes("atlas", USER)[-1])
    page.get_by_role("button", name=VALIDATE).click()
    try:
        asked.wait_for(state="detached", timeout=60_000)
    except PlaywrightTimeoutError:
        raise
    except PlaywrightError:  # signed in: the tool may close its page at once
        pass
    # The browser's own session, not the page's: the tool may close its page at any moment
    # now that it is signed in.
    cookies = browser.new_browser_cdp_session().send("Storage.getCookies")["cookies"]
    out, err = process.communicate(timeout=120)
    browser.close()
    done = subprocess.CompletedProcess(process.args, process.returncode, out, "".join(told) + err)
    setup.runs.append(done)
    return done, [c["value"] for c in cookies]


@pytest.mark.parametrize("rendering", RENDERINGS)
def test_a_person_completes_the_factor_in_the_headed_window(
    tmp_path: Path, headed_chromium: str, playwright: Playwright, rendering: str
) -> None:
    with _world(tmp_path, rendering, browser={"cdp_url": headed_chromium}) as (sandbox, setup):
        sandbox.set_second_factor("atlas", USER, "sms")

        done, cookies = _with_a_person(playwright, headed_chromium, setup, sandbox,
                                       "run", "--headed")

        assert done.returncode == 0, done.stdout + done.stderr
        assert setup.stored_key("atlas") == sandbox.current_key("atlas", USER)
        written = "".join(setup.everything_written())
        assert all(code not in written for code in sandbox.sent_codes("atlas", USER))
        assert all(value not in written for value in cookies if len(value) >= 8)


@pytest.mark.parametrize("rendering", RENDERINGS)
def test_login_keeps_a_session_that_headless_runs_reuse(
    tmp_path: Path, headed_chromium: str, playwright: Playwright, rendering: str
) -> None:
    with _world(tmp_path, rendering, browser={"cdp_url": headed_chromium}) as (sandbox, setup):
        sandbox.set_second_factor("atlas", USER, "sms")
        done, cookies = _with_a_person(playwright, headed_chromium, setup, sandbox,
                                       "login", "atlas")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "session is kept" in done.stdout

        # Headless, with Chromium of its own: the kept session opens the portal at once.
        setup.path.write_text(setup.path.read_text().replace(
            f"cdp_url: {headed_chromium}", "headless: true"))
        code, row = _results(setup, "run")
        assert code == 0, row
        assert setup.stored_key("atlas") == sandbox.current_key("atlas", USER)
        assert sandbox.second_factor_prompts("atlas", USER) == 1  # no new sign-in
        assert len(sandbox.sent_codes("atlas", USER)) == 1

        # The portal ended its sessions: the password again, then the factor: a person.
        sandbox.end_sessions("atlas")
        code, row = _results(setup, "run")
        assert code == 3 and "no code sent" in row["message"]
        assert len(sandbox.sent_codes("atlas", USER)) == 1

        written = "".join(setup.everything_written())
        assert all(value not in written for value in cookies if len(value) >= 8)
        state = (tmp_path / "key-retriever.state.sqlite").read_bytes()
        assert all(value.encode() not in state for value in cookies if len(value) >= 8)


def test_nobody_at_the_window_ends_action_needed_in_time(
    tmp_path: Path, headed_chromium: str
) -> None:
    browser = {"cdp_url": headed_chromium, "person_timeout_seconds": 2}
    with _world(tmp_path, browser=browser) as (sandbox, setup):
        sandbox.set_second_factor("atlas", USER, "sms")

        code, row = _results(setup, "run", "--headed")

        assert code == 3 and "nobody completed it in the browser in time" in row["message"]
        assert sandbox.sent_codes("atlas", USER) == []
