"""The `key-retriever` command line: one function per command."""

from __future__ import annotations

import functools
import json
import os
import shlex
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

# Only what every command needs is imported here; each command imports its own machinery
# (configuration, store, browser engine) when it runs, so `--help`, `status`, `get` start fast.
from retrievers.errors import ConfigError, RetrievalError, RunInProgress
from retrievers.portals import PORTAL_IDS, PORTALS
from retrievers.redact import REDACTOR

if TYPE_CHECKING:
    from retrievers.config import AccountConfig, Settings
    from retrievers.handoff import HandedKey
    from retrievers.operations import RunOptions

EXIT_FAILED, EXIT_USAGE = 1, 2
_DEBUG = "key_retriever.debug"  # click context meta: --debug given before the command


def _fail(message: str, code: int) -> None:
    click.echo(f"key-retriever: error: {REDACTOR(message)}", err=True)
    sys.exit(code)


def _show_traceback(exc: BaseException, *, debug: bool, log_json: bool | None) -> None:
    """The traceback of an error the user was told about: on the terminal with --debug, in the
    log with an explicit --log-json (a collector keeps it), otherwise nowhere: the one or two
    lines of the message say what to do; a traceback would bury them."""
    if debug:
        text = "".join(traceback.format_exception(exc))
        click.echo(REDACTOR(text.rstrip()), err=True)
    elif log_json:
        from retrievers.logs import log

        log.error("command failed", error=type(exc).__name__, exc_info=exc)


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options every command takes, and the documented exit codes for its errors."""

    @click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        help="Configuration file (default ./key-retriever.yaml, else "
        "$KEY_RETRIEVER_CONFIG, else the user config dir).",
    )
    @click.option(
        "--log-json",
        is_flag=True,
        default=None,
        help="Log JSON lines (the default when stderr is not a terminal).",
    )
    @click.option("-v", "--verbose", is_flag=True, help="Log each step of each flow.")
    @click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
    @functools.wraps(fn)
    def wrapper(
        config_path: Path | None, log_json: bool | None, verbose: bool, debug: bool, **kw: Any
    ) -> Any:
        debug = debug or bool(click.get_current_context().meta.get(_DEBUG))
        from retrievers import logs

        logs.configure(json=log_json, verbose=verbose)
        try:
            return fn(config_path=config_path, **kw)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own usage errors and exits: it reports them (exit 2 / as asked)
        except ConfigError as exc:
            _show_traceback(exc, debug=debug, log_json=log_json)
            _fail(exc.describe(), EXIT_USAGE)
        except (RetrievalError, RunInProgress) as exc:  # KeyStoreError among them
            _show_traceback(exc, debug=debug, log_json=log_json)
            _fail(str(exc), EXIT_FAILED)
        except Exception as exc:
            # A bug or an unforeseen condition: still one line, and where to see more.
            _show_traceback(exc, debug=debug, log_json=log_json)
            more = "" if debug else "; run again with --debug to see where it happened"
            _fail(f"unexpected error: {type(exc).__name__}: {exc}{more}", EXIT_FAILED)

    return wrapper


RENDERING = click.option(
    "--rendering",
    type=click.Choice(["classic", "spa", "variants"]),
    default="classic",
    show_default=True,
    help="How the simulated portals build their pages: server-rendered (classic), in the "
    "browser (spa), or with the liberties real portals take (variants: other wordings, sections "
    "behind menus, buttons that answer in words); the same seed.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="key-retriever")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Retrieve the CFA API keys of the OPCO portals into a secure store.

    Start with `key-retriever demo` to see every flow work against simulated portals, then
    write a key-retriever.yaml (see config.example.yaml) and `key-retriever run`.

    Exit codes: 0 all done; 1 at least one retrieval failed; 2 bad usage or configuration
    (nothing was attempted); 3 a person must act (MFA, a key sent by e-mail, a manual portal).
    """
    ctx.meta[_DEBUG] = debug


def _hook_and_json(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options of run and renew: who takes each new key, and how the summary is printed."""
    fn = click.option(
        "--deploy-hook",
        metavar="CMD",
        help="Shell command run once for each new key, the key on its standard input (never in"
        " arguments or environment), with KEY_RETRIEVER_PORTAL, KEY_RETRIEVER_ACCOUNT,"
        " KEY_RETRIEVER_FINGERPRINT and KEY_RETRIEVER_EXPIRES_AT set; replaces the configured"
        " deploy_hook. A failing hook fails the run; renew runs it again.",
    )(fn)
    return click.option(
        "--json", "as_json", is_flag=True, help="Print the results as a JSON list (for scripts)."
    )(fn)


def _parse_shard(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[int, int] | None:
    if value is None:
        return None
    index_text, slash, count_text = value.rpartition("/")
    if not slash:  # "N": the index comes from a Kubernetes Indexed Job
        index_text, count_text = os.environ.get("JOB_COMPLETION_INDEX", ""), value
        if not index_text:
            raise click.BadParameter("give I/N, or N with JOB_COMPLETION_INDEX set")
    try:
        index, count = int(index_text), int(count_text)
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected I/N, e.g. 0/4") from None
    if not 0 <= index < count:
        raise click.BadParameter(f"{value!r}: the index goes from 0 to N-1")
    return index, count


PORTALS_ARGUMENT = click.argument("portals", nargs=-1, type=click.Choice(PORTAL_IDS))
PORTAL_OPTION = click.option("--portal", "portals", multiple=True,
                             type=click.Choice(PORTAL_IDS),
                             help="Only this portal's accounts (repeatable).")
ACCOUNT = click.option("--account", help="Only the account with this name.")
ONE_ACCOUNT = click.option("--account",
                           help="The account's name (needed when the portal has several).")

SHARD = click.option(
    "--shard",
    metavar="I/N",
    callback=_parse_shard,
    help="Only the accounts of shard I of N (0-based), for N workers sharing one configuration;"
    " `--shard N` takes I from $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job). An account"
    " always falls in the same shard.",
)


@cli.command()
@PORTALS_ARGUMENT
@ACCOUNT
@click.option(
    "--headed",
    is_flag=True,
    help="Show the browser; a person completes MFA or manual steps while the flow waits.",
)
@click.option(
    "--force-new",
    is_flag=True,
    help="Generate a new key even if the current one is valid: the portal then invalidates the"
    " previous one (Afdas: for every establishment of the SIREN), which must be replaced"
    " wherever it is used.",
)
@click.option(
    "--pause-on-failure",
    is_flag=True,
    help="With --headed, on a terminal: at a failure, keep the browser on the failing page and"
    " say the step, the label and the setting that renames it; the run goes on once the window"
    " is closed or Enter is pressed.",
)
@_hook_and_json
@SHARD
@command
def run(
    config_path: Path | None,
    portals: tuple[str, ...],
    account: str | None,
    shard: tuple[int, int] | None,
    headed: bool,
    force_new: bool,
    pause_on_failure: bool,
    deploy_hook: str | None,
    as_json: bool,
) -> None:
    """Retrieve the keys of the configured accounts (all, or those of PORTALS) and store them.

    An existing key is shown rather than regenerated; a new one is generated only when there is
    none, when it is due for renewal, or with --force-new.
    """
    from retrievers.operations import RunOptions

    if pause_on_failure:
        from retrievers.pause import refused_because

        refused = refused_because(headed=headed)
        if refused:
            raise click.UsageError(refused)
    _run_selected(config_path, portals, account, shard, RunOptions(
        headed=headed, force_new=force_new, deploy_hook=deploy_hook, as_json=as_json,
        pause_on_failure=pause_on_failure, by_name=account is not None))


@cli.command()
@PORTALS_ARGUMENT
@ACCOUNT
@click.option(
    "--dry-run",
    is_flag=True,
    help="Log in and walk to each due key's page, stop before any click that would change"
    " something, and say what would be done. Stores nothing, runs no hook.",
)
@click.option("--force", is_flag=True, help="Renew every selected account, due or not.")
@_hook_and_json
@SHARD
@command
def renew(
    config_path: Path | None,
    portals: tuple[str, ...],
    account: str | None,
    shard: tuple[int, int] | None,
    dry_run: bool,
    force: bool,
    deploy_hook: str | None,
    as_json: bool,
) -> None:
    """The scheduled job: renew only what is due; report the rest as not due (no browser).

    Due: no key stored; the last attempt failed; the expiry is within renew_before_days (never
    more than the last third of the key's life); no known expiry and older than 2/3 of the
    portal's longest key lifetime; or a key the portal shows, last read reread_days ago (a key
    changed on the portal is noticed). An account another process is working on is left to it
    (exit 0). Deploy hooks that failed before are run again.
    """
    from retrievers.operations import RunOptions

    _run_selected(config_path, portals, account, shard, RunOptions(
        renew=True, force_new=force, dry_run=dry_run, deploy_hook=deploy_hook, as_json=as_json))


def _run_selected(config_path: Path | None, portals: tuple[str, ...], account: str | None,
                  shard: tuple[int, int] | None, options: RunOptions) -> None:
    from retrievers.config import load_config
    from retrievers.operations import run_and_report
    from retrievers.selection import select_accounts

    settings = load_config(config_path)
    accounts = select_accounts(settings, portals, account, shard)
    sys.exit(run_and_report(settings, accounts, options).exit_code)


@cli.command()
@PORTALS_ARGUMENT
@ACCOUNT
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (for scripts).")
@command
def check(config_path: Path | None, portals: tuple[str, ...], account: str | None,
          as_json: bool) -> None:
    """Check everything a run needs, before it runs: the configuration, the secure store (a
    test item written, read back and deleted), the selected accounts' secret variables (never
    printed), the browser, the mailbox and each portal's address (TLS included).

    No portal is signed in to and no key is read or written. Exit 0 when all hold, 1 when
    something would fail (each ✗ says what to do), 2 when the configuration cannot be read.
    """
    from rich.table import Table

    from retrievers import display
    from retrievers.check import check as check_all
    from retrievers.check import configuration_lines
    from retrievers.config import load_config
    from retrievers.selection import select_accounts

    try:
        settings = load_config(config_path)
        lines = check_all(settings, select_accounts(settings, portals, account, None))
        code = 0 if all(line.ok for line in lines) else EXIT_FAILED
    except ConfigError as exc:
        lines, code = configuration_lines(exc), EXIT_USAGE
    if as_json:
        click.echo(json.dumps([line.as_json() for line in lines], indent=2, ensure_ascii=False))
    else:
        table = Table(title="key-retriever check", title_justify="left")
        for column in ("", "what", "result", "what to do"):
            table.add_column(column, overflow="fold")
        for line in lines:
            mark = "[green]✓[/green]" if line.ok else "[red]✗[/red]"
            table.add_row(mark, line.what, line.detail, line.fix)
        display.console().print(table)
    sys.exit(code)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (for scripts).")
@command
def status(config_path: Path | None, as_json: bool) -> None:
    """One row per account: key fingerprint, retrieval and expiry dates, last outcome."""
    from retrievers.config import load_config
    from retrievers.status import status_rows, status_text

    settings = load_config(config_path, required=False)
    rows = status_rows(settings)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
    else:
        click.echo(status_text(rows))
    # The rows come from the state database; the keys themselves are in the store. Opening the
    # store would create nothing, but a missing store file must be said, not shown as fine.
    path = settings.store.path if settings.store.backend == "file" else None
    if path is not None and not path.exists():
        if any(r.fingerprint for r in rows):
            _fail(f"the store file {path} (store.path) does not exist, although keys were "
                  "stored: check the path (a moved or mistyped store.path?)", EXIT_USAGE)
        click.echo(f"key-retriever: the store file {path} does not exist yet; "
                   "`key-retriever run` creates it with the first key", err=True)


@cli.command()
@click.argument("portal", type=click.Choice(PORTAL_IDS))
@ONE_ACCOUNT
@click.option(
    "--field",
    metavar="NAME",
    help="Print a recorded attribute instead of the key (Cardif: code_apporteur).",
)
@command
def get(config_path: Path | None, portal: str, account: str | None, field: str | None) -> None:
    """Print the stored key alone on stdout (for scripts)."""
    from retrievers.config import load_config
    from retrievers.status import status_rows
    from retrievers.store import KeyStore

    settings = load_config(config_path, required=False)
    rows = [r for r in status_rows(settings) if r.portal == portal]
    names = sorted({a.name for a in settings.accounts if a.portal == portal}
                   | {r.account for r in rows})
    where = settings.source_path or "the configuration"
    if account is None:
        if len(names) != 1:
            raise ConfigError(
                f"{portal} has accounts {', '.join(names)}: choose one with --account"
                if names
                else f"no account known for {portal} (none in {where} nor in the state database)"
            )
        account = names[0]
    if field is not None:
        attributes = next((r.attributes for r in rows if r.account == account), {})
        if field not in attributes:
            known = ", ".join(sorted(attributes)) or "none yet"
            _fail(f"{portal}/{account} has no recorded {field!r} (recorded: {known})",
                  EXIT_FAILED)
        click.echo(attributes[field])
        return
    store = KeyStore.from_config(settings.store, create=False)  # a missing store file: exit 2
    key = store.get_key(portal, account)
    if key is None and account not in names:
        # Only when nothing is stored under that name either (a key put there by hand counts).
        known = f"known accounts: {', '.join(names)}" if names else "no account is known for it"
        raise ConfigError(f"no account named {account!r} for {portal} in {where}; {known}")
    if key is None:
        _fail(
            f"no key stored for {portal}/{account}; run `key-retriever run {portal}`", EXIT_FAILED
        )
    click.echo(key)


@cli.command(name="set")
@click.argument("portal", type=click.Choice(PORTAL_IDS))
@ONE_ACCOUNT
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The key's expiry, when the portal gives one: renew reminds you before it.")
@command
def set_key(config_path: Path | None, portal: str, account: str | None,
            expires: datetime | None) -> None:
    """Store a key a person got from PORTAL (AKTO, Uniformation: no automatable procedure).

    The key is read from a pipe (`printf %s "$KEY" | key-retriever set akto`) or typed at a
    hidden prompt; never from an argument, which other users of the machine can see.
    """
    from retrievers.config import load_config
    from retrievers.manual import read_key, store_by_hand
    from retrievers.selection import configured_account

    settings = load_config(config_path)
    chosen = configured_account(settings, portal, account)
    text = _secret_typed_or_piped(f"key for {portal}/{chosen.name}")
    key_fingerprint = store_by_hand(settings, chosen, read_key(text),
                                    expires.date() if expires else None)
    until = f", expires {expires:%Y-%m-%d}" if expires else ""
    click.echo(f"stored key {key_fingerprint} for {portal}/{chosen.name}{until}", err=True)


def _secret_typed_or_piped(what: str) -> str:
    """A secret from a hidden prompt typed twice, or from a pipe: never from an argument, which
    other users of the machine can see."""
    if sys.stdin.isatty():
        return str(click.prompt(f"{what} (hidden)", hide_input=True, confirmation_prompt=True,
                                err=True))
    return sys.stdin.read()


@cli.group()
def credentials() -> None:
    """Portal passwords and authenticator secrets kept in the secure store.

    An account uses its password_env / totp_env variable when the configuration names one,
    else what `credentials set` stored (an item `<account>#password` or `<account>#totp` of
    the portal, beside its key). Values are never printed.
    """


LOGIN_PORTAL = click.argument(
    "portal", type=click.Choice([p.id for p in PORTALS.values() if p.logs_in]))
TOTP = click.option("--totp", is_flag=True,
                    help="The authenticator app's secret (base32, shown beside the portal's QR "
                    "code) instead of the password.")


def _credential_of(config_path: Path | None, portal: str, account: str | None,
                   totp: bool) -> tuple[Settings, AccountConfig, str]:
    """The configuration, the account chosen, and which of its secrets."""
    from retrievers import credentials as secrets
    from retrievers.config import load_config
    from retrievers.selection import configured_account

    settings = load_config(config_path)
    return (settings, configured_account(settings, portal, account),
            secrets.TOTP if totp else secrets.PASSWORD)


@credentials.command(name="set")
@LOGIN_PORTAL
@ONE_ACCOUNT
@TOTP
@command
def credentials_set(config_path: Path | None, portal: str, account: str | None,
                    totp: bool) -> None:
    """Store the password (or with --totp, the authenticator secret) of an account of PORTAL,
    typed twice at a hidden prompt or piped in. A password the portal refused is tried again
    once a new one is stored."""
    from retrievers import credentials as secrets
    from retrievers.store import KeyStore

    settings, chosen, secret = _credential_of(config_path, portal, account, totp)
    value = _secret_typed_or_piped(f"{secrets.WHAT[secret]} for {portal}/{chosen.name}")
    secrets.checked(secret, value)  # refused before the store is opened or created
    secrets.save(KeyStore.from_config(settings.store), chosen, secret, value)
    variable = chosen.password_env if secret == secrets.PASSWORD else chosen.totp_env
    note = (f"; the configuration names ${variable}, which is used instead while it is set"
            if variable else "")
    click.echo(f"stored the {secrets.WHAT[secret]} of {portal}/{chosen.name}{note}", err=True)


@credentials.command(name="delete")
@LOGIN_PORTAL
@ONE_ACCOUNT
@TOTP
@command
def credentials_delete(config_path: Path | None, portal: str, account: str | None,
                       totp: bool) -> None:
    """Remove the stored password (or with --totp, authenticator secret) of an account."""
    from retrievers import credentials as secrets
    from retrievers.store import KeyStore

    settings, chosen, secret = _credential_of(config_path, portal, account, totp)
    store = KeyStore.from_config(settings.store, create=False)
    what = f"{secrets.WHAT[secret]} of {portal}/{chosen.name}"
    if not secrets.delete(store, chosen, secret):
        _fail(f"no stored {what}", EXIT_FAILED)
    click.echo(f"deleted the stored {what}", err=True)


@credentials.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (for scripts).")
@command
def credentials_list(config_path: Path | None, as_json: bool) -> None:
    """Which account has a password and an authenticator secret, and where each comes from
    (a variable, or the secure store); never the values."""
    from rich.table import Table

    from retrievers import credentials as secrets
    from retrievers import display
    from retrievers.config import load_config
    from retrievers.store import KeyStore

    settings = load_config(config_path)
    path = settings.store.path if settings.store.backend == "file" else None
    store = None if path is not None and not path.exists() else KeyStore.from_config(
        settings.store, create=False)
    rows = [{"portal": a.portal, "account": a.name,
             "password": secrets.source(store, a, secrets.PASSWORD),
             "totp": secrets.source(store, a, secrets.TOTP)}
            for a in settings.accounts if PORTALS[a.portal].logs_in]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="credentials", title_justify="left")
    for column in ("portal", "account", "password from", "authenticator secret from"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["portal"], row["account"], row["password"] or "[red]none[/red]",
                      row["totp"] or "-")
    display.console().print(table)


@cli.command()
@LOGIN_PORTAL
@ONE_ACCOUNT
@command
def login(config_path: Path | None, portal: str, account: str | None) -> None:
    """Sign in to PORTAL in a browser window, a person completing its second factor, and keep
    the session (encrypted in the secure store) so that headless runs skip the login.

    The tool fills the user name and password; the window waits for the person for
    browser.person_timeout_seconds. Headless runs reuse the session until the portal asks to
    sign in again, then use the password, and end action_needed (exit 3) if a second factor is
    asked again.
    """
    from retrievers.config import load_config
    from retrievers.operations import RunOptions, run_and_report
    from retrievers.selection import configured_account

    settings = load_config(config_path)
    chosen = configured_account(settings, portal, account)
    sys.exit(run_and_report(settings, [chosen], RunOptions(headed=True, login_only=True,
                                                           by_name=True)).exit_code)


@cli.command(name="export")
@PORTAL_OPTION
@ACCOUNT
@click.option("--format", "fmt", type=click.Choice(["env", "json"]), default="env",
              show_default=True,
              help="env: NAME='key' lines (for a shell, docker --env-file or systemd"
              " EnvironmentFile); json: a list with portal, account, variables, key, expiry.")
@command
def export_keys(config_path: Path | None, portals: tuple[str, ...], account: str | None,
                fmt: str) -> None:
    """Print the stored keys for a deployment script (like `get`, this prints keys).

    Variables: CFA_KEY_<PORTAL>_<ACCOUNT> for each account (upper case, other characters as
    _), and CFA_KEY_<PORTAL> when the portal has one selected account.
    """
    handed = _stored_keys(config_path, portals, account)
    if fmt == "json":
        click.echo(json.dumps([
            {"portal": h.portal, "account": h.account, "variables": list(h.variables),
             "key": h.key, "fingerprint": h.fingerprint,
             "expires_at": h.expires_at.isoformat() if h.expires_at else None}
            for h in handed], indent=2, ensure_ascii=False))
        return
    for h in handed:
        for name in h.variables:
            click.echo(f"{name}={shlex.quote(h.key)}")


def _stored_keys(config_path: Path | None, portals: tuple[str, ...],
                 account: str | None) -> list[HandedKey]:
    from retrievers.config import load_config
    from retrievers.handoff import stored_keys
    from retrievers.selection import select_accounts

    settings = load_config(config_path)
    return stored_keys(settings, select_accounts(settings, portals, account))


@cli.command(name="exec", context_settings={"ignore_unknown_options": True})
@PORTAL_OPTION
@ACCOUNT
@click.argument("cmd", nargs=-1, required=True, type=click.UNPROCESSED)
@command
def exec_with_keys(config_path: Path | None, portals: tuple[str, ...], account: str | None,
                   cmd: tuple[str, ...]) -> None:
    """Run CMD with the stored keys in its environment: key-retriever exec -- CMD ARGS...

    Same variable names as `export`. CMD replaces key-retriever (same process, its exit code).
    """
    handed = _stored_keys(config_path, portals, account)
    env = dict(os.environ)
    for h in handed:
        env.update(dict.fromkeys(h.variables, h.key))
    try:
        os.execvpe(cmd[0], list(cmd), env)
    except OSError as exc:
        raise ConfigError(f"cannot run {cmd[0]!r}: {exc.strerror or exc}") from None


@cli.command()
@click.argument("portal", required=False, type=click.Choice(PORTAL_IDS))
@command
def portals(config_path: Path | None, portal: str | None) -> None:
    """The supported portals, how much the tool does for each, and how each delivers its key;
    with PORTAL, its steps and the labels its flow reads, with any renamed in the
    configuration (portals.PORTAL.labels).

    automatic: the tool logs in and reads or generates the key; e-mail assisted: the tool
    sends the request form once, then reads the mailbox; manual: a person stores it with `set`.
    """
    from rich.table import Table

    from retrievers import display

    if portal is not None:
        _portal_labels(config_path, portal)
        return
    table = Table(title="portals", title_justify="left")
    for column in ("id", "portal", "kind", "how the key is delivered"):
        table.add_column(column, overflow="fold")
    for p in PORTALS.values():
        table.add_row(p.id, p.name, p.kind, p.delivery)
    display.console().print(table)


def _portal_labels(config_path: Path | None, portal_id: str) -> None:
    import importlib
    import inspect

    from rich.table import Table

    from retrievers import display, labels
    from retrievers.config import load_config

    portal = PORTALS[portal_id]
    settings = load_config(config_path, required=False)
    renamed = settings.portal(portal_id).labels
    out = display.console()
    out.print(f"{portal.name} ({portal.kind}): {portal.delivery}")
    if portal.flow is None:
        return
    module = importlib.import_module(portal.flow.split(":")[0])
    out.print(f"\n[bold]steps[/bold]\n{inspect.getdoc(module)}\n", markup=True, highlight=False)
    table = Table(title=f"labels (rename one with portals.{portal_id}.labels)",
                  title_justify="left")
    for column in ("the seed's words", "read as"):
        table.add_column(column, overflow="fold")
    for label in labels.of(portal):
        shown = labels.override(renamed, label)
        table.add_row(label, f"{shown} (configured)" if shown else "the seed's words")
    out.print(table)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    default=8700,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="0 picks a free port.",
)
@RENDERING
@command
def sandbox(config_path: Path | None, host: str, port: int, rendering: str) -> None:
    """Serve the simulated portals on 127.0.0.1 until stopped (Ctrl-C)."""
    from retrievers.demo import serve_sandbox

    serve_sandbox(host, port, rendering)


@cli.command()
@RENDERING
@command
def demo(config_path: Path | None, rendering: str) -> None:
    """Run every flow against the simulated portals with a throw-away store, and show the result."""
    from retrievers.demo import run_demo

    sys.exit(run_demo(rendering))


def main() -> None:
    # Everything the tool writes (state, locks, artifacts, downloads, the encrypted store) and
    # everything its browser writes is its user's alone: files 0600, folders 0700.
    os.umask(0o077)
    cli(prog_name="key-retriever")
