"""Helpers of the sandbox tests that are not fixtures (those live in sandbox_fixtures.py); a module
of its own so that importing it does not import the fixtures plugin before pytest registers it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page

from sandbox import DEMO_ACCOUNTS, Sandbox


def demo_account(portal: str) -> dict[str, Any]:
    """The demo account of one portal (both renderings have the same ones)."""
    return next(a for a in DEMO_ACCOUNTS if a["portal"] == portal)


def ready(page: Page, sb: Sandbox, consent: bool = True) -> Page:
    """The page with the tests' timeout and, unless `consent` is False, the cookie banners of
    `sb` already answered (for tests of other things)."""
    if consent:
        page.context.add_cookies(sb.consent_cookies())  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    return page


def is_spa(sb: Sandbox, portal: str) -> bool:
    """Whether `sb` serves `portal` in the "spa" rendering."""
    return sb.renderings[portal] == "spa"


def field(page: Page, sb: Sandbox, name: str, portal: str) -> Locator:
    """Classic fields have a <label>; the spa ones only a placeholder."""
    if is_spa(sb, portal):
        return page.get_by_placeholder(name, exact=True)
    return page.get_by_label(name, exact=True)


def has_no_label(field: Locator) -> bool:
    """True when nothing names the field but its placeholder (no <label>, no aria-label(ledby))."""
    return field.evaluate(
        "el => el.labels.length === 0 && !el.hasAttribute('aria-label')"
        " && !el.hasAttribute('aria-labelledby')")


def open_menu(button: Locator) -> None:
    """Click a menu's button once its page's scripts have run. A page draws its header before
    the script at the end of its body wires the menu: a click in between opens nothing (a person
    would click again; the test waits for the page's load instead)."""
    button.wait_for()  # the page the button is on (after a login, the next one)
    button.page.wait_for_load_state()
    button.click()
