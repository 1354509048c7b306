"""Cardif — extranet FINAGORA: the aggregation TOKEN and the Code Apporteur, for O2S.

Seed (004) steps: 1. log in with the adviser's (CGP) credentials 2. « Suivi d'activité » →
« Autoriser un agrégateur » → in the « liste des abonnements aux agrégateurs », O2S selected,
subscribe to it (never twice, never another aggregator) and take its TOKEN (valid for a limited
time: « pensez à renouveler ce token ») 3. « Suivi d'activité » → « Extraction progestor » →
« Lancer l'extraction V2 » → « Télécharger le fichier »: the Code Apporteur is the smallest code
in it 4. hand both to O2S (flows/o2s.py). The TOKEN is stored the moment it is read.
"""

from __future__ import annotations

from datetime import datetime

from playwright.async_api import Locator, Page, expect

from flows import o2s
from flows.options import CardifOptions
from retrievers.context import FlowContext
from retrievers.dates import FRENCH_DATE, end_of_french_day
from retrievers.errors import Outcome, PageChanged
from retrievers.forms import log_in
from retrievers.locate import (
    choose,
    click,
    click_confirming,
    clickable,
    entry,
    go_to,
    other_than,
    present,
    press,
    read_shown,
    reveal_button,
    show_tab_with,
    value_within,
    words,
)
from retrievers.progestor import smallest_code

ACTIVITY = "Suivi d'activité"
AUTHORIZE = "Autoriser un agrégateur"
SUBSCRIPTIONS = "liste des abonnements aux agrégateurs"
SUBSCRIBE = "S'abonner"
RENEW = "Renouveler le token"
EXTRACTION = "Extraction progestor"
LAUNCH = "Lancer l'extraction V2"
DOWNLOAD = "Télécharger le fichier"
# The seed's labels this flow reads by; portals.<id>.labels may rename any of them.
LABELS = (ACTIVITY, AUTHORIZE, SUBSCRIPTIONS, SUBSCRIBE, RENEW, EXTRACTION, LAUNCH, DOWNLOAD,
          *o2s.LABELS)
EXTRACTION_WAIT_MS = 180_000  # the extraction is prepared asynchronously


async def retrieve(page: Page, ctx: FlowContext) -> None:
    options: CardifOptions = ctx.options or CardifOptions()
    if options.o2s and await _hand_off_only(page, ctx, options):
        return

    ctx.step("1. connexion (identifiants CGP)")
    await log_in(page, ctx, submit=None, success=ACTIVITY)
    token = await _token(page, ctx, options.aggregator)

    ctx.step(f"3. « {ACTIVITY} » → « {EXTRACTION} » → « {LAUNCH} »")
    await click(page, ACTIVITY, then=EXTRACTION)
    await go_to(page, EXTRACTION)  # a section of this page, or a menu item to a page of its own
    await present(page, LAUNCH)
    # Earlier extractions keep their files: counted once the list (which may come after the
    # page) is there, so that the new one is told from them.
    await page.wait_for_load_state("networkidle")
    ready_before = await _downloads(page).count()
    await click(page, LAUNCH)
    code = await _newest_file_code(page, ctx, ready_before)
    ctx.save_attributes(code_apporteur=code)
    if options.o2s:
        await o2s.hand_off(page.context, ctx, options.o2s, token=token, code=code)


async def _token(page: Page, ctx: FlowContext, aggregator: str) -> str:
    """Step 2: the TOKEN of `aggregator`, subscribing first where needed; stored at once."""
    ctx.step(f"2. « {ACTIVITY} » → « {AUTHORIZE} »")
    await click(page, ACTIVITY, then=AUTHORIZE)
    await click(page, AUTHORIZE, then=SUBSCRIPTIONS)
    ctx.step(f"2. « {SUBSCRIPTIONS} »: {aggregator}")
    await go_to(page, SUBSCRIPTIONS)  # a heading of the page, or a tab of it
    await page.wait_for_load_state("networkidle")  # the list may come after the page
    item = entry(page, aggregator)
    where = f"for {aggregator}"
    shown = value_within(item)
    token = None
    if await item.count():  # subscribed: its TOKEN, shown or behind « Afficher »
        token = (await ctx.read_key(shown, where=where) if await shown.count()
                 else await ctx.revealed_key(item, shown, where=where))
    expires_at = await _validity(item) if token else None
    if token is not None and not ctx.wants_new_key(exists=True, expires_at=expires_at):
        ctx.save_key(token, expires_at=expires_at)
        return token

    fresh = value_within(item, other_than(token)).or_(reveal_button(item)).first
    if token is None and not await clickable(item, RENEW).count():
        ctx.step(f"2. {aggregator} sélectionné, « {SUBSCRIBE} »")
        await ctx.generating()
        # Where the page offers a choice (radio, list), select the aggregator and subscribe;
        # else the subscribe action of its own row. Never another aggregator's.
        await show_tab_with(page, SUBSCRIBE)
        choice = page.get_by_role("radio", name=aggregator, exact=True).or_(
            page.get_by_role("combobox").filter(has=page.get_by_role("option", name=aggregator)))
        scope = page if await choice.count() else item
        if scope is page:
            await choose(page, aggregator)
        await click_confirming(page, SUBSCRIBE, scope=scope, until=fresh)
    else:  # due, forced, or expired (the page said so when asked to show it)
        ctx.step(f"2. « {RENEW} » ({aggregator})")
        await ctx.generating()
        await click_confirming(page, RENEW, scope=item, until=fresh)
    new = value_within(item, other_than(token))
    token = (await ctx.read_key(new, where=where) if not await reveal_button(item).count()
             else await ctx.revealed_key(item, new, where=where))
    if token is None:
        raise PageChanged(f"no TOKEN {where} after « {SUBSCRIBE} »")
    ctx.save_key(token, expires_at=await _validity(item))
    return token


async def _validity(item: Locator) -> datetime | None:
    date = value_within(item, FRENCH_DATE)
    return end_of_french_day(await read_shown(date)) if await date.count() else None


async def _newest_file_code(page: Page, ctx: FlowContext, ready_before: int) -> str:
    """Wait for the new extraction (listed first, as the newest), download it, read it."""
    ready = _downloads(page)
    ctx.step(f"3. « {DOWNLOAD} » (the extraction is being prepared)")
    try:
        await expect(ready).to_have_count(ready_before + 1, timeout=EXTRACTION_WAIT_MS)
    except AssertionError:
        raise PageChanged(f"the extraction V2 was not ready within "
                          f"{EXTRACTION_WAIT_MS // 1000} s") from None
    async with page.expect_download() as info:
        await press(ready.first)
    download = await info.value
    return await ctx.read_download(
        download, lambda path: smallest_code(path, download.suggested_filename))


def _downloads(page: Page) -> Locator:
    name = words(DOWNLOAD)
    return page.get_by_role("link", name=name).or_(page.get_by_role("button", name=name))


async def _hand_off_only(page: Page, ctx: FlowContext, options: CardifOptions) -> bool:
    """A run after a failed hand-off, the TOKEN valid and not due: only the hand-off again."""
    stored, code = ctx.stored, ctx.attribute("code_apporteur")
    if stored is None or stored.last_outcome != Outcome.HANDOFF_FAILED or not code:
        return False
    if ctx.untrusted or ctx.wants_new_key(exists=True):
        return False
    token = ctx.stored_key()
    if token is None:
        return False
    ctx.step("4. O2S only: the TOKEN and the Code Apporteur are stored")
    ctx.save_key(token, expires_at=stored.expires_at)
    assert options.o2s is not None
    await o2s.hand_off(page.context, ctx, options.o2s, token=token, code=code)
    return True
