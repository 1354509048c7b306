"""Login forms, found in ways that survive another wording of their labels.

Real portals label fields differently, put "show password" eye buttons labelled like the
password field, and report refused logins in many ways; flows call `log_in` with only what
their seed says (the submit button, what the next page shows).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.async_api import Locator, Page

from retrievers.errors import ActionNeeded, LoginRefused
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


def password_field(page: Page) -> Locator:
    return page.locator("input[type=password]").filter(visible=True).first


def username_field(page: Page, label: str | None = None) -> Locator:
    """The seed's label where it gives one, else the login form's text or e-mail input."""
    if label:
        return page.get_by_label(label, exact=True)
    form = page.locator("form").filter(has=page.locator("input[type=password]"))
    return (
        form.locator("input:is([type=email], [type=text], :not([type]))").filter(visible=True).first
    )


async def log_in(
    page: Page,
    ctx: FlowContext,
    *,
    submit: Locator,
    success: Locator,
    username_label: str | None = None,
) -> None:
    """Fill the account's credentials, submit, then wait for `success` or a refusal."""
    REDACTOR.add(ctx.password)
    await username_field(page, username_label).fill(ctx.username)
    await password_field(page).fill(ctx.password)
    await submit.click()
    refused = page.get_by_text(LOGIN_REFUSED).or_(page.get_by_text(ACCOUNT_LOCKED))
    refused = refused.filter(visible=True)
    await success.filter(visible=True).or_(refused).first.wait_for()
    if not await refused.count():
        return
    message = REDACTOR((await refused.first.text_content() or "").strip())
    if ACCOUNT_LOCKED.search(message):
        raise ActionNeeded(f"the portal has locked the account: « {message} »")
    raise LoginRefused(f"login refused by the portal: « {message} »")
