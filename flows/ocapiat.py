"""Ocapiat — PartNet, « Interfaçage OCAPIAT » → « Afficher ma clé CFA » / « Générer ma clé CFA».

Seed steps: 1. public site 2. « Mon espace Ocapiat » 3. « Organisme de formation ou CFA » then
« PartNet » 4. log in 5. tab « Interfaçage OCAPIAT »: show the key if there is one, else choose
its lifetime in months (6 at most) and generate. Generating overwrites the previous key.
"""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from playwright.async_api import Page
from pydantic import BaseModel, Field

from retrievers.context import FlowContext
from retrievers.forms import log_in
from retrievers.locate import click_in_menu, clickable, key_shown_in, section_headed
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


class Options(BaseModel):
    lifetime_months: int = Field(6, ge=1, le=6, description="lifetime of a generated key")


async def retrieve(page: Page, ctx: FlowContext) -> None:
    options: Options = ctx.options or Options()

    ctx.step(f"2. {MY_SPACE}")
    await clickable(page, MY_SPACE).click()
    ctx.step(f"3. {PROFILE} → {EXTRANET}")
    await click_in_menu(clickable(page, PROFILE), clickable(page, EXTRANET))

    ctx.step("4. connexion")
    await log_in(
        page,
        ctx,
        username_label=USERNAME,
        submit=page.get_by_role("button", name=LOG_IN),
        success=clickable(page, TAB),
    )
    ctx.step(f"5. {TAB}")
    await clickable(page, TAB).click()

    show = page.get_by_role("button", name=SHOW)
    generate = page.get_by_role("button", name=GENERATE)
    await generate.wait_for()
    await page.wait_for_load_state("networkidle")  # the key block may still be loading
    key_text = key_shown_in(section_headed(page, KEY_BLOCK))

    if not ctx.wants_new_key(exists=await show.is_visible()):
        ctx.step(SHOW)
        await show.click()
        ctx.save_key(await ctx.read_key(key_text))
        return

    ctx.step(f"{GENERATE} ({options.lifetime_months} mois)")
    lifetime = page.get_by_label(LIFETIME)
    if await lifetime.evaluate("e => e.tagName") == "SELECT":
        await lifetime.select_option(str(options.lifetime_months))
    else:
        await lifetime.fill(str(options.lifetime_months))
    await ctx.generating()
    generated_at = now()
    await generate.click()
    key = await ctx.read_key(key_text)
    ctx.save_key(key, expires_at=generated_at + relativedelta(months=options.lifetime_months))
