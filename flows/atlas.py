"""Atlas — myAtlas prestataire, « Mes paramètres » → « Ma clé CFA».

Seed steps: 1. log in (Compte d'utilisateur / Mot de passe / CONNEXION) 2. « myAtlas prestataire »
3. user menu at the top right → « Mes paramètres » 4. the key is in « Ma clé CFA ».
The portal generates the key by itself: there is never a generate step.
"""

from __future__ import annotations

from playwright.async_api import Page

from retrievers.context import FlowContext
from retrievers.forms import log_in
from retrievers.locate import click_in_menu, clickable, key_shown_in, section_headed

USERNAME = "Compte d'utilisateur"
LOG_IN = "Connexion"
SPACE = "myAtlas prestataire"
SETTINGS = "Mes paramètres"
KEY_SECTION = "Ma clé CFA"


async def retrieve(page: Page, ctx: FlowContext) -> None:
    ctx.step("1. connexion")
    await log_in(
        page,
        ctx,
        username_label=USERNAME,
        submit=page.get_by_role("button", name=LOG_IN),
        success=clickable(page, SPACE),
    )
    ctx.step(f"2. {SPACE}")
    await clickable(page, SPACE).click()

    ctx.step(f"3. menu utilisateur → {SETTINGS}")
    # The user menu is named after the person; it is the header's pop-up menu button.
    user_menu = page.get_by_role("banner").locator("[aria-haspopup]").filter(visible=True).last
    await click_in_menu(user_menu, clickable(page, SETTINGS))

    ctx.step(f"4. {KEY_SECTION}")
    key = await ctx.read_key(key_shown_in(section_headed(page, KEY_SECTION)))
    ctx.save_key(key)
