"""Key formats of each portal, shaped like the keys the seed shows."""

from __future__ import annotations

import base64
import secrets
import string
import uuid
from datetime import datetime, timedelta

import jwt

OPCOEP_TOKEN_LIFETIME = timedelta(days=365)
MOBILITES_KEY_LIFETIME = timedelta(days=365)
OPCOMMERCE_KEY_LIFETIME = timedelta(days=365)
SANTE_KEY_MONTHS = 12
CARDIF_TOKEN_MONTHS = 12


def atlas_key() -> str:
    # 23 random bytes in URL-safe base64 give 31 characters, like "T9epl6tM2uq3s0Cvlyc7craVqg1-AcL".
    return secrets.token_urlsafe(23)


def ocapiat_key() -> str:
    return secrets.token_hex(20)


def mobilites_key() -> str:
    # Standard base64 (with + and /) of 24 bytes: 32 characters, like the seed's pop-in.
    return base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def afdas_identifier() -> str:
    # An « Identifiant API CFA » shaped like a GUID, as CRM-based portals hand them out.
    return str(uuid.uuid4())


def opcommerce_key() -> str:
    return secrets.token_urlsafe(30)


def sante_key() -> str:
    return secrets.token_hex(24)


def opcoep_token(secret: str, subject: str, siret: str | None, issued_at: datetime,
                 expires_at: datetime) -> str:
    """A real HS256 JWT; `jti` keeps two tokens minted in the same second different."""
    claims = {
        "sub": subject,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": secrets.token_hex(8),
        "iss": "opcoep-portail-cfa",
    }
    if siret:
        claims["siret"] = siret
    return jwt.encode(claims, secret, algorithm="HS256")


def cardif_token() -> str:
    # « généralement long, sensible »: 64 URL-safe characters.
    return secrets.token_urlsafe(48)


# OPCO 2i hands its key out as a password through a one-time link: 24 to 32 characters with a few
# punctuation marks, which a reader must keep whole (a "." or "!" may even end it).
OPCO2I_PUNCTUATION = "-_.!"


def opco2i_key() -> str:
    alphabet = string.ascii_letters + string.digits + OPCO2I_PUNCTUATION
    length = 24 + secrets.randbelow(9)
    chars = [secrets.choice(alphabet) for _ in range(length - 1)]
    # At least one punctuation mark, anywhere.
    chars.insert(secrets.randbelow(length), secrets.choice(OPCO2I_PUNCTUATION))
    return "".join(chars)


def constructys_key() -> str:
    # Written in a mail: 32 letters and digits, nothing a line break or an encoding could split.
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))
