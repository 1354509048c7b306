"""Cardif's extranet FINAGORA in both renderings, walked as seed 004 tells it: « Identifiant »,
« Mot de passe », « Se connecter », the tab « Suivi d'activité », « Autoriser un agrégateur »,
the « Liste des abonnements aux agrégateurs » where one subscribes to O2S and reads its TOKEN and
validity; then, in « Extraction progestor », « Lancer l'extraction V2 », the pending extraction,
« Télécharger le fichier », and the Progestor file read back with csv / openpyxl."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.exceptions import InvalidFileException
from playwright.sync_api import Locator, Page, expect

from sandbox import EXTRA_DEMO_ACCOUNTS, Sandbox
from sandbox.clock import frdate
from tests import spa_helpers
from tests.spa_helpers import ready

# Fixtures: Chromium's launch (the sandboxes of this module are its own).
pytest_plugins = ["tests.sandbox_fixtures"]

PORTAL = "cardif"
FAST = (0.0, 0.02)
DEMO = next(a for a in EXTRA_DEMO_ACCOUNTS if a["portal"] == PORTAL)
AGGREGATORS = ["Patrimonia Data", "O2 Patrimoine", "O2S", "Wealthview", "AgrégaFlux"]
INVALID = "Identifiant ou mot de passe incorrect."
LIST_TITLE = "Liste des abonnements aux agrégateurs"
CONFIRM_TITLE = "Autoriser la mise à disposition de vos données"
TOKEN_FORMAT = re.compile(r"^[A-Za-z0-9_-]{64}$")
HEADERS = ["Code apporteur", "Nom apporteur", "N° de contrat", "Souscripteur", "Produit",
           "Date d'effet", "Montant de l'encours"]
CODES = ["123789", "99999", "100000", "123456", "", "123789", "100000"]
is_spa = partial(spa_helpers.is_spa, portal=PORTAL)
field = partial(spa_helpers.field, portal=PORTAL)


def account(username: str, **extra: Any) -> dict[str, Any]:
    return {"portal": PORTAL, "name": username.lower(), "username": username,
            "password": f"mdp-{username.lower()}", "siret": None,
            "organisation": f"Cabinet {username}", **extra}


SUBSCRIBED = account("CGP200002")  # already subscribed to O2S (preset)
FILES = account("CGP200001")  # the file formats
BAD_FILES = account("CGP200005")
NO_PROGESTOR = account("CGP200004")  # not subscribed to the Progestor file
RENEW = account("CGP200006")
WRONG = account("CGP200007")  # subscribes to the wrong aggregator
API = account("CGP200008")
ACCOUNTS = [*EXTRA_DEMO_ACCOUNTS, SUBSCRIBED, FILES, BAD_FILES, NO_PROGESTOR, RENEW, WRONG, API]


@pytest.fixture(scope="module", params=["classic", "spa"])
def sb(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    sandbox = Sandbox(latency=FAST, accounts=ACCOUNTS, rendering=request.param)
    sandbox.set_subscribed(SUBSCRIBED["username"], "O2S")
    sandbox.set_progestor(NO_PROGESTOR["username"], subscribed=False)
    sandbox.set_extraction_delay(0.8)
    with sandbox.serve_in_thread(host="127.0.0.1", port=0):
        yield sandbox


def action(scope: Page | Locator, sb: Sandbox, name: str, spa_role: str,
           classic_role: str) -> Locator:
    """An action whose role differs: a link styled as a button in one rendering."""
    return scope.get_by_role(spa_role if is_spa(sb) else classic_role,  # type: ignore[arg-type]
                             name=name, exact=True)


def log_in(page: Page, sb: Sandbox, spec: dict[str, Any], password: str | None = None) -> None:
    page.goto(sb.base_url(PORTAL))
    field(page, sb, "Identifiant").fill(spec["username"])
    field(page, sb, "Mot de passe").fill(password or spec["password"])
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def open_suivi(page: Page) -> None:
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Suivi d'activité").click()
    expect(page.get_by_role("heading", name="Suivi d'activité", level=1)).to_be_visible()


def open_aggregators(page: Page) -> None:
    open_suivi(page)
    page.get_by_role("link", name="Autoriser un agrégateur").click()
    expect(page.get_by_role("heading", name="Autoriser un agrégateur", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=LIST_TITLE)).to_be_visible()


def aggregator(page: Page, sb: Sandbox, name: str) -> Locator:
    """The row (classic) or the option card (spa) of one aggregator."""
    if is_spa(sb):
        group = page.get_by_role("radiogroup", name="Agrégateur partenaire")
        return group.locator(":scope > div").filter(
            has=page.get_by_role("radio", name=name, exact=True))
    return page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=name, exact=True))


def token_of(page: Page, sb: Sandbox, name: str) -> Locator:
    if is_spa(sb):
        return aggregator(page, sb, name).get_by_role("definition").first
    return aggregator(page, sb, name).get_by_role("textbox", name=f"Token {name}")


def validity_of(page: Page, sb: Sandbox, name: str) -> Locator:
    if is_spa(sb):
        return aggregator(page, sb, name).get_by_role("definition").nth(1)
    return aggregator(page, sb, name).get_by_role("cell").nth(2)  # after the rowheader


def read_token(page: Page, sb: Sandbox, name: str) -> str:
    box = token_of(page, sb, name)
    expect(box).to_be_visible()
    return box.inner_text().strip() if is_spa(sb) else box.input_value()


def ask_subscription(page: Page, sb: Sandbox, name: str) -> Locator:
    """« S'abonner » for one aggregator; returns the confirmation dialog."""
    if is_spa(sb):
        page.get_by_role("radio", name=name, exact=True).check()
        page.get_by_role("button", name="S'abonner").click()
    else:
        aggregator(page, sb, name).get_by_role("button", name="S'abonner").click()
    dialog = page.get_by_role("dialog", name=CONFIRM_TITLE)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"l'agrégateur {name},")
    return dialog


def subscribe(page: Page, sb: Sandbox, name: str) -> None:
    ask_subscription(page, sb, name).get_by_role("button", name="Confirmer l'abonnement").click()
    expect(page.get_by_role("status").filter(
        has_text=f"Votre abonnement à l'agrégateur {name} est enregistré.")).to_be_visible()


def launch_v2(page: Page, sb: Sandbox) -> None:
    action(page, sb, "Lancer l'extraction V2", "link", "button").click()
    expect(page.get_by_role("status").filter(
        has_text="Votre demande d'extraction a été prise en compte.")).to_be_visible()


def newest_extraction(page: Page, sb: Sandbox) -> Locator:
    """Newest first; older extractions keep their own « Télécharger le fichier »."""
    if is_spa(sb):
        return page.get_by_role("list", name="Vos extractions").get_by_role("listitem").first
    return page.get_by_role("table", name="Vos extractions").get_by_role("row").nth(1)


def download_latest(page: Page, sb: Sandbox, tmp_path: Path) -> Path:
    """Waits for the newest extraction to be ready (the page polls or reloads itself)."""
    latest = newest_extraction(page, sb).get_by_role(
        "button" if is_spa(sb) else "link", name="Télécharger le fichier", exact=True)
    expect(latest).to_be_visible(timeout=15_000)
    with page.expect_download() as info:
        latest.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target


def read_table(path: Path, file_format: str) -> list[list[str]]:
    if file_format == "xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        rows = [["" if v is None else str(v) for v in row]
                for row in workbook.active.iter_rows(values_only=True)]
        workbook.close()
        return rows
    data = path.read_bytes()
    if file_format == "csv-latin1":
        return list(csv.reader(io.StringIO(data.decode("latin-1")), delimiter=";"))
    assert data.startswith(b"\xef\xbb\xbf")  # Excel's « CSV UTF-8 » carries a byte-order mark
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=","))


def codes_of(rows: list[list[str]], header: str = "Code apporteur") -> list[str]:
    column = rows[0].index(header)
    return [row[column] for row in rows[1:] if row[column].strip()]


# ----- the whole journey --------------------------------------------------------------------


def test_cardif_subscribe_to_o2s_then_extract_and_download_progestor(
        page: Page, sb: Sandbox, tmp_path: Path) -> None:
    page = ready(page, sb)
    user = DEMO["username"]
    spa = is_spa(sb)
    sb.set_extraction_delay(2.0)  # the default
    try:
        # Step 1: the extranet's login page.
        page.goto(sb.base_url(PORTAL))
        if spa:
            for name in ("Identifiant", "Mot de passe"):
                assert field(page, sb, name).evaluate(
                    "el => el.labels.length === 0 && !el.hasAttribute('aria-label')")
            assert "Se connecter" not in page.request.get(page.url).text()  # built in the browser
        log_in(page, sb, DEMO)
        expect(page.get_by_text("Bienvenue sur FINAGORA")).to_be_visible()

        # Step 2: « Suivi d'activité » > « Autoriser un agrégateur » > the list.
        open_aggregators(page)
        for name in AGGREGATORS:
            expect(aggregator(page, sb, name)).to_contain_text("Non abonné")
        if spa:
            expect(page.get_by_role("radio")).to_have_count(len(AGGREGATORS))
            expect(page.get_by_role("button", name="S'abonner")).to_be_disabled()
            heading = page.get_by_role("heading", name=LIST_TITLE)
            assert not heading.evaluate("(h, g) => h.parentElement.contains(g)",
                                        page.get_by_role("radiogroup").element_handle())
        else:
            expect(page.get_by_role("button", name="S'abonner")).to_have_count(len(AGGREGATORS))

        # A confirmation first; « Annuler » subscribes to nothing.
        dialog = ask_subscription(page, sb, "O2S")
        dialog.get_by_role("button", name="Annuler").click()
        expect(dialog).to_be_hidden()
        assert sb.subscriptions(user) == []
        subscribe(page, sb, "O2S")

        # The TOKEN and its validity, in O2S's row.
        token = read_token(page, sb, "O2S")
        assert TOKEN_FORMAT.match(token)
        assert token == sb.current_key(PORTAL, user) == sb.cardif_token(user)
        expires = sb.key_expires_at(PORTAL, user)
        assert expires is not None
        expect(validity_of(page, sb, "O2S")).to_have_text(frdate(expires))
        expect(aggregator(page, sb, "O2S")).to_contain_text("Abonné")
        assert sb.subscriptions(user) == ["O2S"]
        assert sb.generation_count(PORTAL, user) == 1
        assert token not in page.request.get(page.url).text() or not spa  # spa: loaded by JSON

        # Back later: the same TOKEN, no way to subscribe again.
        page.reload()
        expect(token_of(page, sb, "O2S")).to_be_visible()
        assert read_token(page, sb, "O2S") == token
        if spa:
            page.get_by_role("radio", name="O2S", exact=True).check()
            expect(page.get_by_role("button", name="S'abonner")).to_be_disabled()
            expect(page.get_by_text("Vous êtes déjà abonné à l'agrégateur O2S.")).to_be_visible()
        else:
            expect(aggregator(page, sb, "O2S").get_by_role("button", name="S'abonner")) \
                .to_have_count(0)

        # Step 3: « Extraction progestor »: the old « Lancer l'extraction » is gone.
        open_suivi(page)
        expect(page.get_by_role("heading", name="Extraction progestor")).to_be_visible()
        action(page, sb, "Lancer l'extraction", "link", "button").click()
        expect(page.get_by_role("alert")).to_contain_text("L'extraction V1 n'est plus disponible")
        assert sb.extraction_count(user) == 0

        launch_v2(page, sb)
        expect(newest_extraction(page, sb)).to_contain_text("En cours de traitement")
        if not spa:
            expect(page.get_by_text("Cette page s'actualise automatiquement.")).to_be_visible()
        assert sb.extraction_count(user) == 1
        path = download_latest(page, sb, tmp_path)
        assert re.fullmatch(rf"Progestor_V2_{user}_\d{{8}}_\d{{6}}\.csv", path.name)
        expect(newest_extraction(page, sb)).to_contain_text("Terminée")
        rows = read_table(path, "csv-latin1")
        assert rows[0] == HEADERS
        codes = codes_of(rows)
        assert codes == [c for c in sb.progestor_codes(user) if c]
        assert min(codes, key=int) == "99999"
        assert sb.download_count(user) == 1
    finally:
        sb.set_extraction_delay(0.8)


def test_cardif_already_subscribed_shows_the_token_and_never_subscribes_again(
        page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    user = SUBSCRIBED["username"]
    token = sb.current_key(PORTAL, user)
    assert token is not None
    log_in(page, sb, SUBSCRIBED)
    open_aggregators(page)
    expect(aggregator(page, sb, "O2S")).to_contain_text("Abonné")
    assert read_token(page, sb, "O2S") == token
    expires = sb.key_expires_at(PORTAL, user)
    assert expires is not None
    expect(validity_of(page, sb, "O2S")).to_have_text(frdate(expires))
    if is_spa(sb):
        page.get_by_role("radio", name="O2S", exact=True).check()
        expect(page.get_by_role("button", name="S'abonner")).to_be_disabled()
    else:
        expect(aggregator(page, sb, "O2S").get_by_role("button", name="S'abonner")) \
            .to_have_count(0)
        expect(page.get_by_role("button", name="S'abonner")).to_have_count(len(AGGREGATORS) - 1)
    assert sb.subscriptions(user) == ["O2S"]
    assert sb.generation_count(PORTAL, user) == 0


def test_cardif_a_wrong_subscription_is_recorded(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    user = WRONG["username"]
    log_in(page, sb, WRONG)
    open_aggregators(page)
    subscribe(page, sb, "O2 Patrimoine")  # the near-name of O2S
    expect(aggregator(page, sb, "O2 Patrimoine")).to_contain_text("Abonné")
    expect(aggregator(page, sb, "O2S")).to_contain_text("Non abonné")
    assert sb.subscriptions(user) == ["O2 Patrimoine"]
    assert sb.current_key(PORTAL, user) is None
    assert sb.cardif_token(user, "O2 Patrimoine") == read_token(page, sb, "O2 Patrimoine")


def test_cardif_renewing_replaces_the_token(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    user = RENEW["username"]
    log_in(page, sb, RENEW)
    open_aggregators(page)
    subscribe(page, sb, "O2S")
    first = read_token(page, sb, "O2S")
    action(aggregator(page, sb, "O2S"), sb, "Renouveler le token", "link", "button").click()
    expect(page.get_by_role("status").filter(
        has_text="Le token de l'agrégateur O2S a été renouvelé.")).to_be_visible()
    if is_spa(sb):
        expect(token_of(page, sb, "O2S")).not_to_have_text(first)
    else:
        expect(token_of(page, sb, "O2S")).not_to_have_value(first)
    second = read_token(page, sb, "O2S")
    assert second == sb.current_key(PORTAL, user) != first
    assert sb.generation_count(PORTAL, user) == 2
    assert sb.subscriptions(user) == ["O2S"]


# ----- the Progestor file -------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv-latin1", "csv-utf8", "xlsx"])
def test_cardif_progestor_file_formats(page: Page, sb: Sandbox, tmp_path: Path,
                                       file_format: str) -> None:
    page = ready(page, sb)
    user = FILES["username"]
    sb.set_progestor(user, format=file_format, codes=CODES, header="Code apporteur",
                     broken=False)
    log_in(page, sb, FILES)
    open_suivi(page)
    launch_v2(page, sb)
    path = download_latest(page, sb, tmp_path)
    assert path.suffix == (".xlsx" if file_format == "xlsx" else ".csv")
    rows = read_table(path, file_format)
    assert rows[0] == HEADERS
    assert codes_of(rows) == [c for c in CODES if c]
    assert min(codes_of(rows), key=int) == "99999"
    assert rows[-1][1] == "Total" and rows[-1][0] == ""  # a last row with no code
    assert any(row[0] == "" and row[1] != "Total" for row in rows[1:])  # a blank cell
    if file_format == "csv-latin1":
        assert "Françoise".encode("latin-1") in path.read_bytes()


@pytest.mark.parametrize("kind", ["no_codes", "unknown_header", "broken_xlsx", "broken_csv"])
def test_cardif_bad_progestor_files(page: Page, sb: Sandbox, tmp_path: Path, kind: str) -> None:
    page = ready(page, sb)
    user = BAD_FILES["username"]
    settings: dict[str, Any] = {"format": "csv-latin1", "codes": CODES,
                                "header": "Code apporteur", "broken": False}
    if kind == "no_codes":
        settings["codes"] = []
    elif kind == "unknown_header":
        settings.update(format="csv-utf8", header="Code intermédiaire")
    elif kind == "broken_xlsx":
        settings.update(format="xlsx", broken=True)
    else:
        settings["broken"] = True
    sb.set_progestor(user, **settings)
    log_in(page, sb, BAD_FILES)
    open_suivi(page)
    launch_v2(page, sb)
    path = download_latest(page, sb, tmp_path)
    if kind == "no_codes":
        rows = read_table(path, "csv-latin1")
        assert rows[0] == HEADERS and codes_of(rows) == []
    elif kind == "unknown_header":
        rows = read_table(path, "csv-utf8")
        assert "Code apporteur" not in rows[0] and rows[0][0] == "Code intermédiaire"
    elif kind == "broken_xlsx":
        assert path.suffix == ".xlsx"
        with pytest.raises((zipfile.BadZipFile, InvalidFileException, OSError)):
            openpyxl.load_workbook(path)
    else:
        assert path.suffix == ".csv"
        data = path.read_bytes()
        # Not text at all: NUL bytes, and none of the headers (what a CSV reader is given
        # then depends on the garbage, so the test asserts what makes it unreadable).
        assert b"\x00" in data and b"Code apporteur" not in data


def test_cardif_not_subscribed_to_progestor(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    log_in(page, sb, NO_PROGESTOR)
    open_suivi(page)
    expect(page.get_by_text("Vous n'êtes pas abonné au fichier Progestor.")).to_be_visible()
    expect(page.get_by_text("Lancer l'extraction V2")).to_have_count(0)


def test_cardif_file_and_subscription_need_a_session_and_are_not_repeated(
        page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    user = API["username"]
    page.goto(sb.base_url(PORTAL))
    assert page.request.get(sb.page_url(PORTAL, "api_agregateurs")).status == 401
    log_in(page, sb, API)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    url = sb.page_url(PORTAL, "api_subscribe")
    assert page.request.post(url, data={"agregateur": "O2S"}).status == 403  # no CSRF header
    headers = {"X-CSRF-Token": token}
    assert page.request.post(url, data={"agregateur": "O2S"}, headers=headers).status == 200
    again = page.request.post(url, data={"agregateur": "O2S"}, headers=headers)
    assert again.status == 409
    assert again.json()["error"] == "Vous êtes déjà abonné à l'agrégateur O2S."
    assert page.request.post(url, data={"agregateur": "Inconnu"}, headers=headers).status == 404
    assert sb.subscriptions(user) == ["O2S"]
    assert sb.generation_count(PORTAL, user) == 1
    # A pending extraction's file is not there yet.
    sb.set_extraction_delay(30)
    try:
        extract = page.request.post(sb.page_url(PORTAL, "api_extract"), data={"version": "v2"},
                                    headers=headers)
        assert extract.status == 200
        pending = extract.json()["extractions"][0]
        assert not pending["pret"] and pending["statut"] == "En cours de traitement"
        assert page.request.get(sb.root_url.rstrip("/") + pending["fichier"]).status == 409
    finally:
        sb.set_extraction_delay(0.8)


def test_cardif_refused_login_keeps_the_identifiant(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    try:
        log_in(page, sb, DEMO, password="mauvais-mot-de-passe")
        expect(page.get_by_role("alert")).to_have_text(INVALID)
        expect(field(page, sb, "Identifiant")).to_have_value(DEMO["username"])
        expect(page).to_have_url(sb.base_url(PORTAL))
        page.goto(sb.page_url(PORTAL, "agregateurs"))
        expect(page).to_have_url(sb.base_url(PORTAL))
    finally:
        sb.unlock(PORTAL, DEMO["username"])


def test_cardif_down_answers_503(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    sb.set_down(PORTAL)
    try:
        response = page.goto(sb.base_url(PORTAL))
        assert response is not None and response.status == 503
        expect(page.get_by_role("heading", name="Site en maintenance")).to_be_visible()
    finally:
        sb.set_down(PORTAL, False)


def test_cardif_default_sandbox_knows_the_demo_accounts() -> None:
    sb = Sandbox()
    assert {a.portal for a in sb.accounts} >= {"cardif", "o2s"}
    assert sb.subscriptions(DEMO["username"]) == []
    assert sb.current_key(PORTAL, DEMO["username"]) is None
    with pytest.raises(ValueError):
        sb.set_progestor(DEMO["username"], format="ods")
    with pytest.raises(ValueError):
        sb.set_subscribed(DEMO["username"], "Inconnu")
