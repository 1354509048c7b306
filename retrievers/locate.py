"""Locators that survive how portals render the same label (link, button, menu item, tab)."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from retrievers.context import KEY_PATTERN

_ROLES = ("link", "button", "menuitem", "tab")


def clickable(scope: Page | Locator, name: str | re.Pattern[str]) -> Locator:
    """The visible thing labelled `name` that a person would click, whatever its role."""
    found = scope.get_by_role("link", name=name)
    for role in _ROLES[1:]:
        found = found.or_(scope.get_by_role(role, name=name))  # type: ignore[arg-type]
    return found.filter(visible=True).first


async def click_in_menu(trigger: Locator, item: Locator, *, tries: int = 3) -> None:
    """Open a menu with `trigger` and click `item`, re-opening the menu if it closed.

    Pop-up menus close on any click elsewhere (such as the one that dismisses a cookie banner
    showing up late) and ignore clicks made before their script has run: a person would simply
    open the menu again.
    """
    for attempt in range(1, tries + 1):
        await trigger.click()
        try:
            await item.click(timeout=3_000)
            return
        except PlaywrightTimeoutError:
            if attempt == tries:
                raise


def section_headed(page: Page, heading: str) -> Locator:
    """The innermost block (section, aside, div…) holding the heading `heading`."""
    blocks = page.locator("section, aside, article, fieldset, form, div")
    return blocks.filter(has=page.get_by_role("heading", name=heading)).last


def key_shown_in(scope: Locator) -> Locator:
    """Where a key shows in a block: a (read-only) text box, or plain text that looks like one."""
    return scope.get_by_role("textbox").or_(scope.get_by_text(KEY_PATTERN))
