"""OPCO EP: public site > "Mes services en ligne" > "centre de formation d'apprentis – CFA" >
login > menu "Mon cfa" > "Sécurisation des imports de contrat d'apprentissage" > "Génération du
token"; the token (a JWT with an expiry date) downloads as a .txt from a pictogram button.
"""

from __future__ import annotations

from aiohttp import web

from .. import clock
from ..clock import frdate
from ..web import (
    PortalContext,
    PortalSpec,
    login_handlers,
    login_required,
    logout_handler,
    template_page,
)

SPEC = PortalSpec(
    id="opcoep",
    title="OPCO EP",
    session_cookie="OPCOEP_CFA_SESSID",
    consent_cookie="opcoep_tarteaucitron",
    consent_title="Gestion de vos préférences sur les cookies",
    consent_text=(
        "En poursuivant votre navigation, vous acceptez le dépôt de cookies destinés à mesurer "
        "l'audience du site et à vous proposer des contenus adaptés."
    ),
    consent_accept="J'accepte",
    consent_refuse="Continuer sans accepter",
)

INVALID_LOGIN = "Identifiant ou mot de passe incorrect."
LOCKED_LOGIN = (
    "Compte verrouillé après 5 tentatives de connexion infructueuses. Veuillez contacter "
    "votre conseiller OPCO EP."
)
TOKEN_FILENAME = "token-securite.txt"

# Pages reachable from the CFA portal's menus that the simulation only sketches.
PLACEHOLDERS = [
    ("informations", "mon-cfa/informations", "Mes informations"),
    ("utilisateurs", "mon-cfa/utilisateurs", "Mes utilisateurs"),
    ("contrats_stockes", "contrats-stockes", "Mes contrats stockés"),
    ("contrats", "contrats", "Mes contrats"),
    ("apprentis", "apprentis-sans-contrat", "Mes apprentis sans contrat"),
]


def setup(portal: PortalContext) -> None:
    page = login_required(portal)
    api = login_required(portal, api=True)

    home = template_page(portal, "opcoep/home.html")
    other_space = template_page(portal, "opcoep/info.html")
    login, login_submit = login_handlers(
        portal, "opcoep/login.html", user_field="j_username", password_field="j_password",
        landing="dashboard", invalid=INVALID_LOGIN, locked=LOCKED_LOGIN)
    signup = template_page(portal, "opcoep/inscription.html")
    dashboard = page(template_page(portal, "opcoep/dashboard.html"))
    securisation = page(template_page(portal, "opcoep/securisation.html"))

    def token_payload(username: str) -> dict[str, str]:
        record = portal.state.key_record("opcoep", username)
        if record is None:
            return {"token": "", "expiration": ""}
        payload = {"token": record.value, "expiration": frdate(record.expires_at)}
        if portal.rendering == "variants":
            # This rendering's page says in words when the token has expired.
            payload["expire"] = "oui" if not record.is_valid(clock.now()) else "non"
        return payload

    @api
    async def api_token(request: web.Request) -> web.Response:
        return web.json_response(token_payload(portal.username(request)))

    @api
    async def api_generate(request: web.Request) -> web.Response:
        username = portal.username(request)
        record = portal.state.mint("opcoep", username, None, None)
        portal.state.store_key("opcoep", username, None, record, generated_by_user=True)
        await portal.key_replaced()
        return web.json_response({**token_payload(username),
                                  "message": "Le token de sécurité a été généré avec succès."})

    @page
    async def token_txt(request: web.Request) -> web.Response:
        record = portal.state.key_record("opcoep", portal.username(request))
        if record is None:
            return web.Response(status=404, text="Aucun token de sécurité n'a été généré.")
        return web.Response(
            body=record.value.encode("ascii"),
            content_type="text/plain",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{TOKEN_FILENAME}"'},
        )

    portal.get(portal.public(), "home", home)
    portal.get(portal.inner("services/espace"), "info", other_space)
    portal.get(portal.inner("cfa/connexion"), "login", login)
    portal.post(portal.inner("cfa/connexion"), "login_submit", login_submit)
    portal.get(portal.inner("cfa/inscription"), "inscription", signup)
    portal.get(portal.inner("cfa/"), "dashboard", dashboard)
    for name, path, title in PLACEHOLDERS:
        placeholder = template_page(portal, "opcoep/placeholder.html", title=title)
        portal.get(portal.inner(f"cfa/{path}"), name, page(placeholder))
    portal.get(portal.inner("cfa/mon-cfa/securisation-imports"), "securisation", securisation)
    portal.get(portal.inner("cfa/api/securisation/token"), "api_token", api_token)
    portal.post(portal.inner("cfa/api/securisation/token"), "api_generate", api_generate)
    portal.get(portal.inner(f"cfa/mon-cfa/securisation-imports/{TOKEN_FILENAME}"), "token_txt",
               token_txt)
    portal.get(portal.inner("cfa/deconnexion"), "logout", logout_handler(portal))
