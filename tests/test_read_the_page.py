"""The flows act on what the page says, on every rendering: an expired key is regenerated on
the page's word, a label renamed after the login is named in the failure in our words."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from sandbox import RENDERINGS, Sandbox, clock
from tests.conftest import Setup

pytestmark = pytest.mark.parametrize("rendering", RENDERINGS)


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def test_ocapiat_generates_when_the_page_says_the_key_expired(
    sandbox: Sandbox, make_setup
) -> None:
    setup = make_setup(portals=("ocapiat",))
    user = setup.account("ocapiat")["username"]
    expired = sandbox.set_key("ocapiat", user, None, clock.now() - timedelta(days=3))

    done = setup.cli("run")

    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox.generation_count("ocapiat", user) == 1
    key = sandbox.current_key("ocapiat", user)
    assert key and key != expired
    assert setup.stored_key("ocapiat") == key
    again = setup.cli("run")
    assert again.returncode == 0, again.stdout + again.stderr
    assert sandbox.generation_count("ocapiat", user) == 1  # shown, not made again


@pytest.mark.parametrize(("portal", "label", "step"), [
    ("opcoep", "Mon cfa", "3. connexion"),
    ("mobilites", "Clé d'authentification", "11. connexion"),
])
def test_a_label_renamed_after_the_login_is_named_in_our_words(
    sandbox: Sandbox, make_setup, portal: str, label: str, step: str
) -> None:
    setup: Setup = make_setup(portals=(portal,), extra={"browser": {"step_timeout_seconds": 4}})
    for shown in {label, label.upper(), label.capitalize(), label.replace("cfa", "CFA")}:
        sandbox.relabel(portal, shown, "Espace renommé")
    user = setup.account(portal)["username"]
    before = sandbox.generation_count(portal, user)

    started = time.monotonic()
    done = setup.cli("run", "--force-new")

    assert done.returncode == 1, done.stdout + done.stderr
    said = flat(done.stdout)
    assert "page_changed" in said
    assert step in said and f"after signing in, « {label} » did not show" in said, said
    assert time.monotonic() - started < 60  # within the step's time, not a retry loop
    assert sandbox.generation_count(portal, user) == before


@pytest.mark.parametrize("mask", ["••••••••••••••••", "********************", "x" * 24])
def test_a_mask_where_the_key_stands_is_never_stored(
    sandbox: Sandbox, make_setup, mask: str
) -> None:
    """The portal shows a mask where its key stands (a placeholder never replaced): the run
    fails naming the section, and nothing is stored."""
    setup = make_setup(portals=("atlas",), extra={"browser": {"step_timeout_seconds": 4}})
    sandbox.set_key("atlas", setup.account("atlas")["username"], mask, None)

    done = setup.cli("run")

    assert done.returncode == 1, done.stdout + done.stderr
    said = flat(done.stdout)
    assert "page_changed" in said and "« Ma clé CFA »" in said
    assert setup.stored_key("atlas") is None
