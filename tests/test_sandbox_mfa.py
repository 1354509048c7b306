"""Second factors after the password, in both renderings: a code by e-mail or SMS (sent only when
asked), a TOTP code, an approval in the app, « Se souvenir de cet appareil », and sessions that
expire. Played as a person would, with a real Chromium against the real server; the codes a
person would read in their mail or SMS come from sent_codes, the TOTP codes from the secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from sandbox import RENDERINGS, Sandbox
from tests.sandbox_fixtures import FAST
from tests.spa_helpers import has_no_label, ready

# Fixtures: Chromium's launch.
pytest_plugins = ["tests.sandbox_fixtures"]

HEADING = "Vérification en deux étapes"
WRONG = "Code incorrect ou expiré."
REMEMBER = "Se souvenir de cet appareil"
SEND = {"email": "Recevoir un code par e-mail", "sms": "Recevoir un code par SMS"}
CODE = "Code de vérification"
TOTP_CODE = "Code de l'application d'authentification"
SEND_TO_APP = "Envoyer une demande à l'application"

# Per portal: the login form's field names and the route a logged-in visitor lands on.
LOGINS: dict[str, tuple[str, str, str]] = {
    "atlas": ("username", "password", "espaces"),
    "ocapiat": ("login", "motdepasse", "partnet"),
    "opcoep": ("j_username", "j_password", "dashboard"),
    "mobilites": ("email", "password", "home_cfa"),
    "afdas": ("email", "password", "accueil"),
    "opcommerce": ("Email", "MotDePasse", "accueil"),
    "sante": ("identifiant", "motDePasse", "accueil"),
    "cardif": ("identifiant", "motdepasse", "accueil"),
    "o2s": ("email", "password", "accueil"),
}
USERNAMES = {"atlas": "mfa@cfa-test.fr", "ocapiat": "OF77777.001", "opcoep": "cfa.mfa",
             "mobilites": "mfa@cfa-test.fr", "afdas": "mfa@cfa-test.fr",
             "opcommerce": "mfa@cfa-test.fr", "sante": "cfa.mfa", "cardif": "CGP777777",
             "o2s": "mfa@cfa-test.fr"}
ACCOUNTS: list[dict[str, Any]] = [
    {"portal": portal, "name": f"mfa-{portal}", "username": username,
     "password": f"mfa-{portal}-2024",
     "siret": None if portal in ("cardif", "o2s") else "88047261800011",
     "organisation": "CFA Test Double Facteur"}
    for portal, username in USERNAMES.items()
]
SOME_PORTALS = ("atlas", "ocapiat", "opcoep", "mobilites", "sante")


# The factor pages of these two renderings, by their markup; the variants rendering's pages (in
# other words) are tested in test_sandbox_variants_atlas_opcoep.py.
@pytest.fixture(scope="module", params=[r for r in RENDERINGS if r != "variants"])
def sb(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox of its own (factors are set on its accounts), in the classic and spa
    renderings."""
    sandbox = Sandbox(latency=FAST, accounts=ACCOUNTS, rendering=request.param)
    with sandbox.serve_in_thread(host="127.0.0.1", port=0):
        yield sandbox


@pytest.fixture
def mfa_page(page: Page, sb: Sandbox) -> Page:
    return ready(page, sb)


def spa(sb: Sandbox) -> bool:
    return sb.renderings["atlas"] == "spa"


def totp(secret: str, at: float) -> str:
    """RFC 6238 written again here (SHA-1, 30 s, 6 digits), to check the sandbox's own."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


def test_the_tests_totp_matches_rfc_6238() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, 59) == "287082" and totp(secret, 1111111109) == "081804"


def log_in(page: Page, sb: Sandbox, portal: str) -> None:
    """The login form by its field names (the portals' own login tests check its labels)."""
    user_field, password_field, _ = LOGINS[portal]
    page.goto(sb.page_url(portal, "login"))
    page.locator(f"input[name={user_field}]").fill(USERNAMES[portal])
    password = page.locator(f"input[name={password_field}]")
    password.fill(f"mfa-{portal}-2024")
    with page.expect_navigation():
        password.press("Enter")


def landed(page: Page, sb: Sandbox, portal: str) -> None:
    page.wait_for_url(sb.page_url(portal, LOGINS[portal][2]))


def code_field(page: Page, sb: Sandbox, name: str) -> Locator:
    """Classic: a labelled field; spa: a field named only by its placeholder."""
    return page.get_by_placeholder(name, exact=True) if spa(sb) else page.get_by_label(name)


def remember(page: Page, sb: Sandbox) -> None:
    if spa(sb):
        switch = page.get_by_role("switch", name=REMEMBER)
        switch.click()
        expect(switch).to_have_attribute("aria-checked", "true")
    else:
        page.get_by_label(REMEMBER).check()


def validate(page: Page, field: Locator, code: str) -> None:
    field.fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Valider", exact=True).click()


def device_cookies(context: BrowserContext, portal: str) -> list[dict[str, Any]]:
    return [dict(c) for c in context.cookies() if c["name"] == f"{portal}_appareil_de_confiance"]


def early_in_a_period() -> float:
    """A moment 5 s into the next TOTP period: a code computed then stays a period old (not
    two) until it is posted, whatever the clock says now."""
    return (time.time() // 30 + 1) * 30 + 5


# ----- e-mail and SMS ---------------------------------------------------------------------------


@pytest.mark.parametrize(("portal", "kind", "shown"), [
    ("atlas", "email", "m•••@cfa-test.fr"),
    ("ocapiat", "email", "c•••@cfa-test.fr"),
    ("opcoep", "sms", "•• •• •• •• 42"),
    ("mobilites", "sms", "•• •• •• •• 42"),
    ("sante", "email", "k•••@cfa-test.fr"),
])
def test_a_code_is_sent_only_on_the_button_and_completes_the_login(
        mfa_page: Page, sb: Sandbox, portal: str, kind: str, shown: str) -> None:
    page, user = mfa_page, USERNAMES[portal]
    sb.set_second_factor(portal, user, kind)
    sent, prompts = len(sb.sent_codes(portal, user)), sb.second_factor_prompts(portal, user)
    log_in(page, sb, portal)

    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
    expect(page.get_by_text(shown)).to_be_visible()
    expect(page.get_by_label(REMEMBER) if not spa(sb)
           else page.get_by_role("switch", name=REMEMBER)).to_be_visible()
    # Not logged in yet, and nothing sent before the button.
    assert sb.second_factor_prompts(portal, user) == prompts + 1
    assert len(sb.sent_codes(portal, user)) == sent
    expect(code_field(page, sb, CODE)).to_have_count(0)
    page.goto(sb.page_url(portal, LOGINS[portal][2]))
    page.wait_for_url(sb.page_url(portal, "login"))
    page.go_back()
    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
    assert len(sb.sent_codes(portal, user)) == sent

    with page.expect_navigation():
        page.get_by_role("button", name=SEND[kind]).click()
    codes = sb.sent_codes(portal, user)
    assert len(codes) == sent + 1
    code = codes[-1]
    assert len(code) == 6 and code.isdigit()
    field = code_field(page, sb, CODE)

    # A wrong code is refused, and another try is allowed.
    validate(page, field, "000000" if code != "000000" else "111111")
    expect(page.get_by_role("alert")).to_have_text(WRONG)
    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()

    validate(page, code_field(page, sb, CODE), code)
    landed(page, sb, portal)
    assert device_cookies(page.context, portal) == []  # not asked to remember
    assert len(sb.sent_codes(portal, user)) == sent + 1


def test_a_new_code_voids_the_previous_one(mfa_page: Page, sb: Sandbox) -> None:
    page, portal, user = mfa_page, "atlas", USERNAMES["atlas"]
    sb.set_second_factor(portal, user, "email")
    log_in(page, sb, portal)
    with page.expect_navigation():
        page.get_by_role("button", name=SEND["email"]).click()
    first = sb.sent_codes(portal, user)[-1]
    with page.expect_navigation():
        page.get_by_role("button", name="Renvoyer un code").click()
    second = sb.sent_codes(portal, user)[-1]
    if first != second:
        validate(page, code_field(page, sb, CODE), first)
        expect(page.get_by_role("alert")).to_have_text(WRONG)
    validate(page, code_field(page, sb, CODE), second)
    landed(page, sb, portal)


# ----- TOTP -----------------------------------------------------------------------------------


@pytest.mark.parametrize("portal", list(LOGINS))
def test_a_totp_code_completes_the_login_on_every_portal(mfa_page: Page, sb: Sandbox,
                                                         portal: str) -> None:
    page, user = mfa_page, USERNAMES[portal]
    secret = sb.set_second_factor(portal, user, "totp")
    assert secret is not None and len(secret) == 32
    sent = len(sb.sent_codes(portal, user))
    log_in(page, sb, portal)
    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
    field = code_field(page, sb, TOTP_CODE)
    expect(field).to_be_visible()  # straight away: nothing to send
    expect(page.get_by_role("button", name="Recevoir un code")).to_have_count(0)
    validate(page, field, totp(secret, time.time()))
    landed(page, sb, portal)
    assert len(sb.sent_codes(portal, user)) == sent


@pytest.mark.parametrize("portal", ["ocapiat", "mobilites"])
def test_the_previous_period_s_totp_code_is_accepted_an_older_one_is_not(
        mfa_page: Page, sb: Sandbox, portal: str) -> None:
    page, user = mfa_page, USERNAMES[portal]
    secret = sb.set_second_factor(portal, user, "totp")
    assert secret is not None
    log_in(page, sb, portal)
    field = code_field(page, sb, TOTP_CODE)
    now = time.time()
    stale = {totp(secret, now - 90), totp(secret, now + 60)} - {
        totp(secret, now + back) for back in (-30, 0, 30)}
    for code in stale:  # too old, or not yet
        validate(page, code_field(page, sb, TOTP_CODE), code)
        expect(page.get_by_role("alert")).to_have_text(WRONG)
    with time_machine.travel(early_in_a_period(), tick=True):  # the sandbox's clock too
        validate(page, field, totp(secret, time.time() - 30))
    landed(page, sb, portal)


def test_too_many_wrong_codes_cancel_the_login(mfa_page: Page, sb: Sandbox) -> None:
    page, portal, user = mfa_page, "sante", USERNAMES["sante"]
    secret = sb.set_second_factor(portal, user, "totp")
    assert secret is not None
    log_in(page, sb, portal)
    valid = {totp(secret, time.time() + back) for back in (-60, -30, 0, 30, 60)}
    wrong = next(c for c in ("123456", "654321", "111111") if c not in valid)
    for _ in range(4):
        validate(page, code_field(page, sb, TOTP_CODE), wrong)
        expect(page.get_by_role("alert")).to_have_text(WRONG)
    validate(page, code_field(page, sb, TOTP_CODE), wrong)
    page.wait_for_url(sb.page_url(portal, "login"))
    # Said where the portal says a wrong password (not always an ARIA alert).
    expect(page.get_by_text("Trop de codes incorrects")).to_be_visible()
    # The challenge is gone: its page sends back to the login.
    page.goto(sb.page_url(portal, "second_factor"))
    page.wait_for_url(sb.page_url(portal, "login"))


# ----- the app --------------------------------------------------------------------------------


@pytest.mark.parametrize("portal", ["atlas", "opcoep", "sante"])
def test_an_approval_in_the_app_moves_the_page_on_by_itself(mfa_page: Page, sb: Sandbox,
                                                             portal: str) -> None:
    page, user = mfa_page, USERNAMES[portal]
    sb.set_second_factor(portal, user, "app")
    log_in(page, sb, portal)
    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
    assert not sb.approve_login(portal, user)  # nothing sent yet
    with page.expect_navigation():
        page.get_by_role("button", name=SEND_TO_APP).click()
    expect(page.get_by_text("Validez la connexion dans l'application")).to_be_visible()
    expect(page.get_by_role("button", name="Valider")).to_have_count(0)
    assert sb.approve_login(portal, user)
    landed(page, sb, portal)


# ----- remembering the device -------------------------------------------------------------------


@pytest.mark.parametrize(("portal", "kind"), [("atlas", "totp"), ("ocapiat", "app"),
                                              ("opcoep", "email"), ("mobilites", "sms")])
def test_a_remembered_device_skips_the_factor_in_that_browser_only(
        mfa_page: Page, sb: Sandbox, browser: Browser, portal: str, kind: str) -> None:
    page, user = mfa_page, USERNAMES[portal]
    secret = sb.set_second_factor(portal, user, kind, remember_days=7)
    prompts = sb.second_factor_prompts(portal, user)
    log_in(page, sb, portal)
    remember(page, sb)
    if kind == "totp":
        assert secret is not None
        validate(page, code_field(page, sb, TOTP_CODE), totp(secret, time.time()))
    elif kind == "app":
        with page.expect_navigation():
            page.get_by_role("button", name=SEND_TO_APP).click()
        expect(page.get_by_text("Validez la connexion dans l'application")).to_be_visible()
        assert sb.approve_login(portal, user)
    else:
        with page.expect_navigation():
            page.get_by_role("button", name=SEND[kind]).click()
        validate(page, code_field(page, sb, CODE), sb.sent_codes(portal, user)[-1])
    landed(page, sb, portal)
    [cookie] = device_cookies(page.context, portal)
    expires = datetime.fromtimestamp(cookie["expires"], UTC)
    assert abs(expires - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=5)
    assert cookie["httpOnly"] and cookie["path"] == f"/{portal}/"

    # Logged out, then in again from the same browser: no second factor.
    page.goto(sb.page_url(portal, "logout"))
    log_in(page, sb, portal)
    landed(page, sb, portal)
    assert sb.second_factor_prompts(portal, user) == prompts + 1

    # Another browser (a fresh context) is asked again.
    other = browser.new_context()
    try:
        fresh = ready(other.new_page(), sb)
        log_in(fresh, sb, portal)
        expect(fresh.get_by_role("heading", name=HEADING)).to_be_visible()
        assert sb.second_factor_prompts(portal, user) == prompts + 2
    finally:
        other.close()


def test_an_account_without_a_second_factor_logs_in_as_before(mfa_page: Page,
                                                              sb: Sandbox) -> None:
    page, portal, user = mfa_page, "opcoep", USERNAMES["opcoep"]
    sb.set_second_factor(portal, user, None)
    prompts = sb.second_factor_prompts(portal, user)
    log_in(page, sb, portal)
    landed(page, sb, portal)
    assert sb.second_factor_prompts(portal, user) == prompts
    assert device_cookies(page.context, portal) == []


# ----- sessions that expire -------------------------------------------------------------------


@pytest.mark.parametrize("portal", SOME_PORTALS)
def test_an_expired_session_sends_the_visitor_back_to_the_login(mfa_page: Page, sb: Sandbox,
                                                                portal: str) -> None:
    page, user = mfa_page, USERNAMES[portal]
    secret = sb.set_second_factor(portal, user, "totp")
    assert secret is not None
    try:
        # Logged in, then the session expires: the next page is the login.
        log_in(page, sb, portal)
        validate(page, code_field(page, sb, TOTP_CODE), totp(secret, time.time()))
        landed(page, sb, portal)
        sb.set_session_lifetime(portal, 0)
        page.reload()
        page.wait_for_url(sb.page_url(portal, "login"))
        sb.set_session_lifetime(portal, None)

        # Expired on the factor page: back to the login.
        log_in(page, sb, portal)
        expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
        sb.set_session_lifetime(portal, 0)
        page.reload()
        page.wait_for_url(sb.page_url(portal, "login"))
        sb.set_session_lifetime(portal, None)
        # The challenge did not survive: its page still sends back to the login, saying why.
        page.goto(sb.page_url(portal, "second_factor"))
        page.wait_for_url(sb.page_url(portal, "login"))
        expect(page.get_by_text("Votre session a expiré. Veuillez vous reconnecter.",
                                exact=True)).to_be_visible()
    finally:
        sb.set_session_lifetime(portal, None)


def test_an_expired_session_while_the_app_is_asked_goes_back_to_the_login(
        mfa_page: Page, sb: Sandbox) -> None:
    page, portal, user = mfa_page, "mobilites", USERNAMES["mobilites"]
    sb.set_second_factor(portal, user, "app")
    try:
        log_in(page, sb, portal)
        with page.expect_navigation():
            page.get_by_role("button", name=SEND_TO_APP).click()
        expect(page.get_by_text("Validez la connexion dans l'application")).to_be_visible()
        sb.set_session_lifetime(portal, 0)
        page.wait_for_url(sb.page_url(portal, "login"))
    finally:
        sb.set_session_lifetime(portal, None)


# ----- the markup of each rendering -------------------------------------------------------------


def test_the_factor_page_s_markup_differs_between_renderings(mfa_page: Page,
                                                             sb: Sandbox) -> None:
    page, portal, user = mfa_page, "atlas", USERNAMES["atlas"]
    sb.set_second_factor(portal, user, "email")
    log_in(page, sb, portal)
    send = page.get_by_role("button", name=SEND["email"])
    expect(send).to_be_visible()
    with page.expect_navigation():
        send.click()
    field = code_field(page, sb, CODE)
    expect(field).to_be_visible()
    tag = page.get_by_role("button", name="Valider").evaluate("el => el.tagName")
    if spa(sb):
        assert has_no_label(field)
        assert tag == "A"
        expect(page.get_by_role("switch", name=REMEMBER)).to_have_attribute("aria-checked",
                                                                             "false")
        expect(page.get_by_role("checkbox")).to_have_count(0)
        assert "<form" not in page.request.get(page.url).text()
    else:
        assert tag == "BUTTON"
        expect(page.get_by_label(REMEMBER)).not_to_be_checked()
        expect(page.get_by_role("switch")).to_have_count(0)
