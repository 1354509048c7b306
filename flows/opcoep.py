"""OPCO EP — espace CFA, « Mon CFA » → « Sécurisation des imports de contrat d'apprentissage».

Seed steps: 1. public site 2. « Mes services en ligne » → « centre de formation d'apprentis – CFA »
3. log in (« Se connecter ») 4. « Mon CFA » → « Sécurisation des imports de contrat
d'apprentissage » 5. « Génération du token » 6. download the token as .txt.
The token (a JWT) is shown with its expiry; a new one is generated only when there is none or
it is due.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jwt
from playwright.async_api import Page

from retrievers.context import KEY_PATTERN, FlowContext
from retrievers.errors import PageChanged
from retrievers.forms import log_in
from retrievers.locate import click_in_menu, clickable

ONLINE_SERVICES = "Mes services en ligne"
CFA_SPACE = "centre de formation d'apprentis – CFA"
LOG_IN = "Se connecter"
MENU = "Mon cfa"
PAGE = "Sécurisation des imports de contrat d'apprentissage"
TOKEN = "TOKEN DE SÉCURITÉ"
EXPIRY = "DATE D'EXPIRATION DU TOKEN"
GENERATE = "Génération du token"
DOWNLOAD = "Télécharger le token de sécurité au format txt"


async def retrieve(page: Page, ctx: FlowContext) -> None:
    ctx.step(f"2. {ONLINE_SERVICES} → CFA")
    await click_in_menu(clickable(page, ONLINE_SERVICES), clickable(page, CFA_SPACE))

    ctx.step("3. connexion")
    await log_in(
        page,
        ctx,
        submit=page.get_by_role("button", name=LOG_IN),
        success=clickable(page, MENU),
    )
    ctx.step(f"4. {MENU} → {PAGE}")
    await click_in_menu(clickable(page, MENU), clickable(page, PAGE))

    token_box = page.get_by_label(TOKEN, exact=True)
    expiry_box = page.get_by_label(EXPIRY, exact=True)
    await token_box.wait_for()
    await page.wait_for_load_state("networkidle")  # the token is filled in after load
    shown = (await token_box.input_value()).strip()
    token = await ctx.read_key(token_box) if shown else None

    expires_at = _expiry(token, await expiry_box.input_value()) if token else None
    if ctx.wants_new_key(exists=token is not None, expires_at=expires_at):
        ctx.step(f"5. {GENERATE}")
        await ctx.generating()
        await clickable(page, GENERATE).click()
        # Wait for the new token, not the one still displayed.
        token = await ctx.read_key(token_box, pattern=_other_than(token))
        expires_at = _expiry(token, await expiry_box.input_value())
    assert token is not None
    ctx.save_key(token, expires_at=expires_at)

    ctx.step("6. téléchargement du token (.txt)")
    async with page.expect_download() as download_info:
        await clickable(page, DOWNLOAD).click()
    download = await download_info.value
    downloaded = Path(await download.path()).read_text(encoding="utf-8").strip()
    await download.delete()  # it holds the token: leave no copy behind
    if downloaded != token:
        raise PageChanged("the downloaded .txt token differs from the token shown on the page")


def _other_than(token: str | None) -> re.Pattern[str]:
    if token is None:
        return KEY_PATTERN
    return re.compile(rf"^(?!\s*{re.escape(token)}\s*$)" + KEY_PATTERN.pattern)


def _expiry(token: str, shown_date: str) -> datetime | None:
    """The JWT's `exp` claim when present, else the date the page shows (dd/mm/yyyy)."""
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.InvalidTokenError:
        exp = None
    if exp is not None:
        return datetime.fromtimestamp(int(exp), UTC)
    match = re.search(r"(\d{2})/(\d{2})/(\d{4})", shown_date)
    if not match:
        return None
    day, month, year = map(int, match.groups())
    return datetime(year, month, day, 23, 59, 59, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
