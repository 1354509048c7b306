"""myAtlas (Opco Atlas): login, choice of space, user menu, "Mes paramètres" > "Ma clé CFA".

The seed: log in at myatlas.opco-atlas.fr, select "myAtlas prestataire", open the user menu at
the top right, "Mes paramètres"; the key sits in the "Ma clé CFA" section. myAtlas generates the
key itself: there is never a generate button.
"""

from __future__ import annotations

from aiohttp import web

from ..state import LoginOutcome
from ..web import PortalContext, PortalSpec, attempt_login, login_required

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
    login_page="login",
)

INVALID_LOGIN = "Compte d'utilisateur ou mot de passe incorrect."
LOCKED_LOGIN = (
    "Compte verrouillé : trop de tentatives de connexion infructueuses. "
    "Contactez le support à l'adresse webassistance@opcoatlas.fr."
)


def setup(portal: PortalContext) -> None:
    page = login_required(portal)
    api = login_required(portal, api=True)

    async def login(request: web.Request) -> web.Response:
        if portal.user(request):
            return portal.redirect("espaces")
        portal.ensure_session(request)
        return portal.render(request, "atlas/login.html", error=None, username="")

    async def login_submit(request: web.Request) -> web.Response:
        outcome, username = await attempt_login(portal, request, "username", "password")
        if outcome is LoginOutcome.OK:
            return portal.redirect("espaces")
        error = LOCKED_LOGIN if outcome is LoginOutcome.LOCKED else INVALID_LOGIN
        return portal.render(request, "atlas/login.html", error=error, username=username)

    async def info(request: web.Request, title: str, text: str) -> web.Response:
        return portal.render(request, "atlas/info.html", title=title, text=text)

    async def signup(request: web.Request) -> web.Response:
        return await info(request, "Créer un compte",
                          "La création de compte myAtlas est fermée dans cet environnement "
                          "de démonstration.")

    async def forgot(request: web.Request) -> web.Response:
        return await info(request, "Mot de passe oublié",
                          "Un lien de réinitialisation vous sera envoyé par e-mail.")

    @page
    async def espaces(request: web.Request) -> web.Response:
        return portal.render(request, "atlas/espaces.html")

    @page
    async def entreprise(request: web.Request) -> web.Response:
        return portal.render(request, "atlas/entreprise.html")

    @page
    async def home(request: web.Request) -> web.Response:
        return portal.render(request, "atlas/home.html")

    @page
    async def profil(request: web.Request) -> web.Response:
        return portal.render(request, "atlas/profil.html")

    @page
    async def parametres(request: web.Request) -> web.Response:
        saved = request.query.get("enregistre") == "1"
        return portal.render(request, "atlas/parametres.html", saved=saved)

    @page
    async def save_subscriptions(request: web.Request) -> web.Response:
        # Nothing to keep: the form exists so the page carries a CSRF-protected POST like the
        # real one. The redirect says "saved" through the query string.
        return web.Response(status=302,
                            headers={"Location": portal.url("parametres") + "?enregistre=1"})

    @api
    async def api_key(request: web.Request) -> web.Response:
        record = portal.state.key_record("atlas", portal.user(request) or "")
        return web.json_response({"cleCfa": record.value if record else ""})

    async def logout(request: web.Request) -> web.Response:
        portal.end_session(request)
        return portal.redirect("login")

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
    portal.get(portal.inner("deconnexion"), "logout", logout)
