"""Headed mode: the browser is shown (here on a virtual screen, Xvfb) and the flow still runs."""

from __future__ import annotations

import shutil

import pytest

from sandbox import Sandbox
from tests.machine import require


@pytest.fixture
def xvfb_run() -> str:
    found = shutil.which("xvfb-run")
    require(found is not None, "xvfb-run missing: scripts/setup.sh --test installs it")
    return str(found)


def test_headed_run_shows_the_browser_and_stores_the_key(
    sandbox: Sandbox, make_setup, xvfb_run: str
) -> None:
    setup = make_setup(portals=("atlas",))

    done = setup.cli("run", "--headed", prefix=(xvfb_run, "-a"))

    assert done.returncode == 0, done.stdout + done.stderr
    assert setup.stored_key("atlas") == sandbox.current_key(
        "atlas", setup.account("atlas")["username"])


def test_headed_without_a_display_says_so(make_setup) -> None:
    setup = make_setup(portals=("atlas",))
    setup.env.pop("DISPLAY", None)
    setup.env.pop("WAYLAND_DISPLAY", None)

    done = setup.cli("run", "--headed")

    assert done.returncode == 1
    assert "needs a display" in done.stdout
