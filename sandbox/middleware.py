"""The one middleware in front of every portal.

Its order matters: latency first (even a portal in maintenance answers slowly), then the down
switch, then the session, then the CSRF check; after the handler, the session cookie.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from .state import Session
from .web import (
    CLEAR_SESSION,
    CSRF_FIELD,
    CSRF_HEADER,
    NEW_SESSION,
    SESSION,
    Handler,
    PortalContext,
    json_error,
    simulate_latency,
)

Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]


async def _csrf_ok(request: web.Request, session: Session | None) -> bool:
    if session is None:
        return False
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.content_type in ("application/x-www-form-urlencoded",
                                                 "multipart/form-data"):
        # request.post() caches the parsed body, so the handler can read it again.
        sent = (await request.post()).get(CSRF_FIELD)
    return isinstance(sent, str) and secrets.compare_digest(sent, session.csrf_token)


def make_middleware(latency: Callable[[], tuple[float, float]],
                    contexts: dict[str, PortalContext]) -> Middleware:
    @web.middleware
    async def sandbox_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        await simulate_latency(latency())
        portal = contexts.get(request.path.split("/", 2)[1])
        if portal is None:
            return await handler(request)
        state = portal.state.portals[portal.id]
        if state.down:
            return portal.render(request, "maintenance.html", status=503)
        session_id = request.cookies.get(portal.spec.session_cookie)
        session = portal.state.get_session(portal.id, session_id)
        request[SESSION] = session
        if request.method == "POST" and not await _csrf_ok(request, session):
            if request.headers.get(CSRF_HEADER) is not None or _wants_json(request):
                return json_error("Jeton de sécurité (CSRF) invalide.", status=403)
            return portal.render(request, "forbidden.html", status=403)
        response = await handler(request)
        signed_in = request.get(NEW_SESSION) or session
        if signed_in is not None and signed_in.username is not None:
            portal.state.seen_signed_in(portal.id, signed_in.username)
        if state.relabels and isinstance(response, web.Response) and response.text:
            response.text = _relabel(response.text, state.relabels)
        _apply_session_cookie(portal, request, response)
        if not request.path.startswith(f"/{portal.id}/assets/"):
            # Pages carry keys: never let the browser cache them (and make Back re-ask the server).
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return sandbox_middleware


def _relabel(text: str, relabels: dict[str, str]) -> str:
    """A redesign of the portal: the same page with some of its words changed (what a person
    reads, not the names its form fields post under)."""
    for old, new in relabels.items():
        text = re.sub(rf'(?<!name=")(?<!id=")(?<!for="){re.escape(old)}', new.replace("\\", r"\\"),
                      text)
    return text


def _wants_json(request: web.Request) -> bool:
    return request.content_type == "application/json" or "json" in request.headers.get(
        "Accept", "")


def _apply_session_cookie(portal: PortalContext, request: web.Request,
                          response: web.StreamResponse) -> None:
    cookie, path = portal.spec.session_cookie, f"/{portal.id}/"
    if request.get(CLEAR_SESSION):
        response.del_cookie(cookie, path=path)
    new: Session | None = request.get(NEW_SESSION)
    if new is not None and request.get(SESSION) is new:
        response.set_cookie(cookie, new.id, path=path, httponly=True, samesite="Lax")
