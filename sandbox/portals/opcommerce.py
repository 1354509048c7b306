"""L'Opcommerce: portail « Web Services Partenaire ». Login (Email / Mot de Passe, with
« Créer un Compte » and « Besoin d'aide pour vous connecter ? ») > the menu at the top right >
« Accrochage API », where the current key and its expiry date (dd/mm/yyyy hh:mm) are loaded
after the page, « Générer une nouvelle clé d'API » replaces the key (valid 365 days) and
« Révoquer l'accès » leaves the account without one.
"""

from __future__ import annotations

from aiohttp import web

from .. import clock
from ..clock import frdatetime
from ..web import (
    Handler,
    PortalContext,
    PortalSpec,
    json_error,
    login_handlers,
    login_required,
    logout_handler,
    template_page,
)

SPEC = PortalSpec(
    id="opcommerce",
    title="Web Services Partenaire – L'Opcommerce",
    session_cookie="WSP_SESSIONID",
    consent_cookie="lopcommerce_cookie_consent",
    consent_title="Gestion de vos préférences sur les cookies",
    consent_text=(
        "L'Opcommerce utilise des cookies indispensables au fonctionnement du portail Web "
        "Services Partenaire et, avec votre accord, des cookies de mesure d'audience. Vous "
        "pouvez modifier vos choix à tout moment."
    ),
    consent_accept="Tout accepter",
    consent_refuse="Tout refuser",
)

INVALID_LOGIN = "Email ou mot de passe incorrect."
LOCKED_LOGIN = (
    "Votre compte est bloqué suite à un trop grand nombre de tentatives de connexion. "
    "Contactez le Service Support API : supportapi@lopcommerce.com"
)
NO_KEY = (
    "Aucune clé d'API active. Cliquez sur « Générer une nouvelle clé d'API » pour en obtenir "
    "une."
)
GENERATED = "Une nouvelle clé d'API a été générée. Pensez à la recopier dans le SI du CFA."
REVOKED = "L'accès a été révoqué : votre clé d'API n'est plus valide."
SUPPORT = "supportapi@lopcommerce.com"

# The top-right menu and the administration sidebar: (route name, label).
MENU = [
    ("utilisateurs", "Administration des Utilisateurs"),
    ("parametrage", "Paramétrage"),
    ("accrochage", "Accrochage API"),
]
SIDEBAR = [
    ("utilisateurs", "Utilisateurs"),
    ("parametrage", "Paramétrage"),
    ("accrochage", "Accrochage API"),
]
DOCS = {
    "doc_opcommerce": "Documentation API de l'Opcommerce",
    "doc_convergence": "Documentation API Convergence CFA",
}


def _key_payload(portal: PortalContext, username: str) -> dict[str, str | None]:
    record = portal.state.key_record("opcommerce", username)
    if record is None or not record.is_valid(clock.now()):
        return {"cle": None, "expiration": None, "absence": NO_KEY}
    return {"cle": record.value, "expiration": frdatetime(record.expires_at)}


def setup(portal: PortalContext) -> None:
    page = login_required(portal)
    api = login_required(portal, api=True)

    login, login_submit = login_handlers(
        portal, "opcommerce/login.html", user_field="Email", password_field="MotDePasse",
        landing="accueil", invalid=INVALID_LOGIN, locked=LOCKED_LOGIN)

    def inner_page(name: str, template: str, **context: object) -> Handler:
        return page(template_page(portal, template, menu=MENU, sidebar=SIDEBAR, current=name,
                                  **context))

    @api
    async def show_key(request: web.Request) -> web.Response:
        return web.json_response(_key_payload(portal, portal.username(request)))

    @api
    async def generate_key(request: web.Request) -> web.Response:
        username = portal.username(request)
        await portal.think()
        record = portal.state.mint("opcommerce", username, None, None)
        portal.state.store_key("opcommerce", username, None, record, generated_by_user=True)
        await portal.key_replaced()
        return web.json_response({**_key_payload(portal, username), "message": GENERATED})

    @api
    async def revoke_key(request: web.Request) -> web.Response:
        username = portal.username(request)
        record = portal.state.key_record("opcommerce", username)
        if record is None or not record.is_valid(clock.now()):
            return json_error("Aucune clé d'API active à révoquer.", status=404)
        await portal.think()
        portal.state.revoke("opcommerce", username)
        return web.json_response({**_key_payload(portal, username), "message": REVOKED})

    portal.get(portal.public(), "login", login)
    portal.post(portal.public(), "login_submit", login_submit)
    portal.get(portal.public("creer-un-compte"), "signup",
               template_page(portal, "opcommerce/public.html", title="Créer un Compte"))
    portal.get(portal.public("besoin-d-aide"), "help",
               template_page(portal, "opcommerce/public.html",
                             title="Besoin d'aide pour vous connecter ?"))
    portal.get(portal.inner("accueil"), "accueil",
               inner_page("accueil", "opcommerce/accueil.html"))
    portal.get(portal.inner("mes-coordonnees"), "coordonnees",
               inner_page("coordonnees", "opcommerce/coordonnees.html"))
    portal.get(portal.inner("administration/utilisateurs"), "utilisateurs",
               inner_page("utilisateurs", "opcommerce/section.html", title="Utilisateurs"))
    portal.get(portal.inner("administration/parametrage"), "parametrage",
               inner_page("parametrage", "opcommerce/section.html", title="Paramétrage"))
    portal.get(portal.inner("administration/accrochage-api"), "accrochage",
               inner_page("accrochage", "opcommerce/accrochage.html", support=SUPPORT))
    portal.get(portal.inner("administration/accrochage-api/cle"), "api_key", show_key)
    portal.post(portal.inner("administration/accrochage-api/cle/generer"), "api_generate",
                generate_key)
    portal.post(portal.inner("administration/accrochage-api/cle/revoquer"), "api_revoke",
                revoke_key)
    for name, title in DOCS.items():
        portal.get(portal.inner(f"documentation/{name.removeprefix('doc_')}"), name,
                   inner_page(name, "opcommerce/section.html", title=title))
    portal.get(portal.inner("deconnexion"), "logout", logout_handler(portal))
