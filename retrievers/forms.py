"""Login forms, found in ways that survive another wording or markup of their fields.

Real portals label fields differently (a <label>, only a placeholder, an aria-label), put
"show password" eye buttons labelled like the password field, and report refused logins in
many ways; flows call `log_in` with only what their seed says (the user field's label where it
gives one, the submit button, what the next page offers).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NoReturn

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from retrievers import credentials, second_factor
from retrievers.errors import (
    AccountLocked,
    ActionNeeded,
    DryRunStop,
    LoginRefused,
    PageChanged,
)
from retrievers.locate import click, clickable, field, fill, go_to, heading, in_a_menu, press
from retrievers.logs import log
from retrievers.redact import REDACTOR

if TYPE_CHECKING:
    from retrievers.context import FlowContext

# Usual French wordings of a refused or locked login.
LOGIN_REFUSED = re.compile(
    r"(identifiant|mot de passe|adresse e-?mail|login).{0,40}"
    r"(incorrect|invalide|erron|inconnu)|échec de (la )?connexion|n'est pas reconnu",
    re.IGNORECASE,
)
ACCOUNT_LOCKED = re.compile(r"verrouill|bloqu|trop de tentatives", re.IGNORECASE)
# A page past the password that will not go on until the password is changed.
MUST_CHANGE_PASSWORD = re.compile(
    r"mot de passe (a |est )?expiré|"
    r"(devez|doit|obligatoire\w*)\W+(\w+\W+){0,3}(modifi|chang|renouvel)\w*\W+(\w+\W+){0,2}"
    r"mot de passe|"
    r"(changement|modification|renouvellement) (de|du) (votre )?mot de passe obligatoire",
    re.IGNORECASE)
_TEXT_INPUT = "input:is([type=email], [type=text], :not([type]))"


def password_field(page: Page) -> Locator:
    return page.locator("input[type=password]").filter(visible=True).first


def username_field(page: Page, label: str | None = None) -> Locator:
    """The seed's label where it gives one (label, placeholder or accessible name), else the
    text or e-mail box a person fills just before the password."""
    before_password = password_field(page).locator("xpath=preceding::input").and_(
        page.locator(_TEXT_INPUT)
    )
    if label:
        return field(page, label).or_(before_password.filter(visible=True).last).first
    return before_password.filter(visible=True).last


async def log_in(
    page: Page,
    ctx: FlowContext,
    *,
    submit: str | None,
    success: str,
    username_label: str | None = None,
    credentials: tuple[str, str] | None = None,
) -> None:
    """Fill the account's credentials (or `credentials`: another site's, such as O2S's),
    press `submit` (where the seed does not name it: Enter, as a person would), then wait for
    the next page (something named `success` to click) or a refusal."""
    username, password = credentials or (ctx.username, ctx.password)
    REDACTOR.add(password)
    done = clickable(page, success)
    if credentials is None and ctx.session_loaded:
        # A kept session may open the portal without its login form.
        await password_field(page).or_(done).first.wait_for()
        if await done.is_visible():
            log.info("signed in by the kept session")
            await ctx.signed_in(page.context)
            return
    try:
        await username_field(page, username_label).fill(username)
        await password_field(page).fill(password)
    except PlaywrightTimeoutError:
        what = f"« {username_label} »" if username_label else "user name"
        raise PageChanged(f"no login form with a {what} field and a password field") from None
    refused = page.get_by_text(LOGIN_REFUSED).or_(page.get_by_text(ACCOUNT_LOCKED))
    refused = refused.filter(visible=True)
    asks_more = second_factor.asked(page)
    must_change = (page.get_by_role("heading", name=MUST_CHANGE_PASSWORD)
                   .or_(page.get_by_text(MUST_CHANGE_PASSWORD)).filter(visible=True).first)
    in_menu = False  # signed in, the next step's label in a menu rather than in view
    for attempt in (1, 2):
        if submit:
            await click(page, submit)
        else:
            await password_field(page).press("Enter")
        answer = done.or_(refused).or_(asks_more).or_(must_change).first
        try:
            await answer.or_(_form_gone(page)).first.wait_for(
                timeout=ctx.timeout_ms / 2 if attempt == 1 else None)
            in_menu = (not await answer.is_visible()
                       and await _signed_in_elsewhere(page, answer, success))
            if not in_menu:
                await answer.wait_for()
            break
        except PlaywrightTimeoutError:
            form = password_field(page)
            if not await form.is_visible():  # signed in: the next step's label, maybe in a menu
                if in_menu := await in_a_menu(page, success):
                    break
                raise PageChanged(f"after signing in, « {success} » did not show") from None
            # The form still there, filled, and nothing said: the press was lost (a banner
            # showing up at that instant); a person presses again.
            if attempt == 1 and await _holds(form, password):
                log.info("login form still shown, pressing again")
                continue
            raise PageChanged(
                f"after « {submit or 'Enter'} », neither « {success} » nor a refusal showed"
            ) from None
    if not await refused.count():
        factor = False
        if not in_menu and await must_change.is_visible():
            await _must_change_password(ctx, must_change, done)
        else:
            # The page answered; neither the next step nor a refusal: the second factor (a
            # person may already be at it, so its page is not asked again).
            factor = not in_menu and not await done.is_visible()
            if factor:
                await second_factor.answer(page, ctx, done=done)
        # A session is worth keeping where signing in takes more than the password.
        if credentials is None and (factor or ctx.session_loaded or ctx.login_only):
            await ctx.signed_in(page.context)
        return
    message = REDACTOR((await refused.first.text_content() or "").strip())
    own = credentials is None  # the account's own password, not another site's
    if ACCOUNT_LOCKED.search(message):
        locked = f"the portal has locked the account: « {message} »"
        raise (AccountLocked if own else ActionNeeded)(locked)
    raise LoginRefused(f"login refused by the portal: « {message} »",
                       secret="password" if own else None)


async def _must_change_password(ctx: FlowContext, said: Locator, done: Locator) -> None:
    """The portal wants a new password first. The tool never changes one by itself: a person
    does, in the window of `login` (or of a headed run), then gives it to the tool."""
    words = REDACTOR(" ".join((await said.text_content() or "").split()))
    account = ctx.account
    then = credentials.how_to_change(account)
    reason = (f"{ctx.portal.name} asks for a new password for {account.name} before going on "
              f"(« {words} »)")
    if not ctx.headed:
        raise ActionNeeded(
            f"{reason}; the tool never changes a portal password: change it in the window of "
            f"`key-retriever login {ctx.portal.id} --account {account.name}`, then {then}")
    await ctx.person_needed(f"{reason}: change it in the browser window, then {then}",
                            done=done)


def _form_gone(page: Page) -> Locator:
    """The page once it holds no password field: the portal moved past its login form."""
    return page.locator("body:not(:has(input[type=password]))")


async def _signed_in_elsewhere(page: Page, answer: Locator, success: str) -> bool:
    """Past the form, the next step's label not in view: soon there, or in a menu (a tab of
    the seed that this portal made a menu item)."""
    try:
        await answer.wait_for(timeout=2_000)
        return False
    except PlaywrightTimeoutError:
        return await in_a_menu(page, success)


async def _holds(box: Locator, value: str) -> bool:
    try:
        return await box.input_value(timeout=1_000) == value
    except PlaywrightError:  # the page moved on meanwhile
        return False


async def send_form(page: Page, ctx: FlowContext, *, title: str, link: str,
                    answers: dict[str, str], send: str) -> None:
    """Reach the form titled `title` (by the `link` the seed names, or already on it), answer
    it (each question found by its label) and send it; a form that stays open says why, in the
    words of its alerts."""
    await go_to(page, link, there=heading(page, title))
    if ctx.dry_run:
        raise DryRunStop(f"would send the form « {title} »; nothing sent")
    try:
        await heading(page, title).wait_for(timeout=ctx.timeout_ms)
    except PlaywrightError:
        raise PageChanged(f"no form titled « {title} »") from None
    for label, value in answers.items():
        await fill(page, label, value)
    button = clickable(page, send, whole=True)  # not « Envoyer une autre réponse »
    await press(button)
    try:
        await button.wait_for(state="hidden", timeout=ctx.timeout_ms)
    except PlaywrightError:
        alerts = [" ".join(t.split()) for t in await page.get_by_role("alert").all_inner_texts()]
        raise PageChanged(f"« {send} » did not send the form « {title} »: "
                          + ("; ".join(a for a in alerts if a) or "it stayed open")) from None


async def send_request(page: Page, ctx: FlowContext, *, title: str, link: str,
                       questions: dict[str, str], answers: dict[str, str], send: str,
                       then: str) -> NoReturn:
    """A portal's request form, answered once (each question by the option holding its
    answer): sent, recorded, and the person told what comes next (`then`)."""
    await send_form(page, ctx, title=title, link=link, send=send,
                    answers={questions[name]: value for name, value in answers.items()})
    ctx.request_sent()
    raise ActionNeeded(f"request sent to {ctx.portal.name}; {then}")
