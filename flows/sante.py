"""OPCO Santé — plateforme CFA, « Mon organisme » → « Clé d'authentification API CFA ».

Seed steps: 1-2. log in (identifiant, mot de passe, « Me connecter ») 3. tab « Mon organisme »,
then select « Clé d'authentification API CFA » 4. « Générer ma clé » 5. the key shows. One key
per SIREN, shared by its establishments, expiring 12 months after it is generated.
"""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from playwright.async_api import Page

from retrievers.context import FlowContext
from retrievers.dates import FRENCH_DATE, end_of_french_day
from retrievers.forms import log_in
from retrievers.locate import choose, click, present, read_shown, value_under
from retrievers.state import now

LOG_IN = "Me connecter"
ORGANISATION = "Mon organisme"
KEY_PAGE = "Clé d'authentification API CFA"
GENERATE = "Générer ma clé"
EXPIRY = "Date d'expiration"
# The seed's labels this flow reads by; portals.<id>.labels may rename any of them.
LABELS = (LOG_IN, ORGANISATION, KEY_PAGE, GENERATE, EXPIRY)
LIFETIME = relativedelta(months=12)


async def retrieve(page: Page, ctx: FlowContext) -> None:
    ctx.step(f"2. connexion (« {LOG_IN} »)")
    await log_in(page, ctx, submit=LOG_IN, success=ORGANISATION)

    ctx.step(f"3. « {ORGANISATION} » → « {KEY_PAGE} »")
    await click(page, ORGANISATION, then=KEY_PAGE)
    await page.wait_for_load_state()  # a choice made before the page's script runs is lost
    await choose(page, KEY_PAGE, then=GENERATE)

    ctx.step(f"5. « {KEY_PAGE} »")
    await present(page, GENERATE)
    key = await ctx.shown_key(page, KEY_PAGE)
    if key is None:  # none, or one the portal does not show again
        ctx.keep_stored_unless_due()

    if ctx.wants_new_key(exists=key is not None):
        ctx.step(f"4. « {GENERATE} »")
        generated_at = now()
        key = await ctx.generate_key(page, button=GENERATE, label=KEY_PAGE, replacing=key)
        # The date the page shows (a Paris day) when it shows one, as on any later read.
        ctx.save_key(key, expires_at=await _shown_expiry(page) or generated_at + LIFETIME)
        return
    # Shown, not generated here: its date where the page gives it; else the engine dates it
    # from when it first saw it and the portal's 12 months.
    ctx.save_key(key or "", expires_at=await _shown_expiry(page))


async def _shown_expiry(page: Page) -> datetime | None:
    expiry = value_under(page, EXPIRY, FRENCH_DATE)
    return end_of_french_day(await read_shown(expiry) if await expiry.count() else "")
