"""Constructys (seed, « Récupérer ma clé d'authentification pour Constructys »). The public page
« Accrochage SI CFA / Constructys : mise en place d'une phase expérimentale avant déploiement »
gives the steps and links the Microsoft Forms form « Demande d'octroi de clé API CFA –
Constructys ». After a valid answer the OPCO mails the technical contact the OG's establishments,
to be confirmed by reply (without a reply the granting stops); once the OG has answered
(`Sandbox.validate_perimeter`), it mails the key. An OG SIRET it does not know gets a refusal.
"""

from __future__ import annotations

import weakref
from email.headerregistry import Address
from email.message import EmailMessage

from aiohttp import web

from ..forms import Form, Question, form_handlers
from ..mail import compose
from ..state import SandboxState
from ..web import PortalContext, PortalSpec

SPEC = PortalSpec(
    id="constructys",
    title="Constructys – Accrochage SI CFA",
    session_cookie="wordpress_constructys_session",
    consent_cookie="constructys_tarteaucitron",
    consent_title="Gestion des cookies",
    consent_text=(
        "Constructys utilise des cookies pour mesurer l'audience du site et améliorer votre "
        "navigation. Vous pouvez accepter ou refuser ces cookies."
    ),
    consent_accept="Tout accepter",
    consent_refuse="Tout refuser",
    login_page="article",
)

ARTICLE_TITLE = ("Accrochage SI CFA / Constructys : mise en place d'une phase expérimentale avant "
                 "déploiement")
FORM_LINK = "formulaire de demande d'octroi de clé Api"
# The seed's steps, in its words; the first carries the link to the form.
STEPS = (
    ("L'organisme Gestionnaire complète le ", FORM_LINK,
     ". Ce formulaire permet d'identifier l'OG demandeur et la personne à qui la clé "
     "d'activation sera transmise, ainsi que le logiciel utilisé par le CFA."),
    ("Transmission par l'OPCO par mail au référent technique identifié dans le formulaire, de "
     "la liste des établissements présents dans notre SI pour validation du périmètre de l'OG",),
    ("Retour par mail de l'OG de la validation de la liste des établissement qui peut être "
     "corrigée au besoin (attention sans réponse au mail précédent le processus d'octroi de clé "
     "d'activation est stoppé)",),
    ("A réception de ce retour de mail, transmission par mail par l'OPCO de la clé "
     "d'identification à la personne désignée en tant que « contact technique » par le CFA dans "
     "le formulaire initialement transmis.",),
    ("La clé récupérée doit ensuite être recopiée dans le SI du CFA pour rendre opérationnelles "
     "les fonctionnalités d'API.",),
)
INTRO = ("Dans le cadre du projet Convergence API CFA/OPCO, Constructys met en place une phase "
         "expérimentale d'accrochage des SI des CFA avant son déploiement. La clé d'activation "
         "API CFA est octroyée à l'organisme gestionnaire (OG) selon les étapes suivantes.")

FORM = Form(
    title="Demande d'octroi de clé API CFA – Constructys",
    description=(
        ("p", "Ce formulaire permet d'identifier l'OG demandeur et la personne à qui la clé "
              "d'activation sera transmise, ainsi que le logiciel utilisé par le CFA."),
        ("p", "La liste des établissements de l'OG présents dans notre SI sera ensuite adressée "
              "par mail au contact technique, pour validation."),
    ),
    questions=(
        Question("og_name", "Nom de l'organisme gestionnaire (OG)"),
        Question("og_siret", "SIRET de l'organisme gestionnaire", "siret"),
        Question("contact_name", "Nom et prénom du contact technique"),
        Question("contact_email", "Adresse mail du contact technique", "email"),
        Question("contact_phone", "Téléphone du contact technique"),
        Question("software", "Logiciel de gestion utilisé par le CFA"),
    ),
)

SENDER = Address("Constructys - Accrochage SI CFA", "accrochage-si-cfa", "constructys.fr")
REPLY_TO = Address("Constructys - Périmètre API CFA", "perimetre-api-cfa", "constructys.fr")
PERIMETER_SUBJECT = "Constructys – Validation de la liste de vos établissements"
KEY_SUBJECT = "Constructys – Votre clé d'activation API CFA"
REFUSAL_SUBJECT = "Constructys – Votre demande de clé API CFA"
KEY_LABEL = "Clé d'activation :"
# The "variants" rendering's mails, in other words: the key mail names it with the seed's own word
# (step 5, « la clé d'identification »).
VARIANT_KEY_LABEL = "Votre clé d'identification :"
VARIANT_KEY_SUBJECT = "Constructys – Votre clé d'identification API CFA"
VARIANT_PERIMETER_SUBJECT = "Constructys – Périmètre de votre organisme gestionnaire à confirmer"
# Its article lives on a page of its own (the form is the portal's root there).
VARIANT_ARTICLE_PATH = ("accrochage-si-cfa-constructys-mise-en-place-dune-phase-experimentale-"
                        "avant-deploiement/")
# The sandboxes whose Constructys is served in the "variants" rendering (validate_perimeter is
# a test hook that only gets the state).
_VARIANT_STATES: weakref.WeakSet[SandboxState] = weakref.WeakSet()
# An older mailer: Latin-1, the HTML part in base64, the text part quoted-printable.
MAIL_ENCODING = {"charset": "iso-8859-1", "text_cte": "quoted-printable", "html_cte": "base64"}


def _contact(answers: dict[str, str]) -> Address:
    return Address(answers["contact_name"].strip(), addr_spec=answers["contact_email"].strip())


def _context(answers: dict[str, str]) -> dict[str, object]:
    return {"name": answers["contact_name"].strip(), "og": answers["og_name"].strip(),
            "og_siret": answers["og_siret"].strip()}


def perimeter_mail(answers: dict[str, str], establishments: list[dict[str, str]],
                   variant: bool = False) -> EmailMessage:
    return compose(sender=SENDER, to=_contact(answers), reply_to=REPLY_TO,
                   subject=VARIANT_PERIMETER_SUBJECT if variant else PERIMETER_SUBJECT,
                   template=("variants-constructys-etablissements" if variant
                             else "constructys-etablissements"),
                   context={**_context(answers), "establishments": establishments},
                   **MAIL_ENCODING)


def refusal_mail(answers: dict[str, str]) -> EmailMessage:
    return compose(sender=SENDER, to=_contact(answers), reply_to=REPLY_TO,
                   subject=REFUSAL_SUBJECT, template="constructys-refus",
                   context=_context(answers), **MAIL_ENCODING)


def key_mail(answers: dict[str, str], key: str, variant: bool = False) -> EmailMessage:
    return compose(sender=SENDER, to=_contact(answers),
                   subject=VARIANT_KEY_SUBJECT if variant else KEY_SUBJECT,
                   template="variants-constructys-cle" if variant else "constructys-cle",
                   context={**_context(answers), "key": key,
                            "key_label": VARIANT_KEY_LABEL if variant else KEY_LABEL},
                   **MAIL_ENCODING)


def validate_perimeter(state: SandboxState, og_siret: str) -> EmailMessage:
    """The OG has confirmed its establishments by reply: the OPCO mails the key to the technical
    contact of its last request (the current key, minted if it has none)."""
    if og_siret not in state.portals[SPEC.id].accounts:
        raise ValueError(f"Constructys knows no OG with SIRET {og_siret!r}")
    requests = state.form_requests(SPEC.id, og_siret)
    if not requests:
        raise ValueError(f"no Constructys request for the OG with SIRET {og_siret!r}")
    message = key_mail(requests[-1], state.valid_key(SPEC.id, og_siret).value,
                       variant=state in _VARIANT_STATES)
    state.postman.send(SPEC.id, message)
    return message


def setup(portal: PortalContext) -> None:
    state = portal.state
    variant = portal.rendering == "variants"
    if variant:
        _VARIANT_STATES.add(state)

    def on_answers(request: web.Request, answers: dict[str, str]) -> None:
        og_siret = answers["og_siret"].strip()
        state.record_form(SPEC.id, og_siret, answers)
        account = state.portals[SPEC.id].accounts.get(og_siret)
        if account is None:
            message = refusal_mail(answers)
        else:
            message = perimeter_mail(answers, account.establishments, variant)
        state.postman.send_after_request(SPEC.id, message)

    show, post, post_json = form_handlers(portal, FORM, page="form", submit="form_submit",
                                          api_submit="api_form", on_answers=on_answers)

    async def article(request: web.Request) -> web.Response:
        return portal.render(request, "constructys/article.html", title=ARTICLE_TITLE,
                             intro=INTRO, steps=STEPS)

    if variant:
        # The root is the request form itself; the article is a page of its own.
        portal.get(portal.public(), "form", show)
        portal.post(portal.public(), "form_submit", post)
        portal.get(portal.public(VARIANT_ARTICLE_PATH), "article", article)
    else:
        portal.get(portal.public(), "article", article)
        portal.get(portal.inner("formulaire"), "form", show)
        portal.post(portal.inner("formulaire"), "form_submit", post)
    portal.post(portal.inner("api/formulaire/reponses"), "api_form", post_json)


__all__ = ["FORM", "SPEC", "setup", "validate_perimeter"]
