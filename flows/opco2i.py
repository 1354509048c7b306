"""OPCO 2i — the form « Clé d'activation API CFA OPCO2I », then the e-mail whose link shows the key
once (« Afficher le mot de passe »).

Seed steps: 1. the CFA completes the form (six required questions) 2. OPCO 2i e-mails the person
named in it a link that shows the key « qu'une seule fois » 3. the key is copied into the CFA's
software. The form is sent once; later runs look for the mail. A key shown once is kept in the
secure store from the moment the portal answers (retrievers/reveal.py).
"""

from __future__ import annotations

import re

from playwright.async_api import Page

from flows.options import Opco2iOptions
from retrievers.context import FlowContext
from retrievers.errors import ActionNeeded
from retrievers.forms import send_request
from retrievers.locate import key_shaped
from retrievers.mailbox import Link, Mail

FORM_LINK = "Formulaire Clé d'activation API CFA OPCO2i"  # on the page where the seed starts
FORM = "Clé d'activation API CFA OPCO2I"
QUESTIONS = {  # the seed's six required questions, by the option holding each answer
    "siren": "Le N° SIREN de votre CFA",
    "cfa_name": "Le nom de votre CFA",
    "recipient_name": "Le nom et le prénom de la personne destinataire de la clé d'activation",
    "recipient_email": "L'adresse mail de la personne destinataire de la clé d'activation",
    "phone": "Le téléphone de la personne destinataire de la clé d'activation",
    "software": "Quel logiciel de gestion est utilisé par votre CFA",
}
SEND = "Envoyer"  # the form service's button (the seed shows the questions, not the button)
SHOW = "Afficher le mot de passe"
PASSWORD = "Mot de passe"
# The seed's labels this flow reads by; portals.<id>.labels may rename any of them.
LABELS = (FORM_LINK, FORM, *QUESTIONS.values(), SEND, SHOW, PASSWORD)
# The link of the mail: the one that speaks of the key or of showing it.
KEY_LINK = re.compile(r"cl[ée]|mot de passe|afficher", re.IGNORECASE)
# Whatever the OPCO chose as a password: one word of printable characters.
ONE_WORD = key_shaped(r"^\s*\S{12,}\s*$")
WARNING = ("OPCO 2i: « Dès mise en œuvre de la transmission automatisée entre le SI CFA et le SI "
           "Opco2i, les transmissions via boîtes mails doivent être stoppées. »")


async def retrieve(page: Page, ctx: FlowContext) -> None:
    options: Opco2iOptions = ctx.options
    if ctx.interrupted_reveal():
        if ctx.force_new:  # a new request replaces what the stopped run kept
            ctx.forget_interrupted_reveal()
        else:
            ctx.step(f"2. « {SHOW} » (the answer kept by a run that stopped before storing it)")
            await ctx.reveal_once(page, None, None, button=SHOW, label=PASSWORD,
                                  pattern=ONE_WORD)
            ctx.notes += ["read from the one-time page's answer kept by the run that stopped",
                          WARNING]
            return

    ctx.step("2. l'e-mail d'OPCO 2i et son lien")
    # Read before any request: a mailbox that cannot be read stops the run first.
    mails = await ctx.new_mails(sender=options.key_mail.sender, subject=options.key_mail.subject)
    if mails and not ctx.force_new:
        mail, link = _key_link(mails)
        ctx.step(f"2. le lien de l'e-mail {mail.describe()} → « {SHOW} »")
        await ctx.reveal_once(page, mail, link, button=SHOW, label=PASSWORD, pattern=ONE_WORD)
        ctx.moved_used(mail)
        ctx.notes.append(WARNING)
        return

    ctx.nothing_new_by_mail(to=options.request.recipient_email,
                            awaited="with the link that shows the key once")
    ctx.step(f"1. le formulaire « {FORM} »")
    await send_request(
        page, ctx, title=FORM, link=FORM_LINK, questions=QUESTIONS,
        answers=options.request.model_dump(),
        send=SEND, then=f"its e-mail will come to {options.request.recipient_email} with a "
        "link that shows the key once: run again once it has come (the tool opens it)")


def _key_link(mails: list[Mail]) -> tuple[Mail, Link]:
    """The newest mail with a link to the key (a mail without one is no answer to read)."""
    for mail in mails:
        links = [link for link in mail.links if KEY_LINK.search(link.text)]
        if len(links) == 1 or (not links and len(mail.links) == 1):
            return mail, (links or mail.links)[0]
    raise ActionNeeded(
        f"the e-mail {mails[0].describe()} holds no single link to the key: read it; when a "
        f"link shows the key, « {SHOW} » and store it with `key-retriever set opco2i`"
    )
