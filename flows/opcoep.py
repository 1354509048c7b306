"""OPCO EP — espace CFA, « Mon CFA » → « Sécurisation des imports de contrat d'apprentissage».

Seed steps: 1. public site 2. « Mes services en ligne » → « centre de formation d'apprentis – CFA »
3. log in (« Se connecter ») 4. « Mon CFA » → « Sécurisation des imports de contrat
d'apprentissage » 5. « Génération du token » 6. download the token as .txt.
The token (a JWT) is shown with its expiry; a new one is generated only when there is none or
it is due.
"""

from __future__ import annotations

from datetime import UTC, datetime

import jwt
from playwright.async_api import Page

from retrievers.context import FlowContext
from retrievers.dates import FRENCH_DATE, end_of_french_day
from retrievers.errors import PageChanged
from retrievers.forms import log_in
from retrievers.locate import click, click_in_menu, present, read_shown, value_under

ONLINE_SERVICES = "Mes services en ligne"
CFA_SPACE = "centre de formation d'apprentis – CFA"
LOG_IN = "Se connecter"
MENU = "Mon cfa"
PAGE = "Sécurisation des imports de contrat d'apprentissage"
TOKEN = "TOKEN DE SÉCURITÉ"
EXPIRY = "DATE D'EXPIRATION DU TOKEN"
GENERATE = "Génération du token"
DOWNLOAD = "Télécharger le token de sécurité au format txt"
# The seed's labels this flow reads by; portals.<id>.labels may rename any of them.
LABELS = (ONLINE_SERVICES, CFA_SPACE, LOG_IN, MENU, PAGE, TOKEN, EXPIRY, GENERATE, DOWNLOAD)


async def retrieve(page: Page, ctx: FlowContext) -> None:
    ctx.step(f"2. « {ONLINE_SERVICES} » → « {CFA_SPACE} »")
    await click_in_menu(page, CFA_SPACE, menu=ONLINE_SERVICES)

    ctx.step(f"3. connexion (« {LOG_IN} »)")
    await log_in(page, ctx, submit=LOG_IN, success=MENU)
    ctx.step(f"4. « {MENU} » → « {PAGE} »")
    await click_in_menu(page, PAGE, menu=MENU)

    ctx.step(f"4. « {TOKEN} »")
    await present(page, GENERATE)
    token = await ctx.shown_key(page, TOKEN)

    expires_at = await _expiry(page, token) if token else None
    if ctx.wants_new_key(exists=token is not None, expires_at=expires_at):
        ctx.step(f"5. « {GENERATE} »")
        token = await ctx.generate_key(page, button=GENERATE, label=TOKEN, replacing=token)
        expires_at = await _expiry(page, token)
    assert token is not None
    ctx.save_key(token, expires_at=expires_at)

    ctx.step(f"6. « {DOWNLOAD} »")
    async with page.expect_download() as download_info:
        await click(page, DOWNLOAD)
    downloaded = await ctx.read_download(
        await download_info.value, lambda path: path.read_text(encoding="utf-8").strip())
    if downloaded != token:
        raise PageChanged("the downloaded .txt token differs from the token shown on the page")


async def _expiry(page: Page, token: str) -> datetime | None:
    """The JWT's `exp` claim when present, else the date the page shows (dd/mm/yyyy)."""
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.InvalidTokenError:
        exp = None
    if exp is not None:
        return datetime.fromtimestamp(int(exp), UTC)
    shown = value_under(page, EXPIRY, FRENCH_DATE)
    return end_of_french_day(await read_shown(shown)) if await shown.count() else None
