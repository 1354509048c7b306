"""Constructys in both renderings (seed, « Récupérer ma clé d'authentification pour Constructys »):
the public page of the experimental phase links the form « Demande d'octroi de clé API CFA –
Constructys »; a valid answer gets the OG's establishments by mail (to confirm by reply), then,
once the OG has answered (validate_perimeter), the key by mail. Mails are read back from the
Maildir: Latin-1, the HTML part base64, the text part quoted-printable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sandbox import DEMO_MAILBOX, MAIL_DEMO_ACCOUNTS, Sandbox
from tests.mail_helpers import (
    BAD_EMAIL,
    REQUIRED,
    answer,
    from_maildir,
    html_links,
    html_of,
    mail_sandbox,
    maildir_messages,
    part_headers,
    question,
    text_of,
)
from tests.spa_helpers import ready

# Fixtures: Chromium's launch (the sandboxes of this module are its own).
pytest_plugins = ["tests.sandbox_fixtures"]

PORTAL = "constructys"
DEMO = next(a for a in MAIL_DEMO_ACCOUNTS if a["portal"] == PORTAL)
ARTICLE = ("Accrochage SI CFA / Constructys : mise en place d'une phase expérimentale avant "
           "déploiement")
FORM_LINK = "formulaire de demande d'octroi de clé Api"
FORM_TITLE = "Demande d'octroi de clé API CFA – Constructys"
TITLES = {
    "og_name": "Nom de l'organisme gestionnaire (OG)",
    "og_siret": "SIRET de l'organisme gestionnaire",
    "contact_name": "Nom et prénom du contact technique",
    "contact_email": "Adresse mail du contact technique",
    "contact_phone": "Téléphone du contact technique",
    "software": "Logiciel de gestion utilisé par le CFA",
}
PERIMETER = "Constructys – Validation de la liste de vos établissements"
KEY_SUBJECT = "Constructys – Votre clé d'activation API CFA"
REFUSAL = "Constructys – Votre demande de clé API CFA"
SENDER = ("Constructys - Accrochage SI CFA", "accrochage-si-cfa@constructys.fr")
UNKNOWN_SIRET = "91234567500017"


def og(siret: str) -> dict[str, Any]:
    """A Constructys OG of its own per test, with the demo's establishments."""
    return {"portal": PORTAL, "name": f"og-{siret}", "establishments": DEMO["establishments"],
            "request": {**DEMO["request"], "og_siret": siret, "og_name": f"OG test {siret}"}}


SIRETS = {"flow": "10000001700011", "held": "10000002500016"}


@pytest.fixture(scope="module", params=["classic", "spa"])
def sb(request: pytest.FixtureRequest,
       tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    yield from mail_sandbox(request.param, tmp_path_factory, [og(s) for s in SIRETS.values()])


def answers(siret: str, address: str) -> dict[str, str]:
    return {TITLES["og_name"]: "OG Bâtiment – Normandie", TITLES["og_siret"]: siret,
            TITLES["contact_name"]: "Camille MARTIN", TITLES["contact_email"]: address,
            TITLES["contact_phone"]: "02 35 00 00 00", TITLES["software"]: "SC Form"}


def open_form(page: Page, sb: Sandbox) -> None:
    """From the public page, by its link (the form's URL is not known otherwise)."""
    page.goto(sb.base_url(PORTAL))
    page.get_by_role("link", name=FORM_LINK).click()
    expect(page.get_by_role("heading", name=FORM_TITLE, level=1)).to_be_visible()


def request_key(page: Page, sb: Sandbox, siret: str, address: str) -> None:
    open_form(page, sb)
    answer(page, answers(siret, address))
    expect(page.get_by_role("heading", name="Merci !")).to_be_visible()
    expect(page.get_by_text("Vos réponses ont été envoyées.")).to_be_visible()


def test_public_page_gives_the_steps_and_links_the_form(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    page.goto(sb.base_url(PORTAL))
    expect(page.get_by_role("heading", name=ARTICLE, level=1)).to_be_visible()
    for text in ("Ce formulaire permet d'identifier l'OG demandeur et la personne à qui la clé "
                 "d'activation sera transmise, ainsi que le logiciel utilisé par le CFA.",
                 "de la liste des établissements présents dans notre SI pour validation du "
                 "périmètre de l'OG",
                 "attention sans réponse au mail précédent le processus d'octroi de clé "
                 "d'activation est stoppé",
                 "transmission par mail par l'OPCO de la clé d'identification"):
        expect(page.get_by_text(text)).to_be_visible()
    open_form(page, sb)
    expect(page.get_by_text(re.compile(r"^\s*\*\s*Obligatoire\s*$"))).to_be_visible()
    for number, title in enumerate(TITLES.values(), start=1):
        expect(question(page, sb, PORTAL, number, title)).to_be_visible()
        expect(page.get_by_label(title)).to_have_count(1)  # the words alone find one box
    expect(page.get_by_role("button", name="Envoyer", exact=True)).to_be_visible()


def test_empty_and_malformed_answers_get_their_message(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    open_form(page, sb)
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.get_by_text(REQUIRED, exact=True)).to_have_count(6)
    for number, title in enumerate(TITLES.values(), start=1):
        expect(question(page, sb, PORTAL, number, title)).to_have_accessible_description(REQUIRED)
    answer(page, answers("4812736540001", "contact@"))  # 13 digits
    boxes = {field: question(page, sb, PORTAL, n, t)
             for n, (field, t) in enumerate(TITLES.items(), start=1)}
    expect(boxes["og_siret"]).to_have_accessible_description(
        "Le SIRET doit comporter 14 chiffres.")
    expect(boxes["contact_email"]).to_have_accessible_description(BAD_EMAIL)
    expect(boxes["og_name"]).to_have_accessible_description("")
    assert sb.constructys_requests("4812736540001") == []
    assert sb.sent_mails("contact@") == []


def test_establishments_then_validation_then_the_key(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    siret = SIRETS["flow"]
    address = f"Contact.{sb.renderings[PORTAL]}@OG-test.fr"
    request_key(page, sb, siret, address)
    assert sb.constructys_requests(siret) == [{
        "og_name": "OG Bâtiment – Normandie", "og_siret": siret, "contact_name": "Camille MARTIN",
        "contact_email": address, "contact_phone": "02 35 00 00 00", "software": "SC Form"}]

    # 1. The establishments to confirm by reply; no key yet.
    mail, raw = from_maildir(sb, sb.wait_for_mail(address)[0])
    assert mail["Subject"] == PERIMETER
    sender = mail["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == SENDER
    assert mail["Reply-To"].addresses[0].addr_spec == "perimetre-api-cfa@constructys.fr"
    assert part_headers(mail, "plain") == ("iso-8859-1", "quoted-printable")
    assert part_headers(mail, "html") == ("iso-8859-1", "base64")
    assert "établissements".encode("latin-1") not in raw  # only decoding reads the words
    text, html = text_of(mail), unescape(html_of(mail))
    assert "OG Bâtiment - Normandie" in text  # the dash Latin-1 lacks, as the mailer wrote it
    for establishment in DEMO["establishments"]:
        name = establishment["name"].replace("–", "-")
        for body in (text, html):
            assert establishment["siret"] in body and name in body
    assert "sans réponse de votre part à ce mail" in text
    assert html_links(mail) == []
    assert sb.current_key(PORTAL, siret) is None

    # 2. The OG answered: the key, in both parts, after « Clé d'activation : ».
    sent = sb.validate_perimeter(siret)
    mails = sb.wait_for_mail(address, 2)
    assert mails[-1]["Message-ID"] == sent["Message-ID"]
    mail, _ = from_maildir(sb, sent)
    assert mail["Subject"] == KEY_SUBJECT
    assert part_headers(mail, "html") == ("iso-8859-1", "base64")
    key = sb.current_key(PORTAL, siret)
    assert key
    found = re.search(r"Clé d'activation :\s*(\S+)", text_of(mail))
    assert found and found.group(1) == key
    html_key = re.search(r"<code[^>]*>([^<]+)</code>", html_of(mail))
    assert html_key and html_key.group(1) == key
    assert "Clé d'activation :" in unescape(html_of(mail))


def test_held_mail_waits_until_released(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    siret = SIRETS["held"]
    address = f"attente-{sb.renderings[PORTAL]}@og-test.fr"
    request_key(page, sb, siret, address)
    sb.wait_for_mail(address)
    sb.hold_mail(PORTAL)
    try:
        sb.validate_perimeter(siret)
        assert len(sb.sent_mails(address)) == 1 and len(sb.held_mails(PORTAL)) == 1
        assert sb.mail_dir is not None and len(maildir_messages(sb.mail_dir, address)) == 1
        assert sb.release_mail(PORTAL) == 1
        assert sb.sent_mails(address)[-1]["Subject"] == KEY_SUBJECT
        assert len(maildir_messages(sb.mail_dir, address)) == 2
    finally:
        sb.hold_mail(PORTAL, False)


def test_an_unknown_og_gets_a_refusal(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    address = f"inconnu-{sb.renderings[PORTAL]}@og-test.fr"
    request_key(page, sb, UNKNOWN_SIRET, address)
    assert sb.constructys_requests(UNKNOWN_SIRET)[-1]["contact_email"] == address
    mail, _ = from_maildir(sb, sb.wait_for_mail(address)[0])
    assert mail["Subject"] == REFUSAL
    assert UNKNOWN_SIRET in text_of(mail)
    with pytest.raises(ValueError):
        sb.validate_perimeter(UNKNOWN_SIRET)


def test_the_demo_account_is_the_form_s_answers() -> None:
    request = DEMO["request"]
    assert set(request) == set(TITLES)
    assert request["contact_email"] == DEMO_MAILBOX["address"]
    assert request["og_siret"] in {e["siret"] for e in DEMO["establishments"]}
    sb = Sandbox()
    assert sb.current_key(PORTAL, request["og_siret"]) is None  # granted after validation
    with pytest.raises(ValueError):
        sb.validate_perimeter(request["og_siret"])  # nothing asked yet
