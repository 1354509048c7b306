"""Demo accounts of the simulated portals and the per-account facts the pages display."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

# The portals that hand out a key: each is a portal id of the tool (its configuration checks
# them), so code that iterates PORTALS (the demo builds its configuration from it) may.
PORTALS: tuple[str, ...] = (
    "atlas", "ocapiat", "opcoep", "mobilites", "afdas", "opcommerce", "sante", "cardif",
    "opco2i", "constructys",
)
# The portals whose key comes by e-mail after a form (no login): an account of theirs is the
# form's answers ("request"), and it is known by the SIREN / SIRET of that request.
MAIL_PORTALS: tuple[str, ...] = ("opco2i", "constructys")
MAIL_ACCOUNT_KEY: dict[str, str] = {"opco2i": "siren", "constructys": "og_siret"}
# Portals a retrieved key is handed to (seed 004: O2S receives Cardif's TOKEN and Code
# Apporteur); served like the others, but not portals of the tool.
RECEIVING_PORTALS: tuple[str, ...] = ("o2s",)
SERVED_PORTALS: tuple[str, ...] = PORTALS + RECEIVING_PORTALS

# One account per portal, shaped like a line of the tool's configuration, so `demo` can build
# its throw-away config straight from this list.
DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {
        "portal": "atlas",
        "name": "cfa-demo-atlas",
        "username": "contact@cfa-numerique-demo.fr",
        "password": "demo-atlas-2024",
        "siret": "77568412900015",
        "organisation": "CFA du Numérique Paris (démo)",
    },
    {
        "portal": "ocapiat",
        "name": "cfa-demo-ocapiat",
        "username": "OF45678.001",
        "password": "demo-ocapiat-2024",
        "siret": "81234567600017",
        "organisation": "CFA Agricole du Val de Loire (démo)",
    },
    {
        "portal": "opcoep",
        "name": "cfa-demo-opcoep",
        "username": "cfa.metiers.demo",
        "password": "demo-opcoep-2024",
        "siret": "84291736100011",
        "organisation": "CFA Régional des Métiers Méditerranée (démo)",
    },
    {
        "portal": "mobilites",
        "name": "cfa-demo-mobilites",
        "username": "dsi@cfa-transports-demo.fr",
        "password": "demo-mobilites-2024",
        "siret": "79318245200011",
        "organisation": "CFA Transports et Logistique (démo)",
    },
    {
        "portal": "afdas",
        "name": "cfa-demo-afdas",
        "username": "direction@cfa-spectacle-demo.fr",
        "password": "demo-afdas-2024",
        "siret": "51234567900017",
        "organisation": "CFA des Métiers du Spectacle (démo) – siège social",
    },
    {
        "portal": "opcommerce",
        "name": "cfa-demo-opcommerce",
        "username": "si@cfa-commerce-demo.fr",
        "password": "demo-opcommerce-2024",
        "siret": "42345678900019",
        "organisation": "CFA du Commerce et de la Distribution (démo)",
    },
    {
        "portal": "sante",
        "name": "cfa-demo-sante",
        "username": "cfa.sante.demo",
        "password": "demo-sante-2024",
        "siret": "38765432000010",
        "organisation": "CFA Santé Social Occitanie (démo)",
    },
]

# The wealth adviser's side (seed 004): the Cardif extranet (FINAGORA), where the aggregation TOKEN
# and the Progestor file come from, and the O2S software that receives TOKEN and Code Apporteur.
# Kept out of DEMO_ACCOUNTS (the demo does not know these portals yet); a Sandbox built with its
# default accounts has both lists. Same shape as DEMO_ACCOUNTS; neither portal asks for a SIRET.
EXTRA_DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {
        "portal": "cardif",
        "name": "cgp-demo-cardif",
        "username": "CGP104578",
        "password": "demo-cardif-2024",
        "siret": None,
        "organisation": "Cabinet Patrimoine Conseil Sud (démo)",
    },
    {
        "portal": "o2s",
        "name": "cgp-demo-o2s",
        "username": "conseiller@patrimoine-conseil-demo.fr",
        "password": "demo-o2s-2024",
        "siret": None,
        "organisation": "Cabinet Patrimoine Conseil Sud (démo)",
    },
]

# The demo CFA's mailbox, where OPCO 2i and Constructys send their mails (the sandbox delivers them
# under its mail_dir; whoever starts the IMAP server gives it this login).
DEMO_MAILBOX: dict[str, str] = {"address": "cle-api@cfa-numerique-demo.fr",
                                "password": "demo-mail-2024"}

# OPCO 2i and Constructys (keys by e-mail): each account is what its form is answered with, so a
# test or the demo builds the tool's configuration from "request"; Constructys' OG also has the
# establishments its mail lists. A Sandbox built with its default accounts knows them.
MAIL_DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {
        "portal": "opco2i",
        "name": "cfa-demo-opco2i",
        "request": {
            "siren": "794528166",
            "cfa_name": "CFA de l'Industrie Numérique (démo)",
            "recipient_name": "Camille MARTIN",
            "recipient_email": DEMO_MAILBOX["address"],
            "phone": "01 84 60 27 35",
            "software": "Ypareo",
        },
        "organisation": "CFA de l'Industrie Numérique (démo)",
    },
    {
        "portal": "constructys",
        "name": "og-demo-constructys",
        "request": {
            "og_name": "Association Régionale BTP Formation (démo)",
            "og_siret": "48127365400014",
            "contact_name": "Camille MARTIN",
            "contact_email": DEMO_MAILBOX["address"],
            "contact_phone": "01 84 60 27 35",
            "software": "SC Form",
        },
        "establishments": [
            {"siret": "48127365400014", "name": "Association Régionale BTP Formation – siège"},
            {"siret": "48127365400022", "name": "CFA du Bâtiment de Rouen (démo)"},
            {"siret": "48127365400030", "name": "CFA des Travaux Publics du Havre (démo)"},
            {"siret": "53389124800015", "name": "CFA Couverture et Charpente d'Évreux (démo)"},
        ],
        "organisation": "Association Régionale BTP Formation (démo)",
    },
]

# Establishments besides the configured one: an M-Gestion CFA account can hold several SIRETs,
# which is what makes its SIRET <select> a real choice. Kept out of DEMO_ACCOUNTS so those dicts
# keep exactly the configuration's shape.
_EXTRA_SIRETS: dict[tuple[str, str], list[str]] = {
    ("mobilites", "dsi@cfa-transports-demo.fr"): ["79318245200029"],
}

# The person behind each demo login, shown in headers and menus (Atlas names its user menu after
# them, as the real myAtlas does).
_PEOPLE: dict[str, tuple[str, str]] = {
    "atlas": ("Julien", "MAES"),
    "ocapiat": ("Claire", "DUBOIS"),
    "opcoep": ("CFAM", "CFAM"),
    "mobilites": ("Nadia", "BENALI"),
    "afdas": ("Sophie", "LAMBERT"),
    "opcommerce": ("Aurélien", "HERMANT"),
    "sante": ("Karim", "HADDAD"),
    "cardif": ("Hélène", "ROUSSEL"),
    "o2s": ("Hélène", "ROUSSEL"),
    "opco2i": ("Camille", "MARTIN"),
    "constructys": ("Camille", "MARTIN"),
}


@dataclass
class Account:
    """One login of one portal, with what its pages show about the organisation."""

    portal: str
    name: str
    username: str
    password: str
    siret: str | None
    organisation: str
    sirets: list[str] = field(default_factory=list)
    first_name: str = "Camille"
    last_name: str = "MARTIN"
    uai: str = "0133527N"
    # Afdas: only a group's head office (siège social) may generate the identifier that every
    # establishment of its SIREN shares.
    head_office: bool = True
    # OPCO 2i and Constructys: the demo's answers to the form, and the OG's establishments
    # ({"siret", "name"} each) that Constructys' first mail lists.
    request: dict[str, str] = field(default_factory=dict)
    establishments: list[dict[str, str]] = field(default_factory=list)
    # Where a second factor's codes go (« email », « sms »): the account's e-mail address (its
    # user name when that is one, else the person's at cfa-test.fr) and mobile number.
    email: str = ""
    phone: str = "06 71 28 35 42"

    @property
    def siren(self) -> str | None:
        return self.siret[:9] if self.siret else None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def luhn_ok(digits: str) -> bool:
    """SIREN and SIRET numbers carry a Luhn checksum."""
    if not digits.isdigit():
        return False
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _mail_account(spec: dict[str, Any]) -> dict[str, Any]:
    """A MAIL_DEMO_ACCOUNTS dict in the login portals' terms: no password, and the SIREN (OPCO 2i)
    or the OG's SIRET (Constructys) as user name, which is what current_key() takes."""
    portal, request = spec["portal"], dict(spec["request"])
    number = request[MAIL_ACCOUNT_KEY[portal]]
    return {
        **spec,
        "username": spec.get("username") or number,
        "password": spec.get("password", ""),
        "siret": spec.get("siret") or (number if len(number) == 14 else None),
        "sirets": spec.get("sirets") or [e["siret"] for e in spec.get("establishments", [])],
        "organisation": spec.get("organisation") or request.get("cfa_name")
        or request.get("og_name"),
        "request": request,
    }


def _default_email(username: str, first: str, last: str) -> str:
    if "@" in username:
        return username
    local = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    return f"{local.lower().replace(' ', '-')}@cfa-test.fr"


def build_accounts(specs: list[dict[str, Any]]) -> list[Account]:
    """Turn account dicts (DEMO_ACCOUNTS' shape, plus optional "sirets", "email" and "phone", or
    MAIL_DEMO_ACCOUNTS' shape) into Accounts."""
    accounts = []
    for spec in specs:
        portal = spec["portal"]
        if portal not in SERVED_PORTALS:
            raise ValueError(
                f"unknown sandbox portal {portal!r}; expected one of {SERVED_PORTALS}")
        if portal in MAIL_PORTALS:
            spec = _mail_account(spec)
        siret = spec.get("siret")
        sirets = list(spec.get("sirets") or ([siret] if siret else []))
        if siret and siret not in sirets:
            sirets.insert(0, siret)
        for extra in _EXTRA_SIRETS.get((portal, spec["username"]), []):
            if extra not in sirets:
                sirets.append(extra)
        first, last = spec.get("person") or _PEOPLE.get(portal, ("Camille", "MARTIN"))
        accounts.append(
            Account(
                portal=portal,
                name=spec.get("name") or spec["username"],
                username=spec["username"],
                password=spec["password"],
                siret=siret,
                organisation=spec.get("organisation") or "CFA",
                sirets=sirets,
                first_name=first,
                last_name=last,
                head_office=spec.get("head_office", True),
                request=dict(spec.get("request") or {}),
                establishments=[dict(e) for e in spec.get("establishments", [])],
                email=spec.get("email") or _default_email(spec["username"], first, last),
                phone=spec.get("phone") or Account.phone,
            )
        )
    return accounts
