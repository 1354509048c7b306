"""What a flow gets besides its page: the account, and the engine's rules as calls.

A flow reads a key with `read_key`, saves it with `save_key` the moment it has it, asks
`wants_new_key` before generating and calls `generating` right before the click. The engine's
rules (write before anything else, never generate twice, dry-run stops, a person is needed)
live here, not in the flows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, expect

from retrievers.errors import ActionNeeded, PageChanged
from retrievers.logs import log
from retrievers.redact import REDACTOR
from retrievers.renewal import is_due
from retrievers.state import fingerprint

if TYPE_CHECKING:  # the configuration imports the flows, which import this module
    from retrievers.config import AccountConfig
    from retrievers.state import AccountState, StateDB
    from retrievers.store import KeyStore

# What an API key looks like on a page: one token, no spaces. Waiting for this (not merely for
# a non-empty box) skips placeholders such as "Chargement…" shown while the page fetches it.
KEY_PATTERN = re.compile(r"^\s*[A-Za-z0-9._~+/=-]{16,}\s*$")


@dataclass
class FlowContext:
    portal: str
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
    on_step: Callable[[str], None] = lambda _text: None
    mask: list[Locator] = field(default_factory=list)  # key fields, masked in screenshots
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

    def step(self, text: str) -> None:
        self.current_step = text
        log.debug("step", step=text)
        self.on_step(text)

    # -- generating ----------------------------------------------------------------------------
    def wants_new_key(self, *, exists: bool, expires_at: datetime | None = None) -> bool:
        """Generate only when there is no key, when it is due, or when forced."""
        if not exists or self.force_new:
            return True
        stored = self.stored
        expiry = expires_at or (stored.expires_at if stored else None)
        generated_at = stored.generated_at if stored and not expires_at else None
        return is_due(expiry, renew_before_days=self.renew_before_days, generated_at=generated_at)

    async def generating(self) -> None:
        """Call right before clicking a portal's generate button."""
        if self.generated:
            raise PageChanged("the flow tried to generate a second key in one run; stopped")
        self.generated = True
        log.info("generating a new key")

    # -- reading and saving ------------------------------------------------------------------
    async def read_key(self, locator: Locator, *, pattern: re.Pattern[str] = KEY_PATTERN) -> str:
        """Wait for a key to show in a text box or element, and return it (never logged)."""
        self.mask.append(locator)
        locator = locator.filter(visible=True).first
        try:
            tag = await locator.evaluate("e => e.tagName", timeout=self.timeout_ms)
            is_field = tag in ("INPUT", "TEXTAREA")
            if is_field:
                await expect(locator).to_have_value(pattern, timeout=self.timeout_ms)
                value = await locator.input_value()
            else:
                await expect(locator).to_have_text(pattern, timeout=self.timeout_ms)
                value = await locator.text_content() or ""  # DOM text: CSS may upper-case it
        except (AssertionError, PlaywrightError):
            # Playwright's own message would quote what the box holds: say it in our words.
            raise PageChanged(
                f"no key appeared at step « {self.current_step} » within "
                f"{self.timeout_ms / 1000:.0f} s"
            ) from None
        key = value.strip()
        REDACTOR.add(key)
        return key

    def save_key(
        self,
        key: str,
        *,
        expires_at: datetime | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        """Store the key at once, read it back, and record its non-secret facts."""
        key = key.strip()
        if not key:
            raise PageChanged("the key read from the page is empty")
        REDACTOR.add(key)
        key_fingerprint = fingerprint(key)
        if key_fingerprint == self.saved_fingerprint and expires_at == self.saved_expires_at:
            return
        self.store.put_key(self.portal, self.account.name, key)
        if expires_at is None and self.stored and self.stored.fingerprint == key_fingerprint:
            expires_at = self.stored.expires_at  # same key as before: keep what we knew
        self.state.record_key(
            self.portal,
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

    # -- people ------------------------------------------------------------------------------
    async def person_needed(self, reason: str, *, done: Locator) -> None:
        """Headless: stop with "action needed" before the portal sends an SMS nobody answers.
        Headed: show the browser and wait until `done` appears."""
        if not self.headed:
            raise ActionNeeded(
                f"{reason}; run `key-retriever run {self.portal} --account {self.account.name} "
                "--headed` and complete it in the browser"
            )
        log.warning("waiting for you in the browser window", reason=reason)
        self.on_step(f"waiting for you: {reason}")
        try:
            await done.wait_for(timeout=self.person_timeout_ms)
        except PlaywrightError:
            raise ActionNeeded(f"{reason}; nobody completed it in the browser in time") from None
