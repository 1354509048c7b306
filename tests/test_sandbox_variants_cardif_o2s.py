"""The "variants" rendering of Cardif's FINAGORA and of O2S (seed 004), driven as a person reading
the seed would: by roles, labels and texts, checked against the sandbox's shared state."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sandbox import Sandbox, clock
from tests.spa_helpers import open_menu

pytest_plugins = ["tests.sandbox_fixtures"]

FAST = (0.0, 0.02)
PASSWORD = "mot-de-passe-variants"


def _cardif(username: str) -> dict[str, Any]:
    return {"portal": "cardif", "name": f"variants-{username.lower()}", "username": username,
            "password": PASSWORD, "siret": None, "organisation": "Cabinet Variants Test"}


def _o2s(username: str) -> dict[str, Any]:
    return {"portal": "o2s", "name": f"variants-{username}", "username": username,
            "password": PASSWORD, "siret": None, "organisation": "Cabinet Variants Test"}


# One account per test, so the tests never depend on the order they run in.
CARDIF_SUBSCRIBE = "CGP900001"
CARDIF_EXPIRED = "CGP900002"
CARDIF_PROGESTOR = "CGP900003"
CARDIF_NO_PROGESTOR = "CGP900004"
CARDIF_BANNER = "CGP900005"
CARDIF_HOLD = "CGP900006"
O2S_REQUESTS = "demandes@cabinet-variants.fr"
O2S_CHAIN = "chaine@cabinet-variants.fr"
ACCOUNTS = [*(_cardif(u) for u in (CARDIF_SUBSCRIBE, CARDIF_EXPIRED, CARDIF_PROGESTOR,
                                   CARDIF_NO_PROGESTOR, CARDIF_BANNER, CARDIF_HOLD)),
            *(_o2s(u) for u in (O2S_REQUESTS, O2S_CHAIN))]


@pytest.fixture(scope="module")
def variants() -> Iterator[Sandbox]:
    sb = Sandbox(latency=FAST, accounts=ACCOUNTS,
                 rendering={"cardif": "variants", "o2s": "variants"})
    with sb.serve_in_thread(host="127.0.0.1", port=0):
        yield sb


@pytest.fixture
def consented(page: Page, variants: Sandbox) -> Page:
    page.context.add_cookies(variants.consent_cookies())
    page.set_default_timeout(8000)
    return page


# ----- Cardif --------------------------------------------------------------------------------


def cardif_login(page: Page, sb: Sandbox, username: str, password: str = PASSWORD) -> None:
    page.goto(sb.base_url("cardif"))
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    with page.expect_navigation():  # the next page, its scripts run
        page.get_by_role("button", name="Se connecter").click()


def open_suivi_item(page: Page, item: str) -> None:
    """« Suivi d'activité » is a menu; its items open pages of their own."""
    open_menu(page.get_by_role("button", name="Suivi d'activité"))
    page.get_by_role("menuitem", name=item).click()


def test_cardif_cookie_banner_comes_late_and_is_remembered(page: Page, variants: Sandbox) -> None:
    page.goto(variants.base_url("cardif"))
    banner = page.get_by_role("dialog", name="Vos préférences en matière de cookies")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Accepter les cookies").click()
    expect(banner).to_be_hidden()
    cookie = next(c for c in page.context.cookies() if c["name"] == "cardif_consentement_cookies")
    assert cookie["value"] == "accepted" and cookie["path"] == "/cardif/"
    cardif_login(page, variants, CARDIF_BANNER)
    expect(page.get_by_text("Bonjour")).to_be_visible()
    expect(page.get_by_role("dialog", name=re.compile("cookies"))).to_have_count(0)


def test_cardif_wrong_password_then_right(consented: Page, variants: Sandbox) -> None:
    page = consented
    cardif_login(page, variants, CARDIF_BANNER, "pas-le-bon")
    expect(page.get_by_role("alert")).to_have_text("Identifiant ou mot de passe incorrect.")
    expect(page.get_by_label("Identifiant")).to_have_value(CARDIF_BANNER)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Suivi d'activité")).to_be_visible()
    # The newsletter's « S'abonner » is not the aggregator's: it only answers in words.
    page.get_by_role("button", name="S'abonner à la lettre d'information").click()
    expect(page.get_by_text("lettre d'information a bien été prise en compte")).to_be_visible()
    assert variants.subscriptions(CARDIF_BANNER) == []


def test_cardif_subscribe_to_o2s_and_read_its_token(consented: Page, variants: Sandbox) -> None:
    page, user = consented, CARDIF_SUBSCRIBE
    cardif_login(page, variants, user)
    open_suivi_item(page, "Autoriser un agrégateur")
    expect(page.get_by_role("heading", name="Autoriser un agrégateur")).to_be_visible()

    page.get_by_role("button", name="S'abonner", exact=True).click()  # nothing chosen yet
    expect(page.get_by_text("Veuillez sélectionner un agrégateur")).to_be_visible()

    page.get_by_label("Agrégateur partenaire").select_option(label="O2S")
    page.get_by_role("button", name="S'abonner", exact=True).click()
    dialog = page.get_by_role("dialog", name="Autoriser la mise à disposition de vos données")
    expect(dialog).to_contain_text("l'agrégateur O2S")
    assert variants.subscriptions(user) == []  # not before the confirmation
    dialog.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("status").first).to_contain_text(
        "Votre abonnement à l'agrégateur O2S est enregistré")
    expect(page.get_by_role("tab", name="Liste des abonnements aux agrégateurs")).to_have_attribute(
        "aria-selected", "true")
    key = variants.current_key("cardif", user)
    assert key and variants.subscriptions(user) == ["O2S"]
    assert variants.generation_count("cardif", user) == 1

    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="O2S", exact=True))
    expect(row).to_contain_text("Abonné")
    assert key not in page.content()  # masked until asked for
    row.get_by_role("button", name="Afficher le TOKEN").click()
    expect(row.locator("code")).to_have_text(key)
    row.get_by_role("button", name="Masquer le TOKEN").click()
    expect(row.locator("code")).not_to_have_text(key)

    # Subscribing again answers in words and changes nothing.
    page.get_by_role("tab", name="Nouvel abonnement").click()
    page.get_by_label("Agrégateur partenaire").select_option(label="O2S")
    page.get_by_role("button", name="S'abonner", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("alert").first).to_have_text(
        "Vous êtes déjà abonné à l'agrégateur O2S.")
    assert variants.generation_count("cardif", user) == 1
    assert variants.current_key("cardif", user) == key

    # Reload: the list is built again after load, the TOKEN still masked.
    page.reload()
    page.get_by_role("tab", name="Liste des abonnements aux agrégateurs").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="O2S", exact=True))
    row.get_by_role("button", name="Afficher le TOKEN").click()
    expect(row.locator("code")).to_have_text(key)
    assert variants.generation_count("cardif", user) == 1


def test_cardif_expired_token_answers_in_words_then_renewed(consented: Page,
                                                            variants: Sandbox) -> None:
    page, user = consented, CARDIF_EXPIRED
    expired_at = clock.now() - timedelta(days=3)
    old = variants.set_subscribed(user, "O2S", expires_at=expired_at)
    cardif_login(page, variants, user)
    open_suivi_item(page, "Autoriser un agrégateur")
    page.get_by_role("tab", name="Liste des abonnements aux agrégateurs").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="O2S", exact=True))
    expect(row).to_contain_text("Token expiré")
    row.get_by_role("button", name="Afficher le TOKEN").click()
    expect(row.get_by_role("status")).to_have_text(
        f"Votre TOKEN a expiré le {clock.frdate(expired_at)}. Renouvelez-le pour en obtenir "
        "un nouveau.")
    assert old not in page.content()

    row.get_by_role("button", name="Renouveler le token").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Le token de l'agrégateur O2S a été renouvelé.")
    new = variants.current_key("cardif", user)
    assert new and new != old and variants.generation_count("cardif", user) == 1
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="O2S", exact=True))
    expect(row).to_contain_text("Abonné")
    row.get_by_role("button", name="Afficher le TOKEN").click()
    expect(row.locator("code")).to_have_text(new)


def test_cardif_renewal_held_after_the_key_changed(consented: Page, variants: Sandbox) -> None:
    """hold_after_generate: the TOKEN is replaced server-side while the page still waits."""
    page, user = consented, CARDIF_HOLD
    old = variants.set_subscribed(user, "O2S")
    cardif_login(page, variants, user)
    open_suivi_item(page, "Autoriser un agrégateur")
    page.get_by_role("tab", name="Liste des abonnements aux agrégateurs").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="O2S", exact=True))
    replaced = variants.hold_after_generate("cardif")
    try:
        row.get_by_role("button", name="Renouveler le token").click()
        assert replaced.wait(10)
        new = variants.current_key("cardif", user)
        assert new and new != old
        expect(page.get_by_text("Traitement en cours")).to_be_visible()
    finally:
        variants.hold_after_generate("cardif", hold=False)
    expect(page.get_by_role("status").first).to_have_text(
        "Le token de l'agrégateur O2S a été renouvelé.")
    row.get_by_role("button", name="Afficher le TOKEN").click()
    expect(row.locator("code")).to_have_text(new)
    assert variants.generation_count("cardif", user) == 1


def test_cardif_progestor_v2_extraction_and_download(consented: Page, variants: Sandbox) -> None:
    page, user = consented, CARDIF_PROGESTOR
    variants.set_extraction_delay(1.5)
    cardif_login(page, variants, user)
    open_suivi_item(page, "Extraction progestor")
    expect(page.get_by_text("Aucune extraction demandée")).to_be_visible()

    # The old extraction sits beside V2; it answers in words and launches nothing.
    page.get_by_role("button", name="Lancer l'extraction", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        "L'extraction V1 n'est plus disponible. Utilisez « Lancer l'extraction V2 ».")
    assert variants.extraction_count(user) == 0

    page.get_by_role("button", name="Lancer l'extraction V2").click()
    expect(page.get_by_role("status").first).to_contain_text("Votre demande d'extraction")
    expect(page.get_by_role("cell", name="En cours de traitement")).to_be_visible()
    assert variants.extraction_count(user) == 1
    download_link = page.get_by_role("link", name="Télécharger le fichier")
    expect(download_link).to_be_visible()  # the page polls until the file is ready
    expect(page.get_by_role("cell", name="Terminée", exact=True)).to_be_visible()
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert re.fullmatch(rf"Progestor_V2_{user}_\d{{8}}_\d{{6}}\.csv", download.suggested_filename)
    with open(download.path(), encoding="latin-1", newline="") as handle:
        rows = list(csv.reader(io.StringIO(handle.read()), delimiter=";"))
    assert rows[0][0] == "Code apporteur"
    assert [r[0] for r in rows[1:-1]] == variants.progestor_codes(user)
    assert variants.download_count(user) == 1


def test_cardif_progestor_not_subscribed_answers_in_words(consented: Page,
                                                          variants: Sandbox) -> None:
    page, user = consented, CARDIF_NO_PROGESTOR
    variants.set_progestor(user, subscribed=False)
    cardif_login(page, variants, user)
    open_suivi_item(page, "Extraction progestor")
    page.get_by_role("button", name="Lancer l'extraction V2").click()
    expect(page.get_by_role("alert")).to_contain_text("Vous n'êtes pas abonné au fichier Progestor")
    assert variants.extraction_count(user) == 0


# ----- O2S -----------------------------------------------------------------------------------


def o2s_login(page: Page, sb: Sandbox, username: str, password: str = PASSWORD) -> None:
    page.goto(sb.base_url("o2s"))
    page.get_by_label("Adresse e-mail").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():  # the next page, its scripts run
        page.get_by_role("button", name="Connexion", exact=True).click()


def new_request(page: Page, code: str, token: str) -> None:
    page.get_by_role("link", name="Nouvelle demande").click()
    page.get_by_placeholder("Code Apporteur").fill(code)
    page.get_by_placeholder("TOKEN").fill(token)
    page.get_by_role("button", name="Envoyer la demande").click()


def test_o2s_cookie_bar_comes_late(page: Page, variants: Sandbox) -> None:
    page.goto(variants.base_url("o2s"))
    bar = page.get_by_role("region", name="Paramétrage des cookies")
    expect(bar).to_be_visible()
    bar.get_by_role("button", name="Je refuse").click()
    expect(bar).to_have_count(0)
    cookie = next(c for c in page.context.cookies() if c["name"] == "o2s_harvest_cookies")
    assert cookie["value"] == "refused" and cookie["path"] == "/o2s/"
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("region", name="Paramétrage des cookies")).to_have_count(0)


def test_o2s_requests_are_made_and_deleted(consented: Page, variants: Sandbox) -> None:
    page, user = consented, O2S_REQUESTS
    o2s_login(page, variants, user, "mauvais")
    expect(page.get_by_role("alert")).to_contain_text("Adresse e-mail ou mot de passe invalide.")
    o2s_login(page, variants, user)
    expect(page.get_by_role("tab", name="Tableau de bord")).to_have_attribute(
        "aria-selected", "true")
    page.get_by_role("tab", name="Demande d'agrégation").click()
    expect(page.get_by_text("Aucune demande d'agrégation.")).to_be_visible()

    # Both are required: the form comes back open with what was typed.
    new_request(page, "123456", "")
    expect(page.get_by_role("alert")).to_have_text(
        "Le Code Apporteur et le TOKEN sont obligatoires.")
    expect(page.get_by_placeholder("Code Apporteur")).to_have_value("123456")
    assert variants.o2s_requests(user) == []

    new_request(page, "123456", "ancien-token-0001")
    expect(page.get_by_role("status")).to_have_text(
        "Votre demande d'agrégation a été enregistrée (Code Apporteur 123456).")
    assert variants.o2s_requests(user) == [{"code_apporteur": "123456",
                                            "token": "ancien-token-0001"}]
    row = page.get_by_role("row").filter(has_text="123456")
    expect(row).to_contain_text("••••••••0001")  # the TOKEN is shown masked

    new_request(page, "123456", "autre-token")
    expect(page.get_by_role("alert")).to_contain_text(
        "Une demande d'agrégation existe déjà pour le Code Apporteur 123456")

    # A new Code Apporteur: the old request is deleted first (after a confirmation).
    page.get_by_role("row").filter(has_text="123456").get_by_role("button",
                                                                  name="Supprimer").click()
    dialog = page.get_by_role("dialog", name="Supprimer la demande d'agrégation")
    expect(dialog).to_contain_text("du Code Apporteur 123456")
    dialog.get_by_role("button", name="Annuler").click()
    assert variants.o2s_deletions(user) == []
    page.get_by_role("row").filter(has_text="123456").get_by_role("button",
                                                                  name="Supprimer").click()
    dialog.get_by_role("button", name="Confirmer la suppression").click()
    expect(page.get_by_role("status")).to_have_text(
        "La demande d'agrégation du Code Apporteur 123456 a été supprimée.")
    expect(page.get_by_text("Aucune demande d'agrégation.")).to_be_visible()
    assert variants.o2s_deletions(user) == [{"code_apporteur": "123456",
                                             "token": "ancien-token-0001"}]
    assert variants.o2s_requests(user) == []


def test_seed_path_from_cardif_to_o2s(consented: Page, variants: Sandbox) -> None:
    """Step 2 to step 4 of the seed: the TOKEN read on FINAGORA is the one O2S records."""
    page, user = consented, CARDIF_PROGESTOR
    variants.set_subscribed(user, "O2S")
    cardif_login(page, variants, user)
    open_suivi_item(page, "Autoriser un agrégateur")
    page.get_by_role("tab", name="Liste des abonnements aux agrégateurs").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="O2S", exact=True))
    row.get_by_role("button", name="Afficher le TOKEN").click()
    expect(row.locator("code")).to_have_text(re.compile(r"^[\w-]{40,}$"))
    token = row.locator("code").inner_text()
    assert token == variants.current_key("cardif", user)
    smallest = str(min(int(c) for c in variants.progestor_codes(user) if c))

    o2s_login(page, variants, O2S_CHAIN)
    page.get_by_role("tab", name="Demande d'agrégation").click()
    new_request(page, smallest, token)
    expect(page.get_by_role("status")).to_contain_text(f"Code Apporteur {smallest}")
    assert variants.o2s_requests(O2S_CHAIN) == [{"code_apporteur": smallest, "token": token}]
