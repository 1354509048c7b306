"""What each flow takes per account (`accounts[].options`), kept apart from the flows so that
reading the configuration never imports Playwright."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from retrievers.config import EnvName


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def secret_variables(self) -> list[str]:
        """Environment variables holding passwords these options name (checked before a run)."""
        return []


class OcapiatOptions(_Options):
    lifetime_months: int = Field(6, ge=1, le=6, description="lifetime of a generated key")


class O2SOptions(_Options):
    """Where the Cardif TOKEN and Code Apporteur are handed over (the adviser's O2S)."""

    base_url: str
    username: str = Field(min_length=1)
    password_env: EnvName

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        from retrievers.config import check_http_url

        return check_http_url(value)


class CardifOptions(_Options):
    aggregator: str = Field("O2S", min_length=1, description="the aggregator to subscribe to")
    o2s: O2SOptions | None = None

    def secret_variables(self) -> list[str]:
        return [self.o2s.password_env] if self.o2s else []


def _digits(value: object, count: int, what: str) -> str:
    text = re.sub(r"\s", "", str(value))
    if not re.fullmatch(rf"\d{{{count}}}", text):
        raise ValueError(f"{what} is {count} digits (write it in quotes in YAML)")
    return text


def _email_address(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
        raise ValueError(f"is not an e-mail address: {value!r}")
    return value.strip()


class MailPatterns(_Options):
    """Which mails are the portal's: regular expressions searched, ignoring case, in the
    sender (display name and address) and the subject."""

    sender: str = Field(min_length=1)
    subject: str = Field(min_length=1)

    @field_validator("sender", "subject")
    @classmethod
    def _pattern(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"is not a valid regular expression ({exc})") from None
        return value


class Opco2iRequest(_Options):
    """The six questions of OPCO 2i's form « Clé d'activation API CFA OPCO2I »."""

    siren: str = Field(description="the CFA's SIREN, 9 digits")
    cfa_name: str = Field(min_length=1)
    recipient_name: str = Field(min_length=1, description="who receives the key (name, first name)")
    recipient_email: str
    phone: str = Field(min_length=1)
    software: str = Field(min_length=1, description="the CFA's management software")

    _siren = field_validator("siren", mode="before")(lambda v: _digits(v, 9, "a SIREN"))
    _email = field_validator("recipient_email")(lambda v: _email_address(v))


class Opco2iOptions(_Options):
    request: Opco2iRequest
    key_mail: MailPatterns = MailPatterns(sender=r"opco ?2i", subject=r"cl[ée]")


class ConstructysRequest(_Options):
    """The managing organisation's (OG) request form, its technical contact, the software."""

    og_name: str = Field(min_length=1)
    og_siret: str = Field(description="the OG's SIRET, 14 digits")
    contact_name: str = Field(min_length=1)
    contact_email: str
    contact_phone: str = Field(min_length=1)
    software: str = Field(min_length=1)

    _siret = field_validator("og_siret", mode="before")(lambda v: _digits(v, 14, "a SIRET"))
    _email = field_validator("contact_email")(lambda v: _email_address(v))


class ConstructysOptions(_Options):
    request: ConstructysRequest
    # The seed's step 3: the list of establishments « pour validation du périmètre de l'OG ».
    establishments_mail: MailPatterns = MailPatterns(
        sender="constructys", subject=r"[ée]tablissements|p[ée]rim[èe]tre")
    key_mail: MailPatterns = MailPatterns(sender="constructys", subject=r"cl[ée]")
