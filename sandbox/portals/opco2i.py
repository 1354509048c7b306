"""OPCO 2i (seed, « Récupérer ma clé d'authentification pour OPCO 2i »). No portal: the CFA answers
the Microsoft Forms form « Clé d'activation API CFA OPCO2I » (six required questions), then the
OPCO mails the recipient of question 4 a link to a one-time-secret page: « Afficher le mot de
passe » shows the key once (« Il ne s'affichera qu'une seule fois ! ») with « Copier le Mot de
Passe »; the link is dead afterwards. A SIREN the OPCO does not know gets a refusal mail.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage

from aiohttp import web

from ..forms import Form, Question, form_handlers
from ..mail import again, compose
from ..state import OneTimeSecret, SandboxState
from ..web import PortalContext, PortalSpec, json_error

SPEC = PortalSpec(
    id="opco2i",
    title="Clé d'activation API CFA OPCO2I",
    session_cookie="FormsWebSessionId",
    consent_cookie="MSCC",
    consent_title="Vos choix en matière de cookies",
    consent_text=(
        "Nous utilisons des cookies facultatifs pour améliorer votre expérience sur nos sites "
        "web, par exemple via les connexions aux réseaux sociaux, et pour afficher des publicités "
        "personnalisées en fonction de votre activité en ligne."
    ),
    consent_accept="Accepter",
    consent_refuse="Refuser",
    login_page="form",
)

FORM = Form(
    title="Clé d'activation API CFA OPCO2I",
    description=(
        ("p", "Dans le cadre du déploiement du projet Convergence API CFA/OPCO, visant la "
              "dématérialisation des dossiers d'apprentissage ainsi que les échanges de données "
              "financières entre Opérateurs de Compétences et CFA, l'OPCO 2I a mis en œuvre le "
              "protocole d'accrochage automatisé entre son SI et votre SI CFA."),
        ("p", "Ce système d'interfaçage permet notamment la transmission automatisée :"),
        ("ul", ("des contrats d'apprentissage,", "des pièces justificatives,",
                "des factures associées aux contrats d'apprentissage (en cours de finalisation)")),
        ("p", "L'authentification des CFA est effectuée via une clé d'activation (API Key). Cette "
              "clé est unique à chaque CFA et fournie par chaque OPCO."),
        ("p", "Pour des raisons évidentes de sécurité et de confidentialité, chaque CFA, qui "
              "souhaite mettre en place cet interfaçage, doit obtenir une clé privée et "
              "confidentielle de la part de chaque OPCO, dont l'Opco2i."),
        ("p", "Les éléments à prendre en compte, pour l'accrochage de votre CFA, sont les "
              "suivants :"),
        ("ul", ("Dès mise en œuvre de la transmission automatisée entre le SI CFA et le SI Opco2i, "
                "les transmissions via boîtes mails doivent être stoppées. Il est impératif de "
                "basculer entièrement d'un système à l'autre.",
                "Les factures envoyées à Opco2i doivent seulement être mono-dossier. Ce "
                "paramétrage est à effectuer dans votre SI CFA.")),
        ("p", "La clé d'activation pour votre CFA est actuellement disponible."),
        ("p", "Afin de vous la transmettre, je vous remercie de compléter le formulaire "
              "ci-dessous :"),
    ),
    questions=(
        Question("siren", "Le N° SIREN de votre CFA", "siren"),
        Question("cfa_name", "Le nom de votre CFA"),
        Question("recipient_name",
                 "Le nom et le prénom de la personne destinataire de la clé d'activation"),
        Question("recipient_email",
                 "L'adresse mail de la personne destinataire de la clé d'activation", "email"),
        Question("phone", "Le téléphone de la personne destinataire de la clé d'activation"),
        Question("software", "Quel logiciel de gestion est utilisé par votre CFA"),
    ),
)

SENDER = Address("OPCO 2i - Clé API CFA", "noreply-cleapi", "opco2i.fr")
KEY_SUBJECT = "Votre clé d'activation API CFA OPCO 2i"
REFUSAL_SUBJECT = "Votre demande de clé d'activation API CFA OPCO 2i"
REVEAL_LINK_TEXT = "Afficher ma clé d'activation"
PRIVACY_URL = "https://www.opco2i.fr/politique-de-confidentialite/"
SITE_URL = "https://www.opco2i.fr/"

# The one-time-secret page.
SECRET_TITLE = "Un mot de passe a été partagé avec vous"
SECRET_TEXT = ("Veuillez noter qu'après affichage du mot de passe, vous devrez le noter. "
               "Il ne s'affichera qu'une seule fois !")
SHOWN_NOTE = "Ce mot de passe ne s'affichera plus : notez-le dès maintenant."
EXPIRED_TITLE = "Ce lien a expiré"
EXPIRED_TEXT = ("Le mot de passe a déjà été affiché : il ne s'affiche qu'une seule fois. "
                "Demandez un nouveau lien à l'expéditeur du mail.")
REVEAL = "Afficher le mot de passe"
PASSWORD = "Mot de passe"
COPY = "Copier le Mot de Passe"


def key_mail(secret: OneTimeSecret, answers: dict[str, str], link: str) -> EmailMessage:
    """UTF-8, the HTML part quoted-printable: the link's `=` reads `=3D` and long lines are cut
    with soft breaks until decoded. A site link comes before the reveal link, a privacy link
    after it."""
    return compose(
        sender=SENDER, to=_recipient(answers), subject=KEY_SUBJECT, template="opco2i-cle",
        context={"name": answers["recipient_name"].strip(), "cfa": answers["cfa_name"].strip(),
                 "siren": secret.siren, "link": link, "link_text": REVEAL_LINK_TEXT,
                 "site_url": SITE_URL, "privacy_url": PRIVACY_URL},
        charset="utf-8", text_cte="8bit", html_cte="quoted-printable")


def refusal_mail(answers: dict[str, str]) -> EmailMessage:
    return compose(
        sender=SENDER, to=_recipient(answers), subject=REFUSAL_SUBJECT, template="opco2i-refus",
        context={"name": answers["recipient_name"].strip(), "siren": answers["siren"].strip()},
        charset="utf-8", text_cte="quoted-printable", html_cte="quoted-printable")


def _recipient(answers: dict[str, str]) -> Address:
    return Address(answers["recipient_name"].strip(),
                   addr_spec=answers["recipient_email"].strip())


def resend_key_mail(state: SandboxState, siren: str) -> EmailMessage:
    """The OPCO sends its last key mail for that SIREN once more (the same link)."""
    secret = state.last_secret(siren)
    if secret is None or secret.mail is None:
        raise ValueError(f"OPCO 2i has sent no key mail for SIREN {siren!r}")
    duplicate = again(secret.mail)
    state.postman.send(SPEC.id, duplicate)
    return duplicate


def setup(portal: PortalContext) -> None:
    state = portal.state

    def on_answers(request: web.Request, answers: dict[str, str]) -> None:
        siren = answers["siren"].strip()
        state.record_form(SPEC.id, siren, answers)
        if siren not in state.portals[SPEC.id].accounts:
            state.postman.send_after_request(SPEC.id, refusal_mail(answers))
            return
        secret = state.new_secret(siren, state.valid_key(SPEC.id, siren).value)
        # Absolute, on the host the form was answered on: the link works from a mail reader.
        link = f"{request.url.origin()}{portal.public(f'secret/{secret.token}')}"
        secret.mail = key_mail(secret, answers, link)
        state.postman.send_after_request(SPEC.id, secret.mail)

    show, post, post_json = form_handlers(portal, FORM, page="form", submit="form_submit",
                                          api_submit="api_form", on_answers=on_answers)

    def render_secret(request: web.Request, view: str, key: str = "",
                      status: int = 200) -> web.Response:
        token = request.match_info["token"]
        return portal.render(
            request, "opco2i/secret.html", status=status, view=view, key=key,
            reveal_url=portal.public(f"secret/{token}"),
            api_reveal_url=portal.public(f"secret/{token}/affichage"),
            texts={"title": SECRET_TITLE, "text": SECRET_TEXT, "shownNote": SHOWN_NOTE,
                   "expiredTitle": EXPIRED_TITLE, "expiredText": EXPIRED_TEXT,
                   "reveal": REVEAL, "password": PASSWORD, "copy": COPY})

    async def burn(request: web.Request) -> OneTimeSecret | None:
        """Serve the key once: burnt here, before the answer (which a test may hold)."""
        secret = state.burn(request.match_info["token"])
        if secret is not None:
            await portal.key_replaced()
        return secret

    async def secret_page(request: web.Request) -> web.Response:
        # Opening the link shows nothing yet: a mail scanner's GET must not burn it.
        portal.ensure_session(request)
        secret = state.secret(request.match_info["token"])
        if secret is None or secret.burned:
            return render_secret(request, "expired", status=404)
        return render_secret(request, "pending")

    async def reveal(request: web.Request) -> web.Response:
        secret = await burn(request)
        if secret is None:
            return render_secret(request, "expired", status=404)
        return render_secret(request, "shown", key=secret.value)

    async def api_reveal(request: web.Request) -> web.Response:
        secret = await burn(request)
        if secret is None:
            return json_error(EXPIRED_TEXT, status=404)
        return web.json_response({"motDePasse": secret.value})

    if portal.rendering == "variants":
        # The OPCO's own page, where the seed's procedure starts, links the form; the form is a
        # page of its own behind it.
        async def home(request: web.Request) -> web.Response:
            return portal.render(request, "opco2i/accueil.html")

        portal.get(portal.public(), "home", home)
        portal.get(portal.inner("formulaire"), "form", show)
        portal.post(portal.inner("formulaire"), "form_submit", post)
    else:
        portal.get(portal.public(), "form", show)
        portal.post(portal.public(), "form_submit", post)
    portal.post(portal.inner("api/reponses"), "api_form", post_json)
    portal.get(portal.public("secret/{token}"), "secret", secret_page)
    portal.post(portal.public("secret/{token}"), "reveal", reveal)
    portal.post(portal.public("secret/{token}/affichage"), "api_reveal", api_reveal)


__all__ = ["FORM", "SPEC", "resend_key_mail", "setup"]
