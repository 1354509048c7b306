"""Simulated portals served on 127.0.0.1, each in three renderings (classic, spa, variants): the
OPCO portals (Atlas, Ocapiat, OPCO EP, OPCO Mobilités, Afdas, L'Opcommerce, OPCO Santé), the
Cardif extranet (FINAGORA) and the O2S aggregation software, and two OPCOs whose key comes by
e-mail after a Microsoft Forms form (OPCO 2i, Constructys).

It imports nothing from `retrievers` or `flows`: it is what they are tested against.
"""

from .accounts import (
    DEMO_ACCOUNTS,
    DEMO_MAILBOX,
    EXTRA_DEMO_ACCOUNTS,
    MAIL_DEMO_ACCOUNTS,
    MAIL_PORTALS,
    PORTALS,
    RECEIVING_PORTALS,
    SERVED_PORTALS,
)
from .server import DEFAULT_LATENCY, Sandbox, serve
from .web import RENDERINGS

__all__ = ["DEFAULT_LATENCY", "DEMO_ACCOUNTS", "DEMO_MAILBOX", "EXTRA_DEMO_ACCOUNTS",
           "MAIL_DEMO_ACCOUNTS", "MAIL_PORTALS", "PORTALS", "RECEIVING_PORTALS", "RENDERINGS",
           "SERVED_PORTALS", "Sandbox", "serve"]
