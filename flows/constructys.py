"""Constructys — the managing organisation's request form, the list of establishments to confirm by
e-mail, then the key by e-mail.

Seed steps: 1. the « Web Services Partenaire » page 2. the managing organisation (OG) completes
the « formulaire de demande d'octroi de clé Api » 3. Constructys e-mails the technical contact
the list of establishments 4. the OG answers that mail, confirming or correcting the list (no
answer stops the process) 5. Constructys e-mails the key to the technical contact. Step 4 is a
person's: the tool says what to answer and to whom, and stores the key when it comes.
"""

from __future__ import annotations

import re

from playwright.async_api import Page

from flows.options import ConstructysOptions
from retrievers.context import FlowContext
from retrievers.errors import ActionNeeded
from retrievers.forms import send_request

FORM_LINK = "formulaire de demande d'octroi de clé Api"
FORM = "Demande d'octroi de clé API"
QUESTIONS = {  # the form's questions, by the option holding each answer
    "og_name": "Nom de l'organisme gestionnaire",
    "og_siret": "SIRET de l'organisme gestionnaire",
    "contact_name": "Nom et prénom du contact technique",
    "contact_email": "Adresse mail du contact technique",
    "contact_phone": "Téléphone du contact technique",
    "software": "Logiciel de gestion utilisé par le CFA",
}
SEND = "Envoyer"
KEY = "clé d'identification"  # the seed's word (step 5)
# The seed's labels this flow reads by; portals.<id>.labels may rename any of them.
LABELS = (FORM_LINK, FORM, *QUESTIONS.values(), SEND, KEY)
# Else a long word after a label that speaks of a key (« Clé d'activation : … », « API key : »).
ANY_KEY = re.compile(r"(cl[ée]|key|token|jeton)[^:\n]{0,40}:")
SIRET = r"\b\d{3}\s?\d{3}\s?\d{3}\s?\d{5}\b"


async def retrieve(page: Page, ctx: FlowContext) -> None:
    options: ConstructysOptions = ctx.options
    ctx.step("5. l'e-mail de Constructys avec la clé")
    for mail in await ctx.new_mails(sender=options.key_mail.sender,
                                    subject=options.key_mail.subject):
        key = mail.value_after(KEY) or mail.value_after(ANY_KEY)
        if key:
            ctx.save_key(key)
            ctx.use_mail(mail)
            ctx.moved_used(mail)
            return

    if ctx.requested_at() and not ctx.force_new:
        ctx.step("3. l'e-mail de Constructys avec la liste des établissements")
        since = ctx.answers_since()
        # A list already answered by the key that followed it asks nothing more.
        if ctx.has_stored_key and ctx.stored and ctx.stored.retrieved_at:
            since = max(since, ctx.stored.retrieved_at)
        listed = await ctx.new_mails(sender=options.establishments_mail.sender,
                                     subject=options.establishments_mail.subject, since=since)
        if listed:
            mail = listed[0]
            establishments = "; ".join(mail.lines_with(SIRET)) or "see the mail"
            raise ActionNeeded(
                f"Constructys e-mailed {options.request.contact_email} the list of the "
                f"establishments it holds for {options.request.og_name} ({mail.describe()}). "
                f"Reply to {mail.reply_to}, confirming the list or correcting it — without an "
                f"answer Constructys stops granting the key. Listed: {establishments}"
            )
    ctx.nothing_new_by_mail(to=options.request.contact_email,
                            awaited="with the list of establishments")
    ctx.step(f"2. « {FORM_LINK} »")
    await send_request(
        page, ctx, title=FORM, link=FORM_LINK, questions=QUESTIONS,
        answers=options.request.model_dump(),
        send=SEND, then=f"it will e-mail {options.request.contact_email} the list of "
        "establishments to confirm by replying: run again once it has come")
