"""Runs the selected accounts: one browser, one context per account, bounded concurrency.

A failure of one account never stops the others; each ends with a typed outcome, recorded in
the state database. Transient failures (portal down) are retried with backoff; nothing else is.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import structlog
from playwright.async_api import Browser, Page, Playwright, Response, async_playwright
from playwright.async_api import Error as PlaywrightError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from retrievers import browser as browsers
from retrievers.artifacts import capture_failure
from retrievers.config import AccountConfig, Settings
from retrievers.context import FlowContext
from retrievers.errors import Outcome, PageChanged, PortalDown, RetrievalError
from retrievers.logs import log
from retrievers.portals import PORTALS, Portal
from retrievers.redact import REDACTOR
from retrievers.renewal import is_due
from retrievers.state import AccountState, StateDB
from retrievers.store import KeyStore


class StepReporter(Protocol):
    def __call__(self, account: AccountConfig, text: str, *, done: bool = False) -> None: ...


def silent(account: AccountConfig, text: str, *, done: bool = False) -> None:
    """The reporter when nobody watches a progress display."""


@dataclass
class AccountResult:
    portal: str
    account: str
    outcome: Outcome
    message: str
    fingerprint: str | None = None
    expires_at: datetime | None = None
    generated: bool = False
    artifact: Path | None = None


class Runner:
    def __init__(
        self,
        settings: Settings,
        store: KeyStore,
        state: StateDB,
        *,
        headed: bool = False,
        force_new: bool = False,
        report: StepReporter = silent,
    ) -> None:
        self.settings = settings
        self.store = store
        self.state = state
        self.headed = headed
        self.force_new = force_new
        self.report = report
        self._browser: Browser | None = None
        self._browser_lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(settings.browser.concurrency)
        # Accounts of one portal go one after another: portals dislike parallel logins.
        self._portal_locks = {p: asyncio.Lock() for p in PORTALS}

    async def run(self, accounts: list[AccountConfig]) -> list[AccountResult]:
        async with async_playwright() as playwright:
            self._playwright = playwright
            browsers.find_chromium(self.settings.browser, playwright)  # no browser: exit 2 now
            try:
                return list(await asyncio.gather(*(self._run_account(a) for a in accounts)))
            finally:
                if self._browser:
                    await self._browser.close()

    async def _get_browser(self, playwright: Playwright) -> Browser:
        async with self._browser_lock:  # launched once, and only if some account needs it
            if self._browser is None:
                try:
                    self._browser = await browsers.launch(
                        playwright, self.settings.browser, headed=self.headed
                    )
                except PlaywrightError as exc:
                    hint = " (--headed needs a display: is DISPLAY set?)" if self.headed else ""
                    first_line = str(exc).strip().splitlines()[0]
                    raise RetrievalError(f"Chromium could not start{hint}: {first_line}") from None
            return self._browser

    async def _run_account(self, account: AccountConfig) -> AccountResult:
        with structlog.contextvars.bound_contextvars(portal=account.portal, account=account.name):
            try:
                result = await self._attempt_account(account)
            except RetrievalError as exc:  # e.g. the store failed before the flow started
                result = self._result(account, exc.outcome, REDACTOR(exc.message))
            self.state.record_outcome(account.portal, account.name, result.outcome, result.message)
            level = "info" if not result.outcome.failed else "error"
            getattr(log, level)("account done", outcome=str(result.outcome), message=result.message)
            self.report(account, f"{result.outcome}: {result.message}", done=True)
            return result

    async def _attempt_account(self, account: AccountConfig) -> AccountResult:
        portal = PORTALS[account.portal]
        stored = self.state.get(account.portal, account.name)
        has_key = self.store.get_key(account.portal, account.name) is not None  # redactor learns it
        if not portal.automated:
            return self._result(
                account,
                Outcome.ACTION_NEEDED,
                f"{portal.name} has no automated procedure: {portal.delivery}",
            )
        skip = self._not_due_reason(portal, stored, has_key)
        if skip:
            return self._result(account, Outcome.NOT_DUE, skip)
        ctx = FlowContext(
            portal=account.portal,
            account=account,
            base_url=self.settings.base_url(account.portal),
            options=self.settings.portal_options(account),
            store=self.store,
            state=self.state,
            stored=stored,
            renew_before_days=self.settings.renew_before_days,
            timeout_ms=self.settings.browser.step_timeout_seconds * 1000,
            person_timeout_ms=self.settings.browser.person_timeout_seconds * 1000,
            force_new=self.force_new,
            headed=self.headed,
            on_step=lambda text: self.report(account, text),
        )
        retry = self.settings.retry
        try:
            async with self._slots, self._portal_locks[account.portal]:
                async for attempt in AsyncRetrying(
                    retry=retry_if_exception_type(PortalDown),
                    stop=stop_after_attempt(retry.attempts),
                    wait=wait_exponential(multiplier=retry.wait_seconds, max=300),
                    reraise=True,
                    before_sleep=lambda s: log.warning(
                        "portal down, retrying", attempt=s.attempt_number
                    ),
                ):
                    with attempt:
                        await self._drive(ctx)
        except RetrievalError as exc:
            message = REDACTOR(exc.message)
            if ctx.saved_fingerprint:  # the key is safe; say so before what went wrong after
                message = f"key {ctx.saved_fingerprint} stored, then: {message}"
            if exc.artifact:
                message += f" (screenshot and HTML: {exc.artifact.with_suffix('')}.*)"
            return self._result(account, exc.outcome, message, ctx, artifact=exc.artifact)
        if ctx.saved_fingerprint is None:
            return self._result(account, Outcome.PAGE_CHANGED, "the flow ended without a key", ctx)
        what = "new key generated and stored" if ctx.generated else "key stored"
        return self._result(account, Outcome.OK, what, ctx)

    def _not_due_reason(
        self, portal: Portal, stored: AccountState | None, has_key: bool
    ) -> str | None:
        """A portal that can only generate is not visited while its stored key is good."""
        if not portal.generate_only or self.force_new or not has_key:
            return None
        if stored is None or stored.fingerprint is None:
            return None
        if is_due(
            stored.expires_at,
            renew_before_days=self.settings.renew_before_days,
            generated_at=stored.generated_at,
        ):
            return None
        until = f"valid until {stored.expires_at:%Y-%m-%d}" if stored.expires_at else "valid"
        return (
            f"not visited: {portal.name} shows a key only by generating a new one, and the stored "
            f"key is {until}; use --force-new to generate one now"
        )

    async def _drive(self, ctx: FlowContext) -> None:
        """One attempt: a fresh context, the flow, and a classified failure."""
        portal = PORTALS[ctx.portal]
        assert portal.flow is not None
        browser = await self._get_browser(self._playwright)
        context = await browsers.new_context(browser, self.settings.browser)
        page = await context.new_page()
        server_errors: list[str] = []
        page.on("response", lambda r: _note_server_error(r, page, server_errors))
        try:
            await browsers.dismiss_cookie_banners(page)
            ctx.step("opening the portal")
            response = await page.goto(ctx.base_url)
            if response is not None and response.status >= 500:
                raise PortalDown(f"the portal answered HTTP {response.status} at {ctx.base_url}")
            await portal.flow(page, ctx)
        except RetrievalError as exc:
            if isinstance(exc, PageChanged) and exc.artifact is None:
                exc.artifact = await self._artifact(page, ctx)
            raise
        except (PlaywrightError, AssertionError) as exc:
            raise await self._classify(exc, page, ctx, server_errors) from None
        except Exception as exc:  # a bug in a flow: that account fails, the others go on
            log.exception("unexpected error in the flow")
            raise RetrievalError(
                f"unexpected error ({type(exc).__name__}): please report it",
                artifact=await self._artifact(page, ctx),
            ) from None
        finally:
            await context.close()

    async def _classify(
        self, exc: Exception, page: Page, ctx: FlowContext, server_errors: list[str]
    ) -> RetrievalError:
        first_line = REDACTOR(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
        if "net::ERR_" in first_line or server_errors:
            why = server_errors[-1] if server_errors else first_line
            return PortalDown(f"the portal is unreachable or down: {why}")
        artifact = await self._artifact(page, ctx)
        return PageChanged(
            f"the page changed or did not answer in time: {first_line}", artifact=artifact
        )

    async def _artifact(self, page: Page, ctx: FlowContext) -> Path | None:
        return await capture_failure(
            page,
            directory=self.settings.resolved_artifacts_dir(),
            portal=ctx.portal,
            account=ctx.account.name,
            mask=ctx.mask,
        )

    def _result(
        self,
        account: AccountConfig,
        outcome: Outcome,
        message: str,
        ctx: FlowContext | None = None,
        *,
        artifact: Path | None = None,
    ) -> AccountResult:
        return AccountResult(
            portal=account.portal,
            account=account.name,
            outcome=outcome,
            message=message,
            fingerprint=ctx.saved_fingerprint if ctx else None,
            expires_at=ctx.saved_expires_at if ctx else None,
            generated=bool(ctx and ctx.generated),
            artifact=artifact,
        )


def _note_server_error(response: Response, page: Page, errors: list[str]) -> None:
    if response.status >= 500 and response.frame == page.main_frame:
        errors.append(f"HTTP {response.status} at {response.url}")


def exit_code(results: list[AccountResult]) -> int:
    """0 all done; 1 at least one failed; 3 a person must act (and nothing failed)."""
    if any(r.outcome.failed for r in results):
        return 1
    if any(r.outcome.needs_person for r in results):
        return 3
    return 0
