"""`run` end to end: real Chromium, real HTTP to the simulated portals, real keyring backends."""

from __future__ import annotations

import hashlib
import json

import pytest

from sandbox import RENDERINGS, Sandbox
from tests.conftest import FLOW_PORTALS, Setup
from tests.machine import require_secret_service

# Every flow on both renderings of its portal: the same seed, pages built another way.
pytestmark = pytest.mark.parametrize("rendering", RENDERINGS)


def current(sandbox: Sandbox, setup: Setup, portal: str) -> str | None:
    account = setup.account(portal)
    return sandbox.current_key(portal, account["username"], siret=account.get("siret"))


def generations(sandbox: Sandbox, setup: Setup) -> dict[str, int]:
    return {
        p: sandbox.generation_count(p, setup.account(p)["username"],
                                    siret=setup.account(p).get("siret"))
        for p in FLOW_PORTALS
    }


def assert_no_key_leaked(sandbox: Sandbox, setup: Setup, *extra_keys: str) -> None:
    portals = {a["portal"] for a in setup.accounts}
    keys = [k for p in portals if (k := current(sandbox, setup, p))] + list(extra_keys)
    passwords = [a["password"] for a in setup.accounts]
    for text in setup.everything_written():
        for secret in keys + passwords:
            assert secret not in text


def first_run(sandbox: Sandbox, setup: Setup) -> None:
    """A first run stores each portal's current key, generating only where there is none."""
    before = generations(sandbox, setup)

    done = setup.cli("run")

    assert done.returncode == 0, done.stdout + done.stderr
    stored = setup.stored_keys()
    for portal in FLOW_PORTALS:
        key = current(sandbox, setup, portal)
        assert key, portal
        assert stored[portal] == key, portal
    after = generations(sandbox, setup)
    # Atlas generates by itself, OPCO EP's token and L'Opcommerce's key are valid: nothing
    # generated there.
    for portal in ("atlas", "opcoep", "opcommerce"):
        assert after[portal] == before[portal], portal
    # Ocapiat's, Afdas's and OPCO Santé's demo CFAs had no key, Mobilités shows one only by
    # generating: one each.
    for portal in ("ocapiat", "mobilites", "afdas", "sante"):
        assert after[portal] == before[portal] + 1, portal


def force_new(sandbox: Sandbox, setup: Setup) -> list[str]:
    """`run --force-new` regenerates each key once (Atlas has no such step) and stores it;
    returns the keys it replaced."""
    old = {p: current(sandbox, setup, p) for p in FLOW_PORTALS}
    counts = generations(sandbox, setup)

    done = setup.cli("run", "--force-new")

    assert done.returncode == 0, done.stdout + done.stderr
    after = generations(sandbox, setup)
    assert after["atlas"] == counts["atlas"]  # no generate step on Atlas, ever
    for portal in ("ocapiat", "opcoep", "mobilites", "afdas", "opcommerce", "sante"):
        assert after[portal] == counts[portal] + 1, portal
        assert current(sandbox, setup, portal) != old[portal], portal
    assert setup.stored_keys() == {p: current(sandbox, setup, p) for p in FLOW_PORTALS}
    return [k for k in old.values() if k]


def assert_status_describes_every_account(sandbox: Sandbox, setup: Setup) -> None:
    rows = {row["portal"]: row for row in json.loads(setup.cli("status", "--json").stdout)}
    assert set(rows) == set(FLOW_PORTALS)
    for portal, row in rows.items():
        assert {"account", "fingerprint", "retrieved_at", "expires_at", "days_left",
                "last_outcome", "attributes"} <= set(row)
        assert row["last_outcome"] == "ok"
        key = current(sandbox, setup, portal)
        assert row["fingerprint"] == hashlib.sha256(key.encode()).hexdigest()[:12]
    assert 360 <= rows["mobilites"]["days_left"] <= 365
    assert rows["ocapiat"]["days_left"] >= 150  # 6 months, the default lifetime
    assert rows["opcoep"]["expires_at"]  # the JWT's exp claim
    assert 160 <= rows["opcommerce"]["days_left"] <= 165  # the date and time the page shows
    assert 363 <= rows["sante"]["days_left"] <= 366  # 12 months from generation


def test_a_first_run_stores_each_key_the_next_regenerates_nothing_force_new_each_once(
    sandbox: Sandbox, make_setup
) -> None:
    """One configuration through what a CFA does first, on the encrypted file (each run of
    the seven flows is the costly part, so one store serves the three)."""
    setup = make_setup()
    first_run(sandbox, setup)
    assert_status_describes_every_account(sandbox, setup)
    keys = {p: current(sandbox, setup, p) for p in FLOW_PORTALS}
    counts = generations(sandbox, setup)

    again = setup.cli("run")

    assert again.returncode == 0, again.stdout + again.stderr
    assert generations(sandbox, setup) == counts
    assert {p: current(sandbox, setup, p) for p in FLOW_PORTALS} == keys
    assert setup.stored_keys() == keys
    assert "not_due" in again.stdout and "--force-new" in again.stdout  # Mobilités, not visited

    replaced = force_new(sandbox, setup)
    assert_no_key_leaked(sandbox, setup, *replaced)


def test_the_secret_service_holds_what_a_first_run_and_force_new_store(
    sandbox: Sandbox, make_setup, rendering: str
) -> None:
    """The store is the same whatever the portals' markup: the Secret Service is exercised on
    one rendering."""
    if rendering != "classic":
        pytest.skip("the Secret Service is exercised on the classic rendering")
    require_secret_service()
    setup = make_setup(backend="system")
    first_run(sandbox, setup)
    replaced = force_new(sandbox, setup)
    assert_no_key_leaked(sandbox, setup, *replaced)


def test_wrong_password_fails_only_that_account(sandbox: Sandbox, make_setup) -> None:
    # Two other portals are enough to show that the others go on.
    setup = make_setup(portals=("ocapiat", "atlas", "opcoep"),
                       passwords={"ocapiat": "not-the-password"})

    done = setup.cli("run")

    assert done.returncode == 1
    line = next(line for line in done.stdout.splitlines() if "ocapiat" in line)
    assert "wrong_credentials" in line and setup.account("ocapiat")["name"] in line
    for portal in ("atlas", "opcoep"):
        assert setup.stored_key(portal) == current(sandbox, setup, portal), portal
    assert setup.stored_key("ocapiat") is None
    # A refused login is not retried: retrying locks accounts.
    assert sum("login refused" in r.stderr for r in setup.runs[:1]) >= 1
    assert_no_key_leaked(sandbox, setup)
