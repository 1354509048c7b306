"""Afdas: the MyA « Prestataire » portal. Login (e-mail address as user name) > tab « Mon compte »
> section « Informations complémentaires pour les prestataires de formation initiale », field
« Identifiant API CFA » (loaded after the page) and, for a head office only, the button
« Générer un identifiant API CFA ». One identifier per SIREN, shared by every establishment;
generating again overwrites it, so the page asks to confirm first.
"""

from __future__ import annotations

from aiohttp import web

from .. import clock
from ..web import (
    PortalContext,
    PortalSpec,
    json_error,
    login_handlers,
    login_required,
    logout_handler,
    template_page,
)

SPEC = PortalSpec(
    id="afdas",
    title="MyA – Afdas",
    session_cookie="mya_prestataire_sid",
    consent_cookie="afdas_cookie_consent",
    consent_title="Afdas respecte votre vie privée",
    consent_text=(
        "Avec votre accord, l'Afdas utilise des cookies de mesure d'audience afin d'améliorer "
        "MyA. Les cookies nécessaires au fonctionnement du portail sont toujours déposés. Vous "
        "pouvez modifier vos choix à tout moment."
    ),
    consent_accept="Tout accepter",
    consent_refuse="Tout refuser",
)

INVALID_LOGIN = "Adresse e-mail ou mot de passe incorrect."
LOCKED_LOGIN = (
    "Votre compte est bloqué à la suite de plusieurs tentatives de connexion infructueuses. "
    "Utilisez « Mot de passe oublié ? » ou contactez l'assistance MyA."
)
NOT_HEAD_OFFICE = (
    "Seul le siège social de votre organisme peut générer l'identifiant API CFA. Il est "
    "partagé avec tous les établissements du même SIREN."
)
GENERATED = "Votre identifiant API CFA a été généré."
SUPPORT_MAIL = "a.davin@afdass.com"  # as the seed writes it

# The prestataire space's tabs: (route name, label).
TABS = [
    ("accueil", "Accueil"),
    ("formations", "Mes formations"),
    ("factures", "Mes factures"),
    ("compte", "Mon compte"),
]


def setup(portal: PortalContext) -> None:
    page = login_required(portal)
    api = login_required(portal, api=True)

    login, login_submit = login_handlers(
        portal, "afdas/login.html", user_field="email", password_field="password",
        landing="accueil", invalid=INVALID_LOGIN, locked=LOCKED_LOGIN)
    guide = template_page(portal, "afdas/info.html", title="Guide utilisateurs portail prestataire",
                          text="Le guide présente la première connexion au portail MyA "
                               "« Prestataire », la définition de votre mot de passe et les "
                               "rubriques de votre espace.")
    forgot = template_page(portal, "afdas/info.html", title="Mot de passe oublié",
                           text="Saisissez l'adresse e-mail de votre compte : un lien de "
                                "réinitialisation vous sera envoyé.")

    @api
    async def read_identifier(request: web.Request) -> web.Response:
        username = portal.username(request)
        record = portal.state.key_record("afdas", username)
        value = record.value if record is not None and record.is_valid(clock.now()) else None
        return web.json_response({"identifiant": value,
                                  "siegeSocial": portal.account(request).head_office})

    @api
    async def generate(request: web.Request) -> web.Response:
        username = portal.username(request)
        if not portal.account(request).head_office:
            return json_error(NOT_HEAD_OFFICE, status=403)
        await portal.think()
        record = portal.state.mint("afdas", username, None, None)
        portal.state.store_key("afdas", username, None, record, generated_by_user=True)
        await portal.key_replaced()
        return web.json_response({"identifiant": record.value, "message": GENERATED})

    portal.get(portal.public(), "login", login)
    portal.post(portal.public(), "login_submit", login_submit)
    portal.get(portal.public("guide-utilisateurs-prestataire"), "guide", guide)
    portal.get(portal.public("mot-de-passe-oublie"), "forgot", forgot)
    for name, label in TABS:
        if name == "compte":
            continue
        path = "prestataire/" if name == "accueil" else f"prestataire/{name}"
        tab = template_page(portal, "afdas/tab.html", tabs=TABS, current=name, label=label)
        portal.get(portal.inner(path), name, page(tab))
    compte = template_page(portal, "afdas/compte.html", tabs=TABS, current="compte",
                           label="Mon compte", support_mail=SUPPORT_MAIL,
                           not_head_office=NOT_HEAD_OFFICE)
    portal.get(portal.inner("prestataire/mon-compte"), "compte", page(compte))
    portal.get(portal.inner("prestataire/api/identifiant-api-cfa"), "api_identifier",
               read_identifier)
    portal.post(portal.inner("prestataire/api/identifiant-api-cfa/generer"), "api_generate",
                generate)
    portal.get(portal.inner("prestataire/deconnexion"), "logout", logout_handler(portal))
