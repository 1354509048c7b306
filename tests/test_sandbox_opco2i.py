"""OPCO 2i in both renderings (seed, « Récupérer ma clé d'authentification pour OPCO 2i »): the form
« Clé d'activation API CFA OPCO2I » with its six required questions, then a mail whose link opens
a one-time-secret page: « Afficher le mot de passe » shows the key once, « Copier le Mot de
Passe » copies it; the link is dead afterwards. Mails are read back from the Maildir."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
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
    mail_sandbox,
    maildir_messages,
    part_headers,
    question,
    text_of,
)
from tests.spa_helpers import ready

# Fixtures: Chromium's launch (the sandboxes of this module are its own).
pytest_plugins = ["tests.sandbox_fixtures"]

PORTAL = "opco2i"
DEMO = next(a for a in MAIL_DEMO_ACCOUNTS if a["portal"] == PORTAL)
TITLES = {
    "siren": "Le N° SIREN de votre CFA",
    "cfa_name": "Le nom de votre CFA",
    "recipient_name": "Le nom et le prénom de la personne destinataire de la clé d'activation",
    "recipient_email": "L'adresse mail de la personne destinataire de la clé d'activation",
    "phone": "Le téléphone de la personne destinataire de la clé d'activation",
    "software": "Quel logiciel de gestion est utilisé par votre CFA",
}
SUBJECT = "Votre clé d'activation API CFA OPCO 2i"
REFUSAL = "Votre demande de clé d'activation API CFA OPCO 2i"
REVEAL_LINK = "Afficher ma clé d'activation"
SECRET_TITLE = "Un mot de passe a été partagé avec vous"
EXPIRED_TITLE = "Ce lien a expiré"
REVEAL = "Afficher le mot de passe"
COPY = "Copier le Mot de Passe"
KEY_SHAPE = re.compile(r"[A-Za-z0-9\-_.!]{24,32}")
UNKNOWN_SIREN = "912345675"


def cfa(siren: str) -> dict[str, Any]:
    """An OPCO 2i account of its own per test (its key, its reveals)."""
    return {"portal": PORTAL, "name": f"cfa-{siren}",
            "request": {**DEMO["request"], "siren": siren, "cfa_name": f"CFA test {siren}"}}


SIRENS = {"valid": "100000017", "twice": "100000025", "held": "100000033",
          "resend": "100000041", "worst": "100000058"}


@pytest.fixture(scope="module", params=["classic", "spa"])
def sb(request: pytest.FixtureRequest,
       tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    yield from mail_sandbox(request.param, tmp_path_factory, [cfa(s) for s in SIRENS.values()])


def answers(siren: str, address: str) -> dict[str, str]:
    """The form's answers by question title, as a CFA types them."""
    return {TITLES["siren"]: siren, TITLES["cfa_name"]: f"CFA test {siren}",
            TITLES["recipient_name"]: "Camille MARTIN", TITLES["recipient_email"]: address,
            TITLES["phone"]: "01 84 60 27 35", TITLES["software"]: "Ypareo"}


def request_key(page: Page, sb: Sandbox, siren: str, address: str) -> None:
    page.goto(sb.base_url(PORTAL))
    answer(page, answers(siren, address))
    expect(page.get_by_role("heading", name="Merci !")).to_be_visible()
    expect(page.get_by_text("Vos réponses ont été envoyées.")).to_be_visible()


def reveal_link(message: Any) -> str:
    found = [href for href, text in html_links(message) if text == REVEAL_LINK]
    assert len(found) == 1, html_links(message)
    return found[0]


def shown_key(page: Page, sb: Sandbox, key: str) -> None:
    """The key as the page shows it: a read-only box labelled « Mot de passe » (classic) or text
    beside the caption « Mot de passe » (spa)."""
    if sb.renderings[PORTAL] == "spa":
        expect(page.get_by_text("Mot de passe", exact=True)).to_be_visible()
        expect(page.get_by_text(key, exact=True)).to_be_visible()
    else:
        box = page.get_by_label("Mot de passe", exact=True)
        expect(box).to_have_value(key)
        expect(box).not_to_be_editable()
    expect(page.get_by_role("button", name=COPY)).to_be_visible()
    expect(page.get_by_role("button", name=REVEAL)).to_have_count(0)


def expired(page: Page, key: str | None = None) -> None:
    expect(page.get_by_role("heading", name=EXPIRED_TITLE)).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(0)
    if key:
        expect(page.locator("body")).not_to_contain_text(key)


# ----- the form -------------------------------------------------------------------------------


def test_form_has_the_seed_s_texts_and_questions(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    page.goto(sb.base_url(PORTAL))
    expect(page).to_have_title("Clé d'activation API CFA OPCO2I")
    expect(page.get_by_role("heading", name="Clé d'activation API CFA OPCO2I", level=1)
           ).to_be_visible()
    for text in ("Dans le cadre du déploiement du projet Convergence API CFA/OPCO",
                 "des factures associées aux contrats d'apprentissage (en cours de finalisation)",
                 "Les éléments à prendre en compte, pour l'accrochage de votre CFA, sont les "
                 "suivants :",
                 "les transmissions via boîtes mails doivent être stoppées",
                 "Les factures envoyées à Opco2i doivent seulement être mono-dossier.",
                 "La clé d'activation pour votre CFA est actuellement disponible.",
                 "Afin de vous la transmettre, je vous remercie de compléter le formulaire "
                 "ci-dessous :"):
        expect(page.get_by_text(text)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^\s*\*\s*Obligatoire\s*$"))).to_be_visible()
    for number, title in enumerate(TITLES.values(), start=1):
        box = question(page, sb, PORTAL, number, title)
        expect(box).to_be_visible()
        expect(box).to_have_attribute("aria-required", "true")
        expect(box).to_have_attribute("placeholder", "Entrez votre réponse")
        # Seen by a person: « 1. Le N° SIREN de votre CFA * » (number, title, star).
        expect(page.get_by_text(re.compile(rf"{number}\.\s*{re.escape(title)}\s*\*"))
               ).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer", exact=True)).to_be_visible()
    if sb.renderings[PORTAL] == "spa":  # named by aria-labelledby, no <label>
        assert question(page, sb, PORTAL, 1, TITLES["siren"]).evaluate(
            "el => el.labels.length === 0 && el.hasAttribute('aria-labelledby')")


def test_empty_and_malformed_answers_get_their_message_and_nothing_is_sent(
        page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    address = f"invalide-{sb.renderings[PORTAL]}@cfa-test.fr"
    page.goto(sb.base_url(PORTAL))
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.get_by_text(REQUIRED, exact=True)).to_have_count(6)
    for number, title in enumerate(TITLES.values(), start=1):
        expect(question(page, sb, PORTAL, number, title)).to_have_accessible_description(REQUIRED)

    given = answers("12345", "pas-une-adresse")
    answer(page, given)
    boxes = {field: question(page, sb, PORTAL, n, t)
             for n, (field, t) in enumerate(TITLES.items(), start=1)}
    expect(boxes["siren"]).to_have_accessible_description("Le N° SIREN doit comporter 9 chiffres.")
    expect(boxes["recipient_email"]).to_have_accessible_description(BAD_EMAIL)
    expect(boxes["cfa_name"]).to_have_accessible_description("")
    expect(boxes["cfa_name"]).to_have_value("CFA test 12345")  # the answers are kept
    expect(page.get_by_text(REQUIRED, exact=True)).to_have_count(0)
    assert sb.opco2i_requests("12345") == []
    assert sb.sent_mails(address) == [] and sb.sent_mails("pas-une-adresse") == []


# ----- the mail and the one-time link -----------------------------------------------------------


def test_a_valid_request_mails_a_link_that_shows_the_key_once(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    siren = SIRENS["valid"]
    address = f"Cle-API.{sb.renderings[PORTAL]}@CFA-test.fr"
    request_key(page, sb, siren, address)
    assert sb.opco2i_requests(siren) == [{
        "siren": siren, "cfa_name": f"CFA test {siren}", "recipient_name": "Camille MARTIN",
        "recipient_email": address, "phone": "01 84 60 27 35", "software": "Ypareo"}]

    # Delivered to <mail_dir>/<address lowercased>/Maildir, read back as a client would.
    sent = sb.wait_for_mail(address)
    assert len(sent) == 1
    mail, raw = from_maildir(sb, sent[0])
    assert mail["Subject"] == SUBJECT
    assert b"Subject: Votre =?utf-8?" in raw  # encoded on the wire
    sender = mail["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("OPCO 2i - Clé API CFA",
                                                       "noreply-cleapi@opco2i.fr")
    assert mail["To"].addresses[0].addr_spec == address
    assert mail["Date"].datetime is not None and mail["Message-ID"]
    assert mail.get_content_type() == "multipart/alternative"
    assert part_headers(mail, "html") == ("utf-8", "quoted-printable")
    assert b"=3D" in raw  # the HTML's attributes are quoted-printable until decoded
    link = reveal_link(mail)
    assert link.startswith(sb.base_url(PORTAL))
    others = [href for href, _ in html_links(mail) if href != link]
    assert others and all(href.startswith("https://www.opco2i.fr/") for href in others)
    assert link in text_of(mail) and "une seule fois" in text_of(mail)

    # Opening the link shows the page; only the button burns the key.
    for _ in range(2):
        response = page.goto(link)
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", name=SECRET_TITLE)).to_be_visible()
        expect(page.get_by_text("Il ne s'affichera qu'une seule fois !")).to_be_visible()
        expect(page.get_by_role("button", name=REVEAL)).to_be_visible()
    assert sb.reveal_count(siren) == 0

    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=sb.root_url.rstrip("/"))
    page.get_by_role("button", name=REVEAL).click()
    key = sb.current_key(PORTAL, siren)
    assert key and KEY_SHAPE.fullmatch(key)
    shown_key(page, sb, key)
    assert sb.reveal_count(siren) == 1
    page.get_by_role("button", name=COPY).click()
    page.wait_for_function("key => navigator.clipboard.readText().then(t => t === key)", arg=key)

    response = page.goto(link)
    assert response is not None and response.status == 404
    expired(page, key)
    assert sb.reveal_count(siren) == 1


def test_pressing_twice_shows_the_key_only_once(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    siren = SIRENS["twice"]
    address = f"deux-fois-{sb.renderings[PORTAL]}@cfa-test.fr"
    request_key(page, sb, siren, address)
    link = reveal_link(sb.wait_for_mail(address)[0])
    other = page.context.new_page()
    other.set_default_timeout(10_000)
    for tab in (page, other):
        tab.goto(link)
        expect(tab.get_by_role("button", name=REVEAL)).to_be_visible()
    page.get_by_role("button", name=REVEAL).click()
    key = sb.current_key(PORTAL, siren)
    assert key
    shown_key(page, sb, key)
    other.get_by_role("button", name=REVEAL).click()
    expired(other, key)
    assert sb.reveal_count(siren) == 1


def test_held_mail_waits_until_released(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    siren = SIRENS["held"]
    address = f"attente-{sb.renderings[PORTAL]}@cfa-test.fr"
    sb.hold_mail(PORTAL)
    try:
        request_key(page, sb, siren, address)
        assert len(sb.held_mails(PORTAL)) == 1
        assert sb.sent_mails(address) == []
        assert sb.mail_dir is not None and maildir_messages(sb.mail_dir, address) == {}
        assert sb.release_mail(PORTAL) == 1
        sent = sb.sent_mails(address)
        assert len(sent) == 1 and sb.held_mails(PORTAL) == []
        mail, _ = from_maildir(sb, sent[0])
        assert mail["Subject"] == SUBJECT
    finally:
        sb.hold_mail(PORTAL, False)


def test_a_resent_mail_carries_the_same_link(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    siren = SIRENS["resend"]
    address = f"doublon-{sb.renderings[PORTAL]}@cfa-test.fr"
    request_key(page, sb, siren, address)
    first = sb.wait_for_mail(address)[0]
    sb.resend_key_mail(siren)
    first_copy, second = (from_maildir(sb, m)[0] for m in sb.wait_for_mail(address, 2))
    assert second["Message-ID"] != first_copy["Message-ID"] == first["Message-ID"]
    assert second["Subject"] == SUBJECT
    link = reveal_link(second)
    assert link == reveal_link(first_copy)
    page.goto(link)
    page.get_by_role("button", name=REVEAL).click()
    key = sb.current_key(PORTAL, siren)
    assert key
    shown_key(page, sb, key)
    page.goto(reveal_link(first_copy))
    expired(page, key)


def test_worst_moment_the_key_is_burnt_and_its_answer_held(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    siren = SIRENS["worst"]
    address = f"pire-{sb.renderings[PORTAL]}@cfa-test.fr"
    request_key(page, sb, siren, address)
    page.goto(reveal_link(sb.wait_for_mail(address)[0]))
    button = page.get_by_role("button", name=REVEAL)
    burnt: threading.Event = sb.hold_reveal()
    try:
        # Pressed from the page's own loop, so this thread is free to watch the server.
        button.evaluate("b => setTimeout(() => b.click(), 0)")
        assert burnt.wait(10)
        # Burnt before the answer: a tool killed now has lost the key for good.
        assert sb.reveal_count(siren) == 1
    finally:
        sb.hold_reveal(False)
    key = sb.current_key(PORTAL, siren)
    assert key
    shown_key(page, sb, key)


def test_an_unknown_siren_gets_a_refusal_without_a_link(page: Page, sb: Sandbox) -> None:
    page = ready(page, sb)
    address = f"inconnu-{sb.renderings[PORTAL]}@cfa-test.fr"
    request_key(page, sb, UNKNOWN_SIREN, address)
    assert sb.opco2i_requests(UNKNOWN_SIREN)[-1]["recipient_email"] == address
    mail, _ = from_maildir(sb, sb.wait_for_mail(address)[0])
    assert mail["Subject"] == REFUSAL
    assert UNKNOWN_SIREN in text_of(mail)
    assert html_links(mail) == [] and "http" not in text_of(mail)
    with pytest.raises(ValueError):
        sb.resend_key_mail(UNKNOWN_SIREN)


def test_the_demo_account_is_the_form_s_answers() -> None:
    request = DEMO["request"]
    assert set(request) == set(TITLES)
    assert request["recipient_email"] == DEMO_MAILBOX["address"]
    sb = Sandbox()
    key = sb.current_key(PORTAL, request["siren"])  # « actuellement disponible »
    assert key and KEY_SHAPE.fullmatch(key)
