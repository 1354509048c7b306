"""What a flow gets besides its page: the account, and the engine's rules as calls.

A flow reads a key with `read_key`, saves it with `save_key` the moment it has it, asks
`wants_new_key` before generating and calls `generating` right before the click. The engine's
rules (write before anything else, never generate twice, dry-run stops, a person is needed)
live here, not in the flows.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from playwright.async_api import BrowserContext, Download, Locator, Page
from playwright.async_api import Error as PlaywrightError

from retrievers import downloads
from retrievers.answers import Answer, Said, await_answer, note_what_is_said, said
from retrievers.errors import (
    ActionNeeded,
    DryRunStop,
    KeyKept,
    KeyStoreError,
    PageChanged,
    SignedIn,
)
from retrievers.locate import (
    click_confirming,
    clickable,
    looks_like_key,
    other_than,
    press,
    read_shown,
    reveal_button,
    value_under,
    written,
)
from retrievers.logs import log
from retrievers.redact import REDACTOR
from retrievers.renewal import is_due
from retrievers.reveal import Capture
from retrievers.state import fingerprint, now

_SOON_MS = 2_000
_CLOCK_SKEW = timedelta(minutes=10)
T = TypeVar("T")

if TYPE_CHECKING:
    from retrievers.config import AccountConfig
    from retrievers.mailbox import Link, Mail, Mailbox
    from retrievers.portals import Portal
    from retrievers.state import AccountState, StateDB
    from retrievers.store import AccountItem, KeyStore


@dataclass
class FlowContext:
    portal: Portal
    account: AccountConfig
    base_url: str
    options: Any
    store: KeyStore
    state: StateDB
    stored: AccountState | None
    renew_before_days: int
    timeout_ms: float
    person_timeout_ms: float
    force_new: bool = False
    headed: bool = False
    dry_run: bool = False  # walk to the key page; stop before anything that changes something
    on_step: Callable[[str], None] = lambda _text: None
    mask: list[Locator] = field(default_factory=list)  # key fields, masked in screenshots
    has_stored_key: bool = True  # the store holds a key for this account (set by the runner)
    mailbox: Mailbox | None = None  # where portals that answer by e-mail send it
    session: AccountItem | None = None  # the account's signed-in session, kept in the store
    session_loaded: bool = False  # this run's browser context started from a kept session
    login_only: bool = False  # `login`: stop once signed in, the session kept
    on_one_time_page: bool = False  # it shows a key not yet known: no failure artifact
    downloads: Path | None = None  # where files the portals send are read (set by the runner)
    notes: list[str] = field(default_factory=list)  # said after the outcome, to the user
    generated: bool = False
    saved_fingerprint: str | None = None
    saved_expires_at: datetime | None = None
    current_step: str = "start"

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def password(self) -> str:
        return self.account.password or ""

    @property
    def siret(self) -> str | None:
        return self.account.siret

    @property
    def untrusted(self) -> bool:
        """A previous run clicked « generate » and never stored what came of it."""
        return bool(self.stored and self.stored.generating_since)

    def step(self, text: str) -> None:
        """The seed's step number and label: every failure after this names it."""
        self.current_step = text
        log.debug("step", step=text)
        self.on_step(text)

    # -- generating ----------------------------------------------------------------------------
    def wants_new_key(self, *, exists: bool, expires_at: datetime | None = None) -> bool:
        """Generate only when there is no key, when it is due, or when forced; after a run that
        died past its generate click (or an earlier attempt of this one), read what the portal
        now holds instead."""
        if not exists:
            return True
        if self.generated or self.untrusted:
            return False
        if self.force_new:
            return True
        stored = self.stored
        expiry = expires_at or (stored.expires_at if stored else None)
        return is_due(
            expiry,
            renew_before_days=self.renew_before_days,
            generated_at=stored.generated_at if stored and not expires_at else None,
            first_seen_at=stored.first_seen_at if stored else None,
            lifetime=self.portal.lifetime,
        )

    def keep_stored_unless_due(self) -> None:
        """The page shows no key, yet the portal may hold one it does not display again. Never
        generate just because nothing shows: keep the stored key while it is valid and not due
        (raises KeyKept); carry on to generate when none is stored, it is due, or forced."""
        stored = self.stored
        if self.untrusted and not self.force_new:
            raise ActionNeeded(
                f"a run stopped after asking {self.portal.name} for a new key, before storing "
                "it, and the portal does not show keys again: run `key-retriever run "
                f"{self.portal.id} --account {self.account.name} --force-new`"
            )
        if self.force_new or not self.has_stored_key or stored is None or not stored.fingerprint:
            return
        if self.wants_new_key(exists=True):  # due
            return
        until = f"valid until {stored.expires_at:%Y-%m-%d}" if stored.expires_at else "valid"
        raise KeyKept(
            f"stored key kept: {self.portal.name} shows a key only when it makes a new one, and "
            f"the stored key is {until}; use --force-new to generate one now"
        )

    async def generating(self) -> None:
        """Call right before clicking a portal's generate button: the intent is recorded
        durably first, so a run killed after the click is never trusted afterwards."""
        if self.generated:
            raise PageChanged("the flow tried to generate a second key in one run; stopped")
        if self.dry_run:
            raise DryRunStop(f"would generate a new key ({self.current_step}); nothing clicked")
        self.state.open_intent(self.portal.id, self.account.name)
        self.generated = True
        log.info("generating a new key")

    # -- reading and saving ------------------------------------------------------------------
    async def answer(self, expected: Locator) -> Answer:
        """`expected` once it shows, or what the page says instead (see answers.py)."""
        return await await_answer(expected.page, expected, self.timeout_ms)

    async def read_key(self, found: Locator, *, where: str) -> str:
        """Wait for a key to show (`found` matches only once it does), and return it; what
        the page says instead (no key yet, expired, refused) fails in its words at once."""
        self.mask.append(found)
        answer = await self.answer(found)
        if answer.said is Said.NOTHING:
            raise PageChanged(f"no key appeared {where} within {self.timeout_ms / 1000:.0f} s")
        answer.require_shown(f"a key {where}")
        try:
            value = await read_shown(found)
        except PlaywrightError:
            # Playwright's own message would quote what the page holds: say it in our words.
            raise PageChanged(f"the key {where} went away before it could be read") from None
        key = value.strip()
        if not looks_like_key(key):
            raise PageChanged(f"what shows {where} is not a key (a mask or a placeholder)")
        REDACTOR.add(key)
        return key

    async def shown_key(self, page: Page, label: str) -> str | None:
        """The key the page shows under (or beside) `label` once it has loaded; None when it
        shows none."""
        found = value_under(page, label)
        where = f"under « {label} »"
        try:  # usually there at once, or filled in soon after the page loaded
            await found.wait_for(timeout=min(_SOON_MS, self.timeout_ms))
        except PlaywrightError:
            # "No key" only once the page has stopped loading: a key filled in late must
            # never look absent (that would generate a new one).
            await page.wait_for_load_state("networkidle")
            if not await found.count():
                return await self.revealed_key(page, found, where=where)
        return await self.read_key(found, where=where)

    async def revealed_key(self, scope: Page | Locator, found: Locator, *,
                           where: str) -> str | None:
        """A key the page shows masked until « Afficher … » is pressed (in `scope`): pressed,
        and the page's answer read; None where there is no such button, or the page answers
        that there is no valid key."""
        reveal = reveal_button(scope)
        if not await reveal.count():
            return None
        await found.page.wait_for_load_state()  # the button works once the page's script ran
        await note_what_is_said(found.page)
        await press(reveal)
        answer = await self.answer(found)
        if answer.no_valid_key:
            return None
        return await self.read_key(found, where=where)

    async def generate_key(
        self, page: Page, *, button: str, label: str, replacing: str | None
    ) -> str:
        """Record the intent, click `button` (confirming what it asks), and read the new key
        that shows under `label` (not the one it replaces)."""
        if replacing is not None:
            await self.where_the_key_will_show(page, label)
        await self.generating()
        new = value_under(page, label, other_than(replacing))
        await click_confirming(page, button, until=new.or_(said(page)).first)
        answer = await self.answer(new)
        if answer.said is Said.REFUSED:  # « seul le siège social … »: nothing was replaced
            if not self.untrusted:
                self.state.close_intent(self.portal.id, self.account.name)
            self.generated = False
            raise ActionNeeded(f"« {button} »: the portal says « {answer.words} »")
        return await self.read_key(new, where=f"under « {label} »")

    async def where_the_key_will_show(self, page: Page, label: str) -> None:
        """Before a click that replaces a valid key: the place the new key will show is on the
        page. A key generated where it cannot be read would replace the old one for nothing.
        (Where there is no valid key, many portals draw that place only once there is one.)"""
        try:
            await written(page, label).wait_for(timeout=self.timeout_ms)
        except PlaywrightError:
            raise PageChanged(f"« {label} », where the new key would show, is not on the page; "
                              "nothing was generated") from None

    def save_key(
        self,
        key: str,
        *,
        expires_at: datetime | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        """Store the key at once, read it back, and record its non-secret facts."""
        key = key.strip()
        if not looks_like_key(key):  # never store a mask, a placeholder or an empty box
            raise PageChanged("the value read is not a key (empty, a mask or a placeholder); "
                              "nothing was stored")
        REDACTOR.add(key)
        key_fingerprint = fingerprint(key)
        if self.dry_run:
            same = self.stored is not None and self.stored.fingerprint == key_fingerprint
            raise DryRunStop(
                f"read key {key_fingerprint}: "
                + ("the one stored, nothing to do" if same else "would store it (it differs "
                   "from the one stored)")
            )
        if key_fingerprint == self.saved_fingerprint and expires_at == self.saved_expires_at:
            return
        try:
            self.store.put_key(self.portal.id, self.account.name, key)
        except KeyStoreError as exc:
            if not (self.generated or self.untrusted):
                raise
            raise KeyStoreError(
                f"the portal replaced the key ({key_fingerprint}) but {exc.message}; the key "
                "stored before no longer works: fix the store, then run "
                f"`key-retriever run {self.portal.id} --account {self.account.name}` "
                "(it reads the key again where the portal shows it)"
            ) from None
        if expires_at is None and self.stored and self.stored.fingerprint == key_fingerprint:
            expires_at = self.stored.expires_at  # same key as before: keep what we knew
        self.state.record_key(
            self.portal.id,
            self.account.name,
            key_fingerprint=key_fingerprint,
            expires_at=expires_at,
            generated=self.generated,
            attributes=attributes,
        )
        self.saved_fingerprint, self.saved_expires_at = key_fingerprint, expires_at
        log.info(
            "key stored",
            fingerprint=key_fingerprint,
            expires_at=expires_at.isoformat() if expires_at else None,
            new=self.generated,
        )

    # -- sessions ------------------------------------------------------------------------------
    def kept_session(self) -> dict[str, Any] | None:
        """The session an earlier sign-in kept, to open this run's browser context with
        (`login` signs in afresh); its cookies join the redactor."""
        kept = self.session.load() if self.session and not self.login_only else None
        if kept:
            _redact_cookies(kept)
        self.session_loaded = kept is not None
        return kept

    async def signed_in(self, context: BrowserContext) -> None:
        """The portal let us in: keep the session (cookies, a remembered device) encrypted in
        the secure store for the next runs; `login` stops here."""
        if self.session is not None and not self.dry_run:
            state = await context.storage_state()
            _redact_cookies(state)
            self.session.save(state)
        if self.login_only:
            raise SignedIn(f"signed in to {self.portal.name}; the session is kept in the "
                           "secure store for the next headless runs")

    # -- other sites ---------------------------------------------------------------------------
    async def open_page(self, context: BrowserContext) -> Page:
        """Another page in the account's browser context (the hand-off to O2S), with the
        cookie banners answered as on the first."""
        from retrievers.browser import dismiss_cookie_banners

        page = await context.new_page()
        await dismiss_cookie_banners(page)
        return page

    # -- keys that come by e-mail ------------------------------------------------------------
    def answers_since(self) -> datetime:
        """Mails from then on answer this tool's request (older ones answered another); with
        none sent yet, or a new one about to be (--force-new), only mails from now on. Mails a
        little older still count: clocks differ."""
        requested_at = self.requested_at()
        since = requested_at if requested_at and not self.force_new else now()
        return since - _CLOCK_SKEW

    async def new_mails(self, *, sender: str, subject: str,
                        since: datetime | None = None) -> list[Mail]:
        """The portal's mails (sender and subject patterns) not used before, sent `since`
        (default: answers_since), newest first."""
        assert self.mailbox is not None, "checked on load: e-mail portals need a mailbox"
        since = since or self.answers_since()
        found = await asyncio.to_thread(self.mailbox.find, sender=sender, subject=subject,
                                        since=since)
        return [m for m in found
                if not self.state.mail_used(self.portal.id, self.account.name,
                                            [m.ref, *m.link_refs()])]

    def requested_at(self) -> datetime | None:
        """When this tool sent the portal's request form (None: never)."""
        value = self.attribute("requested_at")
        return datetime.fromisoformat(value) if value else None

    def request_sent(self) -> None:
        self.save_attributes(requested_at=now().isoformat())

    def nothing_new_by_mail(self, *, to: str, awaited: str) -> None:
        """No new answer in the mailbox: keep the stored key, or keep waiting for the answer
        to the request sent; returns when the request is to be sent (none yet, --force-new)."""
        if self.force_new:
            return
        name = self.portal.name
        if self.has_stored_key:
            raise KeyKept(f"stored key kept: no new e-mail from {name} (`run --force-new` "
                          f"sends {name} a new request)")
        requested_at = self.requested_at()
        if requested_at:
            raise ActionNeeded(
                f"request sent to {name} on {requested_at:%Y-%m-%d %H:%M} UTC, waiting for the "
                f"e-mail to {to} {awaited}: run again once it has come"
            )

    def use_mail(self, mail: Mail) -> None:
        """Never again: recorded (committed) before its link is opened or its key stored."""
        if self.dry_run:
            raise DryRunStop(f"would use the mail {mail.describe()}; nothing opened")
        self.state.use_mail(self.portal.id, self.account.name, [mail.ref, *mail.link_refs()])

    def moved_used(self, mail: Mail) -> None:
        if self.mailbox is not None:
            self.mailbox.move_used(mail)

    async def reveal_once(self, page: Page, mail: Mail | None, link: Link | None, *,
                          button: str, label: str, pattern: re.Pattern[str]) -> str:
        """Open `link` of `mail`, which shows the key once, press `button` and save the key
        that shows under `label`. What the portal answers is kept in the secure store until
        the key is stored (see reveal.py); the mail is marked used before the link opens.
        Mail and link None: finish what a stopped run began, from what it kept."""
        capture = self._capture()
        earlier = capture.load()
        if earlier is None:
            assert mail is not None and link is not None
            self.use_mail(mail)
        self.on_one_time_page = True
        await capture.open(page, link.url if link else "", earlier)
        key = await self._reveal(page, capture, button=button, label=label, pattern=pattern)
        self.on_one_time_page = False  # the key is known now: the redactor hides it
        return key

    def interrupted_reveal(self) -> bool:
        """A run stopped after a one-time page answered and before its key was stored."""
        return self._capture().load() is not None

    async def _reveal(self, page: Page, capture: Capture, *, button: str, label: str,
                      pattern: re.Pattern[str]) -> str:
        again = "ask for a new one (`run --force-new` sends the request again)"
        try:
            await press(clickable(page, button), timeout=self.timeout_ms)
        except PlaywrightError:
            capture.clear()  # it answered nothing worth keeping
            raise ActionNeeded(f"the page of the e-mail's link offers no « {button} »: the "
                               f"link was used before or has expired; {again}") from None
        try:
            key = await self.read_key(value_under(page, label, pattern),
                                      where=f"under « {label} »")
        except PageChanged as exc:  # what the portal answered stays kept: it may hold the key
            raise PageChanged(f"{exc.message}; if the page says the link was used or has "
                              f"expired, {again}") from None
        if not capture.holds(key):  # kept: the portal's answer may still hold the real key
            raise PageChanged(f"the value under « {label} » is not in what the portal "
                              "answered; nothing was stored, the answer stays kept")
        self.save_key(key)
        capture.clear()
        await capture.close(page)
        return key

    def forget_interrupted_reveal(self) -> None:
        """--force-new: a new request replaces what a stopped run kept."""
        self._capture().clear()

    def _capture(self) -> Capture:
        return Capture(self.store, self.portal.id, self.account.name)

    async def read_download(self, download: Download, reader: Callable[[Path], T]) -> T:
        """What `reader` makes of the file `download` brought; no copy of it is left."""
        assert self.downloads is not None, "the runner sets the downloads folder"
        return await downloads.read(download, self.downloads, reader)

    # -- facts besides the key ----------------------------------------------------------------
    def stored_key(self) -> str | None:
        return self.store.get_key(self.portal.id, self.account.name)

    def attribute(self, name: str) -> Any:
        """A non-secret fact recorded by an earlier run (Cardif's code_apporteur)."""
        return (self.stored.attributes if self.stored else {}).get(name)

    def save_attributes(self, **attributes: Any) -> None:
        if self.dry_run:
            return
        self.state.record_attributes(self.portal.id, self.account.name, attributes)
        if self.stored is not None:
            self.stored.attributes.update(attributes)

    # -- people ------------------------------------------------------------------------------
    async def person_needed(self, reason: str, *, done: Locator) -> None:
        """Headless: stop with "action needed" before the portal sends an SMS nobody answers.
        Headed: show the browser and wait until `done` appears."""
        if not self.headed:
            raise ActionNeeded(
                f"{reason}; run `key-retriever run {self.portal.id} --account "
                f"{self.account.name} --headed` and complete it in the browser"
            )
        log.warning("waiting for you in the browser window", reason=reason)
        self.on_step(f"waiting for you: {reason}")
        try:
            await done.wait_for(timeout=self.person_timeout_ms)
        except PlaywrightError:
            raise ActionNeeded(f"{reason}; nobody completed it in the browser in time") from None


def _redact_cookies(storage_state: dict[str, Any]) -> None:
    REDACTOR.add(*(cookie["value"] for cookie in storage_state.get("cookies", [])))
