"""O2S, Harvest's software for wealth advisers (seed 004, step 4). Login (« Adresse e-mail », « Mot
de passe », « Connexion ») > the module « Demande d'agrégation » > a form asking for the « Code
Apporteur » and the « TOKEN » (both required), « Envoyer la demande » records the request. The
module lists the user's requests; each can be deleted (« Supprimer », then a confirmation), which
is what the seed asks before a request with a new Code Apporteur.
"""

from __future__ import annotations

from aiohttp import web

from ..clock import frdate
from ..state import O2SRequest
from ..web import (
    Handler,
    PortalContext,
    PortalSpec,
    json_body,
    json_outcome,
    login_handlers,
    login_required,
    logout_handler,
    outcome_redirect,
    shown_outcome,
    template_page,
)

SPEC = PortalSpec(
    id="o2s",
    title="O2S – Harvest",
    session_cookie="O2S_JSESSIONID",
    consent_cookie="o2s_harvest_cookies",
    consent_title="Paramétrage des cookies",
    consent_text=(
        "O2S dépose des cookies nécessaires à son fonctionnement et, si vous l'acceptez, des "
        "cookies de mesure d'audience permettant d'améliorer le logiciel."
    ),
    consent_accept="J'accepte",
    consent_refuse="Je refuse",
)

COMPANY = "BNP Paribas Cardif"
INVALID_LOGIN = "Adresse e-mail ou mot de passe invalide."
LOCKED_LOGIN = ("Votre compte O2S est verrouillé après plusieurs échecs de connexion. "
                "Contactez le support O2S.")
SUPPORT = "Support O2S : support-o2s@harvest.fr"
INTRO = ("Renseignez le Code Apporteur (le plus petit code apporteur de votre fichier Progestor) "
         "et le TOKEN généré depuis l'extranet Cardif. Ces deux informations sont obligatoires "
         "pour que l'agrégation fonctionne.")
CHANGE_NOTE = ("En cas de changement de Code Apporteur, supprimez l'ancienne demande avant d'en "
               "faire une nouvelle avec le nouveau code.")
BOTH_REQUIRED = "Le Code Apporteur et le TOKEN sont obligatoires."
CODE_DIGITS = "Le Code Apporteur ne doit contenir que des chiffres."
DUPLICATE = ("Une demande d'agrégation existe déjà pour le Code Apporteur {code}. Supprimez-la "
             "avant d'en faire une nouvelle.")
CREATED = "Votre demande d'agrégation a été enregistrée (Code Apporteur {code})."
DELETED = "La demande d'agrégation du Code Apporteur {code} a été supprimée."
NOT_FOUND = "Cette demande d'agrégation n'existe plus."
NO_REQUEST = "Aucune demande d'agrégation."
PENDING = "En attente de traitement"
DELETE_TITLE = "Supprimer la demande d'agrégation"
DELETE_TEXT = ("Voulez-vous vraiment supprimer la demande d'agrégation du Code Apporteur {code} ? "
               "Les données Cardif ne seront plus agrégées avec ce code.")

# The modules of the side menu: (route name, label).
MODULES = [
    ("accueil", "Tableau de bord"),
    ("clients", "Clients"),
    ("contrats", "Contrats"),
    ("agregation", "Demande d'agrégation"),
    ("parametres", "Paramètres"),
]


def masked(token: str) -> str:
    return "•" * 8 + token[-4:] if len(token) > 4 else "•" * 8


def row(request: O2SRequest) -> dict[str, str]:
    return {"id": request.id, "compagnie": COMPANY, "code": request.code_apporteur,
            "token": masked(request.token), "date": frdate(request.created_at),
            "statut": PENDING}


def setup(portal: PortalContext) -> None:
    page = login_required(portal)
    api = login_required(portal, api=True)
    state = portal.state

    login, login_submit = login_handlers(
        portal, "o2s/login.html", user_field="email", password_field="password",
        landing="accueil", invalid=INVALID_LOGIN, locked=LOCKED_LOGIN)

    def rows(username: str) -> list[dict[str, str]]:
        return [row(r) for r in state.o2s_requests(username)]

    async def create(username: str, code: str, token: str) -> tuple[int, str]:
        code, token = code.strip(), token.strip()
        if not code or not token:
            return 400, BOTH_REQUIRED
        if not code.isdigit():
            return 400, CODE_DIGITS
        if any(r.code_apporteur == code for r in state.o2s_requests(username)):
            return 409, DUPLICATE.format(code=code)
        await portal.think()
        state.o2s_add_request(username, code, token)
        return 200, CREATED.format(code=code)

    async def delete(username: str, request_id: str) -> tuple[int, str]:
        await portal.think()
        deleted = state.o2s_delete_request(username, request_id)
        if deleted is None:
            return 404, NOT_FOUND
        return 200, DELETED.format(code=deleted.code_apporteur)

    def module(name: str, label: str) -> Handler:
        return page(template_page(portal, "o2s/module.html", modules=MODULES, current=name,
                                  label=label, support=SUPPORT))

    def render_agregation(request: web.Request, *, error: str | None = None,
                          message: str | None = None, code: str = "",
                          token: str = "") -> web.Response:
        return portal.render(
            request, "o2s/agregation.html", modules=MODULES, current="agregation",
            support=SUPPORT, company=COMPANY, intro=INTRO, change_note=CHANGE_NOTE,
            no_request=NO_REQUEST, delete_title=DELETE_TITLE, delete_text=DELETE_TEXT,
            requests=rows(portal.username(request)), error=error, message=message, code=code,
            token=token)

    @page
    async def agregation(request: web.Request) -> web.Response:
        return render_agregation(request, **shown_outcome(request))

    @page
    async def create_form(request: web.Request) -> web.Response:
        form = await request.post()
        code, token = str(form.get("codeApporteur", "")), str(form.get("token", ""))
        status, text = await create(portal.username(request), code, token)
        if status != 200:
            # The form comes back with what was typed.
            return render_agregation(request, error=text, code=code, token=token)
        return outcome_redirect(portal, "agregation", status, text)

    @page
    async def delete_form(request: web.Request) -> web.Response:
        form = await request.post()
        status, text = await delete(portal.username(request), str(form.get("id", "")))
        return outcome_redirect(portal, "agregation", status, text)

    @api
    async def api_requests(request: web.Request) -> web.Response:
        return web.json_response({"demandes": rows(portal.username(request))})

    @api
    async def api_create(request: web.Request) -> web.Response:
        body = await json_body(request)
        username = portal.username(request)
        status, text = await create(username, str(body.get("codeApporteur", "")),
                                    str(body.get("token", "")))
        return json_outcome(status, text, demandes=rows(username))

    @api
    async def api_delete(request: web.Request) -> web.Response:
        username = portal.username(request)
        status, text = await delete(username, str((await json_body(request)).get("id", "")))
        return json_outcome(status, text, demandes=rows(username))

    portal.get(portal.public(), "login", login)
    portal.post(portal.public(), "login_submit", login_submit)
    for name, label in MODULES:
        if name != "agregation":
            portal.get(portal.inner(name), name, module(name, label))
    portal.get(portal.inner("agregation/demandes"), "agregation", agregation)
    portal.post(portal.inner("agregation/demandes"), "request_submit", create_form)
    portal.post(portal.inner("agregation/demandes/suppression"), "request_delete", delete_form)
    portal.get(portal.inner("api/agregation/demandes"), "api_requests", api_requests)
    portal.post(portal.inner("api/agregation/demandes"), "api_create", api_create)
    portal.post(portal.inner("api/agregation/demandes/suppression"), "api_delete", api_delete)
    portal.get(portal.inner("deconnexion"), "logout", logout_handler(portal))
