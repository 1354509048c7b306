"""Rules of single portals: Afdas's head office and establishments, L'Opcommerce's expiry and
« Révoquer l'accès », OPCO Santé's 12 months. Real Chromium against both renderings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import yaml

from sandbox import DEMO_ACCOUNTS, RENDERINGS, Sandbox
from tests.conftest import FAST, Setup
from tests.sandbox_fixtures import AFDAS_ESTABLISHMENTS

pytestmark = pytest.mark.parametrize("rendering", RENDERINGS)


@pytest.fixture
def sandbox(rendering: str) -> Iterator[Sandbox]:
    """The demo accounts and Afdas establishments (one of the head office's SIREN, one of a
    group whose head office generated nothing)."""
    sb = Sandbox(latency=FAST, rendering=rendering,
                 accounts=[*DEMO_ACCOUNTS, *AFDAS_ESTABLISHMENTS.values()])
    with sb.serve_in_thread(host="127.0.0.1", port=0):
        yield sb


def as_account(setup: Setup, spec: dict[str, Any]) -> None:
    """Point the setup's only account at another sandbox login."""
    config = yaml.safe_load(setup.path.read_text())
    config["accounts"][0].update(username=spec["username"], siret=spec["siret"])
    setup.path.write_text(yaml.safe_dump(config, allow_unicode=True))
    setup.env[config["accounts"][0]["password_env"]] = spec["password"]
    setup.accounts[0].update(username=spec["username"], siret=spec["siret"],
                             password=spec["password"])


def row(setup: Setup, portal: str) -> dict:
    return next(r for r in json.loads(setup.cli("status", "--json").stdout)
                if r["portal"] == portal)


def test_afdas_establishment_stores_the_identifier_its_head_office_generated(
    sandbox: Sandbox, make_setup
) -> None:
    head_office = make_setup(portals=("afdas",))
    assert head_office.cli("run").returncode == 0
    shared = sandbox.current_key("afdas", head_office.account("afdas")["username"])
    establishment = make_setup(portals=("afdas",))
    as_account(establishment, AFDAS_ESTABLISHMENTS["same_siren"])

    done = establishment.cli("run", "--force-new")  # it cannot generate: it reads

    assert done.returncode == 0, done.stdout + done.stderr
    assert establishment.stored_key("afdas") == shared
    assert sandbox.generation_count("afdas", AFDAS_ESTABLISHMENTS["same_siren"]["username"]) == 1


def test_afdas_establishment_without_identifier_needs_its_head_office(
    sandbox: Sandbox, make_setup
) -> None:
    setup = make_setup(portals=("afdas",))
    as_account(setup, AFDAS_ESTABLISHMENTS["no_identifier"])

    done = setup.cli("run")

    assert done.returncode == 3, done.stdout + done.stderr
    flat = " ".join(done.stdout.replace("│", " ").split())
    assert "action_needed" in flat and "head office (siège social)" in flat
    assert setup.stored_key("afdas") is None


def test_opcommerce_stores_the_shown_expiry_and_never_revokes(
    sandbox: Sandbox, make_setup
) -> None:
    setup = make_setup(portals=("opcommerce",))
    username = setup.account("opcommerce")["username"]

    for args in (("run",), ("run", "--force-new")):
        done = setup.cli(*args)
        assert done.returncode == 0, done.stdout + done.stderr

    expiry = sandbox.key_expires_at("opcommerce", username)
    assert expiry is not None
    stored = datetime.fromisoformat(row(setup, "opcommerce")["expires_at"])
    assert abs(stored - expiry) < timedelta(minutes=1)  # shown to the minute, Paris time
    assert setup.stored_key("opcommerce") == sandbox.current_key("opcommerce", username)
    assert sandbox.revocation_count("opcommerce", username) == 0


def test_sante_key_shown_again_is_not_regenerated(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(portals=("sante",))
    username = setup.account("sante")["username"]
    assert setup.cli("run").returncode == 0
    generated = row(setup, "sante")["expires_at"]

    assert setup.cli("run").returncode == 0

    assert sandbox.generation_count("sante", username) == 1
    assert setup.stored_key("sante") == sandbox.current_key("sante", username)
    assert row(setup, "sante")["expires_at"][:10] == generated[:10]
