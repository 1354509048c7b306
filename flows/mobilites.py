"""OPCO Mobilités — M-Gestion CFA, « Clé d'authentification » → pop-in.

Seed steps: 8. public site 9. « M-Gestion CFA » 10. « Connectez-vous à M-Gestion CFA » 11. log in
12. « Clé d'authentification » 13. choose the SIRET, « Générer ma clé d'authentification »: the key
shows in a pop-in, closed with « FERMER ». Valid 365 days. The portal shows a key only by
generating a new one, so the engine visits it only when the stored key is due or missing.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.async_api import Page

from retrievers.context import FlowContext
from retrievers.forms import log_in
from retrievers.locate import clickable, key_shown_in
from retrievers.state import now

M_GESTION = "M-Gestion CFA"
CONNECT = "Connectez-vous à M-Gestion CFA"
LOG_IN = "Se connecter"
KEY_PAGE = "Clé d'authentification"
SIRET = re.compile("SIRET", re.IGNORECASE)
GENERATE = "Générer ma clé d'authentification"
CLOSE = "FERMER"
VALIDITY = timedelta(days=365)


async def retrieve(page: Page, ctx: FlowContext) -> None:
    ctx.step(f"9. {M_GESTION}")
    await clickable(page, M_GESTION).click()
    ctx.step(f"10. {CONNECT}")
    await clickable(page, CONNECT).click()

    ctx.step("11. connexion")
    await log_in(
        page,
        ctx,
        submit=page.get_by_role("button", name=LOG_IN),
        success=clickable(page, KEY_PAGE),
    )
    ctx.step(f"12. {KEY_PAGE}")
    await clickable(page, KEY_PAGE).click()

    generate = page.get_by_role("button", name=GENERATE)
    await generate.wait_for()
    await page.wait_for_load_state()  # the button does nothing until the page's script has run
    if ctx.siret:
        ctx.step(f"13. SIRET {ctx.siret}")
        siret = page.get_by_label(SIRET)
        if await siret.evaluate("e => e.tagName") == "SELECT":
            await siret.select_option(ctx.siret)
        else:
            await siret.fill(ctx.siret)

    ctx.step(f"13. {GENERATE}")
    await ctx.generating()
    generated_at = now()
    await generate.click()
    popin = page.get_by_role("dialog").filter(has_text=KEY_PAGE)
    key = await ctx.read_key(key_shown_in(popin))
    ctx.save_key(
        key,
        expires_at=generated_at + VALIDITY,
        attributes={"siret": ctx.siret} if ctx.siret else None,
    )
    await popin.get_by_role("button", name=CLOSE).click()
