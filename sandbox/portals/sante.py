"""OPCO Santé: the « plateforme CFA ». Login (« Identifiant », « Mot de passe », « Me connecter »;
« Pas de compte ? » asks for the n° de Siret) > tab « Mon organisme » > select « Clé
d'authentification API CFA » among its rubriques > « Générer ma clé ». One key per SIREN, shared
by every establishment of it, expiring 12 months after generation; generating replaces it. The
key and its expiry date are loaded after the page, through a JSON call.
"""

from __future__ import annotations

from aiohttp import web

from .. import clock
from ..accounts import luhn_ok
from ..clock import frdate
from ..state import KeyRecord
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
    id="sante",
    title="Plateforme CFA – OPCO Santé",
    session_cookie="plateforme_cfa_session",
    consent_cookie="opcosante_tarteaucitron",
    consent_title="Gestion des cookies",
    consent_text=(
        "Ce site utilise des cookies et vous donne le contrôle sur ceux que vous souhaitez "
        "activer. Les cookies nécessaires au fonctionnement de la plateforme CFA sont toujours "
        "déposés."
    ),
    consent_accept="Tout accepter",
    consent_refuse="Tout refuser",
)

INVALID_LOGIN = "Identifiant ou mot de passe incorrect."
LOCKED_LOGIN = (
    "Votre compte est verrouillé après plusieurs tentatives de connexion infructueuses. "
    "Contactez le Centre de Relation Client au 04.13.68.00.15."
)
NO_KEY = "Aucune clé d'authentification n'a encore été générée pour votre organisme."
GENERATED = "Votre clé d'authentification a été générée."
SHARED_NOTE = ("Le token est généré pour l'ensemble des établissements ayant le même SIREN et "
               "expire après 12 mois.")
SUPPORT = ("En cas de problématique technique, vous pouvez contacter le Centre de Relation Client "
           "au 04.13.68.00.15 ou à l'adresse centrerelationclient@opco-sante.fr")
SIRET_INVALID = "Le n° de Siret doit comporter 14 chiffres valides."
SIRET_KNOWN = ("Votre organisme est déjà recensé par l'OPCO Santé. Indiquez une adresse "
               "électronique et créez un mot de passe pour activer votre compte.")
SIRET_UNKNOWN = ("Votre organisme n'est pas recensé par l'OPCO Santé. Saisissez les informations "
                 "de la fiche de renseignement puis cliquez sur « Valider ».")

# The platform's tabs: (route name, label).
TABS = [
    ("accueil", "Accueil"),
    ("dossiers", "Mes dossiers"),
    ("factures", "Mes factures"),
    ("organisme", "Mon organisme"),
]
# The rubriques of « Mon organisme »: (route name, label, path).
RUBRIQUES = [
    ("organisme", "Informations générales", "mon-organisme/"),
    ("etablissements", "Établissements", "mon-organisme/etablissements"),
    ("contacts", "Contacts", "mon-organisme/contacts"),
    ("cle", "Clé d'authentification API CFA", "mon-organisme/cle-api-cfa"),
]


KEY_HIDDEN = ("Une clé d'authentification est active pour votre organisme. Pour des raisons de "
              "sécurité, elle n'est affichée qu'au moment de sa génération.")


def setup(portal: PortalContext) -> None:
    page = login_required(portal)
    api = login_required(portal, api=True)

    login, login_submit = login_handlers(
        portal, "sante/login.html", user_field="identifiant", password_field="motDePasse",
        landing="accueil", invalid=INVALID_LOGIN, locked=LOCKED_LOGIN)

    async def inscription(request: web.Request) -> web.Response:
        portal.ensure_session(request)  # the form carries a CSRF token
        return portal.render(request, "sante/inscription.html", siret="", error=None,
                             outcome=None)

    async def inscription_submit(request: web.Request) -> web.Response:
        form = await request.post()
        siret = "".join(str(form.get("siret", "")).split())
        if len(siret) != 14 or not luhn_ok(siret):
            return portal.render(request, "sante/inscription.html", siret=siret,
                                 error=SIRET_INVALID, outcome=None)
        known = any(a.siren == siret[:9] for a in portal.state.portals["sante"].accounts.values())
        return portal.render(request, "sante/inscription.html", siret=siret, error=None,
                             outcome=SIRET_KNOWN if known else SIRET_UNKNOWN)

    def key_payload(record: KeyRecord) -> dict[str, str]:
        return {"cle": record.value, "expiration": frdate(record.expires_at)}

    @api
    async def read_key(request: web.Request) -> web.Response:
        record = portal.state.key_record("sante", portal.username(request))
        if record is None or not record.is_valid(clock.now()):
            return web.json_response({"cle": None, "expiration": None, "message": NO_KEY})
        if request.query.get("affichage") == "masque":
            # The seed does not say whether the key is shown again: this view shows it only
            # when it is generated (the spa asks for it), the other one shows it every time.
            return web.json_response({"cle": None, "active": True, "message": KEY_HIDDEN,
                                      "expiration": frdate(record.expires_at)})
        return web.json_response(key_payload(record))

    @api
    async def generate(request: web.Request) -> web.Response:
        username = portal.username(request)
        if portal.account(request).siren is None:
            return json_error("Aucun SIREN n'est rattaché à votre organisme.")
        await portal.think()
        record = portal.state.mint("sante", username, None, None)
        portal.state.store_key("sante", username, None, record, generated_by_user=True)
        await portal.key_replaced()
        return web.json_response({**key_payload(record), "message": GENERATED})

    common = {"tabs": TABS, "rubriques": [(name, label) for name, label, _ in RUBRIQUES],
              "shared_note": SHARED_NOTE, "support": SUPPORT, "no_key": NO_KEY}

    portal.get(portal.public(), "login", login)
    portal.post(portal.public(), "login_submit", login_submit)
    portal.get(portal.public("pas-de-compte"), "inscription", inscription)
    portal.post(portal.public("pas-de-compte"), "inscription_submit", inscription_submit)
    for name, label in TABS:
        if name == "organisme":
            continue
        path = "accueil" if name == "accueil" else f"mes-{name}"
        tab = template_page(portal, "sante/tab.html", current=name, label=label, **common)
        portal.get(portal.inner(path), name, page(tab))
    for name, label, path in RUBRIQUES:
        rubrique = template_page(portal, "sante/organisme.html", current="organisme",
                                 rubrique=name, rubrique_label=label, **common)
        portal.get(portal.inner(path), name, page(rubrique))
    portal.get(portal.inner("api/organisme/cle-api-cfa"), "api_key", read_key)
    portal.post(portal.inner("api/organisme/cle-api-cfa/generer"), "api_generate", generate)
    portal.get(portal.inner("deconnexion"), "logout", logout_handler(portal))
