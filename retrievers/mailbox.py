"""The configured mailbox, read over IMAP: the OPCOs that answer by e-mail (OPCO 2i, Constructys).

Read-only by default: the folder is selected read-only and fetching never sets \\Seen, so the
user's mail is neither marked, moved nor deleted (`mailbox.move_used_to` moves used mails).
Mails are matched by sender and subject, never "the latest mail", and a mail (or a link it
holds) used once is never used again (the state database remembers hashes of them).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError, MailboxLoginError

from retrievers.errors import LoginRefused, PortalDown
from retrievers.locate import looks_like_key, words
from retrievers.logs import log

if TYPE_CHECKING:
    from imap_tools import MailMessage

    from retrievers.config import MailboxConfig

_URL = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass(frozen=True)
class Link:
    url: str
    text: str  # the words a person clicks (HTML), or the line around the address (plain text)


@dataclass(frozen=True)
class Mail:
    uid: str
    message_id: str
    sender: str
    reply_to: str
    subject: str
    date: datetime
    text: str  # the plain-text part, or the HTML part's text when there is none
    links: list[Link] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return _hash(self.message_id or f"{self.sender}|{self.date.isoformat()}|{self.subject}")

    def link_refs(self) -> list[str]:
        return [_hash(link.url) for link in self.links]

    def value_after(self, label: str | re.Pattern[str]) -> str | None:
        """The word that follows `label` (the seed's words, or a pattern; and a colon) in the
        text, as a person reads it; never a mask."""
        pattern = words(label).pattern if isinstance(label, str) else label.pattern
        for found in re.finditer(pattern + r"\s*:?\s*(\S{12,})", self.text, re.IGNORECASE):
            if looks_like_key(found.group(found.lastindex or 0)):
                return found.group(found.lastindex or 0)
        return None

    def lines_with(self, pattern: str) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if re.search(pattern, line)]

    def describe(self) -> str:
        """How a person finds this mail in their mailbox (no link, no body)."""
        return f"« {self.subject} » from {self.sender} ({self.date:%Y-%m-%d %H:%M} UTC)"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class _HTMLText(HTMLParser):
    """The text and the links of an HTML body, as a person reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[Link] = []
        self._href: str | None = None
        self._anchor: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag == "a":
            self._href, self._anchor = dict(attrs).get("href"), []
        elif tag in ("br", "p", "div", "tr", "li", "table", "h1", "h2", "h3"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag == "a" and self._href:
            self.links.append(Link(self._href, " ".join("".join(self._anchor).split())))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        if self._href is not None:
            self._anchor.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def parse(message: MailMessage) -> Mail:
    """What a flow needs of one message; imap_tools decodes MIME parts, charsets and headers
    with the standard library's email package."""
    html = _HTMLText()
    if message.html:
        html.feed(message.html)
    text = message.text or html.text()
    links = html.links or [
        Link(url.rstrip(".,;"), line.strip())
        for line in text.splitlines() for url in _URL.findall(line)
    ]
    date = message.date
    date = date.astimezone(UTC) if date.tzinfo else date.replace(tzinfo=UTC)
    return Mail(
        uid=message.uid or "",
        message_id=(message.headers.get("message-id") or ("",))[0].strip(),
        sender=message.from_values.full if message.from_values else message.from_,
        reply_to=", ".join(message.reply_to) or message.from_,
        subject=message.subject,
        date=date,
        text=text,
        links=links,
    )


class Mailbox:
    """One IMAP connection per search: the flows look seldom, and a connection left open
    across a long run would time out."""

    def __init__(self, config: MailboxConfig, password: str, timeout: float = 30) -> None:
        self.config = config
        self._password = password
        self._timeout = timeout

    @contextlib.contextmanager
    def _session(self, *, readonly: bool) -> Iterator[BaseMailBox]:
        """Logged in, the folder selected; every failure in the words of a person."""
        config = self.config
        where = f"{config.username}@{config.host}:{config.resolved_port}"
        context = ssl.create_default_context(cafile=str(config.cafile) if config.cafile else None)
        try:
            if config.security == "ssl":
                box: BaseMailBox = MailBox(config.host, config.resolved_port,
                                           timeout=self._timeout, ssl_context=context)
            elif config.security == "starttls":
                box = MailBoxStartTls(config.host, config.resolved_port, timeout=self._timeout,
                                      ssl_context=context)
            else:
                box = MailBoxUnencrypted(config.host, config.resolved_port, timeout=self._timeout)
        except (OSError, ImapToolsError) as exc:  # ssl.SSLError is an OSError
            raise PortalDown(f"the mailbox {where} did not answer: {_reason(exc)}") from None
        try:
            try:
                box.login(config.username, self._password, initial_folder=None)
            except MailboxLoginError:
                raise LoginRefused(
                    f"the mailbox {config.host}:{config.resolved_port} refused the login of "
                    f"{config.username}: check mailbox.username and the password in "
                    f"${config.password_env}"
                ) from None
            box.folder.set(config.folder, readonly=readonly)
            yield box
        except (OSError, ImapToolsError) as exc:
            raise PortalDown(f"reading the mailbox {where} failed: {_reason(exc)}") from None
        finally:
            with contextlib.suppress(OSError, ImapToolsError):
                box.logout()

    def check(self) -> None:
        """`check`: sign in and open the folder, reading nothing."""
        with self._session(readonly=True):
            pass

    def find(self, *, sender: str, subject: str, since: datetime | None = None) -> list[Mail]:
        """The mails whose sender and subject match these patterns (searched, ignoring case),
        sent `since` when given, newest first."""
        with self._session(readonly=True) as box:
            # The server narrows by day; sender and subject are matched here, as patterns.
            criteria = AND(date_gte=since.date()) if since else "ALL"
            mails = [parse(m) for m in box.fetch(criteria, mark_seen=False, bulk=True)]
        found = [m for m in mails
                 if re.search(sender, m.sender, re.IGNORECASE)
                 and re.search(subject, m.subject, re.IGNORECASE)
                 and (since is None or m.date >= since)]
        log.debug("mailbox searched", folder=self.config.folder, mails=len(mails),
                  matching=len(found))
        return sorted(found, key=lambda m: m.date, reverse=True)

    def move_used(self, mail: Mail) -> None:
        """Only when configured: file a used mail away (it holds a dead link or a stored key)."""
        if self.config.move_used_to is None or not mail.uid:
            return
        try:
            with self._session(readonly=False) as box:
                box.move(mail.uid, self.config.move_used_to)
        except PortalDown as exc:  # the key is stored: a mail left in place is no failure
            log.warning("could not move a used mail", reason=exc.message)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its certificate is not trusted ({exc.verify_message}); set mailbox.cafile"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(getattr(exc, "strerror", None) or exc).splitlines()[0]
