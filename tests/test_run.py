"""`run` end to end: real Chromium, real HTTP to the simulated portals, real keyring backends."""

from __future__ import annotations

import json

import pytest

from sandbox import RENDERINGS, Sandbox
from tests.conftest import FLOW_PORTALS, Setup

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
    keys = [k for p in FLOW_PORTALS if (k := current(sandbox, setup, p))] + list(extra_keys)
    passwords = [a["password"] for a in setup.accounts]
    for text in setup.everything_written():
        for secret in keys + passwords:
            assert secret not in text


def store_once(backend: str, rendering: str) -> None:
    """The store is the same whatever the portals' markup: the Secret Service on one rendering
    (the encrypted file on all)."""
    if backend == "system" and rendering != "classic":
        pytest.skip("the Secret Service is exercised on the classic rendering")


def test_run_stores_each_portal_current_key(
    sandbox: Sandbox, make_setup, backend: str, rendering: str
) -> None:
    store_once(backend, rendering)
    setup = make_setup(backend=backend)
    before = generations(sandbox, setup)

    done = setup.cli("run")

    assert done.returncode == 0, done.stdout + done.stderr
    for portal in FLOW_PORTALS:
        key = current(sandbox, setup, portal)
        assert key, portal
        assert setup.stored_key(portal) == key, portal
    after = generations(sandbox, setup)
    # Atlas generates by itself, OPCO EP's token and L'Opcommerce's key are valid: nothing
    # generated there.
    for portal in ("atlas", "opcoep", "opcommerce"):
        assert after[portal] == before[portal], portal
    # Ocapiat's, Afdas's and OPCO Santé's demo CFAs had no key, Mobilités shows one only by
    # generating: one each.
    for portal in ("ocapiat", "mobilites", "afdas", "sante"):
        assert after[portal] == before[portal] + 1, portal
    assert_no_key_leaked(sandbox, setup)


def test_second_run_regenerates_nothing(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup()
    assert setup.cli("run").returncode == 0
    keys = {p: current(sandbox, setup, p) for p in FLOW_PORTALS}
    counts = generations(sandbox, setup)

    again = setup.cli("run")

    assert again.returncode == 0, again.stdout + again.stderr
    assert generations(sandbox, setup) == counts
    assert {p: current(sandbox, setup, p) for p in FLOW_PORTALS} == keys
    assert {p: setup.stored_key(p) for p in FLOW_PORTALS} == keys
    assert "not_due" in again.stdout and "--force-new" in again.stdout  # Mobilités, not visited
    assert_no_key_leaked(sandbox, setup)


def test_force_new_regenerates_once_and_stores_the_new_key(
    sandbox: Sandbox, make_setup, backend: str, rendering: str
) -> None:
    store_once(backend, rendering)
    setup = make_setup(backend=backend)
    assert setup.cli("run").returncode == 0
    old = {p: current(sandbox, setup, p) for p in FLOW_PORTALS}
    counts = generations(sandbox, setup)

    done = setup.cli("run", "--force-new")

    assert done.returncode == 0, done.stdout + done.stderr
    after = generations(sandbox, setup)
    assert after["atlas"] == counts["atlas"]  # no generate step on Atlas, ever
    for portal in ("ocapiat", "opcoep", "mobilites", "afdas", "opcommerce", "sante"):
        assert after[portal] == counts[portal] + 1, portal
        assert current(sandbox, setup, portal) != old[portal], portal
    for portal in FLOW_PORTALS:
        assert setup.stored_key(portal) == current(sandbox, setup, portal), portal
    assert_no_key_leaked(sandbox, setup, *[k for k in old.values() if k])


def test_wrong_password_fails_only_that_account(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(passwords={"ocapiat": "not-the-password"})

    done = setup.cli("run")

    assert done.returncode == 1
    line = next(line for line in done.stdout.splitlines() if "ocapiat" in line)
    assert "wrong_credentials" in line and setup.account("ocapiat")["name"] in line
    for portal in ("atlas", "opcoep", "mobilites"):
        assert setup.stored_key(portal) == current(sandbox, setup, portal), portal
    assert setup.stored_key("ocapiat") is None
    # A refused login is not retried: retrying locks accounts.
    assert sum("login refused" in r.stderr for r in setup.runs[:1]) >= 1
    assert_no_key_leaked(sandbox, setup)


def test_status_json_describes_every_account(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup()
    assert setup.cli("run").returncode == 0

    done = setup.cli("status", "--json")

    rows = {row["portal"]: row for row in json.loads(done.stdout)}
    assert set(rows) == set(FLOW_PORTALS)
    for portal, row in rows.items():
        assert {"account", "fingerprint", "retrieved_at", "expires_at", "days_left",
                "last_outcome", "attributes"} <= set(row)
        assert row["last_outcome"] == "ok"
        import hashlib

        key = current(sandbox, setup, portal)
        assert row["fingerprint"] == hashlib.sha256(key.encode()).hexdigest()[:12]
    assert 360 <= rows["mobilites"]["days_left"] <= 365
    assert rows["ocapiat"]["days_left"] >= 150  # 6 months, the default lifetime
    assert rows["opcoep"]["expires_at"]  # the JWT's exp claim
    assert 160 <= rows["opcommerce"]["days_left"] <= 165  # the date and time the page shows
    assert 363 <= rows["sante"]["days_left"] <= 366  # 12 months from generation
    assert_no_key_leaked(sandbox, setup)
