"""A second factor after the password: answered by the tool (an authenticator code, with the
account's `totp_env`), by a person (headed), or not at all (headless: action needed, before the
portal is asked to send a code nobody would read).

The seeds show no second factor; its pages are read by the words such pages use.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pyotp
from playwright.async_api import Locator, Page

from retrievers.errors import ActionNeeded, LoginRefused
from retrievers.locate import clickable, words
from retrievers.logs import log

if TYPE_CHECKING:
    from retrievers.context import FlowContext

TITLE = re.compile(r"v[ée]rification en deux [ée]tapes|double authentification|"
                   r"authentification (à|a) (deux|double) facteurs?|second facteur", re.IGNORECASE)
AUTHENTICATOR_CODE = re.compile(r"application d.authentification|authenticator", re.IGNORECASE)
WRONG_CODE = re.compile(r"code[^.]{0,30}(incorrect|invalide|erron|expir)", re.IGNORECASE)
REMEMBER = words("Se souvenir de cet appareil")
VALIDATE = "Valider"
_TRIES = 2  # a code typed as its period ends may be refused: one more, fresh


def asked(page: Page) -> Locator:
    """The page asking for a second factor, once it shows."""
    return page.get_by_role("heading", name=TITLE).filter(visible=True).first


async def answer(page: Page, ctx: FlowContext, *, done: Locator) -> None:
    """Get past the second factor until `done` shows, or say why a person is needed."""
    secret = ctx.account.totp_secret
    code_box = (page.get_by_label(AUTHENTICATOR_CODE)
                .or_(page.get_by_placeholder(AUTHENTICATOR_CODE))
                .or_(page.get_by_role("textbox", name=AUTHENTICATOR_CODE))
                .filter(visible=True).first)
    if secret and await code_box.count():
        await _authenticator(page, ctx, secret, code_box, done)
        return
    reason = (f"{ctx.portal.name} asks for a second factor after the password (a code by "
              "e-mail or SMS, an approval in an app, or an authenticator code)")
    if not ctx.headed:
        raise ActionNeeded(
            f"{reason}; nothing was asked of it (no code sent). Sign in once with "
            f"`key-retriever login {ctx.portal.id} --account {ctx.account.name}` (the session "
            "is kept for later runs), or use `run --headed`, or give the account a totp_env "
            "for an authenticator app"
        )
    await ctx.person_needed(f"{reason}: complete it in the browser window", done=done)


async def _authenticator(page: Page, ctx: FlowContext, secret: str, code_box: Locator,
                         done: Locator) -> None:
    wrong = page.get_by_text(WRONG_CODE).filter(visible=True).first
    for _ in range(_TRIES):
        await remember_this_device(page)
        await code_box.fill(pyotp.TOTP(secret).now())
        await clickable(page, VALIDATE, whole=True).click()
        await done.or_(wrong).first.wait_for()
        if await done.is_visible():
            log.info("second factor answered with the authenticator code")
            return
    raise LoginRefused(
        f"{ctx.portal.name} refused the authenticator codes: check the secret in "
        f"${ctx.account.totp_env} and this machine's clock"
    )


async def remember_this_device(page: Page) -> None:
    """Tick « Se souvenir de cet appareil » where offered: the kept session then carries it."""
    box = (page.get_by_role("checkbox", name=REMEMBER)
           .or_(page.get_by_role("switch", name=REMEMBER)).filter(visible=True).first)
    if await box.count() and not await box.is_checked():
        await box.click()
