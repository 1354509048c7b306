"""OPCO Mobilités: public site > "M-Gestion CFA" > "Connectez-vous à M-Gestion CFA" > login >
"Clé d'authentification" > choose the SIRET > "+ Générer ma clé d'authentification"; the key is
shown once, in a pop-in that appears after the asynchronous call. One key per SIRET, 365 days.
"""

from __future__ import annotations

from aiohttp import web

from .. import clock, keys
from ..clock import frdate
from ..web import (
    PortalContext,
    PortalSpec,
    json_body,
    json_error,
    login_handlers,
    login_required,
    logout_handler,
    template_page,
)

SPEC = PortalSpec(
    id="mobilites",
    title="OPCO Mobilités",
    session_cookie="mgestion_sid",
    consent_cookie="opcomobilites_cookieconsent",
    consent_title="Nous respectons votre vie privée",
    consent_text=(
        "OPCO Mobilités et ses partenaires utilisent des cookies pour mesurer l'audience et "
        "améliorer le site. Vous pouvez accepter ou continuer sans accepter."
    ),
    consent_accept="Accepter et fermer",
    consent_refuse="Continuer sans accepter",
)

INVALID_LOGIN = "Adresse e-mail ou mot de passe invalide."
LOCKED_LOGIN = (
    "Compte verrouillé : trop de tentatives infructueuses. Utilisez « Mot de passe oublié » "
    "ou contactez le support M-Gestion CFA."
)
SIRET_MISSING = "Veuillez sélectionner le SIRET de l'établissement concerné."


def setup(portal: PortalContext) -> None:
    page = login_required(portal)
    api = login_required(portal, api=True)

    home = template_page(portal, "mobilites/home.html")
    mgestion = template_page(portal, "mobilites/mgestion.html")
    login, login_submit = login_handlers(
        portal, "mobilites/login.html", user_field="email", password_field="password",
        landing="home_cfa", invalid=INVALID_LOGIN, locked=LOCKED_LOGIN)
    signup = template_page(portal, "mobilites/info.html", title="Créer un compte",
                           text="Renseignez le SIRET de votre CFA pour commencer votre "
                                "inscription à M-Gestion CFA.")
    forgot = template_page(portal, "mobilites/info.html", title="Mot de passe oublié",
                           text="Un lien de réinitialisation vous sera envoyé.")
    # `current` is the route name of the page, which its menu highlights.
    home_cfa = page(template_page(portal, "mobilites/accueil.html", current="home_cfa"))
    dossiers = page(template_page(portal, "mobilites/dossiers.html", current="dossiers"))
    cle = page(template_page(portal, "mobilites/cle.html", current="cle"))

    @api
    async def generate(request: web.Request) -> web.Response:
        username = portal.username(request)
        account = portal.account(request)
        siret = str((await json_body(request)).get("siret", "")).strip()
        if not siret:
            return json_error(SIRET_MISSING)
        if siret not in account.sirets:
            return json_error("Ce SIRET n'est pas rattaché à votre organisme.")
        await portal.think()
        now = clock.now()
        record = portal.state.mint("mobilites", username, siret,
                                   now + keys.MOBILITES_KEY_LIFETIME, now)
        portal.state.store_key("mobilites", username, siret, record, generated_by_user=True)
        await portal.key_replaced()
        return web.json_response({"cle": record.value, "siret": siret,
                                  "expiration": frdate(record.expires_at)})

    portal.get(portal.public(), "home", home)
    portal.get(portal.inner("m-gestion-cfa"), "mgestion", mgestion)
    portal.get(portal.inner("mgestion/connexion"), "login", login)
    portal.post(portal.inner("mgestion/connexion"), "login_submit", login_submit)
    portal.get(portal.inner("mgestion/inscription"), "signup", signup)
    portal.get(portal.inner("mgestion/mot-de-passe-oublie"), "forgot", forgot)
    portal.get(portal.inner("mgestion/"), "home_cfa", home_cfa)
    portal.get(portal.inner("mgestion/dossiers"), "dossiers", dossiers)
    portal.get(portal.inner("mgestion/cle-authentification"), "cle", cle)
    portal.post(portal.inner("mgestion/api/cle-authentification"), "api_generate", generate)
    portal.get(portal.inner("mgestion/deconnexion"), "logout", logout_handler(portal))
