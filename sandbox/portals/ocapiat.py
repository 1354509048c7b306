"""Ocapiat: public site > "Mon espace Ocapiat" > "Organisme de formation ou CFA" > PartNet >
login > tab "Interfaçage OCAPIAT", where the key is shown ("Afficher ma clé CFA", only when one
exists) or generated ("Générer ma clé CFA", lifetime 1 to 6 months; it replaces the old key).
"""

from __future__ import annotations

from aiohttp import web

from .. import clock
from ..clock import frdate
from ..state import KeyRecord
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
    id="ocapiat",
    title="OCAPIAT",
    session_cookie="PARTNET_SESSID",
    consent_cookie="ocapiat_cookies",
    consent_title="Ce site utilise des cookies",
    consent_text=(
        "OCAPIAT utilise des cookies nécessaires au fonctionnement du site ainsi que des cookies "
        "de mesure d'audience. Vous pouvez les accepter ou les refuser."
    ),
    consent_accept="Accepter",
    consent_refuse="Refuser",
)

INVALID_LOGIN = "Identifiant ou mot de passe incorrect."
LOCKED_LOGIN = (
    "Compte verrouillé : trop de tentatives de connexion infructueuses. Contactez votre "
    "direction régionale OCAPIAT pour le débloquer."
)
MAX_LIFETIME_MONTHS = 6

# PartNet's tabs: (route name, label). Only "Interfaçage OCAPIAT" has a page of its own.
TABS = [
    ("partnet", "Accueil"),
    ("dossiers", "Mes dossiers"),
    ("factures", "Mes factures"),
    ("apprentis", "Mes apprentis"),
    ("interfacage", "Interfaçage OCAPIAT"),
    ("compte", "Mon compte"),
]


# The "variants" rendering shows « Afficher ma clé CFA » whether or not a key exists; the answer
# then says in words why there is no key to show (never generated, or expired on its date).
VARIANTS_NO_KEY = ("Aucune clé CFA n'a encore été générée pour votre organisme. Choisissez une "
                   "durée de vie et générez votre clé.")
VARIANTS_EXPIRED = "Votre clé CFA a expiré le {date}. Veuillez générer une nouvelle clé."


def _variants_no_key(record: KeyRecord | None) -> web.Response:
    if record is None:
        return web.json_response({"error": VARIANTS_NO_KEY, "raison": "aucune_cle"},
                                 status=404)
    date = frdate(record.expires_at)
    return web.json_response({"error": VARIANTS_EXPIRED.format(date=date), "raison": "expiree",
                              "expiration": date}, status=404)


def setup(portal: PortalContext) -> None:
    page = login_required(portal)
    api = login_required(portal, api=True)

    home = template_page(portal, "ocapiat/home.html")
    espace = template_page(portal, "ocapiat/espace.html")
    login, login_submit = login_handlers(
        portal, "ocapiat/login.html", user_field="login", password_field="motdepasse",
        landing="partnet", invalid=INVALID_LOGIN, locked=LOCKED_LOGIN)
    help_page = template_page(portal, "ocapiat/aide.html")

    @page
    async def interfacage(request: web.Request) -> web.Response:
        record = portal.state.key_record("ocapiat", portal.username(request))
        has_key = record is not None and record.is_valid(clock.now())
        return portal.render(request, "ocapiat/interfacage.html", tabs=TABS,
                             current="interfacage", has_key=has_key,
                             max_months=MAX_LIFETIME_MONTHS)

    @api
    async def show_key(request: web.Request) -> web.Response:
        record = portal.state.key_record("ocapiat", portal.username(request))
        if record is None or not record.is_valid(clock.now()):
            if portal.rendering == "variants":
                return _variants_no_key(record)
            return json_error("Aucune clé CFA valide n'est disponible.", status=404)
        return web.json_response({"cle": record.value, "expiration": frdate(record.expires_at)})

    @api
    async def generate_key(request: web.Request) -> web.Response:
        body = await json_body(request)
        try:
            months = int(body.get("duree", ""))
        except (TypeError, ValueError):
            months = 0
        if not 1 <= months <= MAX_LIFETIME_MONTHS:
            return json_error("La durée de vie de la clé doit être comprise entre 1 et "
                              f"{MAX_LIFETIME_MONTHS} mois.")
        if portal.rendering == "variants":
            await portal.think()  # its page shows a spinner while the key is made
        username = portal.username(request)
        now = clock.now()
        record = portal.state.mint("ocapiat", username, None, clock.add_months(now, months), now)
        portal.state.store_key("ocapiat", username, None, record, generated_by_user=True)
        await portal.key_replaced()
        return web.json_response({
            "cle": record.value,
            "expiration": frdate(record.expires_at),
            "duree": months,
            "message": "Votre nouvelle clé CFA a été générée.",
        })

    portal.get(portal.public(), "home", home)
    portal.get(portal.inner("mon-espace"), "espace", espace)
    portal.get(portal.inner("partnet/connexion"), "login", login)
    portal.post(portal.inner("partnet/connexion"), "login_submit", login_submit)
    portal.get(portal.inner("partnet/aide"), "aide", help_page)
    for name, label in TABS:
        if name != "interfacage":
            path = "partnet/" if name == "partnet" else f"partnet/{name}"
            tab = template_page(portal, "ocapiat/tab.html", tabs=TABS, current=name, label=label)
            portal.get(portal.inner(path), name, page(tab))
    portal.get(portal.inner("partnet/interfacage-si"), "interfacage", interfacage)
    portal.post(portal.inner("partnet/interfacage-si/cle/afficher"), "api_show", show_key)
    portal.post(portal.inner("partnet/interfacage-si/cle/generer"), "api_generate", generate_key)
    portal.get(portal.inner("partnet/deconnexion"), "logout", logout_handler(portal))

