"""L'Opcommerce — portail « Web Services Partenaire », « Accrochage API ».

Seed steps: 1-2. log in (« Email » / « Mot de Passe ») 3. « Accrochage API » in the menu at the
top right 4. « Générer une nouvelle clé d'API »: the key shows in « Votre clé d'API », with
its « Date d'expiration » (dd/mm/yyyy hh:mm, Paris time). Never « Révoquer l'accès ».
"""

from __future__ import annotations

from datetime import datetime

from playwright.async_api import Page

from retrievers.context import FlowContext
from retrievers.dates import FRENCH_DATE_TIME, french_date_time
from retrievers.forms import log_in
from retrievers.locate import click_in_menu, present, read_shown, value_under

USERNAME = "Email"
SIGNED_IN = "Mes coordonnées"  # in the bar at the top once signed in (the seed's screenshot)
API_PAGE = "Accrochage API"
KEY = "Votre clé d'API"
EXPIRY = "Date d'expiration"
GENERATE = "Générer une nouvelle clé d'API"
# The seed's labels this flow reads by; portals.<id>.labels may rename any of them.
LABELS = (USERNAME, SIGNED_IN, API_PAGE, KEY, EXPIRY, GENERATE)


async def retrieve(page: Page, ctx: FlowContext) -> None:
    ctx.step(f"2. connexion (« {USERNAME} », « Mot de Passe »)")
    await log_in(page, ctx, username_label=USERNAME, submit=None, success=SIGNED_IN)

    ctx.step(f"3. menu en haut à droite → « {API_PAGE} »")
    await click_in_menu(page, API_PAGE)

    ctx.step(f"4. « {KEY} »")
    await present(page, GENERATE)
    key = await ctx.shown_key(page, KEY)
    expires_at = await _expiry(page) if key else None

    if ctx.wants_new_key(exists=key is not None, expires_at=expires_at):
        ctx.step(f"4. « {GENERATE} »")
        key = await ctx.generate_key(page, button=GENERATE, label=KEY, replacing=key)
        expires_at = await _expiry(page)
    assert key is not None
    ctx.save_key(key, expires_at=expires_at)


async def _expiry(page: Page) -> datetime | None:
    shown = value_under(page, EXPIRY, FRENCH_DATE_TIME)
    return french_date_time(await read_shown(shown)) if await shown.count() else None
