"""The sandbox without a browser: its Python API, its initial state, and the HTTP-level realism
(CSRF, lockouts, sessions, 503, latency) checked with a plain aiohttp client."""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.cookies import Morsel
from typing import Any

import aiohttp
import jwt
import pytest
from yarl import URL

from sandbox import DEMO_ACCOUNTS, EXTRA_DEMO_ACCOUNTS, MAIL_DEMO_ACCOUNTS, Sandbox
from sandbox import SERVED_PORTALS as ALL_PORTALS
from sandbox.accounts import luhn_ok

# The portals these tests know; each later portal has a test module of its own.
PORTALS = ("atlas", "ocapiat", "opcoep", "mobilites")

LOGIN_FIELDS = {
    "atlas": ("username", "password"),
    "ocapiat": ("login", "motdepasse"),
    "opcoep": ("j_username", "j_password"),
    "mobilites": ("email", "password"),
}
SESSION_COOKIES = {
    "atlas": "MYATLAS_SESSION",
    "ocapiat": "PARTNET_SESSID",
    "opcoep": "OPCOEP_CFA_SESSID",
    "mobilites": "mgestion_sid",
}


def demo(portal: str) -> dict[str, Any]:
    return next(a for a in DEMO_ACCOUNTS if a["portal"] == portal)


def run(coroutine: Any) -> Any:
    # In a thread of its own: Playwright's sync API keeps a loop running in the main thread
    # once a browser test of the same session has started.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def client() -> aiohttp.ClientSession:
    # unsafe: the sandbox is served on an IP address, whose cookies aiohttp drops by default.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def session_cookie(http: aiohttp.ClientSession, portal: str) -> Morsel[str]:
    return next(c for c in http.cookie_jar if c.key == SESSION_COOKIES[portal])


async def csrf_from(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as response:
        html = await response.text()
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the login form carries no CSRF token"
    return found.group(1)


async def post_login(http: aiohttp.ClientSession, sb: Sandbox, portal: str, username: str,
                     password: str) -> tuple[int, str, str]:
    token = await csrf_from(http, sb.page_url(portal, "login"))
    user_field, password_field = LOGIN_FIELDS[portal]
    form = {"csrf_token": token, user_field: username, password_field: password}
    async with http.post(sb.page_url(portal, "login_submit"), data=form) as response:
        return response.status, str(response.url), await response.text()


# ----- accounts and initial state ------------------------------------------------------------


def test_demo_accounts_have_the_configuration_shape_and_valid_sirets() -> None:
    assert set(PORTALS) <= set(ALL_PORTALS)
    # Cardif and O2S have their demo accounts apart (the demo does not know them yet); OPCO 2i
    # and Constructys too, shaped as their forms' answers (tests/test_sandbox_opco2i.py checks).
    demo_accounts = [*DEMO_ACCOUNTS, *EXTRA_DEMO_ACCOUNTS]
    assert {a["portal"] for a in [*demo_accounts, *MAIL_DEMO_ACCOUNTS]} == set(ALL_PORTALS)
    assert not {a["portal"] for a in DEMO_ACCOUNTS} & {"cardif", "o2s"}
    logins = {a.username for a in Sandbox().accounts if not a.request}
    assert logins == {a["username"] for a in demo_accounts}
    numbers = [a["request"].get("siren") or a["request"]["og_siret"] for a in MAIL_DEMO_ACCOUNTS]
    numbers += [e["siret"] for a in MAIL_DEMO_ACCOUNTS for e in a.get("establishments", [])]
    assert all(luhn_ok(n) and luhn_ok(n[:9]) for n in numbers)
    for account in demo_accounts:
        assert set(account) == {"portal", "name", "username", "password", "siret",
                                "organisation"}
        assert account["siret"] is None or (len(account["siret"]) == 14
                                            and luhn_ok(account["siret"])
                                            and luhn_ok(account["siret"][:9]))
    assert re.fullmatch(r"OF\d{5}\.\d{3}", demo("ocapiat")["username"])
    mobilites = next(a for a in Sandbox().accounts if a.portal == "mobilites")
    assert len(mobilites.sirets) == 2 and all(luhn_ok(s) for s in mobilites.sirets)


def test_initial_keys_look_real_and_match_the_story_of_the_demo() -> None:
    sb = Sandbox()
    atlas = sb.current_key("atlas", demo("atlas")["username"])
    assert atlas and re.fullmatch(r"[A-Za-z0-9_-]{31}", atlas)
    assert sb.key_expires_at("atlas", demo("atlas")["username"]) is None
    assert sb.current_key("ocapiat", demo("ocapiat")["username"]) is None

    user = demo("opcoep")["username"]
    token = sb.current_key("opcoep", user)
    assert token is not None
    claims = jwt.decode(token, sb.jwt_secret, algorithms=["HS256"])
    assert {"sub", "iat", "exp"} <= set(claims) and claims["sub"] == user
    left = datetime.fromtimestamp(claims["exp"], UTC) - datetime.now(UTC)
    assert timedelta(days=199) < left < timedelta(days=201)

    mobilites = next(a for a in sb.accounts if a.portal == "mobilites")
    for siret in mobilites.sirets:
        assert sb.current_key("mobilites", mobilites.username, siret=siret) is None
    assert all(sb.generation_count(a.portal, a.username) == 0 for a in sb.accounts)
    # Fresh state per instance.
    assert Sandbox().current_key("atlas", demo("atlas")["username"]) != atlas


def test_test_hooks_change_the_portal_side_state() -> None:
    sb = Sandbox()
    atlas_user = demo("atlas")["username"]
    old = sb.current_key("atlas", atlas_user)
    assert sb.rotate_key("atlas", atlas_user) == sb.current_key("atlas", atlas_user) != old

    soon = datetime.now(UTC) + timedelta(days=5)
    token = sb.set_key("opcoep", demo("opcoep")["username"], None, soon)
    claims = jwt.decode(token, sb.jwt_secret, algorithms=["HS256"])
    assert claims["exp"] == int(soon.timestamp())
    assert sb.key_expires_at("opcoep", demo("opcoep")["username"]) == soon

    siret = demo("mobilites")["siret"]
    sb.set_key("mobilites", demo("mobilites")["username"], "preset-key", soon, siret=siret)
    assert sb.current_key("mobilites", demo("mobilites")["username"], siret=siret) == "preset-key"
    past = datetime.now(UTC) - timedelta(days=1)
    sb.set_key("ocapiat", demo("ocapiat")["username"], "expired-key", past)
    assert sb.current_key("ocapiat", demo("ocapiat")["username"]) is None  # expired: not valid
    assert sb.generation_count("ocapiat", demo("ocapiat")["username"]) == 0

    with pytest.raises(ValueError, match="unknown sandbox portal"):
        sb.current_key("akto", "x")
    with pytest.raises(RuntimeError, match="not serving"):
        sb.base_url("atlas")


# ----- over HTTP -----------------------------------------------------------------------------


def test_start_and_stop_on_a_running_loop_serve_every_portal() -> None:
    async def scenario() -> None:
        sb = Sandbox(latency=(0.0, 0.0))
        await sb.start("127.0.0.1", 0)
        try:
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+/atlas/", sb.base_url("atlas"))
            async with client() as http:
                for portal in PORTALS:
                    async with http.get(sb.base_url(portal)) as response:
                        assert response.status == 200
                        assert "text/html" in response.content_type
                async with http.get(sb.root_url) as response:
                    assert "Comptes de démonstration" in await response.text()
        finally:
            await sb.stop()

    run(scenario())


def test_latency_is_added_to_every_request() -> None:
    async def scenario() -> None:
        sb = Sandbox(latency=(0.15, 0.15))
        await sb.start()
        try:
            async with client() as http:
                started = time.perf_counter()
                async with http.get(sb.base_url("ocapiat") + "assets/sandbox.js") as response:
                    assert response.status == 200
                assert time.perf_counter() - started >= 0.15
        finally:
            await sb.stop()

    run(scenario())


def test_sessions_csrf_and_lockouts_of_every_portal() -> None:
    async def scenario() -> None:
        sb = Sandbox(latency=(0.0, 0.0))
        await sb.start()
        try:
            for portal in PORTALS:
                await check_portal(sb, portal)
        finally:
            await sb.stop()

    async def check_portal(sb: Sandbox, portal: str) -> None:
        account = demo(portal)
        user_field, password_field = LOGIN_FIELDS[portal]
        form = {user_field: account["username"], password_field: account["password"]}
        async with client() as http:
            # No session, no token: refused.
            async with http.post(sb.page_url(portal, "login_submit"), data=form) as response:
                assert response.status == 403
            # Five wrong passwords lock the account, then even the right one is refused.
            for attempt in range(5):
                status, url, html = await post_login(http, sb, portal, account["username"],
                                                     "faux")
                assert status == 200 and url == sb.page_url(portal, "login_submit")
                assert ("Compte verrouillé" in html) == (attempt == 4)
            status, url, html = await post_login(http, sb, portal, account["username"],
                                                 account["password"])
            assert "Compte verrouillé" in html
            sb.unlock(portal, account["username"])

            anonymous = session_cookie(http, portal).value
            status, url, html = await post_login(http, sb, portal, account["username"],
                                                 account["password"])
            assert status == 200 and url != sb.page_url(portal, "login")
            cookie = session_cookie(http, portal)
            assert cookie["path"] == f"/{portal}/" and cookie["httponly"]
            # A new session id at login: the one seen before is worthless.
            assert cookie.value != anonymous
            # Cookies of one portal are not sent to another.
            other = PORTALS[(PORTALS.index(portal) + 1) % len(PORTALS)]
            assert SESSION_COOKIES[portal] not in http.cookie_jar.filter_cookies(
                URL(sb.base_url(other)))

    run(scenario())


def test_a_portal_that_is_down_answers_503_to_everything() -> None:
    async def scenario() -> None:
        sb = Sandbox(latency=(0.0, 0.0))
        await sb.start()
        try:
            sb.set_down("mobilites", True)
            async with client() as http:
                for url in (sb.base_url("mobilites"), sb.page_url("mobilites", "cle"),
                            sb.base_url("mobilites") + "assets/sandbox.js"):
                    async with http.get(url) as response:
                        assert response.status == 503
                        assert "Site en maintenance" in await response.text()
                async with http.get(sb.base_url("opcoep")) as response:
                    assert response.status == 200
                sb.set_down("mobilites", False)
                async with http.get(sb.base_url("mobilites")) as response:
                    assert response.status == 200
        finally:
            await sb.stop()

    run(scenario())


def test_serve_in_thread_returns_once_listening_and_stops_cleanly() -> None:
    sb = Sandbox(latency=(0.0, 0.0))
    with sb.serve_in_thread(port=0):
        url = sb.base_url("opcoep")

        async def fetch() -> int:
            async with client() as http, http.get(url) as response:
                return response.status

        assert run(fetch()) == 200
    with pytest.raises(aiohttp.ClientConnectionError):
        run(fetch())
