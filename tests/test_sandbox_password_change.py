"""Passwords on the simulated portals: refused logins counted, a password changed behind the
tool's back (set_password), and « Votre mot de passe a expiré », the page an account must change
its password on after its login (require_password_change). Played as a person would, with a real
Chromium against the real server, on myAtlas and OPCO EP, in every rendering."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from sandbox import DEMO_ACCOUNTS, Sandbox
from sandbox.second_factor import totp
from tests.spa_helpers import ready

# Fixtures: Chromium's launch (the sandbox itself is conftest.py's, one per test, in the
# `rendering` parametrized here).
pytest_plugins = ["tests.sandbox_fixtures"]

VARIANTS_PAGE = (Path(__file__).parent.parent / "sandbox" / "templates" / "variants"
                 / "password_change.html")
RENDERINGS = [
    "classic",
    "spa",
    pytest.param("variants", marks=pytest.mark.skipif(
        not VARIANTS_PAGE.exists(),
        reason="the variants rendering has no password change page yet")),
]
PORTALS = ("atlas", "opcoep")
# Per portal: the login form's field names, the page a login lands on and the key's page.
LOGINS = {
    "atlas": ("username", "password", "espaces", "parametres"),
    "opcoep": ("j_username", "j_password", "dashboard", "securisation"),
}

HEADING = "Votre mot de passe a expiré"
CURRENT = "Mot de passe actuel"
NEW = "Nouveau mot de passe"
CONFIRM = "Confirmez le nouveau mot de passe"
SUBMIT = "Modifier mon mot de passe"
NEW_PASSWORD = "Nouveau-Secret-2025"

pytestmark = pytest.mark.parametrize("rendering", RENDERINGS)


def account(portal: str) -> tuple[str, str]:
    demo = next(a for a in DEMO_ACCOUNTS if a["portal"] == portal)
    return demo["username"], demo["password"]


@pytest.fixture
def tab(page: Page, sandbox: Sandbox) -> Page:
    return ready(page, sandbox)


def url(sb: Sandbox, portal: str, route: str) -> str:
    return sb.page_url(portal, route)


def log_in(page: Page, sb: Sandbox, portal: str, username: str, password: str) -> None:
    """The login form by its field names (the portals' own tests check its labels), submitted
    with Enter; returns once the portal has answered."""
    user_field, password_field, _, _ = LOGINS[portal]
    page.goto(url(sb, portal, "login"))
    page.locator(f"input[name={user_field}]").fill(username)
    field = page.locator(f"input[name={password_field}]")
    field.fill(password)
    with page.expect_navigation():
        field.press("Enter")


FIELDS = {CURRENT: "ancien_mot_de_passe", NEW: "nouveau_mot_de_passe",
          CONFIRM: "confirmation"}


def variants(sb: Sandbox) -> bool:
    return sb.renderings["atlas"] == "variants"


def change_field(page: Page, sb: Sandbox, name: str) -> Locator:
    """Classic: a <label> on each field; spa: the current password named by its aria-label,
    the other two by their placeholders only. The variants page has words of its own: its
    fields are found by the names the server reads."""
    rendering = sb.renderings["atlas"]
    if rendering == "variants":
        return page.locator(f"input[name={FIELDS[name]}]")
    if rendering == "classic" or name == CURRENT:
        return page.get_by_label(name, exact=True)
    return page.get_by_placeholder(name, exact=True)


def heading(page: Page, sb: Sandbox) -> Locator:
    """« Votre mot de passe a expiré » (the variants page titles it its own way)."""
    return page.get_by_role("heading").first if variants(sb) else page.get_by_role(
        "heading", name=HEADING)


def submit_change(page: Page, sb: Sandbox, current: str, new: str, confirm: str) -> None:
    expect(heading(page, sb)).to_be_visible()
    change_field(page, sb, CURRENT).fill(current)
    change_field(page, sb, NEW).fill(new)
    confirmation = change_field(page, sb, CONFIRM)
    confirmation.fill(confirm)
    with page.expect_navigation():
        if variants(sb):
            confirmation.press("Enter")
        else:
            page.get_by_role("button", name=SUBMIT).click()


def refused(page: Page, sb: Sandbox, message: str) -> None:
    """The page comes back with the message in an alert, the heading still there."""
    expect(page.get_by_role("alert").filter(has_text=message)).to_be_visible()
    expect(heading(page, sb)).to_be_visible()


# ----- refused logins and set_password ----------------------------------------------------------


@pytest.mark.parametrize("portal", PORTALS)
def test_wrong_passwords_are_counted_and_never_reset(tab: Page, sandbox: Sandbox,
                                                      portal: str) -> None:
    username, password = account(portal)
    landing = url(sandbox, portal, LOGINS[portal][2])
    assert sandbox.refused_logins(portal, username) == 0
    log_in(tab, sandbox, portal, username, "pas-le-bon")
    expect(tab).not_to_have_url(landing)
    assert sandbox.refused_logins(portal, username) == 1
    for _ in range(4):  # the fifth wrong one in a row locks the account
        log_in(tab, sandbox, portal, username, "toujours-pas")
    assert sandbox.refused_logins(portal, username) == 5
    # Locked: even the right password is refused, and counted.
    log_in(tab, sandbox, portal, username, password)
    expect(tab).not_to_have_url(landing)
    assert sandbox.refused_logins(portal, username) == 6
    # Unlocking resets the lockout's counter, not the total.
    sandbox.unlock(portal, username)
    log_in(tab, sandbox, portal, username, password)
    expect(tab).to_have_url(landing)
    assert sandbox.refused_logins(portal, username) == 6


@pytest.mark.parametrize("portal", PORTALS)
def test_set_password_refuses_the_old_one_and_accepts_the_new_one(tab: Page, sandbox: Sandbox,
                                                                  portal: str) -> None:
    username, old = account(portal)
    landing = url(sandbox, portal, LOGINS[portal][2])
    assert sandbox.password_of(portal, username) == old
    sandbox.set_password(portal, username, "change-ailleurs-42")
    assert sandbox.password_of(portal, username) == "change-ailleurs-42"
    log_in(tab, sandbox, portal, username, old)
    expect(tab).not_to_have_url(landing)
    assert sandbox.refused_logins(portal, username) == 1
    log_in(tab, sandbox, portal, username, "change-ailleurs-42")
    expect(tab).to_have_url(landing)
    assert sandbox.refused_logins(portal, username) == 1


# ----- « Votre mot de passe a expiré » ----------------------------------------------------------


@pytest.mark.parametrize("portal", PORTALS)
def test_a_required_change_is_made_on_the_page_before_getting_in(tab: Page, sandbox: Sandbox,
                                                                 portal: str) -> None:
    username, old = account(portal)
    _, _, landing_route, key_route = LOGINS[portal]
    landing, key_page = url(sandbox, portal, landing_route), url(sandbox, portal, key_route)
    change_page = url(sandbox, portal, "password_change")
    sandbox.require_password_change(portal, username)

    log_in(tab, sandbox, portal, username, old)
    expect(tab).to_have_url(change_page)
    expect(heading(tab, sandbox)).to_be_visible()

    # Not logged in yet: the key's page sends back to the login page; the change still waits.
    tab.goto(key_page)
    expect(tab).to_have_url(url(sandbox, portal, "login"))
    tab.goto(change_page)

    submit_change(tab, sandbox, old, NEW_PASSWORD, NEW_PASSWORD + "x")
    refused(tab, sandbox, "Les deux mots de passe ne correspondent pas.")
    submit_change(tab, sandbox, "pas-le-bon", NEW_PASSWORD, NEW_PASSWORD)
    refused(tab, sandbox, "Le mot de passe actuel est incorrect.")
    submit_change(tab, sandbox, old, "tropcourt1A", "tropcourt1A")
    refused(tab, sandbox, "Le nouveau mot de passe ne respecte pas les règles.")
    assert sandbox.password_of(portal, username) == old
    assert sandbox.password_change_required(portal, username)

    submit_change(tab, sandbox, old, NEW_PASSWORD, NEW_PASSWORD)
    expect(tab).to_have_url(landing)
    assert sandbox.password_of(portal, username) == NEW_PASSWORD
    assert not sandbox.password_change_required(portal, username)
    tab.goto(key_page)
    expect(tab).to_have_url(key_page)
    # Back on the page once changed: already logged in, it lands on the portal.
    tab.goto(change_page)
    expect(tab).to_have_url(landing)

    # A new browser: the old password is refused, the new one goes straight in.
    tab.context.clear_cookies()
    tab.context.add_cookies(sandbox.consent_cookies())  # type: ignore[arg-type]
    log_in(tab, sandbox, portal, username, old)
    expect(tab).not_to_have_url(landing)
    assert sandbox.refused_logins(portal, username) == 1
    log_in(tab, sandbox, portal, username, NEW_PASSWORD)
    expect(tab).to_have_url(landing)


@pytest.mark.parametrize("portal", PORTALS)
def test_the_change_comes_after_the_second_factor_and_spares_open_sessions(
        tab: Page, sandbox: Sandbox, portal: str) -> None:
    username, password = account(portal)
    landing = url(sandbox, portal, LOGINS[portal][2])
    change_page = url(sandbox, portal, "password_change")
    # Without a pending change, the page sends back to the login page.
    tab.goto(change_page)
    expect(tab).to_have_url(url(sandbox, portal, "login"))

    # A session logged in before the switch is set stays logged in.
    log_in(tab, sandbox, portal, username, password)
    expect(tab).to_have_url(landing)
    sandbox.require_password_change(portal, username)
    tab.reload()
    expect(tab).to_have_url(landing)

    # At the next login, the second factor first, then the change.
    secret = sandbox.set_second_factor(portal, username, "totp")
    assert secret is not None
    tab.context.clear_cookies()
    tab.context.add_cookies(sandbox.consent_cookies())  # type: ignore[arg-type]
    log_in(tab, sandbox, portal, username, password)
    expect(tab).to_have_url(url(sandbox, portal, "second_factor"))
    # The factor page by its field's name (its own tests check its labels in each rendering).
    code = tab.locator("input[name=code]")
    code.fill(totp(secret, time.time()))
    with tab.expect_navigation():
        code.press("Enter")
    expect(tab).to_have_url(change_page)
    submit_change(tab, sandbox, password, NEW_PASSWORD, NEW_PASSWORD)
    expect(tab).to_have_url(landing)
    assert sandbox.password_of(portal, username) == NEW_PASSWORD

    # Cleared by switching it off too.
    sandbox.require_password_change(portal, username)
    sandbox.require_password_change(portal, username, required=False)
    assert not sandbox.password_change_required(portal, username)
