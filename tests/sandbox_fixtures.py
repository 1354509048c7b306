"""Fixtures for the sandbox's own tests: one sandbox for the session, Chromium from Debian.

Loaded by tests/test_sandbox*.py through `pytest_plugins`; conftest.py may load it instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page

from retrievers.browser import CHROMIUM_FLAGS, system_chromium
from sandbox import DEMO_ACCOUNTS, Sandbox
from tests.spa_helpers import ready

FAST = (0.0, 0.02)

# Accounts only these tests touch, so locking one out or generating a first key never depends
# on which test ran before (the sandbox is shared by the whole session).
LOCKOUT_ACCOUNTS: dict[str, dict[str, Any]] = {
    "atlas": {"portal": "atlas", "name": "verrou-atlas", "username": "verrou@cfa-test.fr",
              "password": "bon-mot-de-passe-1", "siret": "88047261800011",
              "organisation": "CFA Test Verrou"},
    "ocapiat": {"portal": "ocapiat", "name": "verrou-ocapiat", "username": "OF99999.001",
                "password": "bon-mot-de-passe-2", "siret": "88047261800011",
                "organisation": "CFA Test Verrou"},
    "opcoep": {"portal": "opcoep", "name": "verrou-opcoep", "username": "cfa.verrou",
               "password": "bon-mot-de-passe-3", "siret": "88047261800011",
               "organisation": "CFA Test Verrou"},
    "mobilites": {"portal": "mobilites", "name": "verrou-mobilites",
                  "username": "verrou@cfa-test.fr", "password": "bon-mot-de-passe-4",
                  "siret": "88047261800011", "organisation": "CFA Test Verrou"},
}
CSRF_ACCOUNT = {"portal": "atlas", "name": "csrf-atlas", "username": "csrf@cfa-test.fr",
                "password": "csrf-mot-de-passe", "siret": "88047261800029",
                "organisation": "CFA Test CSRF"}
# Afdas: an establishment of the demo head office's SIREN (it sees the shared identifier but
# has no « Générer » button), and an establishment of a group whose head office generated none.
AFDAS_ESTABLISHMENTS: dict[str, dict[str, Any]] = {
    "same_siren": {"portal": "afdas", "name": "afdas-etablissement",
                   "username": "antenne@cfa-spectacle-demo.fr", "password": "afdas-etab-1",
                   "siret": "51234567900025", "head_office": False,
                   "organisation": "CFA des Métiers du Spectacle – antenne de Lyon"},
    "no_identifier": {"portal": "afdas", "name": "afdas-sans-identifiant",
                      "username": "cfa@groupe-sans-cle.fr", "password": "afdas-etab-2",
                      "siret": "61234567800017", "head_office": False,
                      "organisation": "CFA Groupe Sans Clé – établissement"},
}
TEST_ACCOUNTS = [*DEMO_ACCOUNTS, *LOCKOUT_ACCOUNTS.values(), CSRF_ACCOUNT,
                 *AFDAS_ESTABLISHMENTS.values()]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # The Chromium the tool itself would pick (Playwright's own download is not installed
    # here), and no background traffic: the sandbox is the only thing these tests talk to.
    args = {**browser_type_launch_args, "args": CHROMIUM_FLAGS}
    system = system_chromium(headless=args.get("headless", True))
    if system:
        args["executable_path"] = system
    return args


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(latency=FAST, accounts=TEST_ACCOUNTS)
    with sb.serve_in_thread(host="127.0.0.1", port=0):
        yield sb


@pytest.fixture(scope="session")
def spa_sandbox() -> Iterator[Sandbox]:
    """The same portals in their second rendering ("spa": other markup, same labels and steps)."""
    sb = Sandbox(latency=FAST, accounts=TEST_ACCOUNTS, rendering="spa")
    with sb.serve_in_thread(host="127.0.0.1", port=0):
        yield sb


@pytest.fixture(scope="session")
def lockout_accounts() -> dict[str, dict[str, Any]]:
    """Per portal, an account of shared_sandbox meant to be locked out (then unlocked)."""
    return LOCKOUT_ACCOUNTS


@pytest.fixture(scope="session")
def csrf_account() -> dict[str, Any]:
    """An Atlas account of shared_sandbox for logging in by hand-made requests."""
    return CSRF_ACCOUNT


@pytest.fixture
def consented_page(page: Page, shared_sandbox: Sandbox) -> Page:
    """A page whose cookie banners were already answered (tests of other things)."""
    return ready(page, shared_sandbox)


@pytest.fixture
def spa_page(page: Page, spa_sandbox: Sandbox) -> Page:
    """A page of the spa sandbox whose cookie banners were already answered."""
    return ready(page, spa_sandbox)
