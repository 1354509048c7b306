"""OPCO Mobilités — M-Gestion CFA, « Clé d'authentification » → pop-in.

Seed steps: 8. public site 9. « M-Gestion CFA » 10. « Connectez-vous à M-Gestion CFA » 11. log in
12. « Clé d'authentification » 13. choose the SIRET, « Générer ma clé d'authentification »: the key
shows in a pop-in, closed with « FERMER ». Valid 365 days. The portal shows a key only by
generating a new one, so the engine visits it only when the stored key is due or missing.
"""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Page

from retrievers.context import FlowContext
from retrievers.errors import PageChanged
from retrievers.forms import log_in
from retrievers.locate import choose, click, clickable, dialog, press, value_within
from retrievers.state import now

M_GESTION = "M-Gestion CFA"
CONNECT = "Connectez-vous à M-Gestion CFA"
LOG_IN = "Se connecter"
KEY_PAGE = "Clé d'authentification"
GENERATE = "Générer ma clé d'authentification"
CLOSE = "FERMER"
# The seed's labels this flow reads by; portals.<id>.labels may rename any of them.
LABELS = (M_GESTION, CONNECT, LOG_IN, KEY_PAGE, GENERATE, CLOSE)
VALIDITY = timedelta(days=365)


async def retrieve(page: Page, ctx: FlowContext) -> None:
    ctx.step(f"9. « {M_GESTION} »")
    await click(page, M_GESTION, then=CONNECT)
    ctx.step(f"10. « {CONNECT} »")
    await click(page, CONNECT, then=LOG_IN)

    ctx.step(f"11. connexion (« {LOG_IN} »)")
    await log_in(page, ctx, submit=LOG_IN, success=KEY_PAGE)
    ctx.step(f"12. « {KEY_PAGE} »")
    generate = clickable(page, GENERATE)
    await click(page, KEY_PAGE, then=GENERATE)
    await page.wait_for_load_state()  # the button does nothing until the page's script has run
    if ctx.siret:
        ctx.step(f"13. SIRET {ctx.siret}")
        await choose(page, ctx.siret)

    ctx.step(f"13. « {GENERATE} »")
    await ctx.generating()
    generated_at = now()
    await press(generate)
    popin = dialog(page, KEY_PAGE)
    key = await ctx.read_key(value_within(popin), where=f"in the « {KEY_PAGE} » pop-in")
    ctx.save_key(
        key,
        expires_at=generated_at + VALIDITY,
        attributes={"siret": ctx.siret} if ctx.siret else None,
    )
    try:
        await click(popin, CLOSE)
    except PageChanged as exc:  # the key is stored and read back: closing is a courtesy
        ctx.notes.append(f"the key is stored; closing the pop-in failed: {exc.message}")
