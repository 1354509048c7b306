"""Afdas / MyA « Prestataire » in both renderings: the seed's procedure walked as a person would
(login with the e-mail address, tab « Mon compte », « Générer un identifiant API CFA », the
identifier in « Identifiant API CFA »), the overwrite confirmation, the head office rule (only
the siège social generates; its establishments share the identifier) and the spa's markup."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from sandbox import Sandbox
from tests import spa_helpers
from tests.sandbox_fixtures import AFDAS_ESTABLISHMENTS, FAST
from tests.spa_helpers import demo_account, has_no_label, ready

pytest_plugins = ["tests.sandbox_fixtures"]

PORTAL = "afdas"
INVALID = "Adresse e-mail ou mot de passe incorrect."
GENERATE = "Générer un identifiant API CFA"
SECTION = "Informations complémentaires pour les prestataires de formation initiale"
SPA_CONFIRM_TITLE = "Remplacer l'identifiant API CFA ?"
HEAD_OFFICE = demo_account(PORTAL)
is_spa = partial(spa_helpers.is_spa, portal=PORTAL)


def rendering_sandbox(request: pytest.FixtureRequest) -> Sandbox:
    return request.getfixturevalue(request.param)


@pytest.fixture(params=["shared_sandbox", "spa_sandbox"])
def sb(request: pytest.FixtureRequest) -> Sandbox:
    return rendering_sandbox(request)


@pytest.fixture
def consented(page: Page, sb: Sandbox) -> Page:
    return ready(page, sb)


def log_in(page: Page, sb: Sandbox, account: dict[str, Any]) -> None:
    """Step 1: the portal's login page, the e-mail address as user name."""
    page.goto(sb.base_url(PORTAL))
    page.get_by_role("textbox", name="Adresse e-mail").fill(account["username"])
    spa_helpers.field(page, sb, "Mot de passe", PORTAL).fill(account["password"])
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def open_my_account(page: Page, sb: Sandbox) -> Locator:
    """Step 2: the tab « Mon compte »; returns the « Identifiant API CFA » field once loaded."""
    page.get_by_role("tab" if is_spa(sb) else "link", name="Mon compte", exact=True).click()
    expect(page.get_by_role("heading", name="Mon compte", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=SECTION)).to_be_visible()
    expect(page.get_by_role("progressbar", name="Chargement de l'identifiant")).to_have_count(0)
    field = page.get_by_role("textbox", name="Identifiant API CFA")
    expect(field).not_to_be_editable()
    return field


def ensure_head_office_identifier(sb: Sandbox) -> str:
    current = sb.current_key(PORTAL, HEAD_OFFICE["username"])
    return current or sb.set_key(PORTAL, HEAD_OFFICE["username"], None, None)


# ----- cookie banner and login ---------------------------------------------------------------


def test_afdas_shows_its_late_cookie_banner(page: Page, sb: Sandbox) -> None:
    page.set_default_timeout(10_000)
    page.goto(sb.base_url(PORTAL))
    banner = page.get_by_role("dialog", name="Afdas respecte votre vie privée")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Tout refuser").click()
    expect(banner).to_have_count(0)


def test_afdas_wrong_password_shows_the_error_and_keeps_the_address(consented: Page,
                                                                    sb: Sandbox) -> None:
    page, account = consented, AFDAS_ESTABLISHMENTS["no_identifier"]
    try:
        log_in(page, sb, {**account, "password": "mauvais-mot-de-passe"})
        expect(page.get_by_role("alert")).to_have_text(INVALID)
        email = page.get_by_role("textbox", name="Adresse e-mail")
        expect(email).to_have_value(account["username"])
        guide = page.get_by_role("link", name="Guide utilisateurs portail prestataire")
        expect(guide).to_be_visible()
        expect(page.get_by_role("tab", name="Mon compte")).to_have_count(0)
    finally:
        sb.unlock(PORTAL, account["username"])


def test_afdas_locks_the_account_after_five_failures(consented: Page, sb: Sandbox) -> None:
    page, account = consented, AFDAS_ESTABLISHMENTS["no_identifier"]
    try:
        for _ in range(5):
            log_in(page, sb, {**account, "password": "mauvais-mot-de-passe"})
        expect(page.get_by_role("alert")).to_contain_text("Votre compte est bloqué")
        log_in(page, sb, account)  # even the right password
        expect(page.get_by_role("alert")).to_contain_text("Votre compte est bloqué")
    finally:
        sb.unlock(PORTAL, account["username"])


# ----- the head office generates ---------------------------------------------------------------


def generate_and_answer(page: Page, sb: Sandbox, confirm: bool) -> list[str]:
    """Press « Générer un identifiant API CFA » and answer the overwrite confirmation; returns
    the confirmation's text (classic: the browser's window.confirm)."""
    seen: list[str] = []
    button = page.get_by_role("button", name=GENERATE)
    if is_spa(sb):
        button.click()
        dialog = page.get_by_role("dialog", name=SPA_CONFIRM_TITLE)
        expect(dialog).to_be_visible()
        seen.append(dialog.inner_text())
        dialog.get_by_role("button", name="Confirmer" if confirm else "Annuler").click()
        expect(dialog).to_have_count(0)
        return seen

    def answer(d: Dialog) -> None:
        seen.append(d.message)
        if confirm:
            d.accept()
        else:
            d.dismiss()

    page.once("dialog", answer)
    button.click()
    return seen


def test_afdas_head_office_generates_and_regenerates_the_identifier(consented: Page,
                                                                     sb: Sandbox) -> None:
    page, user = consented, HEAD_OFFICE["username"]
    log_in(page, sb, HEAD_OFFICE)
    field = open_my_account(page, sb)
    button = page.get_by_role("button", name=GENERATE)
    expect(button).to_be_enabled()
    status = page.get_by_role("status").filter(has_text="Votre identifiant API CFA a été généré.")

    existing = sb.current_key(PORTAL, user)
    expect(field).to_have_value(existing or "")
    if existing is None:  # the first identifier: nothing to overwrite, nothing to confirm
        before = sb.generation_count(PORTAL, user)
        dialogs: list[str] = []

        def record(d: Dialog) -> None:
            dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", record)
        button.click()
        expect(status).to_be_visible()
        page.remove_listener("dialog", record)
        assert sb.generation_count(PORTAL, user) == before + 1
        first = sb.current_key(PORTAL, user)
        assert first
        expect(field).to_have_value(first)
        assert dialogs == []
        expect(page.get_by_role("dialog")).to_have_count(0)
        page.reload()
        field = open_my_account(page, sb)
        expect(field).to_have_value(first)

    # 3 again: it would overwrite the identifier, so the portal asks; « Annuler » keeps it.
    kept = sb.current_key(PORTAL, user)
    before = sb.generation_count(PORTAL, user)
    seen = generate_and_answer(page, sb, confirm=False)
    assert seen and "écrase le précédent" in seen[0]
    expect(button).to_be_enabled()
    expect(status).to_have_count(0)
    assert sb.generation_count(PORTAL, user) == before
    assert sb.current_key(PORTAL, user) == kept
    expect(field).to_have_value(kept or "")

    # Confirmed: a new identifier replaces the previous one (4: shown in the field).
    seen = generate_and_answer(page, sb, confirm=True)
    assert seen
    expect(status).to_be_visible()
    assert sb.generation_count(PORTAL, user) == before + 1
    new = sb.current_key(PORTAL, user)
    assert new and new != kept
    expect(field).to_have_value(new)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", new)


@pytest.fixture(params=["classic", "spa"])
def fresh_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox of its own, so the head office surely starts without an identifier."""
    sandbox = Sandbox(latency=FAST, accounts=[HEAD_OFFICE], rendering=request.param)
    with sandbox.serve_in_thread(host="127.0.0.1", port=0):
        yield sandbox


def test_afdas_first_identifier_needs_no_confirmation(page: Page,
                                                      fresh_sandbox: Sandbox) -> None:
    sb, user = fresh_sandbox, HEAD_OFFICE["username"]
    ready(page, sb)
    assert sb.current_key(PORTAL, user) is None
    log_in(page, sb, HEAD_OFFICE)
    field = open_my_account(page, sb)
    expect(field).to_have_value("")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.get_by_role("button", name=GENERATE).click()
    expect(page.get_by_role("status")).to_have_text("Votre identifiant API CFA a été généré.")
    assert sb.generation_count(PORTAL, user) == 1
    expect(field).to_have_value(sb.current_key(PORTAL, user) or "missing")
    assert dialogs == []
    expect(page.get_by_role("dialog")).to_have_count(0)


# ----- establishments ---------------------------------------------------------------------------


def test_afdas_establishment_sees_its_head_office_identifier(consented: Page,
                                                             sb: Sandbox) -> None:
    page, account = consented, AFDAS_ESTABLISHMENTS["same_siren"]
    shared = ensure_head_office_identifier(sb)
    assert sb.current_key(PORTAL, account["username"]) == shared
    log_in(page, sb, account)
    field = open_my_account(page, sb)
    expect(field).to_have_value(shared)
    expect(page.get_by_role("button", name=GENERATE)).to_have_count(0)
    expect(page.get_by_text("Seul le siège social de votre organisme peut générer")).to_be_visible()
    assert shared not in page.request.get(page.url).text()  # read after the page loaded


def test_afdas_establishment_without_identifier_sees_an_empty_field(consented: Page,
                                                                    sb: Sandbox) -> None:
    page, account = consented, AFDAS_ESTABLISHMENTS["no_identifier"]
    assert sb.current_key(PORTAL, account["username"]) is None
    log_in(page, sb, account)
    field = open_my_account(page, sb)
    expect(field).to_have_value("")
    expect(page.get_by_role("button", name=GENERATE)).to_have_count(0)
    expect(page.get_by_text("Seul le siège social de votre organisme peut générer")).to_be_visible()


def test_afdas_generate_api_refuses_an_establishment(consented: Page, sb: Sandbox) -> None:
    page, account = consented, AFDAS_ESTABLISHMENTS["same_siren"]
    ensure_head_office_identifier(sb)
    before_key = sb.current_key(PORTAL, account["username"])
    before = sb.generation_count(PORTAL, account["username"])
    log_in(page, sb, account)
    open_my_account(page, sb)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    answer = page.request.post(sb.page_url(PORTAL, "api_generate"), data="{}",
                               headers={"X-CSRF-Token": token,
                                        "Content-Type": "application/json",
                                        "Accept": "application/json"})
    assert answer.status == 403
    assert "siège social" in answer.json()["error"]
    assert sb.generation_count(PORTAL, account["username"]) == before
    assert sb.current_key(PORTAL, account["username"]) == before_key
    # Without the CSRF header the POST is refused before anything else.
    assert page.request.post(sb.page_url(PORTAL, "api_generate"), data="{}",
                             headers={"Content-Type": "application/json"}).status == 403


def test_afdas_inner_pages_need_a_session(consented: Page, sb: Sandbox) -> None:
    page = consented
    page.goto(sb.page_url(PORTAL, "compte"))
    expect(page).to_have_url(sb.base_url(PORTAL))
    answer = page.request.get(sb.page_url(PORTAL, "api_identifier"))
    assert answer.status == 401


# ----- the spa's markup ---------------------------------------------------------------------------


def test_spa_afdas_is_built_another_way(page: Page, spa_sandbox: Sandbox) -> None:
    sb = spa_sandbox
    ready(page, sb)
    page.goto(sb.base_url(PORTAL))
    # Login fields named by their placeholders only; the server's HTML has no form.
    email = page.get_by_placeholder("Adresse e-mail")
    expect(email).to_be_visible()
    assert has_no_label(email) and has_no_label(page.get_by_placeholder("Mot de passe", exact=True))
    assert "<form" not in page.request.get(page.url).text()
    submit = page.get_by_role("button", name="Se connecter")
    expect(submit).to_have_css("text-transform", "uppercase")
    assert submit.inner_text().strip() == "SE CONNECTER"
    # The guide is a link styled as a button.
    expect(page.get_by_role("link", name="Guide utilisateurs portail prestataire")).to_have_class(
        re.compile(r"\bv-btn\b"))
    log_in(page, sb, HEAD_OFFICE)

    # The avatar's menu exists only once opened.
    expect(page.get_by_role("menuitem")).to_have_count(0)
    page.get_by_role("button", name="Mon profil").click()
    expect(page.get_by_role("menuitem")).to_have_text(["Mon compte", "Se déconnecter"])
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)

    field = open_my_account(page, sb)
    heading = page.get_by_role("heading", name=SECTION)
    expect(heading).to_have_css("text-transform", "uppercase")
    assert (heading.text_content() or "").strip() == SECTION
    assert not heading.evaluate("(h, f) => h.parentElement.contains(f)", field.element_handle())
    assert field.evaluate("el => el.labels.length === 0 && el.hasAttribute('aria-labelledby')")
    region = page.get_by_role("region", name=SECTION)
    expect(region.get_by_role("textbox", name="Identifiant API CFA")).to_have_count(1)

    # Leaving through the avatar menu.
    page.get_by_role("button", name="Mon profil").click()
    page.get_by_role("menuitem", name="Se déconnecter").click()
    expect(page.get_by_placeholder("Adresse e-mail")).to_be_visible()
