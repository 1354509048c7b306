"""Server-side state of the simulated portals: accounts, keys, sessions, lockouts, switches.

Everything lives in memory and belongs to one Sandbox instance, so every test session starts
fresh. Handlers run on the server's loop while tests call the Sandbox from their own thread,
hence the lock around every mutation.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import Enum
from pathlib import Path

from . import clock, keys
from . import second_factor as mfa
from .accounts import SERVED_PORTALS, Account
from .mail import Postman
from .second_factor import Challenge, SecondFactor, TrustedDevice

MAX_FAILED_LOGINS = 5
SESSION_IDLE_SECONDS = 30 * 60

# Cardif: the aggregator whose TOKEN is the account's key (current_key, generation_count); the
# TOKENs of the other aggregators are kept beside it.
CARDIF_KEY_AGGREGATOR = "O2S"
PROGESTOR_FORMATS = ("csv-latin1", "csv-utf8", "xlsx")
# Unsorted, of different lengths, repeated, with a blank: the smallest as a number is 99999
# (the smallest as text would be 100000).
DEFAULT_PROGESTOR_CODES = ("123789", "123456", "123789", "", "100000", "99999", "123456")
DEFAULT_EXTRACTION_DELAY = 2.0


@dataclass
class KeyRecord:
    value: str
    created_at: datetime
    expires_at: datetime | None

    def is_valid(self, at: datetime) -> bool:
        return self.expires_at is None or self.expires_at > at


@dataclass
class PasswordChange:
    """A right login (password, and second factor if any) whose account must change its
    password before it gets in, held by a session not logged in yet."""

    username: str


@dataclass
class Session:
    id: str
    csrf_token: str
    username: str | None = None
    last_seen: float = field(default_factory=time.monotonic)
    # Not logged in yet: the password was right, the second factor is awaited.
    challenge: Challenge | None = None
    # Not logged in yet: the login is done, the password must be changed first.
    password_change: PasswordChange | None = None
    notice: str | None = None  # what the login page says next (a cancelled challenge)


@dataclass
class ProgestorSettings:
    """What the account's « Extraction progestor » produces (set by a test hook)."""

    format: str = "csv-latin1"  # one of PROGESTOR_FORMATS
    codes: tuple[str, ...] = DEFAULT_PROGESTOR_CODES  # one row per code; "" is a blank cell
    header: str = "Code apporteur"  # the code column's header
    broken: bool = False  # garbage bytes under the format's file name
    subscribed: bool = True  # « Vous devez être abonné au fichier progestor »


@dataclass
class Extraction:
    """One « Lancer l'extraction V2 »: pending until `ready_at` (monotonic), then downloadable."""

    id: str
    requested_at: datetime
    ready_at: float
    settings: ProgestorSettings
    downloads: int = 0

    def ready(self) -> bool:
        return time.monotonic() >= self.ready_at


@dataclass
class O2SRequest:
    """One « demande d'agrégation » in O2S."""

    id: str
    code_apporteur: str
    token: str
    created_at: datetime

    def as_dict(self) -> dict[str, str]:
        return {"code_apporteur": self.code_apporteur, "token": self.token}


class CardifData:
    """The Cardif extranet's per-account data besides logins: aggregator subscriptions and their
    TOKENs, Progestor settings and extractions."""

    def __init__(self) -> None:
        self.subscriptions: dict[str, list[str]] = {}  # username -> aggregators, in order
        self.tokens: dict[tuple[str, str], KeyRecord] = {}  # other aggregators than O2S
        self.progestor: dict[str, ProgestorSettings] = {}
        self.extractions: dict[str, list[Extraction]] = {}
        self.extraction_delay = DEFAULT_EXTRACTION_DELAY
        self.v1_attempts: Counter[str] = Counter()  # « Lancer l'extraction » (the old one)


class O2SData:
    """O2S's aggregation requests per user, and the ones deleted (in order)."""

    def __init__(self) -> None:
        self.requests: dict[str, list[O2SRequest]] = {}
        self.deletions: dict[str, list[O2SRequest]] = {}


@dataclass
class OneTimeSecret:
    """What OPCO 2i's link opens: the key, shown once; `mail` is the mail that carried it."""

    token: str
    siren: str
    value: str
    burned: bool = False
    mail: EmailMessage | None = None


class MailFormsData:
    """The forms' answers of OPCO 2i and Constructys (per portal and SIREN / OG SIRET, as given)
    and OPCO 2i's one-time links."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.secrets: dict[str, OneTimeSecret] = {}
        self.reveals: Counter[str] = Counter()  # SIREN -> keys shown through a link


class LoginOutcome(Enum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    SECOND_FACTOR = "second_factor"  # right password, the second factor comes next
    PASSWORD_CHANGE = "password_change"  # right login, the password must be changed first


class PortalState:
    """One portal's accounts, keys (per account and SIRET), sessions and switches."""

    def __init__(self, portal: str, accounts: list[Account]) -> None:
        self.portal = portal
        self.accounts = {account.username: account for account in accounts}
        self.keys: dict[tuple[str, str | None], KeyRecord] = {}
        self.generations: Counter[tuple[str, str | None]] = Counter()
        self.revocations: Counter[tuple[str, str | None]] = Counter()  # L'Opcommerce
        self.failed_logins: Counter[str] = Counter()  # in a row: the lockout's counter
        self.refused_logins: Counter[str] = Counter()  # every refused password, never reset
        # The accounts that must change their password at their next login.
        self.password_change_required: set[str] = set()
        self.sessions: dict[str, Session] = {}
        # When each account was first and last seen signed in (monotonic): how many accounts
        # a run had on this portal at once, as the portal saw it.
        self.signed_in: dict[str, list[float]] = {}
        self.down = False
        self.relabels: dict[str, str] = {}  # words replaced in every page, script and answer
        self.session_lifetime: float = SESSION_IDLE_SECONDS  # idle time before a session ends
        # Second factors (per account), the devices remembered (per cookie token), the codes
        # sent by e-mail or SMS and the challenges opened (per account).
        self.second_factors: dict[str, SecondFactor] = {}
        self.trusted_devices: dict[str, TrustedDevice] = {}
        self.sent_codes: dict[str, list[str]] = {}
        self.prompts: Counter[str] = Counter()
        # Test hooks for the worst moment: a key was replaced and its answer is on its way.
        self.replaced = threading.Event()
        self.released = threading.Event()  # cleared while a test holds generate answers
        self.released.set()

    def seen_signed_in(self, username: str) -> None:
        at = time.monotonic()
        self.signed_in.setdefault(username, [at, at])[1] = at

    def most_signed_in_at_once(self) -> int:
        """The largest number of accounts whose signed-in activity overlapped."""
        events = sorted((t, step) for first, last in self.signed_in.values()
                        for t, step in ((first, 1), (last, -1)))  # an end before a start
        most = now = 0
        for _, step in events:
            now += step
            most = max(most, now)
        return most

    def account(self, username: str) -> Account:
        try:
            return self.accounts[username]
        except KeyError:
            raise KeyError(f"no {self.portal} sandbox account {username!r}") from None


class SandboxState:
    def __init__(self, accounts: list[Account], mail_dir: Path | None = None) -> None:
        self.lock = threading.RLock()
        self.postman = Postman(mail_dir)
        self.forms = MailFormsData()
        # Signs the OPCO EP tokens; per instance so tokens of two sandboxes never verify across.
        self.jwt_secret = secrets.token_urlsafe(32)
        self.portals = {
            portal: PortalState(portal, [a for a in accounts if a.portal == portal])
            for portal in SERVED_PORTALS
        }
        self.cardif = CardifData()
        self.o2s = O2SData()
        for account in accounts:
            self._seed_initial_key(account)

    # ----- keys ---------------------------------------------------------------------------

    def key_slot(self, portal: str, username: str, siret: str | None) -> tuple[str, str | None]:
        """Mobilités keeps one key per establishment, Afdas and OPCO Santé one per SIREN (every
        establishment of a group shares it), the others one per account."""
        account = self.portals[portal].account(username)
        if portal in ("afdas", "sante"):
            return (f"siren:{account.siren}", None)
        if portal != "mobilites":
            return (username, None)
        siret = siret or account.siret
        if siret not in account.sirets:
            raise KeyError(f"SIRET {siret!r} is not an establishment of {username!r}")
        return (username, siret)

    def key_record(self, portal: str, username: str, siret: str | None = None) -> KeyRecord | None:
        with self.lock:
            return self.portals[portal].keys.get(self.key_slot(portal, username, siret))

    def store_key(self, portal: str, username: str, siret: str | None, record: KeyRecord,
                  *, generated_by_user: bool) -> None:
        """Replacing the record is what invalidates the previous key."""
        with self.lock:
            slot = self.key_slot(portal, username, siret)
            self.portals[portal].keys[slot] = record
            if generated_by_user:
                self.portals[portal].generations[slot] += 1

    def revoke(self, portal: str, username: str, siret: str | None = None) -> None:
        """« Révoquer l'accès »: the key stops working and the portal holds none."""
        with self.lock:
            slot = self.key_slot(portal, username, siret)
            self.portals[portal].keys.pop(slot, None)
            self.portals[portal].revocations[slot] += 1

    def revocation_count(self, portal: str, username: str, siret: str | None = None) -> int:
        with self.lock:
            return self.portals[portal].revocations[self.key_slot(portal, username, siret)]

    def generation_count(self, portal: str, username: str, siret: str | None = None) -> int:
        with self.lock:
            return self.portals[portal].generations[self.key_slot(portal, username, siret)]

    def mint(self, portal: str, username: str, siret: str | None,
             expires_at: datetime | None, issued_at: datetime | None = None) -> KeyRecord:
        """A new key in the portal's own format."""
        account = self.portals[portal].account(username)
        issued_at = issued_at or clock.now()
        if portal == "atlas":
            value = keys.atlas_key()
        elif portal == "ocapiat":
            value = keys.ocapiat_key()
        elif portal == "mobilites":
            value = keys.mobilites_key()
        elif portal == "afdas":
            value = keys.afdas_identifier()
        elif portal == "opcommerce":
            value = keys.opcommerce_key()
            expires_at = expires_at or issued_at + keys.OPCOMMERCE_KEY_LIFETIME
        elif portal == "sante":
            value = keys.sante_key()
            expires_at = expires_at or clock.add_months(issued_at, keys.SANTE_KEY_MONTHS)
        elif portal == "cardif":
            value = keys.cardif_token()
            expires_at = expires_at or clock.add_months(issued_at, keys.CARDIF_TOKEN_MONTHS)
        elif portal == "opco2i":
            value = keys.opco2i_key()
        elif portal == "constructys":
            value = keys.constructys_key()
        elif portal != "opcoep":
            raise ValueError(f"the {portal} sandbox portal hands out no key")
        else:
            expires_at = expires_at or issued_at + keys.OPCOEP_TOKEN_LIFETIME
            value = keys.opcoep_token(self.jwt_secret, account.username, account.siret,
                                      issued_at, expires_at)
        return KeyRecord(value=value, created_at=issued_at, expires_at=expires_at)

    def _seed_initial_key(self, account: Account) -> None:
        # The starting point the demo tells a story from: Atlas made its key when the account was
        # created, the OPCO EP token has about 200 days left, Ocapiat and Mobilités have none yet.
        now = clock.now()
        if account.portal == "atlas":
            record = self.mint("atlas", account.username, None, None, now - timedelta(days=90))
        elif account.portal == "opcoep":
            issued = now - timedelta(days=165)
            record = self.mint("opcoep", account.username, None,
                               issued + keys.OPCOEP_TOKEN_LIFETIME, issued)
        elif account.portal == "opcommerce":  # L'Opcommerce: a key with 165 days left
            issued = now - timedelta(days=200)
            record = self.mint("opcommerce", account.username, None, None, issued)
        elif account.portal == "opco2i":  # « La clé d'activation ... est actuellement disponible »
            record = self.mint("opco2i", account.username, None, None, now - timedelta(days=30))
        else:
            return
        self.store_key(account.portal, account.username, None, record, generated_by_user=False)

    # ----- Cardif: aggregator subscriptions and the Progestor file ----------------------------

    def cardif_token(self, username: str, aggregator: str) -> KeyRecord | None:
        with self.lock:
            if aggregator == CARDIF_KEY_AGGREGATOR:
                return self.key_record("cardif", username)
            return self.cardif.tokens.get((username, aggregator))

    def cardif_subscriptions(self, username: str) -> list[str]:
        with self.lock:
            return list(self.cardif.subscriptions.get(username, []))

    def cardif_store_token(self, username: str, aggregator: str, record: KeyRecord, *,
                           generated_by_user: bool) -> None:
        with self.lock:
            if aggregator == CARDIF_KEY_AGGREGATOR:
                self.store_key("cardif", username, None, record,
                               generated_by_user=generated_by_user)
            else:
                self.cardif.tokens[(username, aggregator)] = record

    def cardif_subscribe(self, username: str, aggregator: str, record: KeyRecord, *,
                         generated_by_user: bool) -> bool:
        """Subscribe once: False (and nothing changed) when already subscribed."""
        with self.lock:
            self.portals["cardif"].account(username)
            subscribed = self.cardif.subscriptions.setdefault(username, [])
            if aggregator in subscribed:
                return False
            subscribed.append(aggregator)
            self.cardif_store_token(username, aggregator, record,
                                    generated_by_user=generated_by_user)
            return True

    def progestor_settings(self, username: str) -> ProgestorSettings:
        with self.lock:
            self.portals["cardif"].account(username)
            return self.cardif.progestor.setdefault(username, ProgestorSettings())

    def launch_extraction(self, username: str) -> Extraction:
        with self.lock:
            extraction = Extraction(
                id=secrets.token_hex(6), requested_at=clock.now(),
                ready_at=time.monotonic() + self.cardif.extraction_delay,
                settings=replace(self.progestor_settings(username)))
            self.cardif.extractions.setdefault(username, []).insert(0, extraction)
            return extraction

    def extractions(self, username: str) -> list[Extraction]:
        with self.lock:
            return list(self.cardif.extractions.get(username, []))

    # ----- O2S: aggregation requests ---------------------------------------------------------

    def o2s_requests(self, username: str) -> list[O2SRequest]:
        with self.lock:
            return list(self.o2s.requests.get(username, []))

    def o2s_add_request(self, username: str, code_apporteur: str, token: str) -> O2SRequest:
        with self.lock:
            self.portals["o2s"].account(username)
            request = O2SRequest(id=secrets.token_hex(6), code_apporteur=code_apporteur,
                                 token=token, created_at=clock.now())
            self.o2s.requests.setdefault(username, []).append(request)
            return request

    def o2s_delete_request(self, username: str, request_id: str) -> O2SRequest | None:
        with self.lock:
            requests = self.o2s.requests.get(username, [])
            found = next((r for r in requests if r.id == request_id), None)
            if found is not None:
                requests.remove(found)
                self.o2s.deletions.setdefault(username, []).append(found)
            return found

    # ----- OPCO 2i and Constructys: forms answered, one-time links ---------------------------

    def record_form(self, portal: str, number: str, answers: dict[str, str]) -> None:
        with self.lock:
            self.forms.requests.setdefault((portal, number), []).append(dict(answers))

    def form_requests(self, portal: str, number: str) -> list[dict[str, str]]:
        with self.lock:
            return [dict(a) for a in self.forms.requests.get((portal, number), [])]

    def valid_key(self, portal: str, username: str) -> KeyRecord:
        """The account's valid key, minted (by the OPCO, not through a page) when it has none."""
        with self.lock:
            record = self.key_record(portal, username)
            if record is None or not record.is_valid(clock.now()):
                record = self.mint(portal, username, None, None)
                self.store_key(portal, username, None, record, generated_by_user=False)
            return record

    def new_secret(self, siren: str, value: str) -> OneTimeSecret:
        secret = OneTimeSecret(token=secrets.token_urlsafe(24), siren=siren, value=value)
        with self.lock:
            self.forms.secrets[secret.token] = secret
        return secret

    def secret(self, token: str) -> OneTimeSecret | None:
        with self.lock:
            return self.forms.secrets.get(token)

    def burn(self, token: str) -> OneTimeSecret | None:
        """The secret if it was still unread, burnt now; None for a burnt or unknown link."""
        with self.lock:
            secret = self.forms.secrets.get(token)
            if secret is None or secret.burned:
                return None
            secret.burned = True
            self.forms.reveals[secret.siren] += 1
            return secret

    def last_secret(self, siren: str) -> OneTimeSecret | None:
        with self.lock:
            sent = [s for s in self.forms.secrets.values() if s.siren == siren and s.mail]
            return sent[-1] if sent else None

    # ----- logins and sessions ------------------------------------------------------------

    def check_login(self, portal: str, username: str, password: str) -> LoginOutcome:
        """Five wrong passwords in a row lock the account, like the real portals do."""
        with self.lock:
            state = self.portals[portal]
            account = state.accounts.get(username)
            if account is None:
                return LoginOutcome.INVALID
            if state.failed_logins[username] >= MAX_FAILED_LOGINS:
                state.refused_logins[username] += 1
                return LoginOutcome.LOCKED
            if not secrets.compare_digest(account.password.encode(), password.encode()):
                state.failed_logins[username] += 1
                state.refused_logins[username] += 1
                if state.failed_logins[username] >= MAX_FAILED_LOGINS:
                    return LoginOutcome.LOCKED
                return LoginOutcome.INVALID
            state.failed_logins[username] = 0
            return LoginOutcome.OK

    def lock_account(self, portal: str, username: str) -> None:
        with self.lock:
            self.portals[portal].failed_logins[username] = MAX_FAILED_LOGINS

    def unlock(self, portal: str, username: str) -> None:
        with self.lock:
            self.portals[portal].failed_logins[username] = 0

    def seen_signed_in(self, portal: str, username: str) -> None:
        with self.lock:
            self.portals[portal].seen_signed_in(username)

    def most_signed_in_at_once(self, portal: str) -> int:
        with self.lock:
            return self.portals[portal].most_signed_in_at_once()

    def refused_logins(self, portal: str, username: str) -> int:
        with self.lock:
            state = self.portals[portal]
            state.account(username)
            return state.refused_logins[username]

    def password_of(self, portal: str, username: str) -> str:
        with self.lock:
            return self.portals[portal].account(username).password

    def set_password(self, portal: str, username: str, password: str) -> None:
        """The account's password changes (the lockout counter and the password change switch
        are left as they are)."""
        with self.lock:
            self.portals[portal].account(username).password = password

    def require_password_change(self, portal: str, username: str, required: bool) -> None:
        with self.lock:
            state = self.portals[portal]
            state.account(username)
            if required:
                state.password_change_required.add(username)
            else:
                state.password_change_required.discard(username)

    def password_change_required(self, portal: str, username: str) -> bool:
        with self.lock:
            return username in self.portals[portal].password_change_required

    def password_matches(self, portal: str, username: str, password: str) -> bool:
        with self.lock:
            account = self.portals[portal].account(username)
            return secrets.compare_digest(account.password.encode(), password.encode())

    def change_password(self, portal: str, username: str, password: str) -> None:
        """The account changed its password on the portal's page: the switch is cleared."""
        with self.lock:
            state = self.portals[portal]
            state.account(username).password = password
            state.password_change_required.discard(username)

    def new_session(self, portal: str, username: str | None = None) -> Session:
        session = Session(id=secrets.token_urlsafe(24), csrf_token=secrets.token_urlsafe(24),
                          username=username)
        with self.lock:
            self.portals[portal].sessions[session.id] = session
        return session

    def get_session(self, portal: str, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self.lock:
            sessions = self.portals[portal].sessions
            session = sessions.get(session_id)
            if session is None:
                return None
            if time.monotonic() - session.last_seen >= self.portals[portal].session_lifetime:
                del sessions[session_id]
                return None
            session.last_seen = time.monotonic()
            return session

    def end_sessions(self, portal: str) -> None:
        with self.lock:
            self.portals[portal].sessions.clear()

    def drop_session(self, portal: str, session_id: str) -> None:
        with self.lock:
            self.portals[portal].sessions.pop(session_id, None)

    def set_session_lifetime(self, portal: str, seconds: float | None) -> None:
        with self.lock:
            self.portals[portal].session_lifetime = (SESSION_IDLE_SECONDS if seconds is None
                                                     else seconds)

    # ----- second factors -----------------------------------------------------------------

    def set_second_factor(self, portal: str, username: str, kind: str | None,
                          remember_days: float) -> str | None:
        """Set (or, kind None, remove) the account's second factor; the devices it remembered
        are forgotten. Returns the new TOTP secret for "totp"."""
        if kind is not None and kind not in mfa.KINDS:
            raise ValueError(f"unknown second factor {kind!r}; expected one of {mfa.KINDS}")
        if remember_days <= 0:
            raise ValueError("remember_days must be positive")
        with self.lock:
            state = self.portals[portal]
            state.account(username)
            state.trusted_devices = {token: device
                                     for token, device in state.trusted_devices.items()
                                     if device.username != username}
            if kind is None:
                state.second_factors.pop(username, None)
                return None
            secret = mfa.new_totp_secret() if kind == "totp" else None
            state.second_factors[username] = SecondFactor(kind, remember_days, secret)
            return secret

    def open_challenge(self, portal: str, username: str,
                       device_token: str | None) -> Challenge | None:
        """After a right password: the challenge to answer, or None when the account has no
        second factor or the browser is a device it remembers."""
        with self.lock:
            state = self.portals[portal]
            factor = state.second_factors.get(username)
            if factor is None:
                return None
            device = state.trusted_devices.get(device_token or "")
            if device is not None and device.username == username:
                if device.expires_at > clock.now():
                    return None
                del state.trusted_devices[device_token or ""]
            state.prompts[username] += 1
            return Challenge(username=username, kind=factor.kind)

    def send_second_factor(self, portal: str, challenge: Challenge) -> None:
        """« Recevoir un code » (a new code, the previous one void) or « Envoyer une demande à
        l'application »."""
        with self.lock:
            if challenge.kind in ("email", "sms"):
                challenge.code = mfa.new_code()
                challenge.code_expires = time.monotonic() + mfa.CODE_LIFETIME_SECONDS
                self.portals[portal].sent_codes.setdefault(challenge.username, []).append(
                    challenge.code)
            elif challenge.kind == "app":
                challenge.app_request = "pending"

    def check_second_factor(self, portal: str, challenge: Challenge, code: str) -> bool:
        """Whether the code (or, for "app", the approval) answers the challenge; a wrong code
        counts as a failure."""
        with self.lock:
            if challenge.kind == "app":
                return challenge.app_request == "approved"
            if challenge.kind == "totp":
                factor = self.portals[portal].second_factors.get(challenge.username)
                secret = factor.totp_secret if factor else None
                ok = secret is not None and mfa.totp_matches(secret, code, time.time())
            else:
                ok = (challenge.code is not None and time.monotonic() < challenge.code_expires
                      and secrets.compare_digest(code, challenge.code))
            if not ok:
                challenge.failures += 1
            return ok

    def approve_login(self, portal: str, username: str) -> bool:
        with self.lock:
            approved = False
            for session in self.portals[portal].sessions.values():
                challenge = session.challenge
                if (challenge is not None and challenge.username == username
                        and challenge.app_request == "pending"):
                    challenge.app_request = "approved"
                    approved = True
            return approved

    def trust_device(self, portal: str, username: str) -> tuple[str, int]:
        """A token for the device cookie, and the cookie's max-age in seconds."""
        with self.lock:
            state = self.portals[portal]
            factor = state.second_factors.get(username)
            days = factor.remember_days if factor else 30.0
            token = secrets.token_urlsafe(32)
            state.trusted_devices[token] = TrustedDevice(
                username, clock.now() + timedelta(days=days))
            return token, max(1, round(days * 86400))

    def sent_codes(self, portal: str, username: str) -> list[str]:
        with self.lock:
            return list(self.portals[portal].sent_codes.get(username, []))

    def second_factor_prompts(self, portal: str, username: str) -> int:
        with self.lock:
            return self.portals[portal].prompts[username]
