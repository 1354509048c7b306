"""Afdas — portail MyA « Prestataire », « Mon compte » → « Identifiant API CFA ».

Seed steps: 1. log in to the MyA « Prestataire » portal with the e-mail address as user name
2. tab « Mon compte » 3. « Générer un identifiant API CFA » (only a group's head office has it;
the identifier is shared by every establishment of its SIREN, and a new one overwrites the
previous) 4. the identifier is in « Informations complémentaires pour les prestataires de
formation initiale », field « Identifiant API CFA ». Expiry unknown.
"""

from __future__ import annotations

from playwright.async_api import Page

from retrievers.context import FlowContext
from retrievers.errors import ActionNeeded
from retrievers.forms import log_in
from retrievers.locate import clickable, go_to, present

ACCOUNT_TAB = "Mon compte"
SECTION = "Informations complémentaires pour les prestataires de formation initiale"
IDENTIFIER = "Identifiant API CFA"
GENERATE = "Générer un identifiant API CFA"
# The seed's labels this flow reads by; portals.<id>.labels may rename any of them.
LABELS = (ACCOUNT_TAB, SECTION, IDENTIFIER, GENERATE)
HEAD_OFFICE_ONLY = ("only the group's head office (siège social) can generate it, for every "
                    "establishment of its SIREN; generate it with the head office's account, "
                    "then run this one again")


async def retrieve(page: Page, ctx: FlowContext) -> None:
    ctx.step("1. connexion au portail « Prestataire » (adresse e-mail, mot de passe)")
    await log_in(page, ctx, submit=None, success=ACCOUNT_TAB)

    ctx.step(f"2. onglet « {ACCOUNT_TAB} »")
    await go_to(page, ACCOUNT_TAB)

    ctx.step(f"4. « {SECTION} » → « {IDENTIFIER} »")
    await present(page, IDENTIFIER, to_read=True)
    identifier = await ctx.shown_key(page, IDENTIFIER)

    if not ctx.wants_new_key(exists=identifier is not None):
        ctx.save_key(identifier or "")
        return
    if not await clickable(page, GENERATE).is_visible():
        if identifier is not None:  # due or forced, but only the head office can generate
            ctx.save_key(identifier)
            return
        raise ActionNeeded(f"no « {IDENTIFIER} » yet, and this account has no « {GENERATE} »: "
                           f"{HEAD_OFFICE_ONLY}")

    ctx.step(f"3. « {GENERATE} »")
    try:
        ctx.save_key(
            await ctx.generate_key(page, button=GENERATE, label=IDENTIFIER, replacing=identifier)
        )
    except ActionNeeded as refused:  # the page says only the head office may generate
        if identifier is None:
            raise ActionNeeded(f"no « {IDENTIFIER} » yet, and {refused.message}: "
                               f"{HEAD_OFFICE_ONLY}") from None
        ctx.save_key(identifier)
