"""One Chromium per run, one short-lived context per account."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Locator, Page, Playwright

from retrievers.config import BrowserConfig
from retrievers.errors import ConfigError
from retrievers.locate import CLICK_WATCH_JS
from retrievers.logs import log

# Without these, Chromium reaches out to Google's services at every start.
CHROMIUM_FLAGS = [
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SYSTEM_CHROMIUMS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Chromium's headless shell (Debian: chromium-headless-shell; Playwright's default headless
# browser) draws no real window: about half the CPU of full Chromium per account, which is what
# bounds how many accounts run side by side.
HEADLESS_SHELLS = ("chromium-headless-shell",)
INSTALL_HINT = (
    "no Chromium found: install one (Debian/Ubuntu: `sudo apt-get install chromium`; elsewhere "
    "`playwright install chromium`) or set browser.executable_path in the configuration"
)

# Cookie banners block clicks on most portals. Refusing is enough to dismiss them.
_CONSENT_REFUSE = re.compile(
    r"^\s*(tout refuser|refuser|continuer sans accepter|je refuse)\s*$", re.IGNORECASE
)
_CONSENT_ACCEPT = re.compile(
    r"^\s*(tout accepter|accepter|accepter et fermer|j'accepte|accepter les cookies)\s*$",
    re.IGNORECASE,
)
_CONSENT = re.compile(f"{_CONSENT_REFUSE.pattern}|{_CONSENT_ACCEPT.pattern}", re.IGNORECASE)


def system_chromium(*, headless: bool) -> str | None:
    """The Chromium installed on this machine: its headless shell first when headless."""
    for name in (*HEADLESS_SHELLS, *SYSTEM_CHROMIUMS) if headless else SYSTEM_CHROMIUMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def find_chromium(config: BrowserConfig, playwright: Playwright, *, headless: bool) -> str:
    if config.executable_path is not None:
        if not config.executable_path.is_file():
            raise ConfigError(
                [("browser.executable_path", f"{config.executable_path} does not exist")]
            )
        return str(config.executable_path)
    found = system_chromium(headless=headless)
    if found:
        return found
    own = Path(playwright.chromium.executable_path)
    if own.is_file():
        return str(own)
    raise ConfigError([("browser.executable_path", INSTALL_HINT)])


async def launch(
    playwright: Playwright, config: BrowserConfig, *, headed: bool, downloads: Path
) -> Browser:
    headless = config.headless and not headed
    executable = find_chromium(config, playwright, headless=headless)
    browser = await playwright.chromium.launch(
        executable_path=executable,
        headless=headless,
        args=CHROMIUM_FLAGS,
        downloads_path=downloads,  # never a playwright-artifacts-* temp folder
        # The runner answers SIGINT/SIGTERM itself: it may still need the browser to store a
        # key the portal just generated.
        handle_sigint=False,
        handle_sigterm=False,
    )
    # Debian's Chromium trails the one Playwright is built for: say which one ran.
    log.info("browser started", executable=executable, version=browser.version)
    return browser


async def connect(playwright: Playwright, config: BrowserConfig) -> Browser:
    """A browser served elsewhere; closing it only disconnects. A Playwright server speaks
    Playwright's own protocol (downloads come back over it); any Chromium with remote debugging
    speaks CDP (downloads stay on its machine)."""
    if config.playwright_url:
        browser = await playwright.chromium.connect(config.playwright_url)
    else:
        assert config.cdp_url
        browser = await playwright.chromium.connect_over_cdp(config.cdp_url)
    log.info("browser connected", version=browser.version, setting=config.remote)
    return browser


async def new_context(browser: Browser, config: BrowserConfig,
                      storage_state: dict[str, Any] | None = None) -> BrowserContext:
    """`storage_state`: a kept session (cookies, local storage), given as a dict: it never
    goes through a file."""
    context = await browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True,
        storage_state=storage_state,  # type: ignore[arg-type]
    )
    await context.add_init_script(script=CLICK_WATCH_JS)  # how a lost click is told
    context.set_default_timeout(config.step_timeout_seconds * 1000)
    context.set_default_navigation_timeout(config.step_timeout_seconds * 1000)
    return context


def consent_button(page: Page) -> Locator:
    """A consent banner's answer, refusing or accepting: one query, as Playwright asks it
    before every action and every poll of a wait."""
    return page.get_by_role("button", name=_CONSENT).first


async def dismiss_cookie_banners(page: Page) -> None:
    """Whenever a consent banner shows up (often late), answer it before the next action."""
    refuse = page.get_by_role("button", name=_CONSENT_REFUSE).first

    async def answer(banner: Locator) -> None:
        await (refuse if await refuse.is_visible() else banner).click()

    await page.add_locator_handler(consent_button(page), answer)
