"""Simulated OPCO portals (Atlas, Ocapiat, OPCO EP, OPCO Mobilités, Afdas, L'Opcommerce, OPCO
Santé) served on 127.0.0.1, each in two renderings (classic, spa).

It imports nothing from `retrievers` or `flows`: it is what they are tested against.
"""

from .accounts import DEMO_ACCOUNTS, PORTALS
from .server import DEFAULT_LATENCY, Sandbox, serve
from .web import RENDERINGS

__all__ = ["DEFAULT_LATENCY", "DEMO_ACCOUNTS", "PORTALS", "RENDERINGS", "Sandbox", "serve"]
