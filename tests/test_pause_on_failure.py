"""`run --headed --pause-on-failure`, under Xvfb: at a failure the window stays on the failing
page and the terminal names the step, the label and the setting; the run ends once a person
closes the window or presses Enter. Refused headless and without a terminal."""

from __future__ import annotations

import json
import os
import pty
import subprocess

import pytest
from playwright.sync_api import Playwright

from sandbox import Sandbox
from tests.conftest import Setup

RENAMED = "Paramètres du compte"
LABEL = "Mes paramètres"
pytestmark = pytest.mark.parametrize("rendering", ["classic"])


def _paused_run(playwright: Playwright, setup: Setup, cdp_url: str, portal_url: str, *,
                close_window: bool) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    browser = playwright.chromium.connect_over_cdp(cdp_url)
    terminal, its_end = pty.openpty()  # the person's terminal: where Enter is pressed
    with browser.contexts[0].expect_page(timeout=60_000) as opened:
        process = subprocess.Popen(
            setup.cli_args("run", "--headed", "--pause-on-failure", "--log-json"),
            env=setup.env, stdin=its_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
    os.close(its_end)
    page = opened.value
    said = []
    assert process.stderr is not None
    for line in process.stderr:
        said.append(json.loads(line))
        if said[-1]["event"].startswith("paused at the failure"):
            break
    # The run waits, its window still on the failing page.
    assert process.poll() is None and not page.is_closed()
    assert page.evaluate("location.href").startswith(portal_url)
    if close_window:
        page.close()
    else:
        os.write(terminal, b"\n")
    out, err = process.communicate(timeout=120)
    os.close(terminal)
    browser.close()
    done = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    setup.runs.append(done)
    return done, said


@pytest.mark.parametrize("close_window", [True, False], ids=["window closed", "Enter"])
def test_a_failure_waits_on_its_page_until_the_person_is_done(
    sandbox: Sandbox, make_setup, headed_chromium: str, playwright: Playwright,
    close_window: bool,
) -> None:
    setup: Setup = make_setup(portals=("atlas",), extra={
        "browser": {"cdp_url": headed_chromium, "step_timeout_seconds": 4}})
    sandbox.relabel("atlas", LABEL, RENAMED)

    done, said = _paused_run(playwright, setup, headed_chromium, sandbox.root_url,
                              close_window=close_window)

    failure = said[-1]["failure"]
    assert f"« {LABEL} »" in failure and "3. menu utilisateur" in failure, failure
    assert 'portals.atlas.labels: {"Mes paramètres": "…"}' in failure
    assert done.returncode == 1, done.stdout + done.stderr
    assert "page_changed" in done.stdout


def test_pausing_is_refused_headless_and_without_a_terminal(sandbox: Sandbox, make_setup
                                                           ) -> None:
    setup: Setup = make_setup(portals=("atlas",))

    headless = setup.cli("run", "--pause-on-failure")
    no_terminal = setup.cli("run", "--headed", "--pause-on-failure", input="")

    assert headless.returncode == 2 and "needs --headed" in headless.stderr
    assert no_terminal.returncode == 2 and "needs a terminal" in no_terminal.stderr
    assert sandbox.generation_count("atlas", setup.account("atlas")["username"]) == 0
