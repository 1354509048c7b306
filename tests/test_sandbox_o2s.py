"""O2S (Harvest) in both renderings, seed 004's step 4: « Adresse e-mail », « Mot de passe »,
« Connexion », the module « Demande d'agrégation », « Code Apporteur » and « TOKEN », « Envoyer la
demande »; the requests listed, each deleted with « Supprimer » after a confirmation dialog."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from sandbox import EXTRA_DEMO_ACCOUNTS, Sandbox
from tests import spa_helpers
from tests.spa_helpers import ready

# Fixtures: Chromium's launch (the sandboxes of this module are its own).
pytest_plugins = ["tests.sandbox_fixtures"]

PORTAL = "o2s"
DEMO = next(a for a in EXTRA_DEMO_ACCOUNTS if a["portal"] == PORTAL)
MODULE = "Demande d'agrégation"
DELETE_TITLE = "Supprimer la demande d'agrégation"
INVALID = "Adresse e-mail ou mot de passe invalide."
TOKEN = "tQ1x_9kVb2mN7pL4sR8wZ3yC6dF0gH5jK2lM9nB4vX7zA1qW3eR6tY8uI0oP2aS5"
is_spa = partial(spa_helpers.is_spa, portal=PORTAL)
field = partial(spa_helpers.field, portal=PORTAL)


def account(username: str) -> dict[str, Any]:
    return {"portal": PORTAL, "name": username, "username": username,
            "password": "mdp-" + username.split("@")[0], "siret": None,
            "organisation": "Cabinet de test"}


PRESET = account("preset@cgp-test.fr")  # has a request already
FRESH = account("nouveau@cgp-test.fr")


@pytest.fixture(scope="module", params=["classic", "spa"])
def sb(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    sandbox = Sandbox(latency=(0.0, 0.02), accounts=[*EXTRA_DEMO_ACCOUNTS, PRESET, FRESH],
                      rendering=request.param)
    sandbox.preset_o2s_request(PRESET["username"], "123456", "ancien-token-cardif")
    with sandbox.serve_in_thread(host="127.0.0.1", port=0):
        yield sandbox


def log_in(page: Page, sb: Sandbox, spec: dict[str, Any], password: str | None = None) -> None:
    page.goto(sb.base_url(PORTAL))
    field(page, sb, "Adresse e-mail").fill(spec["username"])
    field(page, sb, "Mot de passe").fill(password or spec["password"])
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()


def open_module(page: Page, sb: Sandbox) -> None:
    """The module from the side menu (classic) or the « Modules » menu built on open (spa)."""
    if is_spa(sb):
        expect(page.get_by_role("menuitem")).to_have_count(0)
        page.get_by_role("button", name="Modules").click()
        page.get_by_role("menuitem", name=MODULE).click()
    else:
        page.get_by_role("navigation", name="Modules").get_by_role("link", name=MODULE).click()
    expect(page.get_by_role("heading", name=MODULE, level=1)).to_be_visible()


def request_item(page: Page, sb: Sandbox, code: str) -> Locator:
    if is_spa(sb):
        return page.get_by_role("article").filter(
            has=page.get_by_role("heading", name=f"Code Apporteur {code}"))
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=code, exact=True))


def send(page: Page, sb: Sandbox, code: str, token: str) -> None:
    field(page, sb, "Code Apporteur").fill(code)
    field(page, sb, "TOKEN").fill(token)
    page.get_by_role("button", name="Envoyer la demande").click()


def delete_button(page: Page, sb: Sandbox, code: str) -> Locator:
    return request_item(page, sb, code).get_by_role(
        "link" if is_spa(sb) else "button", name="Supprimer", exact=True)


def test_o2s_create_list_and_delete_a_request(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    user = DEMO["username"]
    page.goto(sb.base_url(PORTAL))
    if is_spa(sb):
        for name in ("Adresse e-mail", "Mot de passe"):
            assert field(page, sb, name).evaluate(
                "el => el.labels.length === 0 && !el.hasAttribute('aria-label')")
    log_in(page, sb, DEMO)
    expect(page.get_by_text("bienvenue dans O2S")).to_be_visible()
    open_module(page, sb)
    expect(page.get_by_text("Aucune demande d'agrégation.")).to_be_visible()
    if is_spa(sb):
        for name in ("Code Apporteur", "TOKEN"):
            assert field(page, sb, name).evaluate("el => el.labels.length === 0")

    # Both fields are required; the Code Apporteur is digits.
    if is_spa(sb):  # the classic form's `required` stops the browser before the server
        send(page, sb, "", TOKEN)
        expect(page.get_by_role("alert")).to_have_text(
            "Le Code Apporteur et le TOKEN sont obligatoires.")
    send(page, sb, "99 999x", TOKEN)
    expect(page.get_by_role("alert")).to_have_text(
        "Le Code Apporteur ne doit contenir que des chiffres.")
    assert sb.o2s_requests(user) == []

    send(page, sb, "99999", TOKEN)
    expect(page.get_by_role("status").filter(
        has_text="Votre demande d'agrégation a été enregistrée (Code Apporteur 99999).")
    ).to_be_visible()
    assert sb.o2s_requests(user) == [{"code_apporteur": "99999", "token": TOKEN}]
    item = request_item(page, sb, "99999")
    expect(item).to_contain_text("En attente de traitement")
    expect(item).to_contain_text(TOKEN[-4:])
    expect(item).not_to_contain_text(TOKEN)  # masked

    # The same code twice is refused: delete first.
    send(page, sb, "99999", "un-autre-token")
    expect(page.get_by_role("alert")).to_contain_text(
        "Une demande d'agrégation existe déjà pour le Code Apporteur 99999.")
    assert len(sb.o2s_requests(user)) == 1

    # « Supprimer » asks first; « Annuler » keeps the request.
    delete_button(page, sb, "99999").click()
    dialog = page.get_by_role("dialog", name=DELETE_TITLE)
    expect(dialog).to_contain_text("Code Apporteur 99999")
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    assert len(sb.o2s_requests(user)) == 1
    delete_button(page, sb, "99999").click()
    page.get_by_role("dialog", name=DELETE_TITLE).get_by_role(
        "button", name="Confirmer la suppression").click()
    expect(page.get_by_role("status").filter(
        has_text="La demande d'agrégation du Code Apporteur 99999 a été supprimée.")
    ).to_be_visible()
    expect(page.get_by_text("Aucune demande d'agrégation.")).to_be_visible()
    assert sb.o2s_requests(user) == []
    assert sb.o2s_deletions(user) == [{"code_apporteur": "99999", "token": TOKEN}]


def test_o2s_preset_request_is_listed_and_replaced_by_a_new_code(
        page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    user = PRESET["username"]
    log_in(page, sb, PRESET)
    open_module(page, sb)
    expect(request_item(page, sb, "123456")).to_be_visible()
    # « En cas de changement de Code Apporteur »: delete the old code, then ask with the new one.
    delete_button(page, sb, "123456").click()
    page.get_by_role("dialog", name=DELETE_TITLE).get_by_role(
        "button", name="Confirmer la suppression").click()
    expect(request_item(page, sb, "123456")).to_have_count(0)
    send(page, sb, "99999", TOKEN)
    expect(request_item(page, sb, "99999")).to_be_visible()
    assert sb.o2s_deletions(user) == [{"code_apporteur": "123456",
                                       "token": "ancien-token-cardif"}]
    assert sb.o2s_requests(user) == [{"code_apporteur": "99999", "token": TOKEN}]


def test_o2s_requests_need_a_session_and_the_csrf_header(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    user = FRESH["username"]
    page.goto(sb.base_url(PORTAL))
    api = sb.page_url(PORTAL, "api_create")
    assert page.request.get(sb.page_url(PORTAL, "api_requests")).status == 401
    log_in(page, sb, FRESH)
    body = {"codeApporteur": "100000", "token": TOKEN}
    assert page.request.post(api, data=body).status == 403
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    created = page.request.post(api, data=body, headers={"X-CSRF-Token": token})
    assert created.status == 200
    assert sb.o2s_requests(user) == [{"code_apporteur": "100000", "token": TOKEN}]


def test_o2s_refused_login(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    try:
        log_in(page, sb, DEMO, password="mauvais")
        expect(page.get_by_role("alert")).to_have_text(INVALID)
        expect(field(page, sb, "Adresse e-mail")).to_have_value(DEMO["username"])
        page.goto(sb.page_url(PORTAL, "agregation"))
        expect(page).to_have_url(sb.base_url(PORTAL))
    finally:
        sb.unlock(PORTAL, DEMO["username"])


def test_o2s_down(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    sb.set_down(PORTAL)
    try:
        response = page.goto(sb.base_url(PORTAL))
        assert response is not None and response.status == 503
        expect(page.get_by_role("heading", name="Site en maintenance")).to_be_visible()
    finally:
        sb.set_down(PORTAL, False)
    response = page.goto(sb.base_url(PORTAL))
    assert response is not None and response.status == 200
