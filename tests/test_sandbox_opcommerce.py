"""L'Opcommerce (portail « Web Services Partenaire ») in both renderings: the seed's procedure
walked as a person would (login with Email / Mot de Passe, the menu at the top right,
« Accrochage API »), the key and its expiry loaded after the page, « Générer une nouvelle clé
d'API », « Révoquer l'accès », the wrong-password and lockout answers, the late cookie banner,
and the spa's markup checked to really differ from the classic one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial

import pytest
from playwright.sync_api import Locator, Page, expect

from sandbox import DEMO_ACCOUNTS, Sandbox
from sandbox.clock import PARIS
from tests import spa_helpers
from tests.spa_helpers import demo_account, ready

# Fixtures: shared_sandbox, spa_sandbox, Chromium's launch.
pytest_plugins = ["tests.sandbox_fixtures"]

PORTAL = "opcommerce"
RENDERINGS = ["shared_sandbox", "spa_sandbox"]
INVALID = "Email ou mot de passe incorrect."
NO_KEY = "Aucune clé d'API active."
KEY_LABEL = "Votre clé d'API :"
is_spa = partial(spa_helpers.is_spa, portal=PORTAL)

# Accounts of this file's own sandboxes (revoking or locking out the demo account of the shared
# ones would change what other tests find there).
OWN_ACCOUNTS = [
    {"portal": PORTAL, "name": "opcommerce-revocation", "username": "revocation@cfa-test.fr",
     "password": "revocation-mdp-1", "siret": "88047261800011",
     "organisation": "CFA Test Révocation"},
    {"portal": PORTAL, "name": "opcommerce-verrou", "username": "verrou@cfa-test.fr",
     "password": "verrou-mdp-1", "siret": "88047261800011", "organisation": "CFA Test Verrou"},
]


def paris(moment: datetime | None) -> str:
    assert moment is not None
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


@pytest.fixture(scope="module")
def own_sandboxes() -> Iterator[dict[str, Sandbox]]:
    """Per rendering, a sandbox with OWN_ACCOUNTS (each starts with a key, as the demo one)."""
    classic = Sandbox(latency=(0.0, 0.02), accounts=[*DEMO_ACCOUNTS, *OWN_ACCOUNTS])
    spa = Sandbox(latency=(0.0, 0.02), accounts=[*DEMO_ACCOUNTS, *OWN_ACCOUNTS], rendering="spa")
    with classic.serve_in_thread(host="127.0.0.1", port=0), \
            spa.serve_in_thread(host="127.0.0.1", port=0):
        yield {"shared_sandbox": classic, "spa_sandbox": spa}


def email_field(page: Page, spa: bool) -> Locator:
    return page.get_by_placeholder("Email") if spa else page.get_by_label("Email")


def password_field(page: Page, spa: bool) -> Locator:
    return (page.get_by_placeholder("Mot de Passe", exact=True) if spa
            else page.get_by_label("Mot de Passe", exact=True))


def log_in(page: Page, sb: Sandbox, username: str, password: str) -> None:
    spa = is_spa(sb)
    page.goto(sb.base_url(PORTAL))
    email_field(page, spa).fill(username)
    password_field(page, spa).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def open_accrochage_api(page: Page) -> None:
    """3. « cliquer sur bouton Accrochage API disponible dans le menu situé en haut à droite »."""
    menu = page.get_by_role("button", name="Menu", exact=True)
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("menuitem")).to_have_count(0)  # items exist once opened
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("menuitem")).to_have_text(
        ["Administration des Utilisateurs", "Paramétrage", "Accrochage API", "Se déconnecter"])
    page.get_by_role("menuitem", name="Accrochage API").click()
    expect(page.get_by_role("heading", name="Accrochage API", level=1)).to_be_visible()


def key_box(page: Page) -> Locator:
    return page.get_by_role("textbox", name=KEY_LABEL)


def expiry_line(page: Page) -> Locator:
    return page.get_by_text(re.compile(r"^Date d'expiration : "))


# ----- login page -----------------------------------------------------------------------------


@pytest.mark.parametrize("sandbox_name", RENDERINGS)
def test_login_page_offers_account_creation_and_help(page: Page, sandbox_name: str,
                                                     request: pytest.FixtureRequest) -> None:
    sb: Sandbox = request.getfixturevalue(sandbox_name)
    page = ready(page, sb)
    spa = is_spa(sb)
    page.goto(sb.base_url(PORTAL))
    expect(email_field(page, spa)).to_be_visible()
    expect(password_field(page, spa)).to_have_attribute("type", "password")
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    # « Créer un Compte » and « Besoin d'aide pour vous connecter ? »: buttons in the classic
    # rendering, links styled as buttons in the spa one; both open a simple page.
    role = "link" if spa else "button"
    for label in ("Créer un Compte", "Besoin d'aide pour vous connecter ?"):
        page.goto(sb.base_url(PORTAL))
        with page.expect_navigation():
            page.get_by_role(role, name=label).click()
        expect(page.get_by_role("heading", name=label, level=1)).to_be_visible()
        expect(page.get_by_text("supportapi@lopcommerce.com")).to_be_visible()
        page.get_by_role(role if spa else "link", name="Retour à la connexion").click()
        expect(page.get_by_role("button", name="Se connecter")).to_be_visible()


@pytest.mark.parametrize("sandbox_name", RENDERINGS)
def test_wrong_password_shows_the_error_and_keeps_the_email(
        page: Page, sandbox_name: str, request: pytest.FixtureRequest) -> None:
    sb: Sandbox = request.getfixturevalue(sandbox_name)
    page = ready(page, sb)
    user = demo_account(PORTAL)["username"]
    try:
        log_in(page, sb, user, "mauvais-mot-de-passe")
        expect(page.get_by_role("alert")).to_have_text(INVALID)
        expect(email_field(page, is_spa(sb))).to_have_value(user)
        expect(page.get_by_role("button", name="Menu")).to_have_count(0)
    finally:
        sb.unlock(PORTAL, user)


@pytest.mark.parametrize("sandbox_name", RENDERINGS)
def test_five_wrong_passwords_lock_the_account(page: Page, sandbox_name: str,
                                               own_sandboxes: dict[str, Sandbox]) -> None:
    sb = own_sandboxes[sandbox_name]
    page = ready(page, sb)
    account = OWN_ACCOUNTS[1]
    try:
        for _ in range(4):
            log_in(page, sb, account["username"], "mauvais")
            expect(page.get_by_role("alert")).to_have_text(INVALID)
        log_in(page, sb, account["username"], "mauvais")
        expect(page.get_by_role("alert")).to_contain_text("Votre compte est bloqué")
        # Even the right password is refused now.
        log_in(page, sb, account["username"], account["password"])
        expect(page.get_by_role("alert")).to_contain_text("Votre compte est bloqué")
    finally:
        sb.unlock(PORTAL, account["username"])
    log_in(page, sb, account["username"], account["password"])
    expect(page.get_by_role("button", name="Menu")).to_be_visible()


@pytest.mark.parametrize("sandbox_name", RENDERINGS)
def test_late_cookie_banner_takes_an_answer(page: Page, sandbox_name: str,
                                            request: pytest.FixtureRequest) -> None:
    sb: Sandbox = request.getfixturevalue(sandbox_name)
    page = ready(page, sb, consent=False)
    page.goto(sb.base_url(PORTAL))
    banner = page.get_by_role("dialog", name="Gestion de vos préférences sur les cookies")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Tout refuser").click()
    expect(banner).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("data-cookie-consent", "refused")


# ----- « Accrochage API » -----------------------------------------------------------------------


@pytest.mark.parametrize("sandbox_name", RENDERINGS)
def test_accrochage_api_shows_the_current_key_without_generating(
        page: Page, sandbox_name: str, request: pytest.FixtureRequest) -> None:
    sb: Sandbox = request.getfixturevalue(sandbox_name)
    page = ready(page, sb)
    account = demo_account(PORTAL)
    user = account["username"]
    log_in(page, sb, user, account["password"])
    # The landing page has no sidebar: the menu at the top right is the way.
    expect(page.get_by_role("link", name="Mes coordonnées")).to_be_visible()
    expect(page.get_by_text("Aurélien HERMANT", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Accrochage API")).to_have_count(0)
    before = sb.generation_count(PORTAL, user)
    open_accrochage_api(page)

    expect(page.get_by_role("heading", name="Obtenir une clé d'API")).to_be_visible()
    expect(page.get_by_role("button", name="Générer une nouvelle clé d'API")).to_be_visible()
    key = sb.current_key(PORTAL, user)
    assert key
    expect(key_box(page)).to_have_value(key)
    expect(key_box(page)).not_to_be_editable()
    expect(expiry_line(page)).to_have_text(
        f"Date d'expiration : {paris(sb.key_expires_at(PORTAL, user))}")
    expect(page.get_by_role("button", name="Copier la clé d'API")).to_be_visible()
    expect(page.get_by_role("button", name="Révoquer l'accès")).to_be_visible()
    assert key not in page.request.get(page.url).text()  # fetched after the page loaded
    assert sb.generation_count(PORTAL, user) == before
    # Still valid: 165 days left at the start, a year after a generation.
    expires = sb.key_expires_at(PORTAL, user)
    assert expires is not None and expires > datetime.now(UTC)
    # The documentation buttons at the bottom.
    role = "link" if is_spa(sb) else "button"
    for label in ("Accéder à la documentation API de l'Opcommerce",
                  "Accéder à la documentation API Convergence CFA"):
        expect(page.get_by_role(role, name=label)).to_be_visible()


@pytest.mark.parametrize("sandbox_name", RENDERINGS)
def test_generate_replaces_the_key_with_a_new_expiry(page: Page, sandbox_name: str,
                                                     request: pytest.FixtureRequest) -> None:
    sb: Sandbox = request.getfixturevalue(sandbox_name)
    page = ready(page, sb)
    account = demo_account(PORTAL)
    user = account["username"]
    log_in(page, sb, user, account["password"])
    open_accrochage_api(page)
    old = sb.current_key(PORTAL, user)
    old_expiry = sb.key_expires_at(PORTAL, user)
    expect(key_box(page)).to_have_value(old or "")
    before = sb.generation_count(PORTAL, user)

    page.get_by_role("button", name="Générer une nouvelle clé d'API").click()
    expect(key_box(page)).not_to_have_value(old or "")
    new = sb.current_key(PORTAL, user)
    assert new and new != old
    assert sb.generation_count(PORTAL, user) == before + 1
    expect(key_box(page)).to_have_value(new)
    new_expiry = sb.key_expires_at(PORTAL, user)
    assert new_expiry is not None and old_expiry is not None and new_expiry > old_expiry
    expect(expiry_line(page)).to_have_text(f"Date d'expiration : {paris(new_expiry)}")
    expect(page.get_by_text("Une nouvelle clé d'API a été générée.")).to_be_visible()
    # A reload shows the same key (nothing generated on display).
    page.reload()
    expect(key_box(page)).to_have_value(new)
    assert sb.generation_count(PORTAL, user) == before + 1


@pytest.mark.parametrize("sandbox_name", RENDERINGS)
def test_revoke_leaves_no_key_until_a_new_one_is_generated(
        page: Page, sandbox_name: str, own_sandboxes: dict[str, Sandbox]) -> None:
    sb = own_sandboxes[sandbox_name]
    page = ready(page, sb)
    account = OWN_ACCOUNTS[0]
    user = account["username"]
    log_in(page, sb, user, account["password"])
    open_accrochage_api(page)

    # Every account of this portal starts with a key (as the demo one does).
    key = sb.current_key(PORTAL, user)
    assert key
    expect(key_box(page)).to_have_value(key)
    revocations = sb.revocation_count(PORTAL, user)

    # « Révoquer l'accès » asks first; « Annuler » keeps the key.
    page.get_by_role("button", name="Révoquer l'accès").click()
    dialog = page.get_by_role("dialog", name="Révoquer l'accès")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).not_to_be_visible()
    assert sb.current_key(PORTAL, user) == key
    assert sb.revocation_count(PORTAL, user) == revocations

    page.get_by_role("button", name="Révoquer l'accès").click()
    dialog.get_by_role("button", name="Confirmer la révocation").click()
    expect(page.get_by_text(NO_KEY)).to_be_visible()
    expect(key_box(page)).to_have_count(0)
    assert sb.current_key(PORTAL, user) is None
    assert sb.revocation_count(PORTAL, user) == revocations + 1
    # Without a key the box says so and shows no date (after a reload as well).
    for _ in range(2):
        expect(page.get_by_text(NO_KEY)).to_be_visible()
        expect(key_box(page)).to_have_count(0)
        expect(expiry_line(page)).not_to_be_visible()
        expect(page.get_by_role("button", name="Révoquer l'accès")).not_to_be_visible()
        page.reload()

    page.get_by_role("button", name="Générer une nouvelle clé d'API").click()
    expect(key_box(page)).to_have_value(re.compile(r".{20,}"))
    again = sb.current_key(PORTAL, user)
    assert again and again != key
    expect(key_box(page)).to_have_value(again)


@pytest.mark.parametrize("sandbox_name", RENDERINGS)
def test_key_apis_need_a_session_and_csrf(page: Page, sandbox_name: str,
                                          request: pytest.FixtureRequest) -> None:
    sb: Sandbox = request.getfixturevalue(sandbox_name)
    page = ready(page, sb)
    account = demo_account(PORTAL)
    user = account["username"]
    assert page.request.get(sb.page_url(PORTAL, "api_key")).status == 401
    log_in(page, sb, user, account["password"])
    before = sb.generation_count(PORTAL, user)
    for api in ("api_generate", "api_revoke"):
        assert page.request.post(sb.page_url(PORTAL, api), data={}).status == 403
    assert sb.generation_count(PORTAL, user) == before
    assert sb.current_key(PORTAL, user)


# ----- markup of each rendering -----------------------------------------------------------------


def test_classic_fields_have_labels_and_the_key_a_label(page: Page,
                                                        shared_sandbox: Sandbox) -> None:
    sb = shared_sandbox
    page = ready(page, sb)
    page.goto(sb.base_url(PORTAL))
    assert page.get_by_label("Email").evaluate("el => el.labels.length") == 1
    html = page.request.get(page.url).text()
    assert "<form" in html and 'name="Email"' in html
    account = demo_account(PORTAL)
    log_in(page, sb, account["username"], account["password"])
    open_accrochage_api(page)
    expect(key_box(page)).to_have_value(re.compile(".+"))
    assert key_box(page).evaluate("el => el.labels.length") == 1
    expect(page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Accrochage API")).to_be_visible()


def test_spa_markup_differs(page: Page, spa_sandbox: Sandbox) -> None:
    sb = spa_sandbox
    page = ready(page, sb)
    page.goto(sb.base_url(PORTAL))
    email = page.get_by_placeholder("Email")
    expect(email).to_be_visible()
    assert email.evaluate("el => el.labels.length === 0 && !el.hasAttribute('aria-label')"
                          " && !el.hasAttribute('aria-labelledby')")
    html = page.request.get(page.url).text()
    assert "<form" not in html and "Se connecter" not in html  # built in the browser
    submit = page.get_by_role("button", name="Se connecter")
    expect(submit).to_have_css("text-transform", "uppercase")
    assert (submit.text_content() or "").strip() == "Se connecter"

    account = demo_account(PORTAL)
    log_in(page, sb, account["username"], account["password"])
    open_accrochage_api(page)
    title = page.get_by_role("heading", name="Accrochage API", level=1)
    expect(title).to_have_css("text-transform", "uppercase")
    assert title.inner_text().strip() == "ACCROCHAGE API"
    expect(key_box(page)).to_have_value(re.compile(".+"))
    # The key input is named by aria-labelledby; the card's heading sits in its header block
    # and the content in the sibling body.
    assert key_box(page).evaluate("el => el.labels.length === 0"
                                  " && el.hasAttribute('aria-labelledby')")
    heading = page.get_by_role("heading", name="Obtenir une clé d'API")
    assert not heading.evaluate(
        "(h, other) => h.parentElement.contains(other)",
        page.get_by_role("button", name="Générer une nouvelle clé d'API").element_handle())
    region = page.get_by_role("region", name="Obtenir une clé d'API")
    expect(region.get_by_role("textbox", name=KEY_LABEL)).to_have_count(1)
    # Links styled as buttons; the revocation dialog is labelled by its heading.
    expect(page.get_by_role("button", name=re.compile("documentation"))).to_have_count(0)
    page.get_by_role("button", name="Révoquer l'accès").click()
    dialog = page.get_by_role("dialog", name="Révoquer l'accès")
    expect(dialog.get_by_role("heading", name="Révoquer l'accès")).to_be_visible()
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_have_count(0)
