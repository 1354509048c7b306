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

from retrievers import credentials
from retrievers.errors import ActionNeeded, LoginRefused
from retrievers.locate import press
from retrievers.logs import log

if TYPE_CHECKING:
    from retrievers.context import FlowContext

# A second factor is recognised by what it asks, not by its title: a one-time-code field, a
# button that sends a code or a notification, or words about approving on a phone.
TITLE = re.compile(r"v[ée]rification en deux [ée]tapes|double authentification|"
                   r"authentification (à|a) (deux|double) facteurs?|second facteur", re.IGNORECASE)
CODE_FIELD = re.compile(
    r"code\s+(de\s+|d.)?(v[ée]rification|validation|s[ée]curit[ée]|confirmation|"
    r"authentification|unique|temporaire|à\s*\d)|code\s+(re[çc]u|envoy)|"
    r"\bOTP\b|^\s*code\s*$", re.IGNORECASE)
SENDS = re.compile(r"(envoy|recev|renvoy)\w*\s.{0,30}(code|notification|demande|sms|e-?mail)",
                   re.IGNORECASE)
APPROVAL = re.compile(r"(valid|approuv|confirm)\w*\s+(cette|la|votre)\s+connexion|"
                      r"sur\s+votre\s+(t[ée]l[ée]phone|mobile|smartphone)", re.IGNORECASE)
AUTHENTICATOR = re.compile(r"application\s+d.authentification|authenticator|\bTOTP\b",
                           re.IGNORECASE)
WRONG_CODE = re.compile(r"code[^.]{0,30}(incorrect|invalide|erron|expir)", re.IGNORECASE)
REMEMBER = re.compile(r"se souvenir de cet appareil|faire confiance|m[ée]moriser|"
                      r"appareil de confiance|ne plus demander", re.IGNORECASE)
SUBMIT = re.compile(r"^\s*(valider|continuer|v[ée]rifier|confirmer|se connecter|ok)\s*$",
                    re.IGNORECASE)
_TRIES = 2  # a code typed as its period ends may be refused: one more, fresh


def _code_box(page: Page) -> Locator:
    return (page.locator("input[autocomplete=one-time-code]")
            .or_(page.get_by_label(CODE_FIELD)).or_(page.get_by_placeholder(CODE_FIELD))
            .or_(page.get_by_role("textbox", name=CODE_FIELD))
            .or_(page.get_by_label(AUTHENTICATOR)).or_(page.get_by_placeholder(AUTHENTICATOR))
            .filter(visible=True))


def asked(page: Page) -> Locator:
    """The page asking for a second factor, once it shows."""
    return (page.get_by_role("heading", name=TITLE).or_(_code_box(page))
            .or_(page.get_by_role("button", name=SENDS)).or_(page.get_by_role("link", name=SENDS))
            .or_(page.get_by_text(APPROVAL)).filter(visible=True).first)


async def answer(page: Page, ctx: FlowContext, *, done: Locator) -> None:
    """Get past the second factor until `done` shows, or say why a person is needed."""
    secret = ctx.account.totp_secret
    await page.wait_for_load_state()  # the whole page: what it asks, and of which app
    code_box = _code_box(page)
    # An authenticator's code is asked for by one code field on a page that names the app.
    if (secret and await code_box.count() == 1
            and await page.get_by_text(AUTHENTICATOR).or_(page.get_by_label(AUTHENTICATOR))
            .filter(visible=True).count()):
        await _authenticator(page, ctx, secret, code_box.first, done)
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
        submit = page.get_by_role("button", name=SUBMIT).filter(visible=True)
        if await submit.count():
            await press(submit.first)
        else:
            await code_box.press("Enter")
        await done.or_(wrong).first.wait_for()
        if await done.is_visible():
            log.info("second factor answered with the authenticator code")
            return
    raise LoginRefused(
        f"{ctx.portal.name} refused the authenticator codes: check this machine's clock, or "
        f"{credentials.how_to_change(ctx.account, credentials.TOTP)}", secret="totp")


async def remember_this_device(page: Page) -> None:
    """Tick « Se souvenir de cet appareil » where offered: the kept session then carries it."""
    box = (page.get_by_role("checkbox", name=REMEMBER)
           .or_(page.get_by_role("switch", name=REMEMBER)).filter(visible=True).first)
    if await box.count() and not await box.is_checked():
        await box.click()
