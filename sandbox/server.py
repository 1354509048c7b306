"""The Sandbox: one aiohttp server carrying the simulated portals, and its test hooks."""

from __future__ import annotations

import asyncio
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiohttp import web

from . import clock
from .accounts import (
    DEMO_ACCOUNTS,
    DEMO_MAILBOX,
    EXTRA_DEMO_ACCOUNTS,
    MAIL_DEMO_ACCOUNTS,
    MAIL_PORTALS,
    SERVED_PORTALS,
    Account,
    build_accounts,
)
from .middleware import make_middleware
from .portals import MODULES, constructys, opco2i
from .portals.cardif import AGGREGATORS
from .state import CARDIF_KEY_AGGREGATOR, PROGESTOR_FORMATS, KeyRecord, SandboxState
from .web import STATIC_DIR, PortalContext, make_environment

DEFAULT_LATENCY = (0.08, 0.35)


class Sandbox:
    """Simulated portals with their state held in this instance (fresh per instance).

    With `accounts` None it knows DEMO_ACCOUNTS, EXTRA_DEMO_ACCOUNTS (Cardif and O2S) and
    MAIL_DEMO_ACCOUNTS (OPCO 2i and Constructys). The mails OPCO 2i and Constructys send are kept
    in memory (sent_mails) and, with `mail_dir`, delivered to
    `<mail_dir>/<address lowercased>/Maildir`.
    """

    def __init__(self, latency: tuple[float, float] = DEFAULT_LATENCY,
                 accounts: list[dict[str, Any]] | None = None,
                 rendering: str | dict[str, str] = "classic",
                 mail_dir: Path | None = None, banner_at_press: str | None = None) -> None:
        # `banner_at_press`: the cookie banner shows up at the very instant a person presses the
        # element named so (not 300-600 ms after load), and takes the release: the browser
        # clicks nothing, and Playwright reports the click done (what a busy machine does to a
        # late banner, made certain).
        self.banner_at_press = banner_at_press
        # Mutable on purpose: a test may slow the portals down for one step.
        self.latency = latency
        self.accounts: list[Account] = build_accounts(
            [*DEMO_ACCOUNTS, *EXTRA_DEMO_ACCOUNTS, *MAIL_DEMO_ACCOUNTS] if accounts is None
            else accounts)
        self.mail_dir = Path(mail_dir) if mail_dir is not None else None
        self._state = SandboxState(self.accounts, self.mail_dir)
        # Each portal can be served in another rendering: the same pages, labels and steps,
        # another markup (what a flow meets on a portal built with another framework).
        chosen = (rendering if isinstance(rendering, dict)
                  else dict.fromkeys(SERVED_PORTALS, rendering))
        unknown = set(chosen) - set(SERVED_PORTALS)
        if unknown:
            raise ValueError(f"unknown sandbox portal(s) {sorted(unknown)}")
        self.renderings = {p: chosen.get(p, "classic") for p in SERVED_PORTALS}
        self._envs = {r: make_environment(r) for r in set(self.renderings.values()) | {"classic"}}
        self._env = self._envs["classic"]
        self._contexts: dict[str, PortalContext] = {}
        self._runner: web.AppRunner | None = None
        self._address: tuple[str, int] | None = None

    # ----- serving ------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        contexts: dict[str, PortalContext] = {}
        app = web.Application(middlewares=[make_middleware(lambda: self.latency, contexts)])
        for portal in SERVED_PORTALS:
            module = MODULES[portal]
            env = self._envs[self.renderings[portal]]
            context = PortalContext(module.SPEC, self._state, app, env, lambda: self.latency,
                                    self.renderings[portal], self.banner_at_press)
            module.setup(context)
            app.router.add_get(f"/{portal}/assets/{{name}}", _asset)
            contexts[portal] = context
        app.router.add_get("/", self._index)
        self._contexts = contexts
        return app

    async def _index(self, request: web.Request) -> web.Response:
        html = self._env.get_template("index.html").render(
            portals=[(p, MODULES[p].SPEC.title, f"/{p}/") for p in SERVED_PORTALS],
            accounts=self.accounts)
        return web.Response(text=html, content_type="text/html")

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on the running loop; returns once listening (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("this sandbox is already serving")
        # A short shutdown grace: browsers keep idle keep-alive connections open.
        runner = web.AppRunner(self._build_app(), access_log=None, handle_signals=False,
                               shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_port = runner.addresses[0][1]
        # Listening on every interface still means the URLs to hand out are the loopback ones.
        self._address = ("127.0.0.1" if host in ("0.0.0.0", "", "::") else host, bound_port)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self._address = None
            await runner.cleanup()

    @contextmanager
    def serve_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[Sandbox]:
        """Serve from a background thread with its own loop, for sync tests and scripts."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start(host, port))
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.stop())
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = threading.Thread(target=run, name="key-retriever-sandbox", daemon=True)
        thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        try:
            yield self
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)

    # ----- addresses ----------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        if self._address is None:
            raise RuntimeError("the sandbox is not serving; call start() or serve_in_thread()")
        host, port = self._address
        return f"http://{host}:{port}/"

    def base_url(self, portal: str) -> str:
        """Where the seed's procedure starts (the tool's base_url for this portal)."""
        self._check_portal(portal)
        return f"{self.root_url}{portal}/"

    def page_url(self, portal: str, page: str) -> str:
        """Deep URL of a page by its route name, for tests only: a flow must click its way.

        Route names: atlas login, login_submit, espaces, home, parametres, api_key, logout;
        ocapiat home, espace, login, login_submit, partnet, interfacage, api_show, api_generate;
        opcoep home, login, login_submit, dashboard, securisation, api_token, api_generate,
        token_txt; mobilites home, mgestion, login, login_submit, home_cfa, cle, api_generate;
        cardif login, login_submit, accueil, portefeuille, suivi, documentation, agregateurs,
        subscribe, renew, extraction_launch, extraction_file, api_agregateurs, api_subscribe,
        api_renew, api_extractions, api_extract, logout; o2s login, login_submit, accueil,
        clients, contrats, parametres, agregation, request_submit, request_delete,
        api_requests, api_create, api_delete, logout. Every portal with a login also has
        second_factor (the factor page), second_factor_send, second_factor_verify,
        second_factor_status, password_change (the page of require_password_change) and
        password_change_submit (its form's POST).
        """
        self._check_portal(portal)
        if not self._contexts or self._address is None:
            raise RuntimeError("the sandbox is not serving")
        return self.root_url.rstrip("/") + self._contexts[portal].url(page)

    def consent_cookies(self) -> list[dict[str, str]]:
        """Playwright cookies answering every portal's cookie banner (to skip it in tests)."""
        return [{"name": MODULES[p].SPEC.consent_cookie, "value": "refused",
                 "url": self.base_url(p)} for p in SERVED_PORTALS]

    # ----- keys and switches --------------------------------------------------------------

    def current_key(self, portal: str, username: str, siret: str | None = None) -> str | None:
        """The portal's current valid key, or None (none yet, or expired)."""
        self._check_portal(portal)
        record = self._state.key_record(portal, username, siret)
        return record.value if record and record.is_valid(clock.now()) else None

    def key_expires_at(self, portal: str, username: str,
                       siret: str | None = None) -> datetime | None:
        self._check_portal(portal)
        record = self._state.key_record(portal, username, siret)
        return record.expires_at if record else None

    def generation_count(self, portal: str, username: str, siret: str | None = None) -> int:
        """How many keys were generated through the portal's pages."""
        self._check_portal(portal)
        return self._state.generation_count(portal, username, siret)

    def revocation_count(self, portal: str, username: str, siret: str | None = None) -> int:
        """How many times « Révoquer l'accès » was pressed (L'Opcommerce)."""
        self._check_portal(portal)
        return self._state.revocation_count(portal, username, siret)

    def rotate_key(self, portal: str, username: str, siret: str | None = None) -> str:
        """A change made by the portal itself (myAtlas regenerates its key on its own)."""
        self._check_portal(portal)
        old = self._state.key_record(portal, username, siret)
        expires_at = None
        if old is not None and old.expires_at is not None:
            expires_at = clock.now() + (old.expires_at - old.created_at)
        record = self._state.mint(portal, username, siret, expires_at)
        self._state.store_key(portal, username, siret, record, generated_by_user=False)
        return record.value

    def set_key(self, portal: str, username: str, key: str | None,
                expires_at: datetime | None, siret: str | None = None) -> str:
        """Preset the portal's key; key None mints one in the portal's format (an OPCO EP
        token signed with that expiry, for instance)."""
        self._check_portal(portal)
        if key is None:
            record = self._state.mint(portal, username, siret, expires_at)
        else:
            record = KeyRecord(value=key, created_at=clock.now(), expires_at=expires_at)
        self._state.store_key(portal, username, siret, record, generated_by_user=False)
        return record.value

    def most_signed_in_at_once(self, portal: str) -> int:
        """How many accounts of `portal` were signed in at the same time, at most (from the
        first to the last request each made signed in)."""
        self._check_portal(portal)
        return self._state.most_signed_in_at_once(portal)

    def set_down(self, portal: str, down: bool = True) -> None:
        """Every request of that portal answers 503 with a maintenance page while down."""
        self._check_portal(portal)
        with self._state.lock:
            self._state.portals[portal].down = down

    def hold_after_generate(self, portal: str, hold: bool = True) -> threading.Event:
        """While held, a generate replaces the key but its answer waits; returns the event set
        when a key has been replaced (cleared here)."""
        self._check_portal(portal)
        state = self._state.portals[portal]
        state.replaced.clear()
        if hold:
            state.released.clear()
        else:
            state.released.set()
        return state.replaced

    def relabel(self, portal: str, old: str, new: str) -> None:
        """The portal is redesigned: `old` reads `new` in its pages, scripts and answers."""
        self._check_portal(portal)
        with self._state.lock:
            self._state.portals[portal].relabels[old] = new

    def lock(self, portal: str, username: str) -> None:
        """The account is locked, as after too many wrong passwords: the portal says so at the
        next login, right password or not."""
        self._check_portal(portal)
        self._state.lock_account(portal, username)

    def unlock(self, portal: str, username: str) -> None:
        """Clear the failed-login counter of a locked account."""
        self._check_portal(portal)
        self._state.unlock(portal, username)

    # ----- passwords -------------------------------------------------------------------------
    # For the portals whose login is web.login_handlers' (all but OPCO 2i and Constructys).

    def refused_logins(self, portal: str, username: str) -> int:
        """How many logins of the account the portal refused since the sandbox started: every
        wrong password, and every submission refused because the account was locked (its
        password right or wrong). A total never reset, unlike the lockout's counter."""
        self._check_login_portal(portal)
        return self._state.refused_logins(portal, username)

    def set_password(self, portal: str, username: str, password: str) -> None:
        """The account's password on the portal becomes `password` (as when someone changed it
        on the real portal): the old one is refused from now on. The lockout's counter, the
        sessions already logged in and the require_password_change switch are left as they
        are."""
        self._check_login_portal(portal)
        self._state.set_password(portal, username, password)

    def password_of(self, portal: str, username: str) -> str:
        """The account's current password on the portal (changed by set_password, or on the
        page of require_password_change)."""
        self._check_login_portal(portal)
        return self._state.password_of(portal, username)

    def require_password_change(self, portal: str, username: str, required: bool = True) -> None:
        """At its next logins, a right password (and second factor, if the account has one) does
        not log the account in: it lands on « Votre mot de passe a expiré » (route
        password_change), where the current password, a new one (12 characters or more, an
        upper-case letter, a lower-case one and a digit, not the current one) and its
        confirmation must be given; once changed, the visitor is logged in and lands on the
        portal's first page, and the switch is cleared. Until then it stays set (a page left
        without changing asks again at the next login). Sessions already logged in are not
        affected. required=False clears it."""
        self._check_login_portal(portal)
        self._state.require_password_change(portal, username, required)

    def password_change_required(self, portal: str, username: str) -> bool:
        """Whether require_password_change is set for the account (cleared by a change made on
        the page)."""
        self._check_login_portal(portal)
        self._state.portals[portal].account(username)
        return self._state.password_change_required(portal, username)

    # ----- second factors and sessions -----------------------------------------------------
    # For the portals whose login is web.login_handlers' (all but OPCO 2i and Constructys).

    def set_second_factor(self, portal: str, username: str, kind: str | None, *,
                          remember_days: float = 30) -> str | None:
        """After a right password the account asks for `kind`: "email" or "sms" (a code sent
        when « Recevoir un code par e-mail / par SMS » is pressed, see sent_codes), "totp" (a
        code of an authenticator app), "app" (an approval, see approve_login); None: none (the
        default). « Se souvenir de cet appareil » skips it for `remember_days` in that browser.
        Setting it forgets the devices the account remembered. Returns the account's new base32
        TOTP secret for "totp" (RFC 6238: SHA-1, 30 s, 6 digits), None otherwise."""
        self._check_login_portal(portal)
        return self._state.set_second_factor(portal, username, kind, remember_days)

    def sent_codes(self, portal: str, username: str) -> list[str]:
        """The codes sent by e-mail or SMS to the account, oldest first (only the last works)."""
        self._check_login_portal(portal)
        return self._state.sent_codes(portal, username)

    def second_factor_prompts(self, portal: str, username: str) -> int:
        """How many times a right password led to the factor page (a remembered device does
        not; reloading the page or sending a code does not count again)."""
        self._check_login_portal(portal)
        return self._state.second_factor_prompts(portal, username)

    def approve_login(self, portal: str, username: str) -> bool:
        """The person approves, in the app, the requests « Envoyer une demande à l'application »
        sent for the account; their pages then move on by themselves. False if none waited."""
        self._check_login_portal(portal)
        return self._state.approve_login(portal, username)

    def set_session_lifetime(self, portal: str, seconds: float | None) -> None:
        """How long a session of the portal lives without a request (default, and None: 30
        minutes); a request on an expired session is a visitor logged out (0: at once)."""
        self._check_portal(portal)
        self._state.set_session_lifetime(portal, seconds)

    def end_sessions(self, portal: str) -> None:
        """Every session of the portal ends (a restart of its servers): its visitors must log
        in again; remembered devices stay remembered."""
        self._check_portal(portal)
        self._state.end_sessions(portal)

    # ----- Cardif: aggregators and the Progestor file --------------------------------------
    # current_key("cardif", user) is the O2S TOKEN (and key_expires_at its validity,
    # generation_count the subscriptions and renewals made through the pages).

    def cardif_token(self, username: str, aggregator: str = CARDIF_KEY_AGGREGATOR) -> str | None:
        """The TOKEN of one aggregator of a Cardif account, or None (not subscribed, expired)."""
        self._check_aggregator(aggregator)
        record = self._state.cardif_token(username, aggregator)
        return record.value if record and record.is_valid(clock.now()) else None

    def subscriptions(self, username: str) -> list[str]:
        """The aggregators a Cardif account is subscribed to, in the order of subscription:
        presets, then those subscribed through the pages (a wrong one included)."""
        return self._state.cardif_subscriptions(username)

    def set_subscribed(self, username: str, aggregator: str = CARDIF_KEY_AGGREGATOR,
                       token: str | None = None, expires_at: datetime | None = None) -> str:
        """Preset an existing subscription with its TOKEN (minted when None, valid 12 months
        unless `expires_at` says otherwise, a past date for an expired one); returns it."""
        self._check_aggregator(aggregator)
        if token is None:
            record = self._state.mint("cardif", username, None, expires_at)
        else:
            record = KeyRecord(value=token, created_at=clock.now(), expires_at=expires_at)
        if not self._state.cardif_subscribe(username, aggregator, record,
                                            generated_by_user=False):
            raise ValueError(f"{username!r} is already subscribed to {aggregator!r}")
        return record.value

    def set_progestor(self, username: str, *, format: str | None = None,
                      codes: list[str] | None = None, header: str | None = None,
                      broken: bool | None = None, subscribed: bool | None = None) -> None:
        """What the account's next « Lancer l'extraction V2 » produces; only the arguments given
        change. format: "csv-latin1" (`;`, Latin-1), "csv-utf8" (`,`, UTF-8 with a byte-order
        mark) or "xlsx"; codes: the « Code apporteur » cells, one contract row each ("" for a
        blank cell; [] for a file with no code row); header: the code column's header (another
        word makes a file with no code column); broken: garbage bytes under the format's file
        name; subscribed: False and the page says the account is not subscribed to the file."""
        if format is not None and format not in PROGESTOR_FORMATS:
            raise ValueError(f"unknown Progestor format {format!r}; expected {PROGESTOR_FORMATS}")
        with self._state.lock:
            settings = self._state.progestor_settings(username)
            if format is not None:
                settings.format = format
            if codes is not None:
                settings.codes = tuple(str(code) for code in codes)
            if header is not None:
                settings.header = header
            if broken is not None:
                settings.broken = broken
            if subscribed is not None:
                settings.subscribed = subscribed

    def progestor_codes(self, username: str) -> list[str]:
        """The codes the account's file carries (blanks included), in the file's order."""
        return list(self._state.progestor_settings(username).codes)

    def set_extraction_delay(self, seconds: float) -> None:
        """How long an extraction stays « En cours de traitement » (default 2 s)."""
        with self._state.lock:
            self._state.cardif.extraction_delay = seconds

    def extraction_count(self, username: str) -> int:
        """How many times « Lancer l'extraction V2 » was used."""
        return len(self._state.extractions(username))

    def download_count(self, username: str) -> int:
        """How many Progestor files were downloaded."""
        return sum(e.downloads for e in self._state.extractions(username))

    # ----- O2S: aggregation requests -------------------------------------------------------

    def o2s_requests(self, username: str) -> list[dict[str, str]]:
        """The user's current requests, oldest first: {"code_apporteur", "token"} each."""
        return [r.as_dict() for r in self._state.o2s_requests(username)]

    def o2s_deletions(self, username: str) -> list[dict[str, str]]:
        """The requests the user deleted, in order of deletion."""
        with self._state.lock:
            return [r.as_dict() for r in self._state.o2s.deletions.get(username, [])]

    def preset_o2s_request(self, username: str, code_apporteur: str, token: str) -> None:
        """A request made before (by a person, or an earlier hand-off)."""
        self._state.o2s_add_request(username, code_apporteur, token)

    # ----- mail: OPCO 2i and Constructys --------------------------------------------------

    def sent_mails(self, address: str) -> list[EmailMessage]:
        """Every mail delivered to the address (any case), oldest first; held ones are not."""
        return self._state.postman.sent(address)

    def wait_for_mail(self, address: str, count: int = 1,
                      timeout: float = 10.0) -> list[EmailMessage]:
        """sent_mails(address) once it holds at least `count` mails, or at `timeout` seconds
        (a mail leaves right after the request that causes it, not within it)."""
        return self._state.postman.wait_for(address, count, timeout)

    def hold_mail(self, portal: str, hold: bool = True) -> None:
        """While held, the mails the portal would send wait (held_mails); hold=False ends the
        hold and sends the waiting ones."""
        self._check_portal(portal)
        self._state.postman.hold(portal, hold)

    def release_mail(self, portal: str) -> int:
        """Send the portal's waiting mails now (the hold goes on); how many were sent."""
        self._check_portal(portal)
        return self._state.postman.release(portal)

    def held_mails(self, portal: str) -> list[EmailMessage]:
        self._check_portal(portal)
        return self._state.postman.held(portal)

    def opco2i_requests(self, siren: str) -> list[dict[str, str]]:
        """The valid answers to OPCO 2i's form for that SIREN, oldest first, as typed:
        {"siren", "cfa_name", "recipient_name", "recipient_email", "phone", "software"}."""
        return self._state.form_requests("opco2i", siren)

    def reveal_count(self, siren: str) -> int:
        """How many times OPCO 2i's links showed that SIREN's key (each link shows it once)."""
        with self._state.lock:
            return self._state.forms.reveals[siren]

    def resend_key_mail(self, siren: str) -> EmailMessage:
        """OPCO 2i mails its last key mail for that SIREN again: the same link (spent if it was),
        a new Date and Message-ID."""
        return opco2i.resend_key_mail(self._state, siren)

    def hold_reveal(self, hold: bool = True) -> threading.Event:
        """While held, « Afficher le mot de passe » burns the key but its answer waits; returns
        the event set once a key has been burnt (cleared here). Same switch as
        hold_after_generate("opco2i")."""
        return self.hold_after_generate("opco2i", hold)

    def constructys_requests(self, og_siret: str) -> list[dict[str, str]]:
        """The valid answers to Constructys' form for that OG SIRET, oldest first, as typed:
        {"og_name", "og_siret", "contact_name", "contact_email", "contact_phone", "software"}."""
        return self._state.form_requests("constructys", og_siret)

    def validate_perimeter(self, og_siret: str) -> EmailMessage:
        """The OG answered the establishments mail: Constructys mails the key to the technical
        contact of the OG's last request (ValueError: unknown OG, or no request)."""
        return constructys.validate_perimeter(self._state, og_siret)

    @property
    def jwt_secret(self) -> str:
        """The key OPCO EP signs its tokens with (to verify them in tests)."""
        return self._state.jwt_secret

    @staticmethod
    def _check_aggregator(aggregator: str) -> None:
        if aggregator not in AGGREGATORS:
            raise ValueError(f"unknown Cardif aggregator {aggregator!r}; expected one of "
                             f"{AGGREGATORS}")

    @classmethod
    def _check_login_portal(cls, portal: str) -> None:
        cls._check_portal(portal)
        if portal in MAIL_PORTALS:
            raise ValueError(f"the {portal} sandbox portal has no login")

    @staticmethod
    def _check_portal(portal: str) -> None:
        if portal not in SERVED_PORTALS:
            raise ValueError(f"unknown sandbox portal {portal!r}; expected one of {SERVED_PORTALS}")


async def _asset(request: web.Request) -> web.Response:
    """A script, style or image of the pages. Served as a Response (not a file stream) so a
    relabel reaches the labels a page's script draws too."""
    path = (STATIC_DIR / request.match_info["name"]).resolve()
    if path.parent != STATIC_DIR.resolve() or not path.is_file():
        raise web.HTTPNotFound()
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
        return web.Response(text=path.read_text(encoding="utf-8"), content_type=kind,
                            charset="utf-8")
    return web.Response(body=path.read_bytes(), content_type=kind)


__all__ = ["DEFAULT_LATENCY", "Sandbox"]


def describe(sandbox: Sandbox) -> str:
    """The base URLs and demo credentials, for a person about to try the tool."""
    lines = [f"Portails simulés sur {sandbox.root_url}", ""]
    lines += [f"  {portal:<11} {sandbox.base_url(portal)}" for portal in SERVED_PORTALS]
    lines += ["", "Comptes de démonstration :"]
    for account in sandbox.accounts:
        if account.portal in MAIL_PORTALS:
            recipient = (account.request.get("recipient_email")
                         or account.request.get("contact_email"))
            lines.append(f"  {account.portal:<11} formulaire pour {account.username:<14} "
                         f"clé envoyée par mail à {recipient}")
            continue
        sirets = ", ".join(account.sirets) or "-"
        lines.append(f"  {account.portal:<11} {account.username:<32} {account.password:<22} "
                     f"SIRET {sirets}")
    if sandbox.mail_dir is not None:
        lines += ["", f"Mails livrés sous {sandbox.mail_dir}/<adresse>/Maildir (boîte de démo "
                      f"{DEMO_MAILBOX['address']}, mot de passe IMAP {DEMO_MAILBOX['password']})"]
    lines += ["", "Ctrl-C pour arrêter."]
    return "\n".join(lines)


async def serve(host: str, port: int, latency: tuple[float, float],
                rendering: str = "classic", mail_dir: Path | None = None) -> None:
    sandbox = Sandbox(latency=latency, rendering=rendering, mail_dir=mail_dir)
    await sandbox.start(host, port)
    print(describe(sandbox), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()
