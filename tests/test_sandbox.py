"""The simulated portals in real Chromium: the path to each key, and the realism flows must
survive (late cookie banners, menus built on open, JS-loaded keys, CSRF, lockouts, 503s)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from sandbox import DEMO_ACCOUNTS, Sandbox
from sandbox.clock import frdate  # dd/mm/yyyy of the day in Paris, as the portals show it

# The portals these tests know; each later portal has a test module of its own.
PORTALS = ("atlas", "ocapiat", "opcoep", "mobilites")

# Fixtures: shared_sandbox, consented_page, lockout_accounts, csrf_account, Chromium's launch.
pytest_plugins = ["tests.sandbox_fixtures"]



def demo(portal: str) -> dict[str, Any]:
    return next(a for a in DEMO_ACCOUNTS if a["portal"] == portal)


# ----- logging in, per portal ---------------------------------------------------------------


def login_atlas(page: Page, sb: Sandbox, account: dict[str, Any]) -> None:
    page.goto(sb.base_url("atlas"))
    submit_login(page, "atlas", account["username"], account["password"])


def submit_login(page: Page, portal: str, username: str, password: str) -> None:
    """Fill a login form already on screen, by the labels each portal shows, and submit it
    (waiting for the answer: a failed login re-renders the same URL)."""
    if portal == "atlas":
        page.get_by_label("Compte d'utilisateur").fill(username)
        page.get_by_label("Mot de passe", exact=True).fill(password)
        submit = page.get_by_role("button", name="Connexion")
    elif portal == "ocapiat":
        page.get_by_label("Votre identifiant (login)").fill(username)
        page.get_by_label("Votre mot de passe").fill(password)
        submit = page.get_by_role("button", name="Connexion")
    elif portal == "opcoep":
        # The seed names neither field: find them by type, as the flow will.
        page.locator("input[type=text]").fill(username)
        page.locator("input[type=password]").fill(password)
        submit = page.get_by_role("button", name="Se connecter")
    else:
        page.get_by_label("Adresse e-mail").fill(username)
        page.get_by_label("Mot de passe", exact=True).fill(password)
        submit = page.get_by_role("button", name="Se connecter")
    with page.expect_navigation():
        submit.click()


def csrf_token(page: Page) -> str:
    return page.locator('meta[name="csrf-token"]').get_attribute("content") or ""


# ----- cookie banner, password eye, upper-case buttons ---------------------------------------

BANNERS = {
    "atlas": ("Vos préférences en matière de cookies", "Tout accepter", "Refuser"),
    "ocapiat": ("Ce site utilise des cookies", "Accepter", "Refuser"),
    "opcoep": ("Gestion de vos préférences sur les cookies", "J'accepte",
               "Continuer sans accepter"),
    "mobilites": ("Nous respectons votre vie privée", "Accepter et fermer",
                  "Continuer sans accepter"),
}


def test_cookie_banner_appears_late_and_blocks_clicks_until_accepted(
        page: Page, shared_sandbox: Sandbox) -> None:
    page.goto(shared_sandbox.base_url("atlas"))
    banner = page.get_by_role("dialog", name=BANNERS["atlas"][0])
    expect(banner).to_be_visible()
    shown_at = int(banner.get_attribute("data-shown-at") or 0)
    loaded_at = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventStart")
    assert shown_at - loaded_at >= 290  # injected 300-600 ms after load, not in the HTML

    connexion = page.get_by_role("button", name="Connexion")
    with pytest.raises(PlaywrightTimeoutError, match="intercepts pointer events"):
        connexion.click(timeout=800)

    banner.get_by_role("button", name="Tout accepter", exact=True).click()
    expect(banner).to_have_count(0)
    connexion.click(trial=True)  # reachable now
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["myatlas_cookie_consent"]["value"] == "accepted"
    assert cookies["myatlas_cookie_consent"]["path"] == "/atlas/"

    page.reload()
    # Remembered: the script sees the answer at load and never injects the banner again.
    expect(page.locator("html")).to_have_attribute("data-cookie-consent", "accepted")
    expect(page.locator("#cookie-banner")).to_have_count(0)


def test_each_portal_has_its_own_banner_wording(page: Page, shared_sandbox: Sandbox) -> None:
    for portal in PORTALS:
        title, accept, refuse = BANNERS[portal]
        page.goto(shared_sandbox.base_url(portal))
        banner = page.get_by_role("dialog", name=title)
        expect(banner.get_by_role("button", name=accept, exact=True)).to_be_visible()
        banner.get_by_role("button", name=refuse, exact=True).click()
        expect(banner).to_have_count(0)
        expect(page.locator("html")).to_have_attribute("data-cookie-consent", "refused")


def test_password_eye_makes_the_password_label_ambiguous(consented_page: Page,
                                                         shared_sandbox: Sandbox) -> None:
    page = consented_page
    page.goto(shared_sandbox.base_url("atlas"))
    expect(page.get_by_label("Mot de passe")).to_have_count(2)  # the field and its eye button
    password = page.get_by_label("Mot de passe", exact=True)
    expect(password).to_have_attribute("type", "password")
    page.get_by_role("button", name="Afficher le mot de passe").click()
    expect(password).to_have_attribute("type", "text")
    expect(page.get_by_role("button", name="Masquer le mot de passe")).to_be_visible()


def test_buttons_are_upper_case_only_on_screen(consented_page: Page,
                                               shared_sandbox: Sandbox) -> None:
    page = consented_page
    page.goto(shared_sandbox.base_url("atlas"))
    button = page.get_by_role("button", name="Connexion")
    expect(button).to_have_css("text-transform", "uppercase")
    assert button.inner_text() == "CONNEXION"
    assert (button.text_content() or "").strip() == "Connexion"
    expect(page.get_by_role("button", name="CONNEXION", exact=True)).to_have_count(0)


# ----- logins: failures, lockout, CSRF, sessions ---------------------------------------------

LOGIN_ERRORS = {
    "atlas": "Compte d'utilisateur ou mot de passe incorrect.",
    "ocapiat": "Identifiant ou mot de passe incorrect.",
    "opcoep": "Identifiant ou mot de passe incorrect.",
    "mobilites": "Adresse e-mail ou mot de passe invalide.",
}


def test_a_wrong_password_re_renders_the_form_with_the_portal_s_message(
        consented_page: Page, shared_sandbox: Sandbox,
        lockout_accounts: dict[str, dict[str, Any]]) -> None:
    page = consented_page
    for portal in PORTALS:
        account = lockout_accounts[portal]
        page.goto(shared_sandbox.page_url(portal, "login"))
        submit_login(page, portal, account["username"], "mauvais-mot-de-passe")
        expect(page.get_by_text(LOGIN_ERRORS[portal], exact=True)).to_be_visible()
        if portal in ("atlas", "ocapiat"):
            expect(page.get_by_role("alert")).to_have_text(LOGIN_ERRORS[portal])
        else:  # a plain paragraph, no alert role
            expect(page.get_by_role("alert")).to_have_count(0)
        shared_sandbox.unlock(portal, account["username"])


def test_five_failed_logins_lock_the_account_even_for_the_right_password(
        consented_page: Page, shared_sandbox: Sandbox,
        lockout_accounts: dict[str, dict[str, Any]]) -> None:
    page, account = consented_page, lockout_accounts["atlas"]
    page.goto(shared_sandbox.base_url("atlas"))
    try:
        for _ in range(4):
            submit_login(page, "atlas", account["username"], "mauvais-mot-de-passe")
            expect(page.get_by_role("alert")).to_have_text(LOGIN_ERRORS["atlas"])
        submit_login(page, "atlas", account["username"], "mauvais-mot-de-passe")
        expect(page.get_by_role("alert")).to_have_text(re.compile("^Compte verrouillé"))
        submit_login(page, "atlas", account["username"], account["password"])
        expect(page.get_by_role("alert")).to_have_text(re.compile("^Compte verrouillé"))
        expect(page).to_have_url(shared_sandbox.base_url("atlas"))
    finally:
        shared_sandbox.unlock("atlas", account["username"])


def test_posts_without_a_valid_csrf_token_are_refused(consented_page: Page,
                                                      shared_sandbox: Sandbox,
                                                      csrf_account: dict[str, Any]) -> None:
    page = consented_page
    login_url = shared_sandbox.page_url("atlas", "login_submit")
    page.goto(shared_sandbox.base_url("atlas"))  # opens an anonymous session
    form = {"username": csrf_account["username"], "password": csrf_account["password"]}
    assert page.request.post(login_url, form=form).status == 403
    assert page.request.post(login_url, form={**form, "csrf_token": "forged"}).status == 403
    accepted = page.request.post(login_url, form={**form, "csrf_token": csrf_token(page)})
    assert accepted.status == 200
    assert accepted.url == shared_sandbox.page_url("atlas", "espaces")

    # fetch() POSTs carry the token in a header; without it the key is not generated.
    page.goto(shared_sandbox.page_url("ocapiat", "login"))
    submit_login(page, "ocapiat", demo("ocapiat")["username"], demo("ocapiat")["password"])
    expect(page.get_by_role("link", name="Interfaçage OCAPIAT")).to_be_visible()
    generate = shared_sandbox.page_url("ocapiat", "api_generate")
    before = shared_sandbox.generation_count("ocapiat", demo("ocapiat")["username"])
    refused = page.request.post(generate, data={"duree": 6})
    assert refused.status == 403
    forged = page.request.post(generate, data={"duree": 6}, headers={"X-CSRF-Token": "x"})
    assert forged.status == 403
    assert shared_sandbox.generation_count("ocapiat", demo("ocapiat")["username"]) == before


DEEP_PAGES = {"atlas": "parametres", "ocapiat": "interfacage", "opcoep": "securisation",
              "mobilites": "cle"}


def test_a_deep_url_without_a_session_redirects_to_the_login_page(
        consented_page: Page, shared_sandbox: Sandbox) -> None:
    for portal in PORTALS:
        consented_page.goto(shared_sandbox.page_url(portal, DEEP_PAGES[portal]))
        expect(consented_page).to_have_url(shared_sandbox.page_url(portal, "login"))


def test_a_portal_that_is_down_answers_503_with_a_maintenance_page(
        consented_page: Page, shared_sandbox: Sandbox) -> None:
    page = consented_page
    shared_sandbox.set_down("opcoep", True)
    try:
        for url in (shared_sandbox.base_url("opcoep"),
                    shared_sandbox.page_url("opcoep", "login")):
            response = page.goto(url)
            assert response is not None and response.status == 503
            expect(page.get_by_role("heading", name="Site en maintenance")).to_be_visible()
        other = page.goto(shared_sandbox.base_url("atlas"))
        assert other is not None and other.status == 200  # only that portal is down
    finally:
        shared_sandbox.set_down("opcoep", False)
    response = page.goto(shared_sandbox.base_url("opcoep"))
    assert response is not None and response.status == 200


# ----- the path to each key ------------------------------------------------------------------


def test_atlas_key_is_in_my_settings_behind_the_user_menu(consented_page: Page,
                                                         shared_sandbox: Sandbox) -> None:
    page, sb, account = consented_page, shared_sandbox, demo("atlas")
    login_atlas(page, sb, account)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["MYATLAS_SESSION"]["path"] == "/atlas/"
    page.get_by_role("link", name="myAtlas prestataire").click()

    user_menu = page.get_by_role("button", name="Julien MAES")
    expect(user_menu).to_have_attribute("aria-haspopup", "menu")
    expect(page.get_by_role("menuitem", name="Mes paramètres")).to_have_count(0)
    page.wait_for_load_state()  # menus, tabs and buttons work once the page's script has run
    user_menu.click()
    expect(page.get_by_role("menuitem")).to_have_text(
        ["Mon profil", "Mes paramètres", "Se déconnecter"])
    page.get_by_role("menuitem", name="Mes paramètres").click()

    for section in ("Abonnement", "Mes informations", "Ma clé CFA"):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(page.get_by_text("A NOTER: La dernière version de votre clé sera automatiquement "
                            "générée ici.")).to_be_visible()
    key_box = page.get_by_role("textbox", name="Ma clé CFA")
    key = sb.current_key("atlas", account["username"])
    assert key and re.fullmatch(r"[A-Za-z0-9_-]{31}", key)
    expect(key_box).to_have_value(key)
    expect(key_box).not_to_be_editable()
    assert key not in page.request.get(page.url).text()  # fetched after load, not in the HTML
    expect(page.get_by_role("button", name="Copier dans le presse-papier")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Générer"))).to_have_count(0)

    rotated = sb.rotate_key("atlas", account["username"])
    assert rotated != key and sb.current_key("atlas", account["username"]) == rotated
    assert sb.generation_count("atlas", account["username"]) == 0  # myAtlas did it, not a user
    page.reload()
    expect(key_box).to_have_value(rotated)

    parametres = page.url
    page.get_by_role("button", name="Julien MAES").click()
    page.get_by_role("menuitem", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    page.goto(parametres)
    expect(page).to_have_url(sb.base_url("atlas"))


def test_ocapiat_generates_then_shows_the_cfa_key(consented_page: Page,
                                                  shared_sandbox: Sandbox) -> None:
    page, sb, account = consented_page, shared_sandbox, demo("ocapiat")
    user = account["username"]
    assert sb.current_key("ocapiat", user) is None
    page.goto(sb.base_url("ocapiat"))
    page.get_by_role("link", name="Mon espace Ocapiat").click()
    expect(page.get_by_role("link", name="PartNet")).to_have_count(0)
    page.wait_for_load_state()  # menus, tabs and buttons work once the page's script has run
    page.get_by_role("tab", name="Organisme de formation ou CFA").click()
    page.get_by_role("link", name="PartNet").click()
    expect(page.get_by_role(
        "heading", name="ACCÈS ORGANISMES DE FORMATION / CFA : PARTNET")).to_be_visible()
    expect(page.get_by_text("Infos de connexion")).to_be_visible()
    submit_login(page, "ocapiat", user, account["password"])
    page.get_by_role("link", name="Interfaçage OCAPIAT").click()

    expect(page.get_by_role("heading",
                            name="INTERFAÇAGE ENTRE VOTRE CFA ET OCAPIAT")).to_be_visible()
    expect(page.get_by_text(f"Siret : {account['siret']}")).to_be_visible()
    expect(page.get_by_text("Aucune clé CFA n'a encore été générée")).to_be_visible()
    expect(page.get_by_role("button", name="Afficher ma clé CFA")).to_have_count(0)
    generate = page.get_by_role("button", name="Générer ma clé CFA")
    expect(generate).to_have_css("text-transform", "uppercase")
    lifetime = page.get_by_label("Durée de vie de ma clé CFA en mois, à partir d'aujourd'hui :")
    expect(lifetime).to_have_value("6")

    # The server enforces the 6-month maximum whatever the page lets through.
    too_long = page.request.post(sb.page_url("ocapiat", "api_generate"), data={"duree": 7},
                                 headers={"X-CSRF-Token": csrf_token(page)})
    assert too_long.status == 400
    assert sb.generation_count("ocapiat", user) == 0

    lifetime.fill("3")
    generate.click()
    key_box = page.get_by_role("textbox", name="Clé privée du CFA")
    expect(key_box).to_have_value(re.compile(r"^[0-9a-f]{40}$"))
    first = key_box.input_value()
    assert first == sb.current_key("ocapiat", user)
    assert sb.generation_count("ocapiat", user) == 1
    expires = sb.key_expires_at("ocapiat", user)
    assert expires is not None
    assert timedelta(days=88) < expires - datetime.now(UTC) < timedelta(days=93)
    expect(page.locator("#cle-expiration-date")).to_have_text(frdate(expires))

    page.reload()
    expect(key_box).to_be_hidden()
    expect(page.get_by_text("Cliquez sur le bouton pour visualiser la clé.")).to_be_visible()
    page.get_by_role("button", name="Afficher ma clé CFA").click()
    expect(key_box).to_have_value(first)

    page.get_by_role("button", name="Générer ma clé CFA").click()
    expect(key_box).not_to_have_value(first)
    second = key_box.input_value()
    assert sb.current_key("ocapiat", user) == second != first
    assert sb.generation_count("ocapiat", user) == 2


def test_opcoep_token_is_downloaded_and_regenerated(consented_page: Page,
                                                    shared_sandbox: Sandbox,
                                                    tmp_path: Path) -> None:
    page, sb, account = consented_page, shared_sandbox, demo("opcoep")
    user = account["username"]
    page.goto(sb.base_url("opcoep"))
    cfa_item = page.get_by_role("menuitem", name="centre de formation d'apprentis – CFA")
    expect(cfa_item).to_have_count(0)
    page.get_by_role("button", name="Mes services en ligne").click()
    cfa_item.click()
    expect(page.get_by_role("button", name="S'inscrire")).to_be_visible()
    submit_login(page, "opcoep", user, account["password"])

    for link in ("Mes contrats stockés", "Mes apprentis sans contrat"):
        expect(page.get_by_role("link", name=link)).to_be_visible()
    secu = page.get_by_role("menuitem", name="Sécurisation des imports de contrat d'apprentissage")
    expect(secu).to_have_count(0)
    page.wait_for_load_state()  # menus, tabs and buttons work once the page's script has run
    page.get_by_role("button", name="Mon cfa").click()
    secu.click()

    token_box = page.get_by_role("textbox", name="TOKEN DE SÉCURITÉ")
    expiry_box = page.get_by_role("textbox", name="DATE D'EXPIRATION DU TOKEN")
    old = sb.current_key("opcoep", user)
    old_expiry = sb.key_expires_at("opcoep", user)
    assert old and old_expiry
    assert timedelta(days=199) < old_expiry - datetime.now(UTC) < timedelta(days=201)
    expect(token_box).to_have_value(old)
    expect(expiry_box).to_have_value(frdate(old_expiry))
    assert old not in page.request.get(page.url).text()

    download_button = page.get_by_role("button",
                                       name="Télécharger le token de sécurité au format txt")
    with page.expect_download() as info:
        download_button.click()
    assert info.value.suggested_filename == "token-securite.txt"
    saved = tmp_path / "token.txt"
    info.value.save_as(saved)
    assert saved.read_text() == old

    page.get_by_role("button", name="Génération du token").click()
    expect(page.get_by_role("status").filter(has_text="généré")).to_be_visible()
    expect(token_box).not_to_have_value(old)
    new = token_box.input_value()
    assert sb.current_key("opcoep", user) == new
    assert sb.generation_count("opcoep", user) == 1
    claims = jwt.decode(new, sb.jwt_secret, algorithms=["HS256"])
    assert claims["sub"] == user
    assert 364 * 86400 <= claims["exp"] - claims["iat"] <= 366 * 86400
    expect(expiry_box).to_have_value(frdate(datetime.fromtimestamp(claims["exp"], UTC)))
    with page.expect_download() as info:
        download_button.click()
    info.value.save_as(saved)
    assert saved.read_text() == new


def test_mobilites_key_appears_in_a_late_pop_in_per_siret(consented_page: Page,
                                                          shared_sandbox: Sandbox) -> None:
    page, sb, account = consented_page, shared_sandbox, demo("mobilites")
    user, siret = account["username"], account["siret"]
    other_siret = next(a.sirets[1] for a in sb.accounts
                       if a.portal == "mobilites" and a.username == user)
    page.goto(sb.base_url("mobilites"))
    page.get_by_role("link", name="M-Gestion CFA").click()
    page.get_by_role("link", name="Connectez-vous à M-Gestion CFA").click()
    expect(page.get_by_role("link", name="Créer un compte")).to_be_visible()
    submit_login(page, "mobilites", user, account["password"])
    expect(page.get_by_text("Organisme de formation", exact=True)).to_be_visible()
    expect(page.get_by_text(siret, exact=True)).to_be_visible()
    page.get_by_role("link", name="Clé d'authentification").click()
    expect(page.get_by_text("365 jours")).to_be_visible()

    generate = page.get_by_role("button", name="+ Générer ma clé d'authentification")
    expect(generate).to_have_css("text-transform", "uppercase")
    page.wait_for_load_state()  # menus, tabs and buttons work once the page's script has run
    generate.click()
    expect(page.get_by_role("alert")).to_contain_text("sélectionner le SIRET")
    assert sb.generation_count("mobilites", user, siret=siret) == 0

    siret_select = page.get_by_label("SIRET de l'établissement")
    expect(siret_select.locator("option")).to_have_count(3)  # placeholder + 2 establishments
    siret_select.select_option(siret)
    dialog = page.get_by_role("dialog", name="Clé d'authentification")
    sb.latency = (0.3, 0.3)  # long enough to see the pop-in is not there yet
    try:
        generate.click()
        expect(dialog).to_have_count(0)
        expect(page.get_by_text("Génération en cours…")).to_be_visible()
        expect(dialog).to_be_visible()
    finally:
        sb.latency = (0.0, 0.02)
    key_box = dialog.get_by_role("textbox")
    expect(key_box).to_have_value(re.compile(r"^[A-Za-z0-9+/]{32}$"))
    first = key_box.input_value()
    assert sb.current_key("mobilites", user, siret=siret) == first
    assert sb.generation_count("mobilites", user, siret=siret) == 1
    expires = sb.key_expires_at("mobilites", user, siret=siret)
    assert expires and timedelta(days=364) < expires - datetime.now(UTC) <= timedelta(days=365)
    close = dialog.get_by_role("button", name="Fermer")
    assert close.inner_text() == "FERMER"
    close.click()
    expect(dialog).to_have_count(0)

    generate.click()
    expect(key_box).not_to_have_value(first)
    second = key_box.input_value()
    assert sb.current_key("mobilites", user, siret=siret) == second
    assert sb.generation_count("mobilites", user, siret=siret) == 2
    dialog.get_by_role("button", name="Fermer").click()

    assert sb.current_key("mobilites", user, siret=other_siret) is None
    siret_select.select_option(other_siret)
    generate.click()
    expect(key_box).to_have_value(re.compile(r"^[A-Za-z0-9+/]{32}$"))
    assert sb.current_key("mobilites", user, siret=other_siret) == key_box.input_value()
    assert sb.current_key("mobilites", user, siret=siret) == second  # other SIRET untouched
