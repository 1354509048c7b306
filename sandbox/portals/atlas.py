"""myAtlas (Opco Atlas): login, choice of space, user menu, "Mes paramètres" > "Ma clé CFA".

The seed: log in at myatlas.opco-atlas.fr, select "myAtlas prestataire", open the user menu at
the top right, "Mes paramètres"; the key sits in the "Ma clé CFA" section. myAtlas generates the
key itself: there is never a generate button.
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
    id="atlas",
    title="myAtlas",
    session_cookie="MYATLAS_SESSION",
    consent_cookie="myatlas_cookie_consent",
    consent_title="Vos préférences en matière de cookies",
    consent_text=(
        "Opco Atlas utilise des cookies pour assurer le bon fonctionnement de myAtlas, mesurer "
        "son audience et améliorer votre expérience. Vous pouvez accepter ou refuser ces cookies."
    ),
    consent_accept="Tout accepter",
    consent_refuse="Refuser",
)

INVALID_LOGIN = "Compte d'utilisateur ou mot de passe incorrect."
LOCKED_LOGIN = (
    "Compte verrouillé : trop de tentatives de connexion infructueuses. "
    "Contactez le support à l'adresse webassistance@opcoatlas.fr."
)


def setup(portal: PortalContext) -> None:
    page = login_required(portal)
    api = login_required(portal, api=True)

    login, login_submit = login_handlers(
        portal, "atlas/login.html", user_field="username", password_field="password",
        landing="espaces", invalid=INVALID_LOGIN, locked=LOCKED_LOGIN)
    signup = template_page(portal, "atlas/info.html", title="Créer un compte",
                           text="La création de compte myAtlas est fermée dans cet "
                                "environnement de démonstration.")
    forgot = template_page(portal, "atlas/info.html", title="Mot de passe oublié",
                           text="Un lien de réinitialisation vous sera envoyé par e-mail.")
    espaces = page(template_page(portal, "atlas/espaces.html"))
    entreprise = page(template_page(portal, "atlas/entreprise.html"))
    home = page(template_page(portal, "atlas/home.html"))
    profil = page(template_page(portal, "atlas/profil.html"))

    @page
    async def parametres(request: web.Request) -> web.Response:
        saved = request.query.get("enregistre") == "1"
        return portal.render(request, "atlas/parametres.html", saved=saved)

    @page
    async def save_subscriptions(request: web.Request) -> web.Response:
        # Nothing to keep: the form exists so the page carries a CSRF-protected POST like the
        # real one. The redirect says "saved" through the query string.
        return portal.redirect("parametres", {"enregistre": "1"})

    @api
    async def api_key(request: web.Request) -> web.Response:
        record = portal.state.key_record("atlas", portal.username(request))
        answer: dict[str, object] = {"cleCfa": record.value if record else ""}
        if portal.rendering == "variants" and record is not None:
            # This rendering's card says in words when the key has expired (and shows none).
            answer.update(expiree=not record.is_valid(clock.now()),
                          expireLe=frdate(record.expires_at))
        return web.json_response(answer)

    portal.get(portal.public(), "login", login)
    portal.post(portal.public(), "login_submit", login_submit)
    portal.get(portal.inner("compte/creer"), "signup", signup)
    portal.get(portal.inner("compte/mot-de-passe-oublie"), "forgot", forgot)
    portal.get(portal.inner("espaces"), "espaces", espaces)
    portal.get(portal.inner("entreprise/"), "entreprise", entreprise)
    portal.get(portal.inner("prestataire/"), "home", home)
    portal.get(portal.inner("prestataire/mon-profil"), "profil", profil)
    portal.get(portal.inner("prestataire/mes-parametres"), "parametres", parametres)
    portal.post(portal.inner("prestataire/mes-parametres/abonnements"), "subscriptions",
                save_subscriptions)
    portal.get(portal.inner("api/prestataire/parametres/cle-cfa"), "api_key", api_key)
    portal.get(portal.inner("deconnexion"), "logout", logout_handler(portal))
