"""OPCO EP and OPCO Mobilités in the sandbox's second rendering ("spa"): the same steps, labels and
server behaviour as the classic pages, walked as a person reading the seed would, and checks that
the markup really is another one (pages built in the browser from a JSON model, overlay menus,
card headers, placeholder-only fields, ARIA-named read-only fields, radio option cards, a key
shown as plain text in a dialog)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from sandbox import Sandbox
from sandbox.clock import frdate
from tests.spa_helpers import demo_account

# Fixtures: spa_sandbox, spa_page, lockout_accounts, Chromium's launch.
pytest_plugins = ["tests.sandbox_fixtures"]

SECURISATION = "Sécurisation des imports de contrat d'apprentissage"
CFA_ITEM = "centre de formation d'apprentis – CFA"
MOBILITES_KEY = re.compile(r"^[A-Za-z0-9+/]{32}$")


def no_label_elements(page: Page) -> None:
    expect(page.locator("label")).to_have_count(0)


# ----- OPCO EP ---------------------------------------------------------------------------------


def login_opcoep(page: Page, sb: Sandbox, user: str, password: str) -> None:
    page.goto(sb.base_url("opcoep"))
    cfa_item = page.get_by_role("menuitem", name=CFA_ITEM)
    expect(cfa_item).to_have_count(0)  # built in an overlay only once the menu is opened
    page.get_by_role("button", name="Mes services en ligne").click()
    with page.expect_navigation():
        cfa_item.click()
    page.get_by_placeholder("Login").fill(user)
    page.get_by_placeholder("Mot de passe").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def test_opcoep_spa_pages_are_built_in_the_browser(spa_page: Page, spa_sandbox: Sandbox) -> None:
    page = spa_page
    html = page.request.get(spa_sandbox.base_url("opcoep")).text()
    assert "<app-root>" in html and "Mes services en ligne" not in html  # a thin shell
    page.goto(spa_sandbox.base_url("opcoep"))
    services = page.get_by_role("button", name="Mes services en ligne")
    expect(services).to_have_attribute("aria-expanded", "false")
    services.click()
    menu = page.get_by_role("menu")
    expect(menu.get_by_role("menuitem")).to_have_count(4)
    # The menu is attached at the end of <body> (an overlay), not next to its button, and its
    # items are buttons, not links.
    expect(services.locator("xpath=..").get_by_role("menu")).to_have_count(0)
    expect(menu.get_by_role("link")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)


def test_opcoep_spa_login_fields_only_have_placeholders(
        spa_page: Page, spa_sandbox: Sandbox,
        lockout_accounts: dict[str, dict[str, Any]]) -> None:
    page, bad = spa_page, lockout_accounts["opcoep"]
    page.goto(spa_sandbox.page_url("opcoep", "login"))
    no_label_elements(page)
    expect(page.get_by_label("Login")).to_have_count(0)
    expect(page.get_by_placeholder("Login")).to_have_attribute("name", "j_username")
    expect(page.get_by_placeholder("Mot de passe")).to_have_attribute("type", "password")
    # « S'inscrire » is a link styled as a button.
    expect(page.get_by_role("link", name="S'inscrire")).to_be_visible()
    expect(page.get_by_role("button", name="S'inscrire")).to_have_count(0)
    heading = page.get_by_role("heading", name="Portail des centres de formation d'apprentis")
    expect(heading.locator("xpath=ancestor::mat-card-header").locator("input")).to_have_count(0)
    try:
        page.get_by_placeholder("Login").fill(bad["username"])
        page.get_by_placeholder("Mot de passe").fill("mauvais-mot-de-passe")
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("alert")).to_have_text("Identifiant ou mot de passe incorrect.")
        expect(page.get_by_placeholder("Login")).to_have_value(bad["username"])
    finally:
        spa_sandbox.unlock("opcoep", bad["username"])


def test_opcoep_spa_token_is_shown_regenerated_and_downloaded(spa_page: Page,
                                                              spa_sandbox: Sandbox,
                                                              tmp_path: Path) -> None:
    page, sb, demo = spa_page, spa_sandbox, demo_account("opcoep")
    user = demo["username"]
    login_opcoep(page, sb, user, demo["password"])

    for link in ("Mes contrats stockés", "Mes contrats", "Mes apprentis sans contrat"):
        expect(page.get_by_role("link", name=link, exact=True)).to_be_visible()
    secu = page.get_by_role("menuitem", name=SECURISATION)
    expect(secu).to_have_count(0)
    page.get_by_role("button", name="Mon cfa").click()
    with page.expect_navigation():
        secu.click()
    expect(page.get_by_role("heading", name=SECURISATION, level=1)).to_be_visible()

    token_box = page.get_by_role("textbox", name="Token de sécurité")
    expiry_box = page.get_by_role("textbox", name="Date d'expiration du token")
    old = sb.current_key("opcoep", user)
    old_expiry = sb.key_expires_at("opcoep", user)
    assert old and old_expiry
    expect(token_box).to_have_value(old)  # fetched after the page has loaded
    expect(expiry_box).to_have_value(frdate(old_expiry))
    assert old not in page.request.get(page.url).text()

    # Structure: no <label> at all; the fields are named by aria-labelledby / aria-label; the
    # captions are normal case in the DOM and upper case on screen; the card's heading sits in a
    # header block that does not contain the fields.
    no_label_elements(page)
    assert token_box.get_attribute("aria-labelledby")
    assert token_box.get_attribute("id") is None
    assert expiry_box.get_attribute("aria-label") == "Date d'expiration du token"
    expect(page.get_by_role("textbox", name="TOKEN DE SÉCURITÉ", exact=True)).to_have_count(0)
    caption = page.get_by_text("Token de sécurité", exact=True)
    expect(caption).to_have_css("text-transform", "uppercase")
    assert caption.inner_text() == "TOKEN DE SÉCURITÉ"
    informations = page.get_by_role("heading", name="Informations")
    expect(informations.locator("xpath=..").locator("input")).to_have_count(0)
    expect(informations.locator("xpath=ancestor::mat-card-header")
           .locator("input")).to_have_count(0)
    expect(informations.locator("xpath=ancestor::mat-card").locator("input")).to_have_count(2)

    # The pictogram is a link to the real .txt attachment.
    download = page.get_by_role("link", name="Télécharger le token de sécurité au format txt")
    expect(page.get_by_role("button", name="Télécharger le token")).to_have_count(0)
    with page.expect_download() as info:
        download.click()
    assert info.value.suggested_filename == "token-securite.txt"
    saved = tmp_path / "token.txt"
    info.value.save_as(saved)
    assert saved.read_text() == old

    count = sb.generation_count("opcoep", user)
    page.get_by_role("button", name="Génération du token").click()
    expect(page.get_by_role("status").filter(has_text="généré")).to_be_visible()
    expect(token_box).not_to_have_value(old)
    new = token_box.input_value()
    assert sb.current_key("opcoep", user) == new
    assert sb.generation_count("opcoep", user) == count + 1
    new_expiry = sb.key_expires_at("opcoep", user)
    assert new_expiry
    expect(expiry_box).to_have_value(frdate(new_expiry))
    with page.expect_download() as info:
        download.click()
    info.value.save_as(saved)
    assert saved.read_text() == new


def test_opcoep_spa_menu_pages_and_avatar_logout(spa_page: Page, spa_sandbox: Sandbox) -> None:
    page, demo = spa_page, demo_account("opcoep")
    login_opcoep(page, spa_sandbox, demo["username"], demo["password"])
    expect(page.get_by_role("heading", name="Actions sur mes contrats stockés")).to_be_visible()
    page.get_by_role("button", name="Mon cfa").click()
    with page.expect_navigation():
        page.get_by_role("menuitem", name="Mes informations").click()
    expect(page.get_by_role("heading", name="Mes informations", level=1)).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Mes apprentis sans contrat").click()
    expect(page.get_by_role("heading", name="Mes apprentis sans contrat", level=1)).to_be_visible()
    logout = page.get_by_role("menuitem", name="Se déconnecter")
    expect(logout).to_have_count(0)
    page.get_by_role("button", name="Mon compte").click()
    with page.expect_navigation():
        logout.click()
    expect(page.get_by_placeholder("Login")).to_be_visible()


# ----- OPCO Mobilités --------------------------------------------------------------------------


def test_mobilites_spa_key_appears_in_a_late_pop_in(spa_page: Page,
                                                    spa_sandbox: Sandbox) -> None:
    page, sb, demo = spa_page, spa_sandbox, demo_account("mobilites")
    user, siret = demo["username"], demo["siret"]
    page.goto(sb.base_url("mobilites"))
    with page.expect_navigation():
        page.get_by_role("link", name="M-Gestion CFA").click()
    connect = page.get_by_role("link", name="Connectez-vous à M-Gestion CFA")
    expect(connect.locator("xpath=ancestor::div[contains(@class,'card-body')]")).to_have_count(1)
    with page.expect_navigation():
        connect.click()

    expect(page.get_by_role("link", name="Créer un compte")).to_be_visible()
    no_label_elements(page)
    expect(page.get_by_label("Adresse e-mail")).to_have_count(0)
    page.get_by_placeholder("Adresse e-mail").fill(user)
    page.get_by_placeholder("Mot de passe").fill(demo["password"])
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_text("Organisme de formation", exact=True)).to_be_visible()
    expect(page.get_by_text(siret, exact=True)).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Clé d'authentification").click()
    expect(page.get_by_text("365 jours")).to_be_visible()

    generate = page.get_by_role("button", name="Générer ma clé d'authentification")
    expect(generate).to_have_css("text-transform", "uppercase")
    assert "GÉNÉRER MA CLÉ D'AUTHENTIFICATION" in generate.inner_text()
    assert (generate.text_content() or "").strip() == "Générer ma clé d'authentification"

    # The SIRET is chosen among radio option cards, not in a <select>.
    expect(page.locator("select")).to_have_count(0)
    expect(page.get_by_role("combobox")).to_have_count(0)
    choices = page.get_by_role("radiogroup", name="SIRET de l'établissement")
    expect(choices.get_by_role("radio")).to_have_count(2)

    count = sb.generation_count("mobilites", user, siret=siret)
    generate.click()
    expect(page.get_by_role("alert")).to_contain_text("sélectionner le SIRET")
    assert sb.generation_count("mobilites", user, siret=siret) == count

    choices.get_by_role("radio", name=siret).check()
    dialog = page.get_by_role("dialog", name="Clé d'authentification")
    latency, sb.latency = sb.latency, (0.3, 0.3)  # long enough to see the pop-in is not there yet
    try:
        generate.click()
        expect(dialog).to_have_count(0)
        expect(page.get_by_role("status").filter(has_text="Génération en cours…")).to_be_visible()
        expect(dialog).to_be_visible()
    finally:
        sb.latency = latency
    expect(page.get_by_role("alert")).to_be_hidden()

    # The key is plain text in the dialog (no textbox).
    expect(dialog.get_by_role("textbox")).to_have_count(0)
    key_text = dialog.get_by_text(MOBILITES_KEY)
    expect(key_text).to_have_count(1)
    key = (key_text.text_content() or "").strip()
    assert sb.current_key("mobilites", user, siret=siret) == key
    assert sb.generation_count("mobilites", user, siret=siret) == count + 1

    close = dialog.get_by_role("button", name="Fermer")
    assert close.inner_text() == "FERMER"
    close.click()
    expect(dialog).to_have_count(0)


def test_mobilites_spa_avatar_menu_logs_out(spa_page: Page, spa_sandbox: Sandbox) -> None:
    page, demo = spa_page, demo_account("mobilites")
    page.goto(spa_sandbox.page_url("mobilites", "login"))
    page.get_by_placeholder("Adresse e-mail").fill(demo["username"])
    page.get_by_placeholder("Mot de passe").fill(demo["password"])
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Mes dossiers").click()
    expect(page.get_by_role("link", name="Mes dossiers")).to_have_attribute("aria-current", "page")
    logout = page.get_by_role("menuitem", name="Se déconnecter")
    expect(logout).to_have_count(0)
    page.get_by_role("button", name="Mon compte").click()
    with page.expect_navigation():
        logout.click()
    expect(page.get_by_placeholder("Adresse e-mail")).to_be_visible()


# ----- cookie banners ----------------------------------------------------------------------------

BANNERS = {
    "opcoep": ("Gestion de vos préférences sur les cookies", "J'accepte",
               "Continuer sans accepter", "opcoep_tarteaucitron"),
    "mobilites": ("Nous respectons votre vie privée", "Accepter et fermer",
                  "Continuer sans accepter", "opcomobilites_cookieconsent"),
}


def test_spa_cookie_banners_come_late_and_keep_their_wording(page: Page,
                                                             spa_sandbox: Sandbox) -> None:
    for portal, (title, accept, refuse, cookie) in BANNERS.items():
        page.goto(spa_sandbox.base_url(portal))
        banner = page.get_by_role("dialog", name=title)
        expect(banner.get_by_role("button", name=refuse, exact=True)).to_be_visible()
        banner.get_by_role("button", name=accept, exact=True).click()
        expect(banner).to_have_count(0)
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies[cookie]["value"] == "accepted"
        assert cookies[cookie]["path"] == f"/{portal}/"
