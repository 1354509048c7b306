"""Atlas — myAtlas prestataire, « Mes paramètres » → « Ma clé CFA ».

Seed steps: 1. log in (Compte d'utilisateur / Mot de passe / CONNEXION) 2. « myAtlas prestataire »
3. user menu at the top right → « Mes paramètres » 4. the key is in « Ma clé CFA ».
The portal generates the key by itself: there is never a generate step.
"""

from __future__ import annotations

from playwright.async_api import Page

from retrievers.context import FlowContext
from retrievers.forms import log_in
from retrievers.locate import click, click_in_menu, value_under

USERNAME = "Compte d'utilisateur"
LOG_IN = "Connexion"
SPACE = "myAtlas prestataire"
SETTINGS = "Mes paramètres"
KEY_SECTION = "Ma clé CFA"
# The seed's labels this flow reads by; portals.<id>.labels may rename any of them.
LABELS = (USERNAME, LOG_IN, SPACE, SETTINGS, KEY_SECTION)


async def retrieve(page: Page, ctx: FlowContext) -> None:
    ctx.step(f"1. connexion (« {USERNAME} », « {LOG_IN} »)")
    await log_in(page, ctx, username_label=USERNAME, submit=LOG_IN, success=SPACE)

    ctx.step(f"2. « {SPACE} »")
    await click(page, SPACE)

    ctx.step(f"3. menu utilisateur en haut à droite → « {SETTINGS} »")
    await click_in_menu(page, SETTINGS)

    ctx.step(f"4. « {KEY_SECTION} »")
    key = await ctx.read_key(value_under(page, KEY_SECTION), where=f"under « {KEY_SECTION} »")
    ctx.save_key(key)
