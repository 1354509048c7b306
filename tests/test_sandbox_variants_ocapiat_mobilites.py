"""Ocapiat and OPCO Mobilités in the "variants" rendering, driven as a person reading the seed.

Written from the seed's procedures: each test clicks the seed's labels by role and text, and
checks the pages against the shared state (current_key, generation_count).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from sandbox import Sandbox
from sandbox import clock as sandbox_clock
from sandbox.clock import frdate

pytest_plugins = ["tests.sandbox_fixtures"]

FAST = (0.0, 0.02)
PASSWORD = "variantes-mot-de-passe"


def _ocapiat(username: str, organisation: str) -> dict[str, Any]:
    return {"portal": "ocapiat", "name": username.lower(), "username": username,
            "password": PASSWORD, "siret": "81234567600017", "organisation": organisation}


OCAPIAT_NO_KEY = _ocapiat("OF70001.001", "CFA Agricole Sans Clé")
OCAPIAT_EXPIRED = _ocapiat("OF70002.001", "CFA Agricole Clé Expirée")
OCAPIAT_VALID = _ocapiat("OF70003.001", "CFA Agricole Clé Valide")
MOBILITES = {"portal": "mobilites", "name": "variantes-mobilites",
             "username": "dsi@cfa-variantes.fr", "password": PASSWORD,
             "siret": "79318245200011", "sirets": ["79318245200011", "79318245200029"],
             "organisation": "CFA Variantes Transports"}
ACCOUNTS = [OCAPIAT_NO_KEY, OCAPIAT_EXPIRED, OCAPIAT_VALID, MOBILITES]


@pytest.fixture(scope="module")
def variants() -> Iterator[Sandbox]:
    sb = Sandbox(latency=FAST, accounts=ACCOUNTS,
                 rendering={"ocapiat": "variants", "mobilites": "variants"})
    with sb.serve_in_thread(host="127.0.0.1", port=0):
        yield sb


@pytest.fixture
def person(page: Page, context: BrowserContext, variants: Sandbox) -> Page:
    """A page whose cookie banners were answered before."""
    context.add_cookies(variants.consent_cookies())
    return page


# ----- Ocapiat ---------------------------------------------------------------------------------


def ocapiat_login(page: Page, sandbox: Sandbox, account: dict[str, Any],
                  password: str | None = None) -> None:
    """Seed steps 1 to 4: the public site, « Mon espace Ocapiat », « Organisme de formation ou
    CFA » then « PartNet », the identifiant and mot de passe, « Connexion »."""
    page.goto(sandbox.base_url("ocapiat"))
    with page.expect_navigation():  # its script shows « PartNet » once a profile is chosen
        page.get_by_role("link", name="Mon espace Ocapiat").click()
    expect(page.get_by_role("link", name="PartNet")).to_have_count(0)  # profile first
    page.get_by_label("Organisme de formation ou CFA").check()
    page.get_by_role("link", name="PartNet").click()
    page.get_by_placeholder("Votre identifiant (login)").fill(account["username"])
    page.get_by_label("Votre mot de passe").fill(password or account["password"])
    page.get_by_role("button", name="Connexion").click()


def open_interfacage(page: Page) -> None:
    """Seed step 5: the tab « Interfaçage OCAPIAT »."""
    page.get_by_role("tab", name="Interfaçage OCAPIAT").click()
    expect(page.get_by_role("tab", name="Interfaçage OCAPIAT")).to_have_attribute(
        "aria-selected", "true")


def key_zone(page: Page):
    return page.get_by_role("status")


def test_ocapiat_refuses_a_wrong_password_then_logs_in(person: Page, variants: Sandbox) -> None:
    ocapiat_login(person, variants, OCAPIAT_VALID, password="pas-le-bon")
    expect(person.get_by_role("alert")).to_have_text("Identifiant ou mot de passe incorrect.")
    expect(person.get_by_placeholder("Votre identifiant (login)")).to_have_value(
        OCAPIAT_VALID["username"])
    person.get_by_label("Votre mot de passe").fill(PASSWORD)
    person.get_by_role("button", name="Connexion").click()
    expect(person.get_by_role("tab", name="Interfaçage OCAPIAT")).to_be_visible()
    expect(person.get_by_text("Claire DUBOIS")).to_be_visible()


def test_ocapiat_no_key_yet_then_generate(person: Page, variants: Sandbox) -> None:
    user = OCAPIAT_NO_KEY["username"]
    ocapiat_login(person, variants, OCAPIAT_NO_KEY)
    open_interfacage(person)
    # The button is there although no key exists; the page answers in words.
    person.get_by_role("button", name="Afficher ma clé CFA").click()
    expect(key_zone(person)).to_contain_text(
        "Aucune clé CFA n'a encore été générée pour votre organisme.")
    assert variants.generation_count("ocapiat", user) == 0

    held = variants.hold_after_generate("ocapiat")
    try:
        person.get_by_label("Durée de vie de ma clé CFA en mois").select_option("3")
        person.get_by_role("button", name="Générer ma clé CFA").click()
        # The answer comes late: the spinner first.
        expect(key_zone(person)).to_contain_text("Génération de votre clé CFA en cours")
        assert held.wait(10)
    finally:
        variants.hold_after_generate("ocapiat", hold=False)
    expect(key_zone(person)).to_contain_text("Votre nouvelle clé CFA a été générée.")
    shown = person.locator("#ocp-cle-zone code").inner_text()
    assert shown == variants.current_key("ocapiat", user)
    assert variants.generation_count("ocapiat", user) == 1
    expires = variants.key_expires_at("ocapiat", user)
    assert expires is not None
    assert expires.date() == sandbox_clock.add_months(sandbox_clock.now(), 3).date()
    expect(key_zone(person)).to_contain_text(frdate(expires))

    # Back later: « Afficher ma clé CFA » shows the same key, nothing generated.
    person.reload()
    expect(key_zone(person)).to_be_empty()
    person.get_by_role("button", name="Afficher ma clé CFA").click()
    expect(person.locator("#ocp-cle-zone code")).to_have_text(shown)
    assert variants.generation_count("ocapiat", user) == 1


def test_ocapiat_expired_key_is_named_with_its_date(person: Page, variants: Sandbox) -> None:
    user = OCAPIAT_EXPIRED["username"]
    expired_on = sandbox_clock.now() - timedelta(days=20)
    variants.set_key("ocapiat", user, None, expires_at=expired_on)
    ocapiat_login(person, variants, OCAPIAT_EXPIRED)
    open_interfacage(person)
    person.get_by_role("button", name="Afficher ma clé CFA").click()
    expect(key_zone(person)).to_have_text(
        f"Votre clé CFA a expiré le {frdate(expired_on)}. Veuillez générer une nouvelle clé.")
    expect(person.locator("#ocp-cle-zone code")).to_have_count(0)
    assert variants.generation_count("ocapiat", user) == 0


def test_ocapiat_valid_key_is_shown_without_generating(person: Page, variants: Sandbox) -> None:
    user = OCAPIAT_VALID["username"]
    expires = sandbox_clock.now() + timedelta(days=60)
    key = variants.set_key("ocapiat", user, None, expires_at=expires)
    ocapiat_login(person, variants, OCAPIAT_VALID)
    open_interfacage(person)
    expect(person.get_by_text(key)).to_have_count(0)  # not before it is asked for
    person.get_by_role("button", name="Afficher ma clé CFA").click()
    expect(person.locator("#ocp-cle-zone code")).to_have_text(key)
    expect(key_zone(person)).to_contain_text(frdate(expires))
    assert variants.current_key("ocapiat", user) == key
    assert variants.generation_count("ocapiat", user) == 0


def test_ocapiat_cookie_banner_comes_late_and_is_remembered(page: Page,
                                                            variants: Sandbox) -> None:
    page.goto(variants.base_url("ocapiat"))
    banner = page.get_by_role("dialog", name="Ce site utilise des cookies")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Refuser").click()
    expect(banner).to_have_count(0)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["ocapiat_cookies"]["value"] == "refused"
    assert cookies["ocapiat_cookies"]["path"] == "/ocapiat/"
    page.get_by_role("link", name="Mon espace Ocapiat").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("dialog")).to_have_count(0)


# ----- OPCO Mobilités --------------------------------------------------------------------------


def mobilites_login(page: Page, sandbox: Sandbox, password: str = PASSWORD) -> None:
    """Seed steps 8 to 11: the public site, « M-Gestion CFA », « Connectez-vous à M-Gestion
    CFA », the login page."""
    page.goto(sandbox.base_url("mobilites"))
    with page.expect_navigation():  # the next page, its scripts run
        page.get_by_role("link", name="M-Gestion CFA").click()
    page.get_by_role("button", name="Connectez-vous à M-Gestion CFA").click()
    page.get_by_label("Adresse e-mail").fill(MOBILITES["username"])
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_mobilites_wrong_password_then_key_in_a_pop_in(person: Page, variants: Sandbox) -> None:
    user, second = MOBILITES["username"], MOBILITES["sirets"][1]
    mobilites_login(person, variants, password="mauvais")
    expect(person.get_by_role("alert")).to_have_text(
        re.compile("Adresse e-mail ou mot de passe invalide"))
    expect(person.get_by_label("Adresse e-mail")).to_have_value(user)
    person.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    person.get_by_role("button", name="Se connecter").click()

    # Step 12: « Clé d'authentification » (a side-menu entry, and a tile of the home page).
    person.get_by_role("navigation", name="Menu M-Gestion CFA").get_by_role(
        "link", name="Clé d'authentification").click()
    expect(person.get_by_role("figure")).to_contain_text("Schéma des grands principes")

    # Step 13: no SIRET chosen yet: the page says so, nothing generated.
    generate = person.get_by_role("button", name="Générer ma clé d'authentification")
    generate.click()
    expect(person.get_by_role("alert")).to_have_text(
        "Veuillez sélectionner le SIRET de l'établissement concerné.")
    assert variants.generation_count("mobilites", user, second) == 0

    person.get_by_label("SIRET de l'établissement").fill(second)
    generate.click()
    dialog = person.get_by_role("dialog", name="Clé d'authentification")
    expect(dialog).to_be_visible()
    shown = dialog.locator("code").inner_text()
    assert shown == variants.current_key("mobilites", user, second)
    assert variants.generation_count("mobilites", user, second) == 1
    assert variants.generation_count("mobilites", user, MOBILITES["siret"]) == 0
    expect(dialog).to_contain_text(second)
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_be_hidden()
    expect(person.get_by_text(shown)).to_have_count(0)  # shown once


def test_mobilites_tile_and_cookie_banner(page: Page, variants: Sandbox) -> None:
    page.goto(variants.base_url("mobilites"))
    banner = page.get_by_role("region", name="Nous respectons votre vie privée")
    expect(banner).to_be_visible()
    banner.get_by_role("link", name="Continuer sans accepter").click()
    expect(banner).to_have_count(0)
    cookie = next(c for c in page.context.cookies()
                  if c["name"] == "opcomobilites_cookieconsent")
    assert (cookie["value"], cookie["path"]) == ("refused", "/mobilites/")

    mobilites_login(page, variants)
    page.get_by_role("region", name="Raccourcis").get_by_role(
        "link", name="Clé d'authentification").click()
    expect(page.get_by_role("button", name="Générer ma clé d'authentification")).to_be_visible()
    page.get_by_role("link", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
