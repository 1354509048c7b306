"""What the commands do, shared by the CLI and the demo: run, renew, deploy hooks, reports."""

from __future__ import annotations

import asyncio
import json
import signal
from dataclasses import asdict, dataclass

from retrievers import credentials, display, renewal
from retrievers.config import ENV_PASSPHRASE, AccountConfig, Settings, check_passwords
from retrievers.errors import AccountBusy, Outcome
from retrievers.hooks import run_deploy_hook
from retrievers.locks import AccountLock
from retrievers.logs import log
from retrievers.redact import REDACTOR
from retrievers.results import AccountResult, exit_code
from retrievers.state import AccountState, StateDB
from retrievers.status import account_rows
from retrievers.store import KeyStore


@dataclass(frozen=True)
class RunOptions:
    renew: bool = False  # the scheduled job: only what is due; a busy account is not a failure
    headed: bool = False
    force_new: bool = False  # run --force-new, renew --force
    dry_run: bool = False  # renew --dry-run: walk to the key pages, change nothing
    deploy_hook: str | None = None  # --deploy-hook: instead of the configured ones
    as_json: bool = False
    login_only: bool = False  # `login`: sign in headed and keep the session; no key read
    pause_on_failure: bool = False  # run --headed --pause-on-failure
    by_name: bool = False  # --account NAME: a locked account is tried again

    @property
    def command(self) -> str:
        return "renew" if self.renew else "run"


@dataclass
class RunReport:
    results: list[AccountResult]
    stopped_by: int | None = None  # SIGINT or SIGTERM, when one stopped the run
    renew: bool = False

    @property
    def exit_code(self) -> int:
        # A timer firing while another renew works is not a failure: that one does the work.
        results = [r for r in self.results if not (self.renew and r.outcome is Outcome.BUSY)]
        return exit_code(results, self.stopped_by)


def run_and_report(
    settings: Settings, accounts: list[AccountConfig], options: RunOptions = RunOptions()
) -> RunReport:
    """Run (or renew) the accounts, each under its own lock, run the deploy hooks, then tell:
    the results table (or JSON), a notification, the metrics file."""
    if not options.renew:  # before anything is opened or created (renew first finds what is due)
        check_passwords(settings, accounts, stored=False)
    store = KeyStore.from_config(settings.store)
    credentials.load(store, accounts)
    log.info("secure store", backend=store.description)
    if not options.dry_run:
        store.check_writable()  # before any browser: a key generated must be storable
    state = StateDB(settings.resolved_state_path())
    try:
        skipped, to_visit = _plan(settings, accounts, options, store, state)
        check_passwords(settings, to_visit)
        REDACTOR.add(*(a.password for a in to_visit), *(a.totp_secret for a in to_visit),
                     settings.mailbox.password if settings.mailbox else None)
        results = list(skipped)
        stopped_by = None
        if to_visit:
            from retrievers.runner import Runner  # the browser engine: only when one is needed

            with display.account_progress(to_visit) as report:
                runner = Runner(
                    settings, store, state, headed=options.headed, force_new=options.force_new,
                    dry_run=options.dry_run, only_if_due=options.renew,
                    login_only=options.login_only, pause_on_failure=options.pause_on_failure,
                    by_name=options.by_name, report=report,
                )
                results += asyncio.run(runner.run(to_visit))
            stopped_by = runner.stopped_by
        order = {(a.portal, a.name): i for i, a in enumerate(accounts)}
        results.sort(key=lambda r: order[(r.portal, r.account)])
        if stopped_by is None:
            configured = {(a.portal, a.name): a for a in accounts}
            rows = state.by_account()  # as the run left them
            results = [_deploy(settings, store, state, options, configured[(r.portal, r.account)],
                               r, rows.get((r.portal, r.account))) for r in results]
        if not options.dry_run:
            _tell(settings, state, results, options)
    finally:
        state.close()
    _show(results, options, stopped_by)
    return RunReport(results, stopped_by, renew=options.renew)


def _plan(
    settings: Settings,
    accounts: list[AccountConfig],
    options: RunOptions,
    store: KeyStore,
    state: StateDB,
) -> tuple[list[AccountResult], list[AccountConfig]]:
    """renew: which accounts to visit; the others are reported not_due without a browser."""
    if not options.renew:
        return [], accounts
    skipped, to_visit = [], []
    known = state.by_account()
    for account in accounts:
        stored = known.get((account.portal, account.name))
        decision = renewal.decide_for(settings, account, store, stored, force=options.force_new)
        # An account left alone is logged at debug: twice a day for a thousand accounts, such
        # lines would bury the few visited (the summary counts them; `status` says when due).
        (log.info if decision.visit else log.debug)(
            "renewal", portal=account.portal, account=account.name, visit=decision.visit,
            reason=decision.reason)
        if decision.visit:
            to_visit.append(account)
        else:
            skipped.append(AccountResult(
                account.portal, account.name, Outcome.NOT_DUE, f"not due: {decision.reason}",
                fingerprint=stored.fingerprint if stored else None,
                expires_at=stored.expires_at if stored else None,
            ))
    return skipped, to_visit


def _deploy(
    settings: Settings,
    store: KeyStore,
    state: StateDB,
    options: RunOptions,
    account: AccountConfig,
    result: AccountResult,
    row: AccountState | None,
) -> AccountResult:
    """Hand a new key to the account's deploy hook, once: under the account's lock, and only
    while the state says the hook has not taken it (a failed hook is retried next time).
    `row` is the account's state as the run left it; it is read again under the lock."""
    if result.outcome is Outcome.BUSY:
        return result  # the process working on it deploys it
    if row is None or row.deploy_pending is None:
        return result
    hook = options.deploy_hook or settings.deploy_hook_for(account)
    if hook is None:
        state.mark_deployed(account.portal, account.name, row.deploy_pending)
        return result
    if options.dry_run:
        result.message += f"; would run the deploy hook for key {row.deploy_pending}"
        return result
    lock = AccountLock(store, account.portal, account.name)
    try:
        lock.acquire()
    except AccountBusy:
        return result
    try:
        row = state.get(account.portal, account.name)
        key = store.get_key(account.portal, account.name)
        if row is None or row.deploy_pending is None or key is None:
            return result
        failure = run_deploy_hook(
            hook, key, portal=account.portal, account=account.name,
            fingerprint=row.deploy_pending, expires_at=row.expires_at,
            timeout=settings.deploy_hook_timeout_seconds,
            hidden=[ENV_PASSPHRASE, *(a.password_env for a in settings.accounts)],
        )
        if failure is None:
            state.mark_deployed(account.portal, account.name, row.deploy_pending)
            result.message += f"; deploy hook run for key {row.deploy_pending}"
            return result
        message = (f"key {row.deploy_pending} stored, but {failure}; the next renew runs it "
                   "again")
        state.record_outcome(account.portal, account.name, Outcome.HOOK_FAILED, message)
        log.error("deploy hook failed", portal=account.portal, account=account.name,
                  hook=hook, why=failure.why)
        result.outcome, result.message = Outcome.HOOK_FAILED, message
        return result
    finally:
        lock.release()


def _tell(
    settings: Settings, state: StateDB, results: list[AccountResult], options: RunOptions
) -> None:
    """The unattended job's reports: a notification when a person is needed, the metrics."""
    if settings.notify:
        from retrievers.notify import notify_problems

        notify_problems(settings.notify, results, options.command)
    if settings.metrics_file is not None:
        from retrievers.metrics import write_metrics

        write_metrics(settings.metrics_file, account_rows(settings, state))


def _show(results: list[AccountResult], options: RunOptions, stopped_by: int | None) -> None:
    out = display.console()
    if options.as_json:
        out.print_json(json.dumps([_as_json(r) for r in results], default=str))
        return
    # renew tells what it did: an account it left alone is counted, not listed (twice a day
    # for a thousand accounts, such rows would bury the few that changed).
    shown = [r for r in results if not (options.renew and r.outcome is Outcome.NOT_DUE)]
    if shown:
        out.print(display.results_table(shown, title=f"key-retriever {options.command}"))
    summary = display.summary_line(results)
    if len(shown) < len(results):
        summary += " (`key-retriever status` says when each is due)"
    if stopped_by is not None:
        summary += f" (stopped by {signal.Signals(stopped_by).name})"
    out.print(summary)


def _as_json(result: AccountResult) -> dict[str, object]:
    data = asdict(result)
    data["outcome"] = str(result.outcome)
    data["summary"] = display.kind(result)
    data["expires_at"] = result.expires_at.isoformat() if result.expires_at else None
    data["artifact"] = str(result.artifact) if result.artifact else None
    return data
