"""Ocapiat — PartNet, « Interfaçage OCAPIAT » → « Afficher ma clé CFA » / « Générer ma clé CFA ».

Seed steps: 1. public site 2. « Mon espace Ocapiat » 3. select « Organisme de formation ou CFA »
then « PartNet » 4. log in 5. tab « Interfaçage OCAPIAT »: « si cette dernière est déjà
générée », « Afficher ma clé CFA »; « si cette dernière n'est pas encore générée », choose its
lifetime in months (6 at most) and « Générer ma clé CFA ». Generating overwrites the previous
key. Whether a key exists is what the page says (a key, or words: none yet, expired), never
which buttons it happens to show.
"""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from playwright.async_api import Page

from flows.options import OcapiatOptions
from retrievers.context import FlowContext
from retrievers.dates import FRENCH_DATE, end_of_french_day
from retrievers.forms import log_in
from retrievers.locate import (
    choose,
    click,
    clickable,
    fill,
    other_than,
    read_shown,
    value_under,
)
from retrievers.state import now

MY_SPACE = "Mon espace Ocapiat"
PROFILE = "Organisme de formation ou CFA"
EXTRANET = "PartNet"
USERNAME = "Votre identifiant (login)"
LOG_IN = "Connexion"
TAB = "Interfaçage OCAPIAT"
KEY_BLOCK = "Clé privée du CFA sélectionné"
SHOW = "Afficher ma clé CFA"
LIFETIME = "Durée de vie de ma clé CFA en mois"
GENERATE = "Générer ma clé CFA"
EXPIRY = "Date d'expiration"
# The seed's labels this flow reads by; portals.<id>.labels may rename any of them.
LABELS = (MY_SPACE, PROFILE, EXTRANET, USERNAME, LOG_IN, TAB, KEY_BLOCK, SHOW, LIFETIME, GENERATE,
          EXPIRY)


async def retrieve(page: Page, ctx: FlowContext) -> None:
    options: OcapiatOptions = ctx.options or OcapiatOptions()

    ctx.step(f"2. « {MY_SPACE} »")
    await click(page, MY_SPACE, then=PROFILE)
    ctx.step(f"3. « {PROFILE} » → « {EXTRANET} »")
    await page.wait_for_load_state()  # a choice made before the page's script runs is lost
    await choose(page, PROFILE, then=EXTRANET)
    await click(page, EXTRANET, then=LOG_IN)

    ctx.step(f"4. connexion (« {USERNAME} », « {LOG_IN} »)")
    await log_in(page, ctx, username_label=USERNAME, submit=LOG_IN, success=TAB)
    ctx.step(f"5. onglet « {TAB} »")
    await click(page, TAB, then=GENERATE)

    where = f"under « {KEY_BLOCK} »"
    ctx.step(f"5. « {SHOW} »")
    # The tab offers « Afficher », or says at once that no key was generated yet.
    answer = await ctx.answer(clickable(page, SHOW))
    if answer.shown:
        await click(page, SHOW)
        answer = await ctx.answer(value_under(page, KEY_BLOCK))
    if answer.shown:
        key = await ctx.read_key(value_under(page, KEY_BLOCK), where=where)
        # The page shows the key's expiry next to it; without it, the engine dates the key
        # from when it first saw it and Ocapiat's longest lifetime (6 months).
        expiry = value_under(page, EXPIRY, FRENCH_DATE)
        expires_at = end_of_french_day(await read_shown(expiry)) if await expiry.count() else None
        if not ctx.wants_new_key(exists=True, expires_at=expires_at):
            ctx.save_key(key, expires_at=expires_at)
            return
        replacing: str | None = key
    elif answer.no_valid_key:  # « aucune clé … générée », « … a expiré le … »
        replacing = None
    else:
        answer.require_shown(f"« {SHOW} » or a key {where}")

    ctx.step(f"5. « {LIFETIME} » = {options.lifetime_months}, « {GENERATE} »")
    await fill(page, LIFETIME, str(options.lifetime_months))
    if replacing is not None:
        await ctx.where_the_key_will_show(page, KEY_BLOCK)
    await ctx.generating()
    generated_at = now()
    await click(page, GENERATE)
    key = await ctx.read_key(value_under(page, KEY_BLOCK, other_than(replacing)), where=where)
    ctx.save_key(key, expires_at=generated_at + relativedelta(months=options.lifetime_months))
