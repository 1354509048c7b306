"""Second factors of the portals' shared login: what an account asks for after its password
(a code by e-mail or SMS, a TOTP code, an approval in a mobile app), the challenge a session
holds meanwhile, the devices remembered, and the TOTP codes themselves (RFC 6238).

The pages live in web.py (second_factor_handlers); the per-portal state in state.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass
from datetime import datetime

KINDS: tuple[str, ...] = ("email", "sms", "totp", "app")
CODE_DIGITS = 6
CODE_LIFETIME_SECONDS = 10 * 60  # a code sent by e-mail or SMS
MAX_CODE_FAILURES = 5  # wrong codes before the challenge is cancelled
TOTP_PERIOD = 30


@dataclass
class SecondFactor:
    """What one account asks for after its password."""

    kind: str  # one of KINDS
    remember_days: float  # how long « Se souvenir de cet appareil » lasts
    totp_secret: str | None = None  # base32, for "totp"


@dataclass
class Challenge:
    """A correct password waiting for its second factor, held by a session not logged in yet."""

    username: str
    kind: str
    code: str | None = None  # the last code sent (e-mail, SMS); earlier ones no longer work
    code_expires: float = 0.0  # time.monotonic()
    failures: int = 0
    app_request: str = ""  # "" (none sent), "pending", "approved"
    remember: bool = False  # the checkbox as last posted (kept from one step to the next)


@dataclass
class TrustedDevice:
    """A browser that ticked « Se souvenir de cet appareil » (its cookie holds the token)."""

    username: str
    expires_at: datetime


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def new_totp_secret() -> str:
    """160 random bits in base32 without padding, as authenticator apps are given them."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def totp(secret: str, at: float, *, period: int = TOTP_PERIOD, digits: int = CODE_DIGITS) -> str:
    """The RFC 6238 code (HMAC-SHA1) of a base32 secret at Unix time `at`."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // period)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10 ** digits:0{digits}d}"


def totp_matches(secret: str, code: str, at: float) -> bool:
    """The current period's code, or the previous one's (a code typed as it expires)."""
    return any(secrets.compare_digest(code, totp(secret, at - back * TOTP_PERIOD))
               for back in (0, 1))


def masked_email(address: str) -> str:
    """c•••@cfa-test.fr"""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


def masked_phone(number: str) -> str:
    """•• •• •• •• 42"""
    digits = "".join(c for c in number if c.isdigit())
    return f"•• •• •• •• {digits[-2:]}"
