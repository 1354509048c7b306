"""The "variants" rendering of Afdas, L'Opcommerce and OPCO Santé, driven as a person reading the
seed would: by roles, labels and the seed's words, against the sandbox's shared state."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sandbox import DEMO_ACCOUNTS, Sandbox
from sandbox.clock import add_months, frdate, frdatetime, now
from sandbox.portals import afdas, opcommerce, sante
from tests.sandbox_fixtures import AFDAS_ESTABLISHMENTS, FAST
from tests.spa_helpers import open_menu

pytest_plugins = ["tests.sandbox_fixtures"]

PORTALS = ("afdas", "opcommerce", "sante")
# Accounts only one test uses, so the order of the tests never matters.
OPCOMMERCE_REVOKE = {"portal": "opcommerce", "name": "wsp-revocation",
                     "username": "revocation@cfa-test.fr", "password": "wsp-mot-de-passe-1",
                     "siret": "88047261800011", "organisation": "CFA Test Révocation"}
SANTE_SESSION = {"portal": "sante", "name": "sante-session", "username": "cfa.session.test",
                 "password": "sante-mot-de-passe-1", "siret": "88047261800029",
                 "organisation": "CFA Test Session"}
ACCOUNTS = [*(a for a in DEMO_ACCOUNTS if a["portal"] in PORTALS),
            *AFDAS_ESTABLISHMENTS.values(), OPCOMMERCE_REVOKE, SANTE_SESSION]


def demo(portal: str) -> dict[str, Any]:
    return next(a for a in DEMO_ACCOUNTS if a["portal"] == portal)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox(latency=FAST, accounts=ACCOUNTS,
                      rendering=dict.fromkeys(PORTALS, "variants"))
    with sandbox.serve_in_thread(host="127.0.0.1", port=0):
        yield sandbox


@pytest.fixture
def web(page: Page, sb: Sandbox) -> Page:
    page.context.add_cookies(sb.consent_cookies())  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    return page


# ----- the cookie banners -------------------------------------------------------------------

@pytest.mark.parametrize("portal", PORTALS)
def test_cookie_banner_comes_late_and_is_remembered(page: Page, sb: Sandbox, portal: str) -> None:
    page.set_default_timeout(10_000)
    spec = {"afdas": afdas.SPEC, "opcommerce": opcommerce.SPEC, "sante": sante.SPEC}[portal]
    page.goto(sb.base_url(portal))
    page.get_by_role("button", name=spec.consent_refuse).click()
    expect(page.get_by_role("button", name=spec.consent_refuse)).to_have_count(0)
    cookie = next(c for c in page.context.cookies() if c["name"] == spec.consent_cookie)
    assert cookie["value"] == "refused" and cookie["path"] == f"/{portal}/"
    page.reload()
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("button", name=spec.consent_accept)).to_have_count(0)


# ----- Afdas --------------------------------------------------------------------------------

def afdas_login(page: Page, sb: Sandbox, account: dict[str, Any], password: str | None = None
                ) -> None:
    page.goto(sb.base_url("afdas"))
    page.get_by_placeholder("Adresse e-mail").fill(account["username"])
    page.get_by_placeholder("Mot de passe").fill(password or account["password"])
    with page.expect_navigation():  # the next page, its scripts run
        page.get_by_role("button", name="Se connecter").click()


def afdas_mon_compte(page: Page) -> None:
    open_menu(page.get_by_role("button", name=re.compile("LAMBERT|MARTIN")))
    page.get_by_role("menuitem", name="Mon compte").click()


def identifier_field(page: Page):
    section = page.get_by_role(
        "group", name="Informations complémentaires pour les prestataires de formation initiale")
    return section.get_by_label("Identifiant API CFA")


def test_afdas_wrong_password_is_refused_in_words(web: Page, sb: Sandbox) -> None:
    account = demo("afdas")
    afdas_login(web, sb, account, password="pas-le-bon")
    expect(web.get_by_role("alert")).to_have_text(afdas.INVALID_LOGIN)
    expect(web.get_by_placeholder("Adresse e-mail")).to_have_value(account["username"])


def test_afdas_head_office_generates_after_confirming(web: Page, sb: Sandbox) -> None:
    account = demo("afdas")
    afdas_login(web, sb, account)
    expect(web.get_by_role("link", name="Mon compte")).to_have_count(0)  # a menu item only
    afdas_mon_compte(web)
    value = identifier_field(web)
    existing = sb.current_key("afdas", account["username"])  # another test may have set one
    expect(value).to_have_text(existing or "Aucun identifiant généré")

    generate = web.get_by_role("button", name="Générer un identifiant API CFA")
    generate.click()
    dialog = web.get_by_role("dialog", name="Générer un nouvel identifiant ?")
    expect(dialog).to_contain_text("écrase le précédent")
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    assert sb.generation_count("afdas", account["username"]) == 0

    generate.click()
    dialog.get_by_role("button", name="Confirmer").click()
    expect(web.get_by_role("status").filter(has_text=afdas.GENERATED)).to_be_visible()
    first = sb.current_key("afdas", account["username"])
    assert first not in (None, existing)
    expect(value).to_have_text(first)
    assert sb.generation_count("afdas", account["username"]) == 1

    web.reload()  # shown again, not generated again
    expect(identifier_field(web)).to_have_text(first)
    web.get_by_role("button", name="Générer un identifiant API CFA").click()
    web.get_by_role("dialog").get_by_role("button", name="Confirmer").click()
    expect(web.get_by_role("status").filter(has_text=afdas.GENERATED)).to_be_visible()
    second = sb.current_key("afdas", account["username"])
    assert second not in (None, first)
    expect(identifier_field(web)).to_have_text(second)
    assert sb.generation_count("afdas", account["username"]) == 2


def test_afdas_establishment_sees_the_shared_identifier_and_cannot_generate(
        web: Page, sb: Sandbox) -> None:
    head = demo("afdas")["username"]
    shared = sb.current_key("afdas", head) or sb.set_key("afdas", head, None, None)
    before = sb.generation_count("afdas", head)
    afdas_login(web, sb, AFDAS_ESTABLISHMENTS["same_siren"])
    afdas_mon_compte(web)
    expect(identifier_field(web)).to_have_text(shared)
    web.get_by_role("button", name="Générer un identifiant API CFA").click()
    expect(web.get_by_role("alert")).to_have_text(afdas.NOT_HEAD_OFFICE)
    expect(web.get_by_role("dialog")).to_have_count(0)
    assert sb.current_key("afdas", head) == shared
    assert sb.generation_count("afdas", head) == before


def test_afdas_establishment_without_identifier_is_told_so(web: Page, sb: Sandbox) -> None:
    account = AFDAS_ESTABLISHMENTS["no_identifier"]
    afdas_login(web, sb, account)
    afdas_mon_compte(web)
    expect(identifier_field(web)).to_have_text("Aucun identifiant généré")
    web.get_by_role("button", name="Générer un identifiant API CFA").press("Enter")
    expect(web.get_by_role("alert")).to_contain_text("siège social")
    assert sb.current_key("afdas", account["username"]) is None


# ----- L'Opcommerce -------------------------------------------------------------------------

def opcommerce_login(page: Page, sb: Sandbox, account: dict[str, Any],
                     password: str | None = None) -> None:
    page.goto(sb.base_url("opcommerce"))
    page.get_by_label("Email").fill(account["username"])
    page.get_by_label("Mot de Passe").fill(password or account["password"])
    with page.expect_navigation():  # the next page, its scripts run
        page.get_by_role("button", name="Connexion", exact=True).click()


def accrochage(page: Page) -> None:
    open_menu(page.get_by_role("button", name=re.compile("HERMANT|MARTIN")))  # top right
    page.get_by_role("menuitem", name="Accrochage API").click()
    expect(page.get_by_role("heading", name="Accrochage API")).to_be_visible()


def test_opcommerce_wrong_password_and_public_links(web: Page, sb: Sandbox) -> None:
    opcommerce_login(web, sb, demo("opcommerce"), password="faux")
    expect(web.get_by_role("alert")).to_contain_text(opcommerce.INVALID_LOGIN)
    web.get_by_role("link", name="Besoin d'aide pour vous connecter ?").click()
    expect(web.get_by_role("heading", name="Besoin d'aide pour vous connecter ?")).to_be_visible()
    web.goto(sb.base_url("opcommerce"))
    web.get_by_role("link", name="Créer un Compte").click()
    expect(web.get_by_role("heading", name="Créer un Compte")).to_be_visible()


def test_opcommerce_key_masked_then_revealed_then_generated(web: Page, sb: Sandbox) -> None:
    user = demo("opcommerce")["username"]
    key = sb.current_key("opcommerce", user)
    assert key is not None
    opcommerce_login(web, sb, demo("opcommerce"))
    accrochage(web)
    block = web.locator(".wsp-keybox")
    expect(block).to_contain_text("Votre clé d'API :")
    expires = frdatetime(sb.key_expires_at("opcommerce", user))
    expect(block).to_contain_text(f"Date d'expiration : {expires}")
    assert key not in web.content()  # masked until asked for
    web.get_by_role("button", name="Afficher la clé").click()
    expect(block.locator("code")).to_have_text(key)
    expect(web.get_by_role("button", name="Copier la clé")).to_be_visible()  # an icon
    assert sb.generation_count("opcommerce", user) == 0

    # The green « button » is a link styled as one.
    web.get_by_role("link", name="Générer une nouvelle clé d'API").click()
    expect(web.get_by_role("status")).to_have_text(opcommerce.GENERATED)
    new = sb.current_key("opcommerce", user)
    assert new not in (None, key)
    expect(block.locator("code")).to_have_text(new)
    assert sb.generation_count("opcommerce", user) == 1
    expires_at = sb.key_expires_at("opcommerce", user)
    assert expires_at is not None and expires_at - now() > timedelta(days=364)
    expect(block).to_contain_text(f"Date d'expiration : {frdatetime(expires_at)}")


def test_opcommerce_revoke_is_confirmed_counted_and_answered_in_words(
        web: Page, sb: Sandbox) -> None:
    user = OPCOMMERCE_REVOKE["username"]
    assert sb.current_key("opcommerce", user) is not None
    opcommerce_login(web, sb, OPCOMMERCE_REVOKE)
    accrochage(web)
    expect(web.get_by_text("Date d'expiration :")).to_be_visible()
    web.get_by_role("button", name="Révoquer l'accès").click()
    confirm = web.get_by_role("alertdialog", name="Révoquer l'accès ?")
    confirm.get_by_role("button", name="Oui, révoquer").click()
    expect(web.get_by_role("status")).to_have_text(opcommerce.REVOKED)
    expect(web.get_by_text(opcommerce.NO_KEY)).to_be_visible()
    assert sb.current_key("opcommerce", user) is None
    assert sb.revocation_count("opcommerce", user) == 1

    web.reload()  # no key: the block says so in words, the button is still there
    expect(web.get_by_text(opcommerce.NO_KEY)).to_be_visible()
    web.get_by_role("button", name="Révoquer l'accès").click()
    web.get_by_role("alertdialog").get_by_role("button", name="Oui, révoquer").click()
    expect(web.get_by_role("alert")).to_have_text("Aucune clé d'API active à révoquer.")
    assert sb.revocation_count("opcommerce", user) == 1

    web.get_by_role("link", name="Générer une nouvelle clé d'API").click()
    expect(web.get_by_text("Date d'expiration :")).to_be_visible()
    expect(web.locator(".wsp-keybox code")).to_have_text(
        sb.current_key("opcommerce", user) or "-")
    assert sb.generation_count("opcommerce", user) == 1


def test_opcommerce_relabel_reaches_the_menu(web: Page, sb: Sandbox) -> None:
    sb.relabel("opcommerce", "Paramétrage", "Paramètres du portail")
    try:
        opcommerce_login(web, sb, demo("opcommerce"))
        open_menu(web.get_by_role("button", name=re.compile("HERMANT")))
        expect(web.get_by_role("menuitem", name="Paramètres du portail")).to_be_visible()
    finally:
        sb.relabel("opcommerce", "Paramètres du portail", "Paramétrage")


# ----- OPCO Santé ---------------------------------------------------------------------------

def sante_login(page: Page, sb: Sandbox, account: dict[str, Any],
                password: str | None = None) -> None:
    page.goto(sb.base_url("sante"))
    page.get_by_label("Identifiant").fill(account["username"])
    page.get_by_label("Mot de passe").fill(password or account["password"])
    with page.expect_navigation():  # the next page, its scripts run
        page.get_by_role("button", name="Me connecter").click()


def sante_cle(page: Page) -> None:
    page.get_by_role("tab", name="Mon organisme").click()
    page.wait_for_load_state()  # a rubrique chosen before the page's script runs is not shown
    page.get_by_label("Rubrique").select_option(label="Clé d'authentification API CFA")
    expect(page.get_by_role("heading", name="Clé d'authentification API CFA")).to_be_visible()


def test_sante_wrong_password_is_refused(web: Page, sb: Sandbox) -> None:
    sante_login(web, sb, demo("sante"), password="erreur")
    expect(web.get_by_role("alert")).to_have_text(sante.INVALID_LOGIN)


def test_sante_generates_a_key_valid_twelve_months(web: Page, sb: Sandbox) -> None:
    user = demo("sante")["username"]
    sante_login(web, sb, demo("sante"))
    sante_cle(web)
    expect(web.get_by_text(sante.NO_KEY)).to_be_visible()  # after the async call
    assert sb.generation_count("sante", user) == 0

    web.get_by_role("button", name="Générer ma clé").click()
    popin = web.get_by_role("dialog", name="Votre nouvelle clé d'authentification")
    expect(popin).to_be_visible()
    key = sb.current_key("sante", user)
    assert key is not None
    expect(popin.locator(".pfc-key")).to_have_text(key)
    expiry = frdate(add_months(now(), 12))
    expect(popin).to_contain_text(f"Expire le {expiry}")
    assert sb.generation_count("sante", user) == 1
    popin.get_by_role("button", name="Fermer").click()
    expect(popin).to_be_hidden()

    web.reload()  # shown again after the page's async call, not generated again
    expect(web.get_by_label("Votre clé d'authentification")).to_have_value(key)
    expect(web.get_by_text(f"Valable jusqu'au {expiry}")).to_be_visible()
    assert sb.generation_count("sante", user) == 1


def test_sante_lost_session_is_answered_in_words(web: Page, sb: Sandbox) -> None:
    user = SANTE_SESSION["username"]
    sante_login(web, sb, SANTE_SESSION)
    sante_cle(web)
    expect(web.get_by_text(sante.NO_KEY)).to_be_visible()
    sb.end_sessions("sante")
    web.get_by_role("button", name="Générer ma clé").click()
    # The server refuses (the session's CSRF token is gone with it); the page says so.
    expect(web.get_by_role("alert")).to_have_text(re.compile(r"\S"))
    expect(web.get_by_text(sante.NO_KEY)).to_be_visible()
    assert sb.generation_count("sante", user) == 0
    web.reload()
    expect(web.get_by_role("button", name="Me connecter")).to_be_visible()


def test_sante_pas_de_compte(web: Page, sb: Sandbox) -> None:
    web.goto(sb.base_url("sante"))
    web.get_by_role("link", name="Pas de compte ?").click()
    web.get_by_label("N° de Siret").fill(demo("sante")["siret"])
    web.get_by_role("button", name="Valider").click()
    expect(web.get_by_role("status")).to_have_text(sante.SIRET_KNOWN)


def test_opcommerce_portal_down_during_generate_is_said_in_words(web: Page, sb: Sandbox) -> None:
    user = demo("opcommerce")["username"]
    opcommerce_login(web, sb, demo("opcommerce"))
    accrochage(web)
    expect(web.get_by_text("Date d'expiration :")).to_be_visible()
    key, count = sb.current_key("opcommerce", user), sb.generation_count("opcommerce", user)
    sb.set_down("opcommerce")
    try:
        web.get_by_role("link", name="Générer une nouvelle clé d'API").click()
        expect(web.get_by_role("alert")).to_have_text(re.compile("momentanément indisponible"))
        expect(web.get_by_text("Date d'expiration :")).to_be_visible()  # the key is still there
    finally:
        sb.set_down("opcommerce", False)
    assert sb.current_key("opcommerce", user) == key
    assert sb.generation_count("opcommerce", user) == count
