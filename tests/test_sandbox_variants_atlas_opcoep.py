"""The "variants" rendering of myAtlas and OPCO EP, and the second-factor page of every portal in
that rendering, driven as a person reading the seed would (by role, label and text), checked
against the sandbox's shared state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from sandbox import DEMO_ACCOUNTS, Sandbox, clock
from tests.spa_helpers import open_menu

pytest_plugins = ["tests.sandbox_fixtures"]

FAST = (0.0, 0.02)


def _account(portal: str, name: str, username: str, password: str) -> dict[str, object]:
    return {"portal": portal, "name": name, "username": username, "password": password,
            "siret": "88047261800011", "organisation": f"CFA Variantes {name}"}


ATLAS = next(a for a in DEMO_ACCOUNTS if a["portal"] == "atlas")
OPCOEP = next(a for a in DEMO_ACCOUNTS if a["portal"] == "opcoep")
# Accounts of these tests only, so their switches (a second factor, an expired key, a wrong
# password) never touch another test's.
EXTRA = {
    "atlas_wrong": _account("atlas", "va-wrong", "mauvais@cfa-variantes.fr", "bon-1"),
    "atlas_expired": _account("atlas", "va-expired", "expire@cfa-variantes.fr", "bon-2"),
    "atlas_totp": _account("atlas", "va-totp", "totp@cfa-variantes.fr", "bon-3"),
    "atlas_sms": _account("atlas", "va-sms", "sms@cfa-variantes.fr", "bon-4"),
    "atlas_app": _account("atlas", "va-app", "app@cfa-variantes.fr", "bon-5"),
    "atlas_email": _account("atlas", "va-email", "mail@cfa-variantes.fr", "bon-6"),
    "opcoep_wrong": _account("opcoep", "va-wrong", "cfa.variantes.mauvais", "bon-7"),
    "opcoep_expired": _account("opcoep", "va-expired", "cfa.variantes.expire", "bon-8"),
}


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox(latency=FAST, accounts=[*DEMO_ACCOUNTS, *EXTRA.values()],
                      rendering={"atlas": "variants", "opcoep": "variants"})
    with sandbox.serve_in_thread(host="127.0.0.1", port=0):
        yield sandbox


@pytest.fixture
def context(browser: Browser, sb: Sandbox) -> Iterator[BrowserContext]:
    """A browser whose cookie banners were already answered, that accepts downloads."""
    ctx = browser.new_context(accept_downloads=True, locale="fr-FR")
    ctx.add_cookies(sb.consent_cookies())
    yield ctx
    ctx.close()


@pytest.fixture
def tab(context: BrowserContext) -> Page:
    return context.new_page()


# ----- myAtlas -------------------------------------------------------------------------------

def atlas_login(page: Page, sb: Sandbox, username: str, password: str) -> None:
    page.goto(sb.base_url("atlas"))
    page.get_by_role("textbox", name="Compte d'utilisateur").fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    with page.expect_navigation():  # the next page, its scripts run
        page.get_by_role("button", name="Connexion", exact=True).click()


def atlas_to_key(page: Page) -> None:
    open_menu(page.get_by_role("button", name="myAtlas prestataire"))
    open_menu(page.get_by_role("button", name="Menu utilisateur"))
    page.get_by_role("menuitem", name="Mes paramètres").click()


def test_atlas_cookie_banner_comes_late_and_is_remembered(browser: Browser, sb: Sandbox) -> None:
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(sb.base_url("atlas"))
        banner = page.get_by_role("dialog", name="Vos préférences en matière de cookies")
        expect(banner).to_be_visible()
        banner.get_by_role("button", name="Refuser").click()
        expect(banner).to_have_count(0)
        cookie = next(c for c in ctx.cookies() if c["name"] == "myatlas_cookie_consent")
        assert cookie["value"] == "refused" and cookie["path"] == "/atlas/"
        page.reload()
        page.wait_for_load_state("load")
        page.get_by_role("textbox", name="Compte d'utilisateur").fill("x")  # the page is usable
        expect(page.get_by_role("dialog")).to_have_count(0)
    finally:
        ctx.close()


def test_atlas_wrong_password_says_so_and_keeps_the_user_name(tab: Page, sb: Sandbox) -> None:
    user = EXTRA["atlas_wrong"]["username"]
    atlas_login(tab, sb, user, "pas-le-bon")
    expect(tab.get_by_role("alert")).to_contain_text(
        "Compte d'utilisateur ou mot de passe incorrect")
    expect(tab.get_by_role("textbox", name="Compte d'utilisateur")).to_have_value(user)
    expect(tab.get_by_role("button", name="Menu utilisateur")).to_have_count(0)


def test_atlas_key_in_ma_cle_cfa(tab: Page, context: BrowserContext, sb: Sandbox) -> None:
    user = ATLAS["username"]
    before = sb.generation_count("atlas", user)
    atlas_login(tab, sb, user, ATLAS["password"])
    expect(tab.get_by_role("button", name="myAtlas entreprise")).to_be_visible()
    atlas_to_key(tab)
    expect(tab.get_by_role("heading", name="Mes paramètres")).to_be_visible()
    card = tab.get_by_role("region", name="Ma clé CFA")
    expect(card).to_contain_text(
        "La dernière version de votre clé sera automatiquement générée ici")
    key = card.get_by_role("textbox", name="Clé CFA")
    expect(key).to_have_value(sb.current_key("atlas", user))
    expect(key).to_have_attribute("readonly", "")

    context.grant_permissions(["clipboard-read", "clipboard-write"])
    card.get_by_role("button", name="Copier dans le presse-papier").click()
    expect(card.get_by_role("status")).to_have_text("Clé copiée dans le presse-papier.")
    assert tab.evaluate("navigator.clipboard.readText()") == sb.current_key("atlas", user)

    # myAtlas replaces its key by itself: the card shows the new one; nothing was generated.
    new = sb.rotate_key("atlas", user)
    tab.reload()
    expect(tab.get_by_role("textbox", name="Clé CFA")).to_have_value(new)
    assert sb.generation_count("atlas", user) == before

    # The subscriptions form posts with its CSRF token and says it saved.
    tab.get_by_role("button", name="Enregistrer mes abonnements").click()
    expect(tab.get_by_role("status").first).to_contain_text("ont été enregistrées")


def test_atlas_expired_key_is_said_in_words(tab: Page, sb: Sandbox) -> None:
    account = EXTRA["atlas_expired"]
    expired = clock.now() - timedelta(days=3)
    sb.set_key("atlas", account["username"], None, expired)
    atlas_login(tab, sb, account["username"], account["password"])
    atlas_to_key(tab)
    card = tab.get_by_role("region", name="Ma clé CFA")
    expect(card.get_by_role("status")).to_contain_text(
        f"Votre clé CFA a expiré le {clock.frdate(expired)}")
    expect(card.get_by_role("textbox", name="Clé CFA")).to_be_hidden()
    card.get_by_role("button", name="Copier dans le presse-papier").click()
    expect(card.get_by_role("status")).to_have_text("Il n'y a aucune clé à copier pour le moment.")
    assert sb.current_key("atlas", account["username"]) is None


def test_atlas_relabelled_menu_item(tab: Page, sb: Sandbox) -> None:
    sb.relabel("atlas", "Mes paramètres", "Paramètres du compte")
    try:
        atlas_login(tab, sb, ATLAS["username"], ATLAS["password"])
        open_menu(tab.get_by_role("button", name="myAtlas prestataire"))
        open_menu(tab.get_by_role("button", name="Menu utilisateur"))
        tab.get_by_role("menuitem", name="Paramètres du compte").click()
        expect(tab.get_by_role("textbox", name="Clé CFA")).to_have_value(
            sb.current_key("atlas", ATLAS["username"]))
    finally:
        sb.relabel("atlas", "Mes paramètres", "Mes paramètres")


# ----- OPCO EP -------------------------------------------------------------------------------

def opcoep_login(page: Page, sb: Sandbox, username: str, password: str) -> None:
    page.goto(sb.base_url("opcoep"))
    page.get_by_role("button", name="Mes services en ligne").click()
    page.get_by_role("menuitem", name="centre de formation d'apprentis - CFA").click()
    page.get_by_placeholder("Login").fill(username)
    page.get_by_placeholder("Mot de passe").fill(password)
    with page.expect_navigation():  # the next page, its scripts run
        page.get_by_role("button", name="Se connecter").click()


def opcoep_to_securisation(page: Page) -> None:
    open_menu(page.get_by_role("menuitem", name="Mon CFA"))
    page.get_by_role("menuitem", name="Sécurisation des imports de contrat d'apprentissage").click()


def test_opcoep_cookie_banner_is_a_modal_dialog(browser: Browser, sb: Sandbox) -> None:
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(sb.base_url("opcoep"))
        banner = page.get_by_role("dialog", name="Gestion de vos préférences sur les cookies")
        expect(banner).to_be_visible()
        banner.get_by_role("button", name="Continuer sans accepter").click()
        expect(banner).to_have_count(0)
        assert any(c["name"] == "opcoep_tarteaucitron" and c["value"] == "refused"
                   and c["path"] == "/opcoep/" for c in ctx.cookies())
    finally:
        ctx.close()


def test_opcoep_wrong_password(tab: Page, sb: Sandbox) -> None:
    opcoep_login(tab, sb, EXTRA["opcoep_wrong"]["username"], "faux")
    expect(tab.get_by_role("alert")).to_have_text("Identifiant ou mot de passe incorrect.")
    expect(tab.get_by_placeholder("Login")).to_have_value(EXTRA["opcoep_wrong"]["username"])


def test_opcoep_token_shown_generated_and_downloaded(tab: Page, sb: Sandbox) -> None:
    user = OPCOEP["username"]
    before = sb.generation_count("opcoep", user)
    opcoep_login(tab, sb, user, OPCOEP["password"])
    expect(tab.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    opcoep_to_securisation(tab)

    token = tab.get_by_role("textbox", name="Token de sécurité")
    expiry = tab.get_by_label("Date d'expiration du token")
    expect(expiry).to_have_value(clock.frdate(sb.key_expires_at("opcoep", user)))
    expect(token).to_have_value("")  # masked until asked for
    tab.get_by_role("button", name="Afficher le token").click()
    expect(token).to_have_value(sb.current_key("opcoep", user))
    assert sb.generation_count("opcoep", user) == before

    old = sb.current_key("opcoep", user)
    tab.get_by_role("link", name="Génération du token").click()
    expect(tab.get_by_role("alert")).to_contain_text(
        "Le token de sécurité a été généré avec succès.")
    expect(token).not_to_have_value(old)
    assert token.input_value() == sb.current_key("opcoep", user)
    assert sb.generation_count("opcoep", user) == before + 1
    expect(expiry).to_have_value(clock.frdate(sb.key_expires_at("opcoep", user)))

    with tab.expect_download() as info:
        tab.get_by_role("link", name="Télécharger le token de sécurité au format txt").click()
    download = info.value
    assert download.suggested_filename.endswith(".txt")
    with open(download.path(), encoding="ascii") as handle:
        assert handle.read() == sb.current_key("opcoep", user)


def test_opcoep_generate_held_after_replacing(tab: Page, sb: Sandbox) -> None:
    user = OPCOEP["username"]
    opcoep_login(tab, sb, user, OPCOEP["password"])
    opcoep_to_securisation(tab)
    # The page says what it holds once its own first call has answered; a click before that
    # would have its status overwritten by that late answer.
    expect(tab.get_by_role("status")).to_contain_text("actif")
    replaced = sb.hold_after_generate("opcoep")
    try:
        tab.get_by_role("link", name="Génération du token").click()
        assert replaced.wait(10)
        expect(tab.get_by_role("status")).to_have_text("Génération du token en cours…")
    finally:
        sb.hold_after_generate("opcoep", hold=False)
    expect(tab.get_by_role("textbox", name="Token de sécurité")).to_have_value(
        sb.current_key("opcoep", user))


def test_opcoep_expired_token_is_said_in_words(tab: Page, sb: Sandbox) -> None:
    account = EXTRA["opcoep_expired"]
    expired = clock.now() - timedelta(days=2)
    sb.set_key("opcoep", account["username"], None, expired)
    opcoep_login(tab, sb, account["username"], account["password"])
    opcoep_to_securisation(tab)
    expect(tab.get_by_role("status")).to_contain_text(
        f"Votre token de sécurité a expiré le {clock.frdate(expired)}")
    tab.get_by_role("link", name="Génération du token").click()
    expect(tab.get_by_role("status")).to_contain_text("Un token de sécurité est actif jusqu'au")
    assert sb.current_key("opcoep", account["username"]) is not None


# ----- the second factor (shown on myAtlas) --------------------------------------------------

def test_second_factor_totp(tab: Page, sb: Sandbox) -> None:
    account = EXTRA["atlas_totp"]
    secret = sb.set_second_factor("atlas", account["username"], "totp")
    assert secret is not None
    atlas_login(tab, sb, account["username"], account["password"])
    expect(tab.get_by_role("heading", name="Saisissez le code de vérification")).to_be_visible()
    expect(tab.get_by_text("application d'authentification")).to_be_visible()
    field = tab.get_by_label("Code reçu")
    assert field.get_attribute("autocomplete") is None
    field.fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    tab.get_by_role("button", name="Continuer").click()
    expect(tab.get_by_role("alert")).to_have_text("Code incorrect ou expiré.")
    tab.get_by_label("Code reçu").fill(pyotp.TOTP(secret).now())
    tab.get_by_label("Faire confiance à ce navigateur").check()
    tab.get_by_role("button", name="Continuer").click()
    expect(tab.get_by_role("button", name="myAtlas prestataire")).to_be_visible()

    # This browser is now trusted: the next login goes straight in.
    prompts = sb.second_factor_prompts("atlas", account["username"])
    tab.get_by_role("button", name="Menu utilisateur").click()
    tab.get_by_role("menuitem", name="Se déconnecter").click()
    atlas_login(tab, sb, account["username"], account["password"])
    expect(tab.get_by_role("button", name="myAtlas prestataire")).to_be_visible()
    assert sb.second_factor_prompts("atlas", account["username"]) == prompts


def test_second_factor_sms(tab: Page, sb: Sandbox) -> None:
    account = EXTRA["atlas_sms"]
    sb.set_second_factor("atlas", account["username"], "sms")
    atlas_login(tab, sb, account["username"], account["password"])
    expect(tab.get_by_role("heading", name="Vérifiez votre identité")).to_be_visible()
    assert sb.sent_codes("atlas", account["username"]) == []
    tab.get_by_role("button", name="M'envoyer un code par SMS").click()
    field = tab.get_by_label("Code", exact=True)
    expect(field).to_have_attribute("autocomplete", "one-time-code")
    codes = sb.sent_codes("atlas", account["username"])
    assert len(codes) == 1
    # A new code voids the first one.
    tab.get_by_role("button", name="M'envoyer un nouveau code").click()
    codes = sb.sent_codes("atlas", account["username"])
    assert len(codes) == 2
    tab.get_by_label("Code", exact=True).fill(codes[-1])
    tab.get_by_role("button", name="Valider le code").click()
    atlas_to_key(tab)
    expect(tab.get_by_role("textbox", name="Clé CFA")).to_have_value(
        sb.current_key("atlas", account["username"]))


def test_second_factor_email_button(tab: Page, sb: Sandbox) -> None:
    account = EXTRA["atlas_email"]
    sb.set_second_factor("atlas", account["username"], "email")
    atlas_login(tab, sb, account["username"], account["password"])
    tab.get_by_role("button", name="M'envoyer un code par e-mail").click()
    tab.get_by_label("Code", exact=True).fill(sb.sent_codes("atlas", account["username"])[-1])
    tab.get_by_role("button", name="Valider le code").click()
    expect(tab.get_by_role("button", name="myAtlas prestataire")).to_be_visible()


def test_second_factor_app(tab: Page, sb: Sandbox) -> None:
    account = EXTRA["atlas_app"]
    sb.set_second_factor("atlas", account["username"], "app")
    atlas_login(tab, sb, account["username"], account["password"])
    expect(tab.get_by_role("heading", name="Validation sur votre téléphone")).to_be_visible()
    assert not sb.approve_login("atlas", account["username"])  # nothing sent yet
    tab.get_by_role("button", name="Envoyer une notification").click()
    expect(tab.get_by_role("status")).to_contain_text("approuvez la connexion")
    assert sb.approve_login("atlas", account["username"])
    # The page moves on by itself.
    expect(tab.get_by_role("button", name="myAtlas prestataire")).to_be_visible()


def test_second_factor_app_when_the_session_ends_meanwhile(tab: Page, sb: Sandbox) -> None:
    account = EXTRA["atlas_app"]
    sb.set_second_factor("atlas", account["username"], "app")
    atlas_login(tab, sb, account["username"], account["password"])
    tab.get_by_role("button", name="Envoyer une notification").click()
    expect(tab.get_by_role("status")).to_contain_text("approuvez la connexion")
    sb.end_sessions("atlas")
    # The waiting page notices by itself and lands on the login page, which says why.
    expect(tab.get_by_role("alert")).to_contain_text(
        "Votre session a expiré. Veuillez vous reconnecter.")
    expect(tab.get_by_role("button", name="Connexion", exact=True)).to_be_visible()
