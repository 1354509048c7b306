"""The mails the simulated OPCOs send (OPCO 2i, Constructys): built like real ones, delivered into
a Maildir per recipient and kept in memory.

A real OPCO's mail is MIME a reader must decode: an encoded subject and sender name,
multipart/alternative with a text and an HTML part, quoted-printable or base64, UTF-8 or Latin-1.
Delivery writes `<mail_dir>/<address lowercased>/Maildir` through `mailbox.Maildir`, which uses a
local delivery agent's tmp -> new protocol, so an IMAP server reading that layout (Dovecot) sees a
mail only once it is complete.
"""

from __future__ import annotations

import asyncio
import copy
import mailbox
import threading
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import jinja2

from . import clock

MAIL_TEMPLATES_DIR = Path(__file__).parent / "templates" / "mail"

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(MAIL_TEMPLATES_DIR),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

# What an old mailer writes instead of the typographic characters Latin-1 lacks.
_LATIN1_FALLBACKS = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"',
                                   "…": "...", "œ": "oe", "Œ": "OE", "€": "EUR"})


def _fit(text: str, charset: str) -> str:
    """The text as the mailer can encode it in `charset` (answers typed in a form included)."""
    if charset.lower().replace("_", "-") in ("utf-8", "utf8"):
        return text
    text = text.translate(_LATIN1_FALLBACKS)
    return text.encode(charset, errors="replace").decode(charset)


def compose(*, sender: Address, to: Address, subject: str, template: str,
            context: dict[str, object], charset: str = "utf-8",
            text_cte: str = "quoted-printable", html_cte: str = "quoted-printable",
            reply_to: Address | None = None) -> EmailMessage:
    """A multipart/alternative mail from `mail/<template>.txt` and `mail/<template>.html`."""
    message = EmailMessage()  # email.policy.default: headers are encoded as RFC 2047 needs
    message["From"] = sender
    message["To"] = to
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now().astimezone(clock.PARIS))
    message["Message-ID"] = make_msgid(domain=sender.domain)
    text = _ENV.get_template(f"{template}.txt").render(**context)
    html = _ENV.get_template(f"{template}.html").render(**context)
    message.set_content(_fit(text, charset), charset=charset, cte=text_cte)
    message.add_alternative(_fit(html, charset), subtype="html", charset=charset, cte=html_cte)
    return message


def again(message: EmailMessage) -> EmailMessage:
    """The same mail sent once more: same content, its own Date and Message-ID."""
    duplicate = copy.deepcopy(message)
    duplicate.replace_header("Date", format_datetime(clock.now().astimezone(clock.PARIS)))
    duplicate.replace_header("Message-ID",
                             make_msgid(domain=message["From"].addresses[0].domain))
    return duplicate


def recipients(message: EmailMessage) -> list[str]:
    return [address.addr_spec.lower() for address in message["To"].addresses]


class Postman:
    """Sends the portals' mails: now, right after the request that caused them, or once released
    when a test holds a portal's mail."""

    def __init__(self, mail_dir: Path | None = None) -> None:
        self.mail_dir = mail_dir
        # One condition for the whole post office: deliveries come from the server's loop and
        # from test hooks, and wait_for() is woken by each delivery.
        self._changed = threading.Condition(threading.RLock())
        self._sent: dict[str, list[EmailMessage]] = {}
        self._holding: set[str] = set()
        self._held: dict[str, list[EmailMessage]] = {}

    def send(self, portal: str, message: EmailMessage) -> None:
        """Deliver now (a test hook: the mail is there when the hook returns) unless held."""
        if not self._keep_if_held(portal, message):
            self._deliver(message)

    def send_after_request(self, portal: str, message: EmailMessage) -> None:
        """From a handler, as its last step: delivered once the loop is free again, that is right
        after the request is handled, the way a mail leaves the OPCO after its form answered."""
        if not self._keep_if_held(portal, message):
            asyncio.get_running_loop().call_soon(self._deliver, message)

    def hold(self, portal: str, hold: bool = True) -> None:
        """While held, the portal's mails wait; ending the hold sends the waiting ones."""
        with self._changed:
            if hold:
                self._holding.add(portal)
                return
            self._holding.discard(portal)
        self.release(portal)

    def release(self, portal: str) -> int:
        """Send the portal's waiting mails now (the hold itself stays); how many were sent."""
        with self._changed:
            waiting = self._held.pop(portal, [])
        for message in waiting:
            self._deliver(message)
        return len(waiting)

    def held(self, portal: str) -> list[EmailMessage]:
        with self._changed:
            return list(self._held.get(portal, []))

    def sent(self, address: str) -> list[EmailMessage]:
        with self._changed:
            return list(self._sent.get(address.lower(), []))

    def wait_for(self, address: str, count: int, timeout: float) -> list[EmailMessage]:
        """The address's mails once there are at least `count` (or what there is at timeout)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._sent.get(address.lower(), [])) >= count,
                                   timeout)
            return list(self._sent.get(address.lower(), []))

    def _keep_if_held(self, portal: str, message: EmailMessage) -> bool:
        with self._changed:
            if portal not in self._holding:
                return False
            self._held.setdefault(portal, []).append(message)
            return True

    def _deliver(self, message: EmailMessage) -> None:
        with self._changed:
            for address in recipients(message):
                if self.mail_dir is not None:
                    # Maildir(create=True) makes the Maildir itself, not the folders above it.
                    folder = self.mail_dir / address / "Maildir"
                    folder.parent.mkdir(parents=True, exist_ok=True)
                    key = mailbox.Maildir(folder, create=True).add(message)
                    # Readable by the IMAP server whatever user it reads as (Dovecot's
                    # mail processes are nobody's when root starts it) and whatever this
                    # process's umask (the demo's is 077).
                    (folder / "new" / key).chmod(0o644)
                self._sent.setdefault(address, []).append(message)
            self._changed.notify_all()
