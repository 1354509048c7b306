"""Helpers of the tests of the portals that answer by e-mail (OPCO 2i, Constructys): reading a
Maildir as a mail client does, the links of an HTML part, and the Microsoft Forms form."""

from __future__ import annotations

import email
import mailbox
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page

from sandbox import MAIL_DEMO_ACCOUNTS, Sandbox

REQUIRED = "Cette question est obligatoire."


def mail_sandbox(rendering: str, tmp_path_factory: pytest.TempPathFactory,
                 accounts: list[dict[str, Any]]) -> Iterator[Sandbox]:
    """A sandbox of the demo's e-mail accounts and `accounts`, delivering into a Maildir."""
    sandbox = Sandbox(latency=(0.0, 0.02), rendering=rendering,
                      accounts=[*MAIL_DEMO_ACCOUNTS, *accounts],
                      mail_dir=tmp_path_factory.mktemp(f"mail-{rendering}"))
    with sandbox.serve_in_thread(host="127.0.0.1", port=0):
        yield sandbox
BAD_EMAIL = "Entrez une adresse e-mail valide."


def maildir_messages(mail_dir: Path, address: str) -> dict[str, tuple[EmailMessage, bytes]]:
    """The mails delivered to the address's Maildir, by Message-ID, parsed from their bytes as an
    IMAP client would get them (and the bytes, to see the transfer encoding)."""
    folder = mail_dir / address.lower() / "Maildir"
    if not folder.exists():
        return {}
    box = mailbox.Maildir(folder, create=False)
    found = {}
    for key in box.iterkeys():  # iterating a Mailbox yields messages
        raw = box.get_bytes(key)
        message = email.message_from_bytes(raw, policy=default)
        assert isinstance(message, EmailMessage)
        found[str(message["Message-ID"])] = (message, raw)
    return found


def from_maildir(sb: Sandbox, sent: EmailMessage) -> tuple[EmailMessage, bytes]:
    """The Maildir copy of a mail the sandbox reports as sent."""
    assert sb.mail_dir is not None
    address = sent["To"].addresses[0].addr_spec
    return maildir_messages(sb.mail_dir, address)[str(sent["Message-ID"])]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def html_links(message: EmailMessage) -> list[tuple[str, str]]:
    """(href, text) of every link of the mail's HTML part, decoded, in order."""
    parser = _Links()
    parser.feed(html_of(message))
    return parser.links


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return part.get_content()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def part_headers(message: EmailMessage, subtype: str) -> tuple[str | None, str]:
    """(charset, Content-Transfer-Encoding) of the text/<subtype> part."""
    part = message.get_body((subtype,))
    assert part is not None
    return part.get_content_charset(), str(part["Content-Transfer-Encoding"])


def question(page: Page, sb: Sandbox, portal: str, number: int, title: str) -> Locator:
    """A question's box by its title: the classic <label> reads « 1. Title * », the spa box is
    named by the title's own span."""
    if sb.renderings[portal] == "spa":
        return page.get_by_label(title, exact=True)
    return page.get_by_label(f"{number}. {title} *", exact=True)


def answer(page: Page, answers: dict[str, str]) -> None:
    """Fill the form by the questions' titles (a part of the label, as a flow would), then send."""
    for title, value in answers.items():
        page.get_by_label(title).fill(value)
    page.get_by_role("button", name="Envoyer", exact=True).click()
