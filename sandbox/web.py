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

from .accounts import Account
from .clock import frdate
from .state import LoginOutcome, SandboxState, Session

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
                 env: jinja2.Environment, latency: Callable[[], tuple[float, float]]) -> None:
        self.spec = spec
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

    def start_user_session(self, request: web.Request, username: str) -> Session:
        # A fresh id (and CSRF token) at login, so a session id seen before login is worthless.
        old = self.session(request)
        if old is not None:
            self.state.drop_session(self.id, old.id)
        session = self.state.new_session(self.id, username)
        request[SESSION] = session
        request[NEW_SESSION] = session
        return session

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
            page_config=_page_config(self.spec),
            **context,
        )
        return web.Response(text=html, status=status, content_type="text/html")

    def redirect(self, name: str, query: dict[str, str] | None = None) -> web.Response:
        # Returned, not raised: the middleware must still be able to set the session cookie.
        location = self.url(name) + (f"?{urlencode(query)}" if query else "")
        return web.Response(status=302, headers={"Location": location})


def _page_config(spec: PortalSpec) -> dict[str, Any]:
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
    """Check a posted login form; on success the visitor gets a fresh authenticated session."""
    form = await request.post()
    username = str(form.get(user_field, "")).strip()
    password = str(form.get(password_field, ""))
    outcome = portal.state.check_login(portal.id, username, password)
    if outcome is LoginOutcome.OK:
        portal.start_user_session(request, username)
    return outcome, username


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
        portal.ensure_session(request)  # so the form can carry a CSRF token
        return portal.render(request, template, error=None, username="")

    async def login_submit(request: web.Request) -> web.Response:
        outcome, username = await attempt_login(portal, request, user_field, password_field)
        if outcome is LoginOutcome.OK:
            return portal.redirect(landing)
        error = locked if outcome is LoginOutcome.LOCKED else invalid
        # The form comes back with the user name kept, as on the real portals.
        return portal.render(request, template, error=error, username=username)

    return login, login_submit


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


RENDERINGS: tuple[str, ...] = ("classic", "spa")


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
