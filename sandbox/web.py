"""What every portal module builds on: its spec, routes, sessions, login and rendering."""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from . import second_factor as mfa
from .accounts import Account
from .clock import frdate
from .second_factor import Challenge
from .state import LoginOutcome, PasswordChange, SandboxState, Session

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _request_key(name: str, kind: type) -> Any:
    # Typed request keys exist from aiohttp 3.12; older versions take plain strings.
    factory = getattr(web, "RequestKey", None)
    return factory(name, kind) if factory else name


SESSION = _request_key("sandbox_session", object)  # the visitor's Session, or None
NEW_SESSION = _request_key("sandbox_new_session", object)  # a Session whose cookie to set
CLEAR_SESSION = _request_key("sandbox_clear_session", bool)


async def simulate_latency(latency: tuple[float, float]) -> None:
    """The time a real portal's server takes to answer. Server-side only: nothing in the sandbox
    or the tool waits for time on the client side; the pages are waited for themselves."""
    low, high = latency
    if high > 0:
        await asyncio.sleep(random.uniform(low, high))


@dataclass(frozen=True)
class PortalSpec:
    """The fixed facts of one portal: its names, cookies and cookie-banner wording."""

    id: str
    title: str
    session_cookie: str
    consent_cookie: str
    consent_title: str
    consent_text: str
    consent_accept: str
    consent_refuse: str
    login_page: str = "login"  # route name (no portal prefix) of the page a lost session lands on


class PortalContext:
    """What a portal module's handlers need: its spec, the shared state and URL/render helpers."""

    def __init__(self, spec: PortalSpec, state: SandboxState, app: web.Application,
                 env: jinja2.Environment, latency: Callable[[], tuple[float, float]],
                 rendering: str = "classic", banner_at_press: str | None = None) -> None:
        self.spec = spec
        self.banner_at_press = banner_at_press
        # A rendering may shape a page's answers too (a portal whose button is always shown
        # answers in words when it cannot act); handlers ask this.
        self.rendering = rendering
        self.latency = latency
        self.id = spec.id
        self.state = state
        self.app = app
        self.env = env
        # Inner pages live under a random segment drawn per sandbox instance, so a flow cannot
        # jump to a deep URL: it has to click through, as on the real portal.
        self.slug = secrets.token_hex(5)

    # ----- routes and URLs ----------------------------------------------------------------

    def public(self, path: str = "") -> str:
        return f"/{self.id}/{path}"

    def inner(self, path: str) -> str:
        return f"/{self.id}/{self.slug}/{path}"

    def get(self, path: str, name: str, handler: Handler) -> None:
        self.app.router.add_get(path, handler, name=f"{self.id}.{name}")

    def post(self, path: str, name: str, handler: Handler) -> None:
        self.app.router.add_post(path, handler, name=f"{self.id}.{name}")

    def url(self, name: str) -> str:
        return str(self.app.router[f"{self.id}.{name}"].url_for())

    def asset(self, filename: str) -> str:
        return f"/{self.id}/assets/{filename}"

    async def think(self) -> None:
        """Extra server-side work time (generating a key takes a moment on real portals)."""
        await simulate_latency(self.latency())

    async def key_replaced(self) -> None:
        """After a generate has replaced the key, before answering: say so to a test, and
        hold the answer while it asks (to kill the tool at the worst moment)."""
        state = self.state.portals[self.id]
        state.replaced.set()
        if not state.released.is_set():
            await asyncio.to_thread(state.released.wait)

    # ----- sessions -----------------------------------------------------------------------

    def session(self, request: web.Request) -> Session | None:
        return request.get(SESSION)

    def ensure_session(self, request: web.Request) -> Session:
        """An anonymous session, so the login form can carry a CSRF token."""
        session = self.session(request)
        if session is None:
            session = self.state.new_session(self.id)
            request[SESSION] = session
            request[NEW_SESSION] = session
        return session

    def start_user_session(self, request: web.Request, username: str | None) -> Session:
        # A fresh id (and CSRF token) at login, so a session id seen before login is worthless;
        # username None for a session whose password was right but whose second factor is due.
        old = self.session(request)
        if old is not None:
            self.state.drop_session(self.id, old.id)
        session = self.state.new_session(self.id, username)
        request[SESSION] = session
        request[NEW_SESSION] = session
        return session

    @property
    def device_cookie(self) -> str:
        """The cookie of a device remembered at the second factor (« Se souvenir de cet
        appareil »)."""
        return f"{self.id}_appareil_de_confiance"

    def end_session(self, request: web.Request) -> None:
        old = self.session(request)
        if old is not None:
            self.state.drop_session(self.id, old.id)
        request[SESSION] = None
        request[CLEAR_SESSION] = True

    def user(self, request: web.Request) -> str | None:
        session = self.session(request)
        return session.username if session else None

    def username(self, request: web.Request) -> str:
        """The user's name where there is one (a page behind login_required); "" otherwise."""
        return self.user(request) or ""

    def account(self, request: web.Request) -> Account:
        """The logged-in user's account (on a page behind login_required)."""
        return self.state.portals[self.id].account(self.username(request))

    # ----- responses ----------------------------------------------------------------------

    def render(self, request: web.Request, template: str, status: int = 200,
               **context: Any) -> web.Response:
        session = self.session(request)
        username = session.username if session else None
        account = self.state.portals[self.id].accounts.get(username) if username else None
        html = self.env.get_template(template).render(
            portal=self.spec,
            url=self.url,
            asset=self.asset,
            csrf_token=session.csrf_token if session else "",
            csrf_field=CSRF_FIELD,
            account=account,
            page_config=_page_config(self.spec, self.banner_at_press),
            **context,
        )
        return web.Response(text=html, status=status, content_type="text/html")

    def redirect(self, name: str, query: dict[str, str] | None = None) -> web.Response:
        # Returned, not raised: the middleware must still be able to set the session cookie.
        location = self.url(name) + (f"?{urlencode(query)}" if query else "")
        return web.Response(status=302, headers={"Location": location})


def _page_config(spec: PortalSpec, banner_at_press: str | None = None) -> dict[str, Any]:
    """Read by static/sandbox.js; the cookie banner's wording differs per portal."""
    return {
        "portal": spec.id,
        "consent": {
            "cookie": spec.consent_cookie,
            "path": f"/{spec.id}/",
            "title": spec.consent_title,
            "text": spec.consent_text,
            "accept": spec.consent_accept,
            "refuse": spec.consent_refuse,
            "at_press": banner_at_press,
        },
    }


def login_required(portal: PortalContext, *, api: bool = False) -> Callable[[Handler], Handler]:
    """Inner pages send a visitor without a session to the portal's login page."""

    def decorate(handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            if portal.user(request) is None:
                if api:
                    return web.json_response(
                        {"error": "Votre session a expiré. Veuillez vous reconnecter."},
                        status=401)
                return portal.redirect(portal.spec.login_page)
            return await handler(request)

        return wrapped

    return decorate


async def attempt_login(portal: PortalContext, request: web.Request, user_field: str,
                        password_field: str) -> tuple[LoginOutcome, str]:
    """Check a posted login form; on success the visitor gets a fresh authenticated session,
    or, when the account asks for a second factor (and the browser is not a device it
    remembers), a fresh session holding the challenge (SECOND_FACTOR), or, when the account
    must change its password first, a fresh session holding that change (PASSWORD_CHANGE)."""
    form = await request.post()
    username = str(form.get(user_field, "")).strip()
    password = str(form.get(password_field, ""))
    outcome = portal.state.check_login(portal.id, username, password)
    if outcome is LoginOutcome.OK:
        challenge = portal.state.open_challenge(portal.id, username,
                                                request.cookies.get(portal.device_cookie))
        if challenge is not None:
            portal.start_user_session(request, None).challenge = challenge
            return LoginOutcome.SECOND_FACTOR, username
        if not log_in(portal, request, username):
            return LoginOutcome.PASSWORD_CHANGE, username
    return outcome, username


def log_in(portal: PortalContext, request: web.Request, username: str) -> bool:
    """A login whose password (and second factor, if any) is done: a fresh authenticated
    session (True), or, when the account must change its password first, a fresh session
    holding that change, not logged in yet (False)."""
    if portal.state.password_change_required(portal.id, username):
        portal.start_user_session(request, None).password_change = PasswordChange(username)
        return False
    portal.start_user_session(request, username)
    return True


def template_page(portal: PortalContext, template: str, **context: Any) -> Handler:
    """A page that only renders its template; wrap it in login_required for an inner page."""

    async def handler(request: web.Request) -> web.Response:
        return portal.render(request, template, **context)

    return handler


def login_handlers(portal: PortalContext, template: str, *, user_field: str,
                   password_field: str, landing: str, invalid: str,
                   locked: str) -> tuple[Handler, Handler]:
    """The login page and the handler its form posts to.

    Every portal's login works the same way; only the template, the form's field names, the
    route a logged-in visitor lands on and the wording of the two errors differ.
    """

    async def login(request: web.Request) -> web.Response:
        if portal.user(request):
            return portal.redirect(landing)
        session = portal.ensure_session(request)  # so the form can carry a CSRF token
        notice, session.notice = session.notice, None  # a second factor given up
        return portal.render(request, template, error=notice, username="")

    async def login_submit(request: web.Request) -> web.Response:
        outcome, username = await attempt_login(portal, request, user_field, password_field)
        if outcome is LoginOutcome.OK:
            return portal.redirect(landing)
        if outcome is LoginOutcome.SECOND_FACTOR:
            return portal.redirect("second_factor")
        if outcome is LoginOutcome.PASSWORD_CHANGE:
            return portal.redirect("password_change")
        error = locked if outcome is LoginOutcome.LOCKED else invalid
        # The form comes back with the user name kept, as on the real portals.
        return portal.render(request, template, error=error, username=username)

    second_factor_routes(portal, landing)
    password_change_routes(portal, landing)
    return login, login_submit


# ----- the second factor, after the password (every portal of login_handlers) -----------------

SECOND_FACTOR_TITLE = "Vérification en deux étapes"
WRONG_CODE = "Code incorrect ou expiré."
TOO_MANY_CODES = "Trop de codes incorrects : la connexion a été annulée. Veuillez vous reconnecter."
CHALLENGE_LOST = "Votre session a expiré. Veuillez vous reconnecter."
REMEMBER_FIELD = "se_souvenir"
CODE_FIELD = "code"
POLL_MS = 800  # how often the page asks whether the app approved the login


def _factor_page(portal: PortalContext, challenge: Challenge) -> dict[str, Any]:
    """What the factor page shows at its current step, the same in both renderings: `text`,
    the form's `action`, the code field's `code_label` (None: no field), the `submit` and
    `resend` buttons (None: none), `waiting` (the app's request is out; `poll` is asked)."""
    account = portal.state.portals[portal.id].account(challenge.username)
    kind, app_name = challenge.kind, portal.spec.title
    minutes = mfa.CODE_LIFETIME_SECONDS // 60
    page: dict[str, Any] = {
        "kind": kind, "action": portal.url("second_factor_verify"), "code_label": None,
        "submit": "Valider", "resend": None, "waiting": None, "poll": None,
        "remember": challenge.remember, "remember_field": REMEMBER_FIELD,
        "code_field": CODE_FIELD, "send": portal.url("second_factor_send"),
        "here": portal.url("second_factor"), "login": portal.url("login"), "poll_ms": POLL_MS,
        "remember_hint": "Vous n'aurez plus à vérifier votre identité sur ce navigateur "
                         f"pendant {_days(portal, challenge.username)} jours. Ne cochez pas "
                         "cette case sur un ordinateur partagé.",
    }
    if kind in ("email", "sms"):
        where = (f"votre adresse e-mail {mfa.masked_email(account.email)}" if kind == "email"
                 else f"votre numéro de mobile {mfa.masked_phone(account.phone)}")
        by = "par e-mail" if kind == "email" else "par SMS"
        if challenge.code is None:
            page.update(text="Pour protéger votre compte, nous devons vérifier qu'il s'agit "
                             f"bien de vous. Un code à 6 chiffres va être envoyé {by} à {where}.",
                        action=page["send"], submit=f"Recevoir un code {by}")
        else:
            page.update(text=f"Un code à 6 chiffres a été envoyé {by} à {where}. Il est "
                             f"valable {minutes} minutes.",
                        code_label="Code de vérification", resend="Renvoyer un code")
    elif kind == "totp":
        page.update(text="Pour protéger votre compte, saisissez le code à 6 chiffres affiché "
                         "par votre application d'authentification.",
                    code_label="Code de l'application d'authentification")
    elif not challenge.app_request:
        page.update(text="Pour protéger votre compte, confirmez cette connexion depuis "
                         f"l'application {app_name} installée sur votre téléphone.",
                    action=page["send"], submit="Envoyer une demande à l'application")
    else:
        page.update(text="Une demande de connexion a été envoyée à votre téléphone.",
                    submit=None, poll=portal.url("second_factor_status"),
                    waiting=f"Validez la connexion dans l'application {app_name} sur votre "
                            "téléphone. Cette page se mettra à jour automatiquement.")
    return page


def _days(portal: PortalContext, username: str) -> str:
    factor = portal.state.portals[portal.id].second_factors.get(username)
    days = factor.remember_days if factor else 30
    return f"{days:g}"


def _back_to_login(portal: PortalContext, landing: str, request: web.Request,
                   notice: str) -> web.Response:
    """A page after the password reached without its pending step (none opened, session
    expired, cancelled): the login page, saying why; already logged in (Back): the landing."""
    if portal.user(request):
        return portal.redirect(landing)
    portal.ensure_session(request).notice = notice
    return portal.redirect("login")


def second_factor_routes(portal: PortalContext, landing: str) -> None:
    """The factor page, its « Recevoir un code » / « Envoyer une demande » action, the
    validation and the status the app's page polls. A visitor without a challenge (none opened,
    session expired, cancelled) is sent back to the login page."""

    def challenge_of(request: web.Request) -> Challenge | None:
        session = portal.session(request)
        return session.challenge if session else None

    def back_to_login(request: web.Request, notice: str) -> web.Response:
        return _back_to_login(portal, landing, request, notice)

    def render(request: web.Request, challenge: Challenge,
               error: str | None = None) -> web.Response:
        return portal.render(request, "second_factor.html", title=SECOND_FACTOR_TITLE,
                             error=error, factor=_factor_page(portal, challenge))

    async def show(request: web.Request) -> web.Response:
        challenge = challenge_of(request)
        if challenge is None:
            return back_to_login(request, CHALLENGE_LOST)
        return render(request, challenge)

    async def send(request: web.Request) -> web.Response:
        challenge = challenge_of(request)
        if challenge is None:
            return back_to_login(request, CHALLENGE_LOST)
        challenge.remember = (await request.post()).get(REMEMBER_FIELD) == "1"
        portal.state.send_second_factor(portal.id, challenge)
        return portal.redirect("second_factor")

    async def verify(request: web.Request) -> web.Response:
        challenge = challenge_of(request)
        if challenge is None:
            return back_to_login(request, CHALLENGE_LOST)
        form = await request.post()
        challenge.remember = form.get(REMEMBER_FIELD) == "1"
        code = "".join(str(form.get(CODE_FIELD, "")).split())
        if challenge.kind == "app" and challenge.app_request != "approved":
            return render(request, challenge)  # not approved yet: nothing to count
        if not portal.state.check_second_factor(portal.id, challenge, code):
            if challenge.failures >= mfa.MAX_CODE_FAILURES:
                portal.end_session(request)
                return back_to_login(request, TOO_MANY_CODES)
            return render(request, challenge, WRONG_CODE)
        logged_in = log_in(portal, request, challenge.username)
        response = portal.redirect(landing if logged_in else "password_change")
        if challenge.remember:
            token, max_age = portal.state.trust_device(portal.id, challenge.username)
            response.set_cookie(portal.device_cookie, token, max_age=max_age,
                                path=f"/{portal.id}/", httponly=True, samesite="Lax")
        return response

    async def status(request: web.Request) -> web.Response:
        challenge = challenge_of(request)
        if challenge is None:
            return web.json_response({"statut": "expiree"})
        approved = challenge.app_request == "approved"
        return web.json_response({"statut": "approuvee" if approved else "en_attente"})

    portal.get(portal.inner("connexion/verification"), "second_factor", show)
    portal.post(portal.inner("connexion/verification/envoi"), "second_factor_send", send)
    portal.post(portal.inner("connexion/verification"), "second_factor_verify", verify)
    portal.get(portal.inner("connexion/verification/statut"), "second_factor_status", status)


# ----- a password to change, after the login (every portal of login_handlers) -----------------

PASSWORD_CHANGE_TITLE = "Votre mot de passe a expiré"
CURRENT_PASSWORD_FIELD = "ancien_mot_de_passe"
NEW_PASSWORD_FIELD = "nouveau_mot_de_passe"
CONFIRM_PASSWORD_FIELD = "confirmation"
PASSWORD_RULES = "12 caractères au moins, dont une majuscule, une minuscule et un chiffre."
PASSWORD_MISSING = "Veuillez remplir les trois champs."
WRONG_CURRENT_PASSWORD = "Le mot de passe actuel est incorrect."
PASSWORDS_DIFFER = "Les deux mots de passe ne correspondent pas."
PASSWORD_BREAKS_RULES = "Le nouveau mot de passe ne respecte pas les règles."
PASSWORD_UNCHANGED = "Le nouveau mot de passe doit être différent du mot de passe actuel."


def follows_password_rules(password: str) -> bool:
    """PASSWORD_RULES: 12 characters or more, an upper-case letter, a lower-case one, a
    digit."""
    return (len(password) >= 12 and any(c.isupper() for c in password)
            and any(c.islower() for c in password) and any(c.isdigit() for c in password))


def _password_change_page(portal: PortalContext, change: PasswordChange) -> dict[str, Any]:
    """What the password change page shows, the same in every rendering (`change` of the
    templates password_change.html): its `text`, the form's `action`, the three fields' names
    and labels, the `rules` the new password must follow, the `submit` button and the `login`
    page's address (« Retour à la connexion »); `username` for a password manager."""
    return {
        "text": "Pour des raisons de sécurité, vous devez modifier votre mot de passe avant "
                "d'accéder à votre espace.",
        "action": portal.url("password_change_submit"),
        "current_field": CURRENT_PASSWORD_FIELD,
        "new_field": NEW_PASSWORD_FIELD,
        "confirm_field": CONFIRM_PASSWORD_FIELD,
        "current_label": "Mot de passe actuel",
        "new_label": "Nouveau mot de passe",
        "confirm_label": "Confirmez le nouveau mot de passe",
        "rules": PASSWORD_RULES,
        "submit": "Modifier mon mot de passe",
        "login": portal.url("login"),
        "username": change.username,
    }


def password_change_routes(portal: PortalContext, landing: str) -> None:
    """The page on which an account that must change its password does so after its login
    (password and second factor right), and its form's POST; once changed, the visitor is
    logged in and lands on `landing`. A visitor without a pending change (none opened,
    session expired) is sent back to the login page, as the second factor's pages do."""

    def change_of(request: web.Request) -> PasswordChange | None:
        session = portal.session(request)
        return session.password_change if session else None

    def back_to_login(request: web.Request) -> web.Response:
        return _back_to_login(portal, landing, request, CHALLENGE_LOST)

    def render(request: web.Request, change: PasswordChange,
               error: str | None = None) -> web.Response:
        return portal.render(request, "password_change.html", title=PASSWORD_CHANGE_TITLE,
                             error=error, change=_password_change_page(portal, change))

    def refusal(change: PasswordChange, current: str, new: str, confirm: str) -> str | None:
        if not (current and new and confirm):
            return PASSWORD_MISSING
        if not portal.state.password_matches(portal.id, change.username, current):
            return WRONG_CURRENT_PASSWORD
        if new != confirm:
            return PASSWORDS_DIFFER
        if not follows_password_rules(new):
            return PASSWORD_BREAKS_RULES
        if new == current:
            return PASSWORD_UNCHANGED
        return None

    async def show(request: web.Request) -> web.Response:
        change = change_of(request)
        if change is None:
            return back_to_login(request)
        return render(request, change)

    async def submit(request: web.Request) -> web.Response:
        change = change_of(request)
        if change is None:
            return back_to_login(request)
        form = await request.post()
        current, new, confirm = (str(form.get(name, "")) for name in (
            CURRENT_PASSWORD_FIELD, NEW_PASSWORD_FIELD, CONFIRM_PASSWORD_FIELD))
        error = refusal(change, current, new, confirm)
        if error is not None:
            return render(request, change, error)
        await portal.think()
        portal.state.change_password(portal.id, change.username, new)
        portal.start_user_session(request, change.username)
        return portal.redirect(landing)

    portal.get(portal.inner("connexion/mot-de-passe"), "password_change", show)
    portal.post(portal.inner("connexion/mot-de-passe"), "password_change_submit", submit)


def logout_handler(portal: PortalContext) -> Handler:
    """Ends the session and lands where a lost session does: the login page."""

    async def logout(request: web.Request) -> web.Response:
        portal.end_session(request)
        return portal.redirect(portal.spec.login_page)

    return logout


async def json_body(request: web.Request) -> dict[str, Any]:
    """The posted JSON object, or {} when the body is not one (the handler then says what is
    missing)."""
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def json_error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


# An action of a page (subscribe, send a request...) answers (status, text): 200 and what to say,
# or an error status and its message. A classic form posts it and lands on a page that shows the
# text; the spa's JSON API answers it with the data the view redraws.


def outcome_redirect(portal: PortalContext, name: str, status: int, text: str) -> web.Response:
    """Back to the page `name` after a form, the text in its query (read by shown_outcome)."""
    return portal.redirect(name, {"message" if status == 200 else "erreur": text})


def shown_outcome(request: web.Request) -> dict[str, str | None]:
    """The `message` and `error` a page shows after outcome_redirect."""
    return {"message": request.query.get("message"), "error": request.query.get("erreur")}


def json_outcome(status: int, text: str, **data: Any) -> web.Response:
    """The JSON answer: the error with its status, or `data` with the text as its message."""
    if status != 200:
        return json_error(text, status)
    return web.json_response({**data, "message": text})


# "variants" takes the liberties real portals take (other wordings, sections behind menus, buttons
# shown whether or not they can act); written from the seeds alone, by hands that never saw the
# flows nor the other renderings.
RENDERINGS: tuple[str, ...] = ("classic", "spa", "variants")


def make_environment(rendering: str = "classic") -> jinja2.Environment:
    """Templates of one rendering. "classic" is server-rendered HTML (templates/<portal>/);
    "spa" pages come from templates/spa/<portal>/ (the same names), built another way, and fall
    back to the classic ones only for pages a rendering leaves alone (maintenance, 403)."""
    if rendering not in RENDERINGS:
        raise ValueError(f"unknown rendering {rendering!r}; expected one of {RENDERINGS}")
    folders = [TEMPLATES_DIR / rendering] if rendering != "classic" else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, TEMPLATES_DIR]),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["frdate"] = frdate
    env.globals["links"] = _links
    return env


@jinja2.pass_context
def _links(context: jinja2.runtime.Context,
           pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """(route name, label) pairs as a spa view's tabs or menu: label, href, and whether it is
    the page's `current` one."""
    url, current = context["url"], context.get("current")
    return [{"label": label, "href": url(name), "current": name == current}
            for name, label in pairs]
