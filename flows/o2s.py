"""O2S — the adviser's software, where Cardif's TOKEN and Code Apporteur are handed over.

Seed (004) step 4: 1. log in to O2S 2. in the module for aggregation requests (« demande
d'agrégation »), enter the Code Apporteur and the TOKEN, both required. Note: when the Code
Apporteur changes, delete the old code in O2S before the new request. O2S keeps one request
per code, so a new TOKEN for the same code replaces that code's request too.
"""

from __future__ import annotations

import os
import re

from playwright.async_api import BrowserContext, Page, expect
from playwright.async_api import Error as PlaywrightError

from flows.options import O2SOptions
from retrievers.context import FlowContext
from retrievers.errors import HandOffFailed, PortalDown, RetrievalError
from retrievers.forms import log_in
from retrievers.locate import (
    click_confirming,
    click_in_menu,
    clickable,
    entry,
    field,
    fill,
    heading,
    new_form_opener,
    open_form_with,
    press,
    submit,
)
from retrievers.state import fingerprint

MODULE = "Demande d'agrégation"
CODE = "Code Apporteur"
TOKEN = "TOKEN"
DELETE = "Supprimer"
SIGNED_IN = "Déconnexion"  # what shows once signed in
# The seed's labels this flow reads by; portals.<id>.labels may rename any of them.
LABELS = (MODULE, CODE, TOKEN, DELETE, SIGNED_IN)


async def hand_off(
    context: BrowserContext, ctx: FlowContext, o2s: O2SOptions, *, token: str, code: str
) -> None:
    """Enter `code` and `token` in O2S, unless this pair was handed over already; a failure
    leaves the TOKEN stored and says the hand-off failed (the next run tries it again)."""
    handed = f"{fingerprint(token)}:{code}"
    if ctx.attribute("o2s_handed") == handed:
        return
    earlier = [c for c in (ctx.attribute("o2s_code"), code) if c]
    page = await ctx.open_page(context)
    try:
        ctx.step("4. O2S: connexion")
        answered = await page.goto(o2s.base_url)
        if answered is not None and answered.status >= 500:  # its maintenance page: say so now
            raise PortalDown(f"O2S answered HTTP {answered.status} at {o2s.base_url} (down); "
                             "the next run hands off again")
        password = os.environ.get(o2s.password_env, "")
        await log_in(page, ctx, submit=None, success=SIGNED_IN,
                     credentials=(o2s.username, password))
        ctx.step(f"4. O2S: « {MODULE} »")
        await _open_module(page, ctx)
        await page.wait_for_load_state("networkidle")  # requests are listed after the page
        for old in dict.fromkeys(earlier):  # the old code first, as the seed asks
            request = entry(page, _code(old))
            if await request.count():
                ctx.step(f"4. O2S: « {DELETE} » the request of Code Apporteur {old}")
                await click_confirming(page, DELETE, scope=request, until=None)
                await expect(request).to_have_count(0)
        ctx.step(f"4. O2S: « {CODE} » {code} and « {TOKEN} »")
        await open_form_with(page, field(page, CODE))
        await fill(page, CODE, code)
        await fill(page, TOKEN, token)
        await submit(field(page, CODE))
        await entry(page, _code(code)).wait_for()
    except RetrievalError as exc:
        raise HandOffFailed(f"O2S hand-off failed: {ctx.current_step}: {exc.message}") from None
    except (PlaywrightError, AssertionError):
        raise HandOffFailed(f"O2S hand-off failed: {ctx.current_step}: what this step waits "
                            f"for did not show within {ctx.timeout_ms / 1000:.0f} s") from None
    finally:
        await page.close()
    ctx.save_attributes(o2s_handed=handed, o2s_code=code)


async def _open_module(page: Page, ctx: FlowContext) -> None:
    """The module, from its link or its menu; a click lost while the page was still loading
    (seen on a busy machine) is made again, as a person would."""
    for attempt in (1, 2):
        await page.wait_for_load_state()
        module = clickable(page, MODULE)
        if await module.is_visible():
            await press(module)
        else:
            await click_in_menu(page, MODULE)
        try:  # the module's title, or its form or list at once
            await heading(page, MODULE).or_(field(page, CODE)).or_(new_form_opener(page)).first \
                .wait_for(timeout=ctx.timeout_ms / 2)
            return
        except PlaywrightError:
            if attempt == 2:
                raise


def _code(code: str) -> re.Pattern[str]:
    """A request's code as a list shows it: alone, or ending its title."""
    return re.compile(rf"(^|\D){re.escape(code)}\s*$")
