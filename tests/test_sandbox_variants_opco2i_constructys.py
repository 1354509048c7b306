"""OPCO 2i and Constructys in the "variants" rendering, driven as a person reading the seed would:
OPCO 2i's own page, its link « Formulaire Clé d'activation API CFA OPCO2i », the form on a page of
its own, the mail's one-time page (« Afficher le mot de passe », « Copier le Mot de Passe »);
Constructys' request form at its root, its article elsewhere, and its mails."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page, expect

from sandbox import MAIL_DEMO_ACCOUNTS, Sandbox

pytest_plugins = ["tests.sandbox_fixtures"]

FAST = (0.0, 0.02)
VARIANTS = {"opco2i": "variants", "constructys": "variants"}
TIMEOUT = 10_000

OPCO2I = next(a for a in MAIL_DEMO_ACCOUNTS if a["portal"] == "opco2i")["request"]
CONSTRUCTYS = next(a for a in MAIL_DEMO_ACCOUNTS if a["portal"] == "constructys")["request"]
SIREN = OPCO2I["siren"]
OG_SIRET = CONSTRUCTYS["og_siret"]

FORM_LINK = "Formulaire Clé d'activation API CFA OPCO2i"
QUESTIONS = {  # OPCO 2i's six questions, in the seed's words
    "siren": "Le N° SIREN de votre CFA",
    "cfa_name": "Le nom de votre CFA",
    "recipient_name": "Le nom et le prénom de la personne destinataire de la clé d'activation",
    "recipient_email": "L'adresse mail de la personne destinataire de la clé d'activation",
    "phone": "Le téléphone de la personne destinataire de la clé d'activation",
    "software": "Quel logiciel de gestion est utilisé par votre CFA",
}
MASK = "••••••••••••••••"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox(latency=FAST, rendering=VARIANTS)
    with sandbox.serve_in_thread(host="127.0.0.1", port=0):
        yield sandbox


@pytest.fixture
def person(page: Page, sb: Sandbox) -> Page:
    """A browser whose cookie banners were answered before."""
    page.set_default_timeout(TIMEOUT)
    page.context.add_cookies(sb.consent_cookies())
    return page


def mailbox() -> str:
    return f"referent-{uuid.uuid4().hex[:8]}@cfa-variants.fr"


def html_part(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def text_part(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def reveal_link(message: EmailMessage) -> str:
    links = re.findall(r'href="([^"]+/secret/[^"]+)"', html_part(message))
    assert len(links) == 1, links
    return links[0]


# ----- OPCO 2i -----------------------------------------------------------------------------


def open_opco2i_form(page: Page, sb: Sandbox) -> None:
    page.goto(sb.base_url("opco2i"))
    page.get_by_role("link", name=FORM_LINK).click()
    expect(page.get_by_role("heading", name="Clé d'activation API CFA OPCO2I")).to_be_visible()


def fill_opco2i(page: Page, answers: dict[str, str]) -> None:
    # Named by their question's title (aria-labelledby); the software one offers suggestions.
    for field, value in answers.items():
        page.get_by_label(QUESTIONS[field]).fill(value)
    page.get_by_role("button", name="Envoyer").click()


def ask_opco2i_key(page: Page, sb: Sandbox, siren: str = SIREN) -> tuple[str, EmailMessage]:
    """The form answered for `siren`; the mail its recipient gets."""
    address = mailbox()
    open_opco2i_form(page, sb)
    fill_opco2i(page, {**OPCO2I, "siren": siren, "recipient_email": address})
    expect(page.get_by_role("status")).to_contain_text("Merci !")
    mails = sb.wait_for_mail(address, 1)
    assert len(mails) == 1
    return address, mails[0]


def test_opco2i_root_is_the_opco_page_and_its_banner_comes_late(page: Page, sb: Sandbox) -> None:
    page.set_default_timeout(TIMEOUT)
    page.goto(sb.base_url("opco2i"))
    # The OPCO's page, with the seed's link among others; no form here.
    link = page.get_by_role("link", name=FORM_LINK)
    expect(link).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)
    other = page.get_by_role("link", name="Formulaire de demande de prise en charge")
    expect(other).to_be_visible()
    banner = page.get_by_role("alertdialog", name="Vos choix en matière de cookies")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Refuser").click()
    expect(banner).to_have_count(0)
    cookie = next(c for c in page.context.cookies() if c["name"] == "MSCC")
    assert (cookie["value"], cookie["path"]) == ("refused", "/opco2i/")
    page.reload()
    expect(page.get_by_role("link", name=FORM_LINK)).to_be_visible()
    page.wait_for_load_state("load")
    expect(banner).to_have_count(0)
    link = page.get_by_role("link", name=FORM_LINK)
    link.click()
    assert page.url != sb.base_url("opco2i")
    expect(page.get_by_text("Afin de vous la transmettre")).to_be_visible()


def test_opco2i_form_says_what_is_wrong_under_each_question(person: Page, sb: Sandbox) -> None:
    before = len(sb.opco2i_requests("123456789"))
    open_opco2i_form(person, sb)
    for number, title in enumerate(QUESTIONS.values(), start=1):
        # Numbered, starred, named by its title (no <label>).
        expect(person.get_by_text(f"{number}. {title} *", exact=True)).to_be_visible()
    expect(person.get_by_role("combobox", name=QUESTIONS["software"])).to_be_visible()
    person.get_by_role("button", name="Envoyer").click()
    expect(person.get_by_text("Cette question est obligatoire.")).to_have_count(6)
    fill_opco2i(person, {**OPCO2I, "siren": "12345", "recipient_email": "pas-une-adresse"})
    expect(person.get_by_text("Le N° SIREN doit comporter 9 chiffres.")).to_be_visible()
    expect(person.get_by_text("Entrez une adresse e-mail valide.")).to_be_visible()
    expect(person.get_by_text("Cette question est obligatoire.")).to_have_count(0)
    expect(person.get_by_role("textbox", name=QUESTIONS["siren"])).to_have_attribute(
        "aria-invalid", "true")
    assert len(sb.opco2i_requests("123456789")) == before


def test_opco2i_key_is_shown_once_through_the_mail(person: Page, sb: Sandbox) -> None:
    key = sb.current_key("opco2i", SIREN)
    reveals = sb.reveal_count(SIREN)
    requests = len(sb.opco2i_requests(SIREN))
    address, mail = ask_opco2i_key(person, sb)
    assert len(sb.opco2i_requests(SIREN)) == requests + 1
    assert sb.opco2i_requests(SIREN)[-1]["recipient_email"] == address

    person.goto(reveal_link(mail))
    expect(person.get_by_role("heading", name="Un mot de passe a été partagé avec vous")) \
        .to_be_visible()
    expect(person.get_by_text(MASK, exact=True)).to_be_visible()
    assert key not in person.content()  # nothing shown before the click
    assert sb.reveal_count(SIREN) == reveals  # opening the link burns nothing

    person.get_by_role("button", name="Afficher le mot de passe").click()
    box = person.get_by_role("textbox", name="Mot de passe")
    expect(box).to_have_value(key)
    expect(box).to_have_attribute("readonly", "")
    expect(person.get_by_text(MASK, exact=True)).to_have_count(0)
    assert sb.reveal_count(SIREN) == reveals + 1
    assert sb.current_key("opco2i", SIREN) == key
    assert sb.generation_count("opco2i", SIREN) == 0

    person.get_by_role("button", name="Copier le Mot de Passe").click()
    expect(person.get_by_role("status")).to_contain_text("copié")

    # A second visit: the link is spent, said in words.
    person.reload()
    expect(person.get_by_role("alert")).to_contain_text("Ce lien a expiré")
    expect(person.get_by_role("alert")).to_contain_text("déjà été affiché")
    expect(person.get_by_role("button", name="Afficher le mot de passe")).to_have_count(0)
    assert key not in person.content()
    assert sb.reveal_count(SIREN) == reveals + 1

    # The OPCO sends the same mail again: the same, spent, link.
    again = sb.resend_key_mail(SIREN)
    assert reveal_link(again) == reveal_link(mail)
    person.goto(reveal_link(again))
    expect(person.get_by_role("alert")).to_contain_text("Ce lien a expiré")


def test_opco2i_link_spent_in_another_tab_answers_in_words(person: Page, sb: Sandbox) -> None:
    _, mail = ask_opco2i_key(person, sb)
    person.goto(reveal_link(mail))
    other = person.context.new_page()
    other.goto(reveal_link(mail))
    other.get_by_role("button", name="Afficher le mot de passe").click()
    expect(other.get_by_role("textbox", name="Mot de passe")).to_have_value(
        sb.current_key("opco2i", SIREN))
    other.close()
    # The first tab still shows the button; pressing it says the link is spent.
    person.get_by_role("button", name="Afficher le mot de passe").click()
    expect(person.get_by_role("alert")).to_contain_text("déjà été affiché")
    expect(person.get_by_role("textbox", name="Mot de passe")).to_have_count(0)


def test_opco2i_reveal_held_after_burning(person: Page, sb: Sandbox) -> None:
    _, mail = ask_opco2i_key(person, sb)
    person.goto(reveal_link(mail))
    reveals = sb.reveal_count(SIREN)
    burnt = sb.hold_reveal(True)
    try:
        person.get_by_role("button", name="Afficher le mot de passe").click()
        assert burnt.wait(5)
        assert sb.reveal_count(SIREN) == reveals + 1
        expect(person.get_by_role("status")).to_contain_text("Déchiffrement")
        expect(person.get_by_role("textbox", name="Mot de passe")).to_have_count(0)
    finally:
        sb.hold_reveal(False)
    expect(person.get_by_role("textbox", name="Mot de passe")).to_have_value(
        sb.current_key("opco2i", SIREN))


def test_opco2i_unknown_siren_gets_a_refusal(person: Page, sb: Sandbox) -> None:
    _, mail = ask_opco2i_key(person, sb, siren="999888777")
    assert "aucun CFA" in text_part(mail)
    assert "/secret/" not in html_part(mail)
    assert sb.opco2i_requests("999888777")[-1]["siren"] == "999888777"


# ----- Constructys -------------------------------------------------------------------------


def answer_constructys(page: Page, answers: dict[str, str]) -> None:
    names = {"og_name": "Nom de l'organisme gestionnaire (OG)",
             "og_siret": "SIRET de l'organisme gestionnaire",
             "contact_name": "Nom et prénom du contact technique",
             "contact_email": "Adresse mail du contact technique",
             "contact_phone": "Téléphone du contact technique",
             "software": "Logiciel de gestion utilisé par le CFA"}
    for field, value in answers.items():
        page.get_by_label(names[field]).fill(value)
    page.get_by_role("button", name="Envoyer").click()


def test_constructys_root_is_the_form_and_the_article_is_elsewhere(page: Page,
                                                                     sb: Sandbox) -> None:
    page.set_default_timeout(TIMEOUT)
    page.goto(sb.base_url("constructys"))
    expect(page.get_by_role("heading", name="Demande d'octroi de clé API CFA – Constructys")) \
        .to_be_visible()
    expect(page.get_by_text("formulaire de demande d'octroi de clé Api")).to_be_visible()
    banner = page.get_by_role("dialog", name="Gestion des cookies")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Tout accepter").click()
    expect(banner).to_have_count(0)
    cookie = next(c for c in page.context.cookies()
                  if c["name"] == "constructys_tarteaucitron")
    assert (cookie["value"], cookie["path"]) == ("accepted", "/constructys/")

    page.get_by_role("link", name=re.compile("Lire l'article")).click()
    expect(page.get_by_role("heading", name=re.compile("^Accrochage SI CFA"))) \
        .to_be_visible()
    assert page.url != sb.base_url("constructys")
    expect(page.get_by_text("Étape 5")).to_be_visible()
    page.get_by_role("link", name="formulaire de demande d'octroi de clé Api").click()
    assert page.url == sb.base_url("constructys")


def test_constructys_form_errors_then_perimeter_then_key(person: Page, sb: Sandbox) -> None:
    address = mailbox()
    before = len(sb.constructys_requests(OG_SIRET))
    person.goto(sb.base_url("constructys"))
    answer_constructys(person, {**CONSTRUCTYS, "og_siret": "4812736540001",
                                "contact_email": address, "software": ""})
    expect(person.get_by_role("alert")).to_contain_text("2 réponses sont à corriger")
    expect(person.get_by_text("Le SIRET doit comporter 14 chiffres.").first).to_be_visible()
    expect(person.get_by_label("Nom de l'organisme gestionnaire (OG)")).to_have_value(
        CONSTRUCTYS["og_name"])
    assert len(sb.constructys_requests(OG_SIRET)) == before

    answer_constructys(person, {"og_siret": OG_SIRET, "software": "SC Form"})
    expect(person.get_by_role("heading", name="Merci !")).to_be_visible()
    assert sb.constructys_requests(OG_SIRET)[-1]["contact_email"] == address

    perimeter = sb.wait_for_mail(address, 1)[0]
    assert "Périmètre" in perimeter["Subject"]
    text = text_part(perimeter)
    for establishment in next(a for a in MAIL_DEMO_ACCOUNTS
                              if a["portal"] == "constructys")["establishments"]:
        assert establishment["siret"] in text
    assert "Liste validée" in text
    assert perimeter.get_body(("html",)).get_content_charset() == "iso-8859-1"

    key_mail = sb.validate_perimeter(OG_SIRET)
    key = sb.current_key("constructys", OG_SIRET)
    assert key
    assert f"Votre clé d'identification : {key}" in text_part(key_mail)
    assert "clé d'activation" not in text_part(key_mail)
    assert key in html_part(key_mail)
    assert sb.wait_for_mail(address, 2)[1]["Message-ID"] == key_mail["Message-ID"]
    assert sb.generation_count("constructys", OG_SIRET) == 0


def test_constructys_unknown_siret_gets_a_refusal(person: Page, sb: Sandbox) -> None:
    address = mailbox()
    person.goto(sb.base_url("constructys"))
    answer_constructys(person, {**CONSTRUCTYS, "og_siret": "11122233300044",
                                "contact_email": address})
    expect(person.get_by_role("heading", name="Merci !")).to_be_visible()
    mail = sb.wait_for_mail(address, 1)[0]
    assert "ne correspond à aucun organisme gestionnaire" in text_part(mail)
    with pytest.raises(ValueError):
        sb.validate_perimeter("11122233300044")


def test_classic_constructys_mails_keep_their_words() -> None:
    """The variants' mail templates are chosen per sandbox: a classic one keeps its own."""
    classic = Sandbox(latency=FAST)
    with classic.serve_in_thread(host="127.0.0.1", port=0):
        import urllib.parse
        import urllib.request
        from http.cookiejar import CookieJar

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        form_url = classic.page_url("constructys", "form")
        html = opener.open(form_url).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        address = mailbox()
        body = urllib.parse.urlencode({**CONSTRUCTYS, "contact_email": address,
                                       "csrf_token": token}).encode()
        opener.open(form_url, body).read()
        classic.wait_for_mail(address, 1)
        key_mail = classic.validate_perimeter(OG_SIRET)
        assert "Clé d'activation :" in text_part(key_mail)
        assert "identification" not in text_part(key_mail)


# ----- hooks that act on every page ------------------------------------------------------------


def test_relabel_and_maintenance_reach_the_variants_pages(page: Page) -> None:
    page.set_default_timeout(TIMEOUT)
    sandbox = Sandbox(latency=FAST, rendering=VARIANTS)
    with sandbox.serve_in_thread(host="127.0.0.1", port=0):
        page.context.add_cookies(sandbox.consent_cookies())
        sandbox.relabel("opco2i", "Afficher le mot de passe", "Révéler le mot de passe")
        sandbox.relabel("opco2i", "Copier le Mot de Passe", "Copier")
        address = mailbox()
        page.goto(sandbox.base_url("opco2i"))
        page.get_by_role("link", name=FORM_LINK).click()
        fill_opco2i(page, {**OPCO2I, "recipient_email": address})
        expect(page.get_by_role("status")).to_contain_text("Merci !")
        page.goto(reveal_link(sandbox.wait_for_mail(address, 1)[0]))
        page.get_by_role("button", name="Révéler le mot de passe").click()
        expect(page.get_by_role("textbox", name="Mot de passe")).to_have_value(
            sandbox.current_key("opco2i", SIREN))
        expect(page.get_by_role("button", name="Copier", exact=True)).to_be_visible()

        sandbox.set_down("constructys")
        assert page.goto(sandbox.base_url("constructys")).status == 503
        sandbox.set_down("constructys", False)
        assert page.goto(sandbox.base_url("constructys")).status == 200
