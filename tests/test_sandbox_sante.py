"""OPCO Santé's plateforme CFA in both renderings: the seed's procedure walked as a person would
(« Identifiant », « Mot de passe », « Me connecter », the tab « Mon organisme », the rubrique
« Clé d'authentification API CFA », « Générer ma clé »), with role, label, placeholder and text
locators; the key is one per SIREN, loaded after the page and replaced by each generation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from sandbox import DEMO_ACCOUNTS, Sandbox
from sandbox.clock import frdate  # dd/mm/yyyy of the day in Paris, as the portal shows it
from tests import spa_helpers
from tests.spa_helpers import demo_account, has_no_label, ready

# Fixtures: shared_sandbox (classic), spa_sandbox (spa), Chromium's launch.
pytest_plugins = ["tests.sandbox_fixtures"]

RENDERINGS = ["shared_sandbox", "spa_sandbox"]
INVALID = "Identifiant ou mot de passe incorrect."
NO_KEY = "Aucune clé d'authentification n'a encore été générée pour votre organisme."
NOTE = ("Le token est généré pour l'ensemble des établissements ayant le même SIREN et expire "
        "après 12 mois.")
KEY_FORMAT = re.compile(r"^[0-9a-f]{48}$")
KEY_RUBRIQUE = "Clé d'authentification API CFA"
# Another establishment of the demo account's SIREN (387654320), for the shared-key test.
SAME_SIREN = {"portal": "sante", "name": "sante-etablissement", "username": "cfa.sante.nimes",
              "password": "sante-etab-1", "siret": "38765432000028",
              "organisation": "CFA Santé Social Occitanie – site de Nîmes"}
is_spa = partial(spa_helpers.is_spa, portal="sante")
field = partial(spa_helpers.field, portal="sante")


def sandbox_of(request: pytest.FixtureRequest, fixture: str) -> Sandbox:
    return request.getfixturevalue(fixture)


def log_in(page: Page, sb: Sandbox, username: str, password: str) -> None:
    page.goto(sb.base_url("sante"))
    field(page, sb, "Identifiant").fill(username)
    field(page, sb, "Mot de passe").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Me connecter").click()


def open_key_rubrique(page: Page, sb: Sandbox) -> Locator:
    """« l'onglet Mon organisme puis sélectionner Clé d'authentification API CFA »; returns the
    block the key is shown in."""
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mon organisme").click()
    expect(page.get_by_role("heading", name="Mon organisme", exact=True)).to_be_visible()
    if is_spa(sb):
        # A select; nothing of a rubrique is in the page before it is chosen.
        rubrique = page.get_by_role("combobox", name="Rubrique")
        assert rubrique.evaluate("el => el.tagName === 'SELECT' && el.labels.length === 0")
        hint = "Sélectionnez une rubrique pour afficher son contenu."
        expect(page.get_by_text(hint)).to_be_visible()
        expect(page.get_by_role("button", name="Générer ma clé")).to_have_count(0)
        rubrique.select_option(label=KEY_RUBRIQUE)
        return page.get_by_role("region", name=KEY_RUBRIQUE)
    side = page.get_by_role("navigation", name="Rubriques de mon organisme")
    expect(side.get_by_role("link")).to_have_text(
        ["Informations générales", "Établissements", "Contacts", KEY_RUBRIQUE])
    side.get_by_role("link", name=KEY_RUBRIQUE).click()
    expect(side.get_by_role("link", name=KEY_RUBRIQUE)).to_have_attribute("aria-current", "page")
    return page.get_by_role("main")


def key_box(block: Locator) -> Locator:
    return block.get_by_role("textbox", name="Clé d'authentification")


# ----- cookie banner ------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", RENDERINGS)
def test_sante_late_cookie_banner(page: Page, request: pytest.FixtureRequest,
                                  fixture: str) -> None:
    sb = sandbox_of(request, fixture)
    page.set_default_timeout(10_000)
    page.goto(sb.base_url("sante"))
    banner = page.get_by_role("dialog", name="Gestion des cookies")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("button", name="Tout accepter", exact=True)).to_be_visible()
    banner.get_by_role("button", name="Tout refuser", exact=True).click()
    expect(banner).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("data-cookie-consent", "refused")


# ----- the path to the key ------------------------------------------------------------------


@pytest.mark.parametrize("fixture", RENDERINGS)
def test_sante_generates_shows_again_then_replaces_the_key(
        page: Page, request: pytest.FixtureRequest, fixture: str) -> None:
    sb = sandbox_of(request, fixture)
    page = ready(page, sb)
    account = demo_account("sante")
    user = account["username"]
    before = sb.generation_count("sante", user)
    spa = is_spa(sb)

    # 1-2. The login page: « Identifiant », « Mot de passe », « Me connecter », « Pas de compte ? ».
    page.goto(sb.base_url("sante"))
    expect(page.get_by_role("link", name="Pas de compte ?")).to_be_visible()
    if spa:
        assert has_no_label(field(page, sb, "Identifiant"))
        assert has_no_label(field(page, sb, "Mot de passe"))
        expect(page.get_by_role("button", name="Me connecter")).to_have_css(
            "text-transform", "uppercase")
    log_in(page, sb, user, account["password"])
    expect(page.get_by_text("Bienvenue sur la plateforme CFA")).to_be_visible()

    # 3. « Mon organisme » > « Clé d'authentification API CFA ».
    block = open_key_rubrique(page, sb)
    expect(block.get_by_text(NOTE)).to_be_visible()
    generate = block.get_by_role("button", name="Générer ma clé")
    expect(generate).to_be_enabled()  # once the key has been asked for
    if sb.current_key("sante", user) is None:
        expect(block.get_by_text(NO_KEY)).to_be_visible()
        expect(block.get_by_text("Date d'expiration")).to_be_hidden()
        expect(key_box(block)).to_be_hidden()

    # 4. « Générer ma clé »: the key appears after the asynchronous call, with its expiry.
    generate.click()
    box = key_box(block)
    expect(box).to_have_value(KEY_FORMAT)
    expect(box).not_to_be_editable()
    first = box.input_value()
    assert first == sb.current_key("sante", user)
    assert sb.generation_count("sante", user) == before + 1
    expires = sb.key_expires_at("sante", user)
    assert expires is not None
    expect(block.get_by_text("Date d'expiration :")).to_have_text(
        f"Date d'expiration : {frdate(expires)}")
    expect(page.get_by_role("status").filter(
        has_text="Votre clé d'authentification a été générée.")).to_be_visible()
    expect(block.get_by_text(NO_KEY)).to_be_hidden()
    assert first not in page.request.get(page.url).text()  # loaded by the page, not in its HTML
    if spa:
        assert box.evaluate("el => el.labels.length === 0 && el.hasAttribute('aria-label')")
        heading = block.get_by_role("heading", name=KEY_RUBRIQUE)
        assert not heading.evaluate("(h, box) => h.parentElement.contains(box)",
                                    box.element_handle())
        expect(generate).to_have_css("text-transform", "uppercase")
        assert (generate.text_content() or "").strip() == "Générer ma clé"

    # 5. Back later: the classic page shows the same key again; the spa only says one is active
    # (the seed does not say which), and neither generates a new one.
    page.reload()
    if spa:
        hidden = "elle n'est affichée qu'au moment de sa génération"
        expect(block.get_by_text(hidden)).to_be_visible()
        expect(key_box(block)).to_be_hidden()
    else:
        expect(key_box(block)).to_have_value(first)
    expect(block.get_by_text("Date d'expiration :")).to_have_text(
        f"Date d'expiration : {frdate(expires)}")
    assert sb.generation_count("sante", user) == before + 1

    # Generating again replaces the key.
    block.get_by_role("button", name="Générer ma clé").click()
    expect(key_box(block)).not_to_have_value(first)
    second = key_box(block).input_value()
    assert second == sb.current_key("sante", user)
    assert sb.generation_count("sante", user) == before + 2

    # Log out (spa: through the avatar drop-down, whose items exist only once opened).
    if spa:
        expect(page.get_by_role("menuitem")).to_have_count(0)
        page.get_by_role("button", name="Compte utilisateur").click()
        expect(page.get_by_role("menuitem")).to_have_text(["Mon profil", "Se déconnecter"])
        page.get_by_role("menuitem", name="Se déconnecter").click()
    else:
        page.get_by_role("link", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Me connecter")).to_be_visible()
    expect(page).to_have_url(sb.base_url("sante"))
    page.goto(sb.page_url("sante", "cle"))
    expect(page).to_have_url(sb.base_url("sante"))


@pytest.mark.parametrize("fixture", RENDERINGS)
def test_sante_wrong_password_keeps_the_identifiant(
        page: Page, request: pytest.FixtureRequest, fixture: str) -> None:
    sb = sandbox_of(request, fixture)
    page = ready(page, sb)
    user = demo_account("sante")["username"]
    try:
        log_in(page, sb, user, "mauvais-mot-de-passe")
        expect(page.get_by_role("alert")).to_have_text(INVALID)
        expect(field(page, sb, "Identifiant")).to_have_value(user)
        expect(page).to_have_url(sb.base_url("sante"))
    finally:
        sb.unlock("sante", user)


@pytest.mark.parametrize("fixture", RENDERINGS)
def test_sante_pas_de_compte_asks_for_the_siret(
        page: Page, request: pytest.FixtureRequest, fixture: str) -> None:
    sb = sandbox_of(request, fixture)
    page = ready(page, sb)
    page.goto(sb.base_url("sante"))
    page.get_by_role("link", name="Pas de compte ?").click()
    expect(page.get_by_role("heading", name="Pas de compte ?")).to_be_visible()
    siret = field(page, sb, "N° de Siret")
    siret.fill("1234")
    with page.expect_navigation():
        page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Le n° de Siret doit comporter 14 chiffres valides.")
    field(page, sb, "N° de Siret").fill(demo_account("sante")["siret"])
    with page.expect_navigation():
        page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Votre organisme est déjà recensé par l'OPCO Santé.")
    field(page, sb, "N° de Siret").fill("99999123400009")
    with page.expect_navigation():
        page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Votre organisme n'est pas recensé par l'OPCO Santé.")


@pytest.mark.parametrize("fixture", RENDERINGS)
def test_sante_generate_needs_a_session_and_the_csrf_header(
        page: Page, request: pytest.FixtureRequest, fixture: str) -> None:
    sb = sandbox_of(request, fixture)
    page = ready(page, sb)
    account = demo_account("sante")
    generate = sb.page_url("sante", "api_generate")
    page.goto(sb.base_url("sante"))
    assert page.request.get(sb.page_url("sante", "api_key")).status == 401
    log_in(page, sb, account["username"], account["password"])
    before = sb.generation_count("sante", account["username"])
    assert page.request.post(generate, data={}).status == 403
    assert page.request.post(generate, data={}, headers={"X-CSRF-Token": "forged"}).status == 403
    assert sb.generation_count("sante", account["username"]) == before
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    answer = page.request.post(generate, data={}, headers={"X-CSRF-Token": token})
    assert answer.status == 200
    assert answer.json()["cle"] == sb.current_key("sante", account["username"])
    assert sb.generation_count("sante", account["username"]) == before + 1


# ----- one key per SIREN --------------------------------------------------------------------


@pytest.fixture(scope="module", params=["classic", "spa"])
def siren_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    accounts: list[dict[str, Any]] = [a for a in DEMO_ACCOUNTS if a["portal"] == "sante"]
    sb = Sandbox(latency=(0.0, 0.02), accounts=[*accounts, SAME_SIREN], rendering=request.param)
    with sb.serve_in_thread(host="127.0.0.1", port=0):
        yield sb


def test_sante_key_is_shared_by_the_establishments_of_a_siren(
        page: Page, siren_sandbox: Sandbox) -> None:
    sb = siren_sandbox
    page = ready(page, sb)
    head, other = demo_account("sante"), SAME_SIREN
    assert sb.current_key("sante", head["username"]) is None
    log_in(page, sb, other["username"], other["password"])
    block = open_key_rubrique(page, sb)
    expect(block.get_by_text(NO_KEY)).to_be_visible()
    block.get_by_role("button", name="Générer ma clé").click()
    expect(key_box(block)).to_have_value(KEY_FORMAT)
    shared = key_box(block).input_value()
    assert shared == sb.current_key("sante", other["username"])
    assert sb.current_key("sante", head["username"]) == shared

    page.context.clear_cookies()
    ready(page, sb)
    log_in(page, sb, head["username"], head["password"])
    block = open_key_rubrique(page, sb)
    if sb.renderings["sante"] == "spa":  # it shows a key only when generating it
        expect(block.get_by_text("Date d'expiration :")).to_be_visible()
        expect(key_box(block)).to_be_hidden()
    else:
        expect(key_box(block)).to_have_value(shared)
    assert sb.generation_count("sante", head["username"]) == 1
