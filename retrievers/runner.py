"""Runs the selected accounts: one browser, one context per account, bounded concurrency.

A failure of one account never stops the others; each ends with a typed outcome, recorded in
the state database. Transient failures (portal down or slow) are retried with backoff; nothing
else is. On SIGINT/SIGTERM no new account starts, an account past its generate click may finish
storing its key (bounded), the others stop, and the browser is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from pathlib import Path

import structlog
from playwright.async_api import Browser, Page, Playwright, Request, Response, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from retrievers import browser as browsers
from retrievers import credentials, downloads, labels, renewal
from retrievers.artifacts import capture_failure
from retrievers.config import AccountConfig, Settings
from retrievers.context import FlowContext
from retrievers.errors import (
    AccountLocked,
    LoginRefused,
    Outcome,
    PageChanged,
    PortalDown,
    RetrievalError,
)
from retrievers.locate import register_engines
from retrievers.locks import AccountLock
from retrievers.logs import log
from retrievers.mailbox import Mailbox
from retrievers.parallelism import Parallelism
from retrievers.pause import FailurePause
from retrievers.portals import PORTALS, Portal
from retrievers.redact import REDACTOR
from retrievers.results import AccountResult, StepReporter, silent
from retrievers.state import StateDB
from retrievers.store import AccountItem, KeyStore

# What the portal is still answering when a step fails: it is slow, not changed.
_PORTAL_REQUESTS = ("document", "xhr", "fetch")


class Runner:
    def __init__(
        self,
        settings: Settings,
        store: KeyStore,
        state: StateDB,
        *,
        headed: bool = False,
        force_new: bool = False,
        dry_run: bool = False,
        only_if_due: bool = False,
        login_only: bool = False,
        pause_on_failure: bool = False,
        by_name: bool = False,
        report: StepReporter = silent,
    ) -> None:
        self.settings = settings
        self.store = store
        self.state = state
        self.headed = headed
        self.force_new = force_new
        self.dry_run = dry_run
        self.login_only = login_only  # `login`: sign in (headed), keep the session, stop
        # renew: decide again once the account is locked (another process may just have
        # renewed it), and leave it alone when it is no longer due.
        self.only_if_due = only_if_due
        self.report = report
        self._pause = FailurePause() if pause_on_failure else None
        self.by_name = by_name  # the account was named (--account): tried even when locked
        self.stopped_by: int | None = None  # the signal that stopped the run
        self._browser: Browser | None = None
        self._browser_lock = asyncio.Lock()
        # Portals are spared: a few accounts of one portal at a time, and never two logins of
        # one user at once (a second login often ends the first session).
        self._portal_slots = {p: asyncio.Semaphore(settings.portal(p).max_parallel)
                              for p in PORTALS}
        self._user_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._running: dict[asyncio.Task[AccountResult], FlowContext | None] = {}
        mailbox = settings.mailbox
        self._mailbox = Mailbox(mailbox, mailbox.password or "") if mailbox else None

    async def run(self, accounts: list[AccountConfig]) -> list[AccountResult]:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.stop, signum)
        loop.set_exception_handler(_quiet_after_stop(self))
        self._downloads = downloads.downloads_dir(self.settings.resolved_state_path())
        try:
            async with async_playwright() as playwright:
                self._playwright = playwright
                await register_engines(playwright)
                if self.settings.browser.remote is None:
                    browsers.find_chromium(  # none: exit 2
                        self.settings.browser, playwright,
                        headless=self.settings.browser.headless and not self.headed)
                self.parallelism = self._parallelism(accounts)
                follow = asyncio.create_task(self.parallelism.follow_the_machine())
                tasks = [asyncio.create_task(self._run_account(a)) for a in interleaved(accounts)]
                self._running = dict.fromkeys(tasks)
                try:
                    done = {(r.portal, r.account): r for r in await asyncio.gather(*tasks)}
                    return [done[(a.portal, a.name)] for a in accounts]
                finally:
                    follow.cancel()
                    if self._browser:
                        with contextlib.suppress(PlaywrightError):
                            await self._browser.close()
        finally:
            downloads.clear(self._downloads)
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)

    def _parallelism(self, accounts: list[AccountConfig]) -> Parallelism:
        per_portal: dict[str, int] = {}
        for account in accounts:
            per_portal[account.portal] = per_portal.get(account.portal, 0) + 1
        most = sum(min(n, self.settings.portal(p).max_parallel) for p, n in per_portal.items())
        return Parallelism(self.settings.browser.concurrency, most=most,
                           on_change=self.report.parallelism)

    def stop(self, signum: int) -> None:
        """Start nothing new; let a key already generated be stored (bounded); stop the rest."""
        if self.stopped_by is not None:
            return
        self.stopped_by = signum
        log.warning("stopping", signal=signal.Signals(signum).name)
        grace = self.settings.browser.step_timeout_seconds
        loop = asyncio.get_running_loop()
        for task, ctx in self._running.items():
            if ctx is not None and ctx.generated and ctx.saved_fingerprint is None:
                loop.call_later(grace, task.cancel)
            else:
                task.cancel()

    async def _get_browser(self, playwright: Playwright) -> Browser:
        async with self._browser_lock:  # launched once, and only if some account needs it
            if self._browser is None:
                remote = self.settings.browser.remote
                try:
                    if remote:
                        self._browser = await browsers.connect(playwright, self.settings.browser)
                    else:
                        self._browser = await browsers.launch(
                            playwright, self.settings.browser, headed=self.headed,
                            downloads=self._downloads,
                        )
                except PlaywrightError as exc:
                    first_line = REDACTOR(str(exc).strip().splitlines()[0])
                    if remote:
                        raise PortalDown(
                            f"the browser at {remote} did not answer: {first_line}"
                        ) from None
                    hint = " (--headed needs a display: is DISPLAY set?)" if self.headed else ""
                    raise RetrievalError(f"Chromium could not start{hint}: {first_line}") from None
            return self._browser

    async def _run_account(self, account: AccountConfig) -> AccountResult:
        with structlog.contextvars.bound_contextvars(portal=account.portal, account=account.name):
            ctx: FlowContext | None = None
            try:
                lock = AccountLock(self.store, account.portal, account.name)
                lock.acquire()
                try:
                    not_due = self._not_due(account)
                    if not_due is not None:
                        return not_due
                    ctx = self._context(account)
                    self._running[asyncio.current_task()] = ctx  # type: ignore[index]
                    result = await self._attempt_account(account, ctx)
                finally:
                    lock.release()
            except RetrievalError as exc:  # e.g. busy, or the store failed before the flow
                result = self._result(account, exc.outcome, REDACTOR(exc.message), ctx)
            except asyncio.CancelledError:
                result = self._interrupted(account, ctx)
            # Busy: the account belongs to another process; dry run: nothing may change.
            if result.outcome is not Outcome.BUSY and not self.dry_run:
                self.state.record_outcome(
                    account.portal, account.name, result.outcome, result.message
                )
            level = "info" if not result.outcome.failed else "error"
            getattr(log, level)("account done", outcome=str(result.outcome), message=result.message)
            self.report(account, f"{result.outcome}: {result.message}", done=True)
            return result

    def _not_due(self, account: AccountConfig) -> AccountResult | None:
        if not self.only_if_due:
            return None
        decision = renewal.decide_for(self.settings, account, self.store,
                                      self.state.get(account.portal, account.name),
                                      force=self.force_new)
        if decision.visit:
            return None
        result = self._result(account, Outcome.NOT_DUE, f"not due: {decision.reason}")
        self.report(account, f"{result.outcome}: {result.message}", done=True)
        return result

    def _interrupted(self, account: AccountConfig, ctx: FlowContext | None) -> AccountResult:
        name = signal.Signals(self.stopped_by).name if self.stopped_by else "a signal"
        if ctx is None or ctx.current_step == "start":
            return self._result(account, Outcome.INTERRUPTED, f"not started: stopped by {name}")
        if ctx.saved_fingerprint:
            what = f"key {ctx.saved_fingerprint} stored, then stopped by {name}"
        elif ctx.generated:
            what = (f"stopped by {name} after the portal was asked for a new key, before it was "
                    f"stored: {_after_lost_generation(ctx.portal)}")
        else:
            what = f"stopped by {name} at step {ctx.current_step}; nothing was changed"
        return self._result(account, Outcome.INTERRUPTED, what, ctx)

    def _context(self, account: AccountConfig) -> FlowContext:
        portal = PORTALS[account.portal]
        return FlowContext(
            portal=portal,
            account=account,
            base_url=self.settings.base_url(account.portal),
            options=self.settings.portal_options(account),
            store=self.store,
            state=self.state,
            stored=self.state.get(account.portal, account.name),
            renew_before_days=self.settings.renew_before_days_for(account),
            timeout_ms=self.settings.browser.step_timeout_seconds * 1000,
            person_timeout_ms=self.settings.browser.person_timeout_seconds * 1000,
            force_new=self.force_new,
            headed=self.headed,
            dry_run=self.dry_run,
            on_step=lambda text: self.report(account, text),
            mailbox=self._mailbox if portal.by_mail else None,
            session=AccountItem(self.store, account.portal, account.name, "session"),
            login_only=self.login_only,
            downloads=self._downloads,
        )

    async def _attempt_account(self, account: AccountConfig, ctx: FlowContext) -> AccountResult:
        portal = ctx.portal
        has_key = self.store.get_key(account.portal, account.name) is not None  # redactor learns it
        if not portal.automated:
            return self._by_hand(account, ctx, has_key)
        refused = self._refused_before(account)
        if refused is not None:
            return refused
        ctx.has_stored_key = has_key
        if portal.generate_only:  # it shows a key only by making one: not visited if not due
            ctx.keep_stored_unless_due()
        retry = self.settings.retry

        def transient(exc: BaseException) -> bool:
            # A generate-only portal asked for a key once in this run must not be asked again.
            return isinstance(exc, PortalDown) and not (ctx.generated and portal.generate_only)

        try:
            user = self._user_locks.setdefault(
                (account.portal, account.username or account.name), asyncio.Lock())
            # The portal's turn first: waiting for it must not hold a slot another portal's
            # account could use.
            async with self._portal_slots[account.portal], user, self.parallelism.slot():
                async for attempt in AsyncRetrying(
                    retry=retry_if_exception(transient),
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
            if self.stopped_by is not None:  # the signal took the browser down with it
                return self._interrupted(account, ctx)
            self._remember_refusal(account, exc)
            message = REDACTOR(exc.message)
            if ctx.saved_fingerprint:  # the key is safe; say so before what went wrong after
                message = f"key {ctx.saved_fingerprint} stored, then: {message}"
            elif ctx.generated:
                message += f" — {_after_lost_generation(portal)}"
            if exc.artifact:
                message += f" (screenshot and HTML: {exc.artifact.with_suffix('')}.*)"
            return self._result(account, exc.outcome, message, ctx, artifact=exc.artifact)
        self.state.clear_refusals(account.portal, account.name)
        if ctx.saved_fingerprint is None:
            return self._result(account, Outcome.PAGE_CHANGED, "the flow ended without a key", ctx)
        if ctx.generated:
            what = "new key generated and stored"
        elif ctx.untrusted:
            what = "key read again after an interrupted generation, and stored"
        else:
            what = "key stored"
        return self._result(account, Outcome.OK, "; ".join([what, *ctx.notes]), ctx)

    def _refused_before(self, account: AccountConfig) -> AccountResult | None:
        """A secret the portal refused is not submitted again unchanged (most portals lock an
        account after a few refusals); a locked account waits for a person to run it by name."""
        portal, name = account.portal, account.name
        locked = self.state.refusal(portal, name, "locked")
        if locked is not None and not self.by_name:
            return self._result(account, Outcome.ACTION_NEEDED, (
                f"the portal locked this account on {locked.at:%Y-%m-%d %H:%M} UTC "
                f"({locked.message}); once the OPCO has unlocked it, a person runs "
                f"`key-retriever run {portal} --account {name}`"))
        for secret, value in ((credentials.PASSWORD, account.password),
                              (credentials.TOTP, account.totp_secret)):
            refused = (self.state.refusal(portal, name, secret, value)
                       if value is not None else None)
            if refused is not None:
                return self._result(account, Outcome.WRONG_CREDENTIALS, (
                    f"the portal refused this {credentials.WHAT[secret]} on "
                    f"{refused.at:%Y-%m-%d %H:%M} UTC ({refused.message}); it is not submitted "
                    f"again until it changes: {credentials.how_to_change(account, secret)}"))
        return None

    def _remember_refusal(self, account: AccountConfig, failure: RetrievalError) -> None:
        portal, name = account.portal, account.name
        if isinstance(failure, LoginRefused) and failure.secret is not None:
            value = (account.password if failure.secret == credentials.PASSWORD
                     else account.totp_secret)
            self.state.record_refusal(portal, name, failure.secret, value, failure.message)
        elif isinstance(failure, AccountLocked):
            self.state.record_refusal(portal, name, "locked", None, failure.message)
        elif failure.outcome is not Outcome.PORTAL_DOWN:  # past the login: let in
            self.state.clear_refusals(portal, name)

    def _by_hand(self, account: AccountConfig, ctx: FlowContext, has_key: bool) -> AccountResult:
        """A portal with no automatable procedure: its key is stored with `set`; a run says
        whether it is still good or when a person must get a new one."""
        how = (f"get a new key from {ctx.portal.name} and store it with `key-retriever set "
               f"{account.portal} --account {account.name} [--expires YYYY-MM-DD]`")
        if not has_key or ctx.stored is None or not ctx.stored.fingerprint:
            return self._result(account, Outcome.ACTION_NEEDED,
                                f"no key stored: {ctx.portal.name} has no automated procedure; "
                                + how.replace("a new key", "the key", 1))
        if self.force_new or ctx.wants_new_key(exists=True):
            due = f"expires {ctx.stored.expires_at:%Y-%m-%d}" if ctx.stored.expires_at else "due"
            return self._result(account, Outcome.ACTION_NEEDED, f"the stored key {due}: {how}")
        until = f" until {ctx.stored.expires_at:%Y-%m-%d}" if ctx.stored.expires_at else ""
        return self._result(account, Outcome.NOT_DUE, f"stored key kept (set by hand, valid"
                                                      f"{until})")

    async def _drive(self, ctx: FlowContext) -> None:
        """One attempt: a fresh context, the flow, and a classified failure."""
        browser = await self._get_browser(self._playwright)
        context = await browsers.new_context(browser, self.settings.browser,
                                             storage_state=ctx.kept_session())
        page = await context.new_page()
        watch = _PortalWatch(page)
        try:
            await browsers.dismiss_cookie_banners(page)
            ctx.step("opening the portal")
            response = await page.goto(ctx.base_url)
            if response is not None and response.status >= 500:
                raise PortalDown(f"the portal answered HTTP {response.status} at {ctx.base_url}")
            with labels.renamed(self._renamed(ctx)):
                await ctx.portal.load_flow()(page, ctx)
        except RetrievalError as exc:
            if isinstance(exc, PageChanged):
                exc = await self._page_changed(exc.message, page, ctx, watch)
            raise await self._paused(exc, page, ctx) from None
        except (PlaywrightError, AssertionError) as exc:
            # Never the library's words (« Locator.click: Timeout 30000ms exceeded »): what
            # the step waited for, in ours.
            if isinstance(exc, PlaywrightTimeoutError | AssertionError):
                what = (f"what this step waits for did not show within "
                        f"{ctx.timeout_ms / 1000:.0f} s")
            else:
                what = "the page went away or changed while this step was acting on it"
            log.debug("browser error", error=type(exc).__name__)
            failure = await self._page_changed(what, page, ctx, watch)
            raise await self._paused(failure, page, ctx) from None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in a flow: that account fails, the others go on
            log.exception("unexpected error in the flow")
            raise RetrievalError(
                f"step {ctx.current_step}: unexpected error ({type(exc).__name__}): please "
                "report it",
                artifact=await self._artifact(page, ctx),
            ) from None
        finally:
            with contextlib.suppress(PlaywrightError):
                await context.close()

    async def _page_changed(
        self, what: str, page: Page, ctx: FlowContext, watch: _PortalWatch
    ) -> RetrievalError:
        """The expected thing is not on the page: changed, unless the portal never answered."""
        where = f"step {ctx.current_step}"
        down = watch.why_down()
        if down:
            return PortalDown(f"{where}: the portal is down or too slow: {down}")
        setting = labels.setting_for(ctx.portal, self._renamed(ctx), what, ctx.current_step)
        return PageChanged(f"{where}: {what}" + (f"; {setting}" if setting else ""),
                           artifact=await self._artifact(page, ctx))

    async def _paused(self, failure: RetrievalError, page: Page,
                      ctx: FlowContext) -> RetrievalError:
        """--pause-on-failure: the failing page stays in its window until a person is done
        with it (not for a portal that is down: that attempt may be made again)."""
        if self._pause is not None and not isinstance(failure, PortalDown):
            self.report(ctx.account, "paused at the failure: close the window or press Enter")
            await self._pause.at(page, f"{ctx.portal.id}/{ctx.account.name}",
                                 REDACTOR(failure.message))
        return failure

    def _renamed(self, ctx: FlowContext) -> dict[str, str]:
        return self.settings.portal(ctx.portal.id).labels

    async def _artifact(self, page: Page, ctx: FlowContext) -> Path | None:
        if ctx.on_one_time_page:  # the key may be anywhere on it, and is not known to mask it
            log.warning("no failure screenshot or HTML dump: the page shows a key once; what "
                        "the portal answered stays in the secure store")
            return None
        return await capture_failure(
            page,
            directory=self.settings.resolved_artifacts_dir(),
            portal=ctx.portal.id,
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
            changed=bool(
                ctx
                and ctx.saved_fingerprint
                and ctx.saved_fingerprint != (ctx.stored.fingerprint if ctx.stored else None)
            ),
            artifact=artifact,
        )


def interleaved(accounts: list[AccountConfig]) -> list[AccountConfig]:
    """One account of each portal in turn, so that the first slots go to different portals."""
    queues: dict[str, list[AccountConfig]] = {}
    for account in accounts:
        queues.setdefault(account.portal, []).append(account)
    mixed: list[AccountConfig] = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                mixed.append(queue.pop(0))
    return mixed


def _after_lost_generation(portal: Portal) -> str:
    if portal.generate_only:
        return (f"the portal probably replaced the key; {portal.id} shows a key only by "
                "generating one: run again with --force-new")
    return "the portal may have replaced the key: the next run reads what it now holds"


def _quiet_after_stop(runner: Runner) -> Callable[[asyncio.AbstractEventLoop, dict], None]:
    """A signal sent to the whole process group also ends Playwright's driver: its dangling
    futures then fail noisily, after the summary that already says what was stopped."""

    def handle(loop: asyncio.AbstractEventLoop, context: dict) -> None:
        # A browser call left running when its page closed: no traceback, no library words.
        if runner.stopped_by is None and not isinstance(context.get("exception"),
                                                        PlaywrightError):
            loop.default_exception_handler(context)
        else:
            log.debug("background task ended with its page",
                      error=type(context.get("exception")).__name__)

    return handle


class _PortalWatch:
    """What the portal left unanswered or refused, to tell "down or slow" from "changed"."""

    def __init__(self, page: Page) -> None:
        self.pending: set[Request] = set()
        self.failures: list[str] = []
        page.on("request", self._sent)
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._failed)
        page.on("response", self._answered)

    def _sent(self, request: Request) -> None:
        if request.resource_type in _PORTAL_REQUESTS:
            self.pending.add(request)

    def _done(self, request: Request) -> None:
        self.pending.discard(request)

    def _failed(self, request: Request) -> None:
        self.pending.discard(request)
        error = request.failure or ""
        if request.resource_type in _PORTAL_REQUESTS and "ERR_ABORTED" not in error:
            self.failures.append(f"{error} at {request.url}")

    def _answered(self, response: Response) -> None:
        if response.status >= 500 and response.request.resource_type in _PORTAL_REQUESTS:
            self.failures.append(f"HTTP {response.status} at {response.url}")

    def why_down(self) -> str | None:
        if self.failures:
            return self.failures[-1]
        if self.pending:
            return f"no answer from {next(iter(self.pending)).url}"
        return None
