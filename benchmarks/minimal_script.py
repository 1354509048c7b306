"""The yardstick: what a person would write with Playwright alone to get the OPCO EP and OPCO
Mobilités keys of many CFAs from the simulated portals (classic rendering), one after another.

  python benchmarks/minimal_script.py ACCOUNTS.json CHROMIUM

ACCOUNTS.json: [{"portal", "base_url", "username", "password", "siret"}]. The same clicks as the
tool's flows, in one browser with a fresh context per account; no store, no checks, no retries.
CHROMIUM: the browser the tool itself runs, so both drive the same one. Prints how many keys it
read.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

from playwright.async_api import Locator, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

REFUSE = re.compile(r"^\s*(tout refuser|refuser|continuer sans accepter)\s*$", re.IGNORECASE)


async def opened(button: Locator, item: Locator) -> None:
    """Click a menu's button until its item shows: a cookie banner showing up at that instant
    takes the first click (any script run every day needs this)."""
    for _ in range(3):
        await button.click()
        try:
            await item.wait_for(timeout=3_000)
            return
        except PlaywrightTimeoutError:
            continue
    await item.wait_for()


async def opcoep(page: Page, account: dict) -> str:
    await page.get_by_role("button", name="Mes services en ligne").click()
    await page.get_by_role("menuitem", name="centre de formation d'apprentis – CFA").click()
    await page.get_by_label("Identifiant").fill(account["username"])
    await page.locator("input[type=password]").fill(account["password"])
    await page.get_by_role("button", name="Se connecter").click()
    item = page.get_by_role("menuitem", name="Sécurisation des imports de contrat d'apprentissage")
    await page.wait_for_load_state()  # the menu's script has run: a click before it opens nothing
    await opened(page.get_by_role("button", name="Mon cfa"), item)
    await item.click()
    token = page.get_by_role("textbox", name="TOKEN DE SÉCURITÉ")
    await page.wait_for_function("document.querySelector('#token-securite').value !== ''")
    value = await token.input_value()
    async with page.expect_download() as download:
        await page.get_by_role("button", name="Télécharger le token de sécurité au format txt"
                               ).click()
    await (await download.value).delete()
    return value


async def mobilites(page: Page, account: dict) -> str:
    await page.get_by_role("link", name="M-Gestion CFA").first.click()
    await page.get_by_role("link", name="Connectez-vous à M-Gestion CFA").click()
    await page.locator("input[type=email], input[type=text]").first.fill(account["username"])
    await page.locator("input[type=password]").fill(account["password"])
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("link", name="Clé d'authentification").click()
    await page.wait_for_load_state()
    await page.get_by_label("SIRET de l'établissement").select_option(account["siret"])
    await page.get_by_role("button", name="Générer ma clé d'authentification").click()
    popin = page.get_by_role("dialog")
    value = popin.locator("input, textarea, code").first
    await value.wait_for()
    key = (await value.input_value() if await value.evaluate("e => 'value' in e")
           else await value.inner_text())
    await popin.get_by_role("button", name="FERMER").click()
    return key


FLOWS = {"opcoep": opcoep, "mobilites": mobilites}


async def main(path: str, chromium: str) -> None:
    accounts = json.loads(Path(path).read_text())
    read = 0
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        for account in accounts:
            context = await browser.new_context(locale="fr-FR", accept_downloads=True)
            page = await context.new_page()
            banner = page.get_by_role("button", name=REFUSE)
            await page.add_locator_handler(banner, lambda b: b.click())
            await page.goto(account["base_url"])
            read += bool(await FLOWS[account["portal"]](page, account))
            await context.close()
        await browser.close()
    print(f"read {read} keys")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
