"""myAtlas and OCAPIAT/PartNet in the sandbox's second rendering ("spa"): the seed's procedure
walked as a person would (role, label, placeholder and text locators), and the markup checked to
really differ from the classic rendering (placeholder-only fields, headings in card headers,
menus and links built in the browser, keys without a <label>)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from sandbox import Sandbox
from sandbox.clock import frdate
from tests.spa_helpers import demo_account, has_no_label

# Fixtures: spa_sandbox, spa_page, lockout_accounts, Chromium's launch.
pytest_plugins = ["tests.sandbox_fixtures"]

ATLAS_INVALID = "Compte d'utilisateur ou mot de passe incorrect."


def heading_wrapper_contains(heading: Locator, other: Locator) -> bool:
    return heading.evaluate("(h, other) => h.parentElement.contains(other)",
                            other.element_handle())


def shows_upper_case_of_normal_text(locator: Locator, text: str) -> None:
    expect(locator).to_have_css("text-transform", "uppercase")
    assert (locator.text_content() or "").strip() == text
    assert locator.inner_text().strip() == text.upper()


# ----- cookie banner ------------------------------------------------------------------------


@pytest.mark.parametrize(("portal", "title", "refuse"), [
    ("atlas", "Vos préférences en matière de cookies", "Refuser"),
    ("ocapiat", "Ce site utilise des cookies", "Refuser"),
])
def test_spa_keeps_the_late_cookie_banner(page: Page, spa_sandbox: Sandbox, portal: str,
                                          title: str, refuse: str) -> None:
    page.set_default_timeout(10_000)
    page.goto(spa_sandbox.base_url(portal))
    banner = page.get_by_role("dialog", name=title)
    expect(banner).to_be_visible()
    banner.get_by_role("button", name=refuse, exact=True).click()
    expect(banner).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("data-cookie-consent", "refused")


# ----- myAtlas ------------------------------------------------------------------------------


def test_spa_atlas_login_fields_are_named_by_placeholders(spa_page: Page,
                                                          spa_sandbox: Sandbox) -> None:
    page = spa_page
    page.goto(spa_sandbox.base_url("atlas"))
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    user = page.get_by_placeholder("xyz@example.com")
    password = page.get_by_placeholder("Mot de passe", exact=True)
    expect(user).to_be_visible()
    # The captions are on screen but label nothing: the fields carry only their placeholders.
    expect(page.get_by_text("Compte d'utilisateur", exact=True)).to_be_visible()
    expect(page.get_by_label("Compte d'utilisateur")).to_have_count(0)
    assert has_no_label(user) and has_no_label(password)
    expect(page.get_by_role("textbox", name="xyz@example.com")).to_have_count(1)
    # The eye still toggles the password.
    page.get_by_role("button", name="Afficher le mot de passe").click()
    expect(password).to_have_attribute("type", "text")
    shows_upper_case_of_normal_text(page.get_by_role("button", name="Connexion"), "Connexion")
    # The page is built in the browser from a JSON model: the server's HTML has no form.
    html = page.request.get(page.url).text()
    assert "<form" not in html and "xyz@example.com" not in html


def test_spa_atlas_wrong_password_shows_the_alert_and_keeps_the_user(
        spa_page: Page, spa_sandbox: Sandbox,
        lockout_accounts: dict[str, dict[str, Any]]) -> None:
    page, account = spa_page, lockout_accounts["atlas"]
    page.goto(spa_sandbox.base_url("atlas"))
    try:
        page.get_by_placeholder("xyz@example.com").fill(account["username"])
        page.get_by_placeholder("Mot de passe", exact=True).fill("mauvais-mot-de-passe")
        with page.expect_navigation():
            page.get_by_role("button", name="Connexion").click()
        expect(page.get_by_role("alert")).to_have_text(ATLAS_INVALID)
        expect(page.get_by_placeholder("xyz@example.com")).to_have_value(account["username"])
    finally:
        spa_sandbox.unlock("atlas", account["username"])


def test_spa_atlas_key_is_in_my_settings_behind_the_avatar_menu(spa_page: Page,
                                                                spa_sandbox: Sandbox) -> None:
    page, sb, account = spa_page, spa_sandbox, demo_account("atlas")
    user = account["username"]
    page.goto(sb.base_url("atlas"))
    page.get_by_placeholder("xyz@example.com").fill(user)
    page.get_by_placeholder("Mot de passe", exact=True).fill(account["password"])
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()

    # 2. « Sélectionner myAtlas prestataire »: the space's title in its card header is a link.
    expect(page.get_by_role("heading", name="myAtlas prestataire")).to_be_visible()
    page.get_by_role("link", name="myAtlas prestataire").click()

    # 3. The user menu at the top right: an avatar with initials; items exist once opened.
    avatar = page.get_by_role("button", name="Menu utilisateur")
    expect(avatar.get_by_text("JM", exact=True)).to_be_visible()  # initials on screen
    expect(avatar).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("menuitem")).to_have_count(0)
    avatar.click()
    expect(avatar).to_have_attribute("aria-expanded", "true")
    items = page.get_by_role("menuitem")
    expect(items).to_have_text(["Mon profil", "Mes paramètres", "Se déconnecter"])
    assert items.evaluate_all("els => els.every(el => el.tagName !== 'A')")  # no links
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)
    avatar.click()
    page.get_by_role("menuitem", name="Mes paramètres").click()

    # 4. « Ma clé CFA »: a card whose heading sits in the header, the key in the body.
    shows_upper_case_of_normal_text(page.get_by_role("heading", name="Mes paramètres"),
                                    "Mes paramètres")
    for section in ("Abonnement", "Mes informations", "Ma clé CFA"):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(page.get_by_text("A NOTER: La dernière version de votre clé sera automatiquement "
                            "générée ici.")).to_be_visible()
    key_box = page.get_by_role("textbox", name="Ma clé CFA")
    key = sb.current_key("atlas", user)
    assert key
    expect(key_box).to_have_value(key)
    expect(key_box).not_to_be_editable()
    assert key not in page.request.get(page.url).text()  # fetched after load
    assert key_box.evaluate("el => el.labels.length === 0 && el.hasAttribute('aria-label')")
    heading = page.get_by_role("heading", name="Ma clé CFA", exact=True)
    assert not heading_wrapper_contains(heading, key_box)
    section = page.get_by_role("article", name="Ma clé CFA")
    expect(section.get_by_role("textbox", name="Ma clé CFA")).to_have_count(1)
    # « Copier dans le presse-papier » is a link styled as a button; nothing generates a key.
    expect(section.get_by_role("link", name="Copier dans le presse-papier")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Générer"))).to_have_count(0)

    # myAtlas regenerates the key on its own; the page shows the new one.
    rotated = sb.rotate_key("atlas", user)
    page.reload()
    expect(key_box).to_have_value(rotated)

    # The subscriptions form still posts (with its CSRF field) to the same handler.
    page.get_by_role("radiogroup", name="Abonnement newsletter").get_by_label("Oui").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status").filter(
        has_text="Vos préférences ont été enregistrées.")).to_be_visible()

    parametres = page.url.split("?")[0]
    page.get_by_role("button", name="Menu utilisateur").click()
    page.get_by_role("menuitem", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    page.goto(parametres)
    expect(page).to_have_url(sb.base_url("atlas"))


# ----- OCAPIAT / PartNet --------------------------------------------------------------------


def test_spa_ocapiat_generates_then_shows_the_cfa_key(spa_page: Page,
                                                      spa_sandbox: Sandbox) -> None:
    page, sb, account = spa_page, spa_sandbox, demo_account("ocapiat")
    user = account["username"]
    before = sb.generation_count("ocapiat", user)

    # 1-2. Public site, then « Mon espace Ocapiat ».
    page.goto(sb.base_url("ocapiat"))
    page.get_by_role("link", name="Mon espace Ocapiat").click()

    # 3. « Sélectionner Organisme de formation ou CFA puis cliquer sur PartNet »: radio cards.
    expect(page.get_by_role("link", name="PartNet")).to_have_count(0)
    expect(page.get_by_role("tab")).to_have_count(0)
    choice = page.get_by_role("radio", name="Organisme de formation ou CFA")
    choice.check()
    expect(choice).to_be_checked()
    page.get_by_role("link", name="PartNet", exact=True).click()

    # 4. Login: the fields carry only their placeholders.
    title = page.get_by_role("heading", name="ACCÈS ORGANISMES DE FORMATION / CFA : PARTNET")
    shows_upper_case_of_normal_text(title, "Accès organismes de formation / CFA : PartNet")
    expect(page.get_by_role("heading", name="Infos de connexion")).to_be_visible()
    login = page.get_by_placeholder("Votre identifiant (login)")
    password = page.get_by_placeholder("Votre mot de passe")
    assert has_no_label(login) and has_no_label(password)
    login.fill(user)
    password.fill(account["password"])
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()

    # 5. The tab « Interfaçage OCAPIAT ».
    tab = page.get_by_role("tab", name="Interfaçage OCAPIAT")
    expect(tab).to_have_attribute("aria-selected", "false")
    tab.click()
    expect(page.get_by_role("tab", name="Interfaçage OCAPIAT")).to_have_attribute(
        "aria-selected", "true")
    expect(page.get_by_role("heading",
                            name="INTERFAÇAGE ENTRE VOTRE CFA ET OCAPIAT")).to_be_visible()
    expect(page.get_by_text(f"Siret : {account['siret']}")).to_be_visible()
    if sb.current_key("ocapiat", user) is None:
        expect(page.get_by_text("Aucune clé CFA n'a encore été générée")).to_be_visible()
        expect(page.get_by_text("Afficher ma clé CFA", exact=True)).to_have_count(0)

    panel = page.get_by_role("region", name="Clé privée du CFA sélectionné")
    lifetime = panel.get_by_label("Durée de vie de ma clé CFA en mois")
    expect(lifetime).to_have_value("6")
    expect(lifetime.locator("option")).to_have_count(6)
    assert lifetime.evaluate("el => el.tagName === 'SELECT' && el.labels.length === 0")
    lifetime.select_option("3")
    generate = panel.get_by_role("button", name="Générer ma clé CFA")
    shows_upper_case_of_normal_text(generate, "Générer ma clé CFA")
    generate.click()

    # The key is plain text in the card body, not an input.
    key_text = panel.get_by_text(re.compile(r"^[0-9a-f]{40}$"))
    expect(key_text).to_be_visible()
    first = (key_text.text_content() or "").strip()
    assert first == sb.current_key("ocapiat", user)
    assert sb.generation_count("ocapiat", user) == before + 1
    expires = sb.key_expires_at("ocapiat", user)
    assert expires is not None
    expect(panel.get_by_text("Date d'expiration :")).to_have_text(
        f"Date d'expiration : {frdate(expires)}")
    expect(panel.get_by_role("status")).to_have_text("Votre nouvelle clé CFA a été générée.")
    expect(page.get_by_role("textbox")).to_have_count(0)
    heading = panel.get_by_role("heading", name="Clé privée du CFA sélectionné")
    assert not heading_wrapper_contains(heading, key_text)

    # « Afficher ma clé CFA » (a link styled as a button) shows the current key again.
    page.reload()
    expect(key_text).to_have_count(0)
    expect(page.get_by_text("Cliquez sur le bouton pour visualiser la clé.")).to_be_visible()
    page.get_by_role("link", name="Afficher ma clé CFA").click()
    expect(key_text).to_have_text(first)
    assert sb.generation_count("ocapiat", user) == before + 1

    # The user drop-down (items built on open) logs out to the PartNet login.
    expect(page.get_by_role("menuitem", name="Déconnexion")).to_have_count(0)
    page.get_by_role("button", name="Claire DUBOIS").click()
    page.get_by_role("menuitem", name="Déconnexion").click()
    expect(page.get_by_role("heading", name="Connexion", exact=True)).to_be_visible()
    expect(page).to_have_url(sb.page_url("ocapiat", "login"))


def test_spa_ocapiat_refuses_a_lifetime_over_six_months_and_posts_need_csrf(
        spa_page: Page, spa_sandbox: Sandbox,
        lockout_accounts: dict[str, dict[str, Any]]) -> None:
    page, sb, account = spa_page, spa_sandbox, lockout_accounts["ocapiat"]
    user = account["username"]
    page.goto(sb.page_url("ocapiat", "login"))
    page.get_by_placeholder("Votre identifiant (login)").fill(user)
    page.get_by_placeholder("Votre mot de passe").fill(account["password"])
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()
    page.get_by_role("tab", name="Interfaçage OCAPIAT").click()
    expect(page.get_by_role("button", name="Générer ma clé CFA")).to_be_visible()
    before = sb.generation_count("ocapiat", user)
    generate = sb.page_url("ocapiat", "api_generate")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    assert page.request.post(generate, data={"duree": 6}).status == 403
    too_long = page.request.post(generate, data={"duree": 7}, headers={"X-CSRF-Token": token})
    assert too_long.status == 400
    assert sb.generation_count("ocapiat", user) == before
