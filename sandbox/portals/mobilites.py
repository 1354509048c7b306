"""OPCO Mobilités: public site > "M-Gestion CFA" > "Connectez-vous à M-Gestion CFA" > login >
"Clé d'authentification" > choose the SIRET > "+ Générer ma clé d'authentification"; the key is
shown once, in a pop-in that appears after the asynchronous call. One key per SIRET, 365 days.
"""

from __future__ import annotations

from aiohttp import web

from .. import clock, keys
from ..clock import frdate
from ..state import LoginOutcome
from ..web import (
    Handler,
    PortalContext,
    PortalSpec,
    attempt_login,
    json_body,
    json_error,
    login_required,
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
    login_page="login",
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

    async def home(request: web.Request) -> web.Response:
        return portal.render(request, "mobilites/home.html")

    async def mgestion(request: web.Request) -> web.Response:
        return portal.render(request, "mobilites/mgestion.html")

    async def login(request: web.Request) -> web.Response:
        if portal.user(request):
            return portal.redirect("home_cfa")
        portal.ensure_session(request)
        return portal.render(request, "mobilites/login.html", error=None, username="")

    async def login_submit(request: web.Request) -> web.Response:
        outcome, username = await attempt_login(portal, request, "email", "password")
        if outcome is LoginOutcome.OK:
            return portal.redirect("home_cfa")
        error = LOCKED_LOGIN if outcome is LoginOutcome.LOCKED else INVALID_LOGIN
        return portal.render(request, "mobilites/login.html", error=error, username=username)

    def info(title: str, text: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            return portal.render(request, "mobilites/info.html", title=title, text=text)

        return handler

    def app_page(template: str, current: str) -> Handler:
        @page
        async def handler(request: web.Request) -> web.Response:
            return portal.render(request, template, current=current)

        return handler

    @api
    async def generate(request: web.Request) -> web.Response:
        username = portal.user(request) or ""
        account = portal.state.portals["mobilites"].account(username)
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
        return web.json_response({"cle": record.value, "siret": siret,
                                  "expiration": frdate(record.expires_at)})

    async def logout(request: web.Request) -> web.Response:
        portal.end_session(request)
        return portal.redirect("login")

    portal.get(portal.public(), "home", home)
    portal.get(portal.inner("m-gestion-cfa"), "mgestion", mgestion)
    portal.get(portal.inner("mgestion/connexion"), "login", login)
    portal.post(portal.inner("mgestion/connexion"), "login_submit", login_submit)
    portal.get(portal.inner("mgestion/inscription"), "signup",
               info("Créer un compte", "Renseignez le SIRET de votre CFA pour commencer "
                    "votre inscription à M-Gestion CFA."))
    portal.get(portal.inner("mgestion/mot-de-passe-oublie"), "forgot",
               info("Mot de passe oublié", "Un lien de réinitialisation vous sera envoyé."))
    portal.get(portal.inner("mgestion/"), "home_cfa",
               app_page("mobilites/accueil.html", "home_cfa"))
    portal.get(portal.inner("mgestion/dossiers"), "dossiers",
               app_page("mobilites/dossiers.html", "dossiers"))
    portal.get(portal.inner("mgestion/cle-authentification"), "cle",
               app_page("mobilites/cle.html", "cle"))
    portal.post(portal.inner("mgestion/api/cle-authentification"), "api_generate", generate)
    portal.get(portal.inner("mgestion/deconnexion"), "logout", logout)
