"""A portal that renamed a label: the failure names the step, the label and the setting that
renames it; with that setting (portals.<id>.labels) the same run stores the key, generating
nothing needless. One case per kind of step that reads a label."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import yaml

from sandbox import Sandbox, clock
from tests.conftest import Setup

RENAMED = "Libellé du portail"

# (portal, the seed's label, the kind of step, whether the portal must generate a key)
CASES = [
    ("atlas", "myAtlas prestataire", "click", False),
    ("atlas", "Mes paramètres", "menu item", False),
    ("ocapiat", "Durée de vie de ma clé CFA en mois", "field", True),
    ("atlas", "Ma clé CFA", "section read", False),
    ("opcommerce", "Générer une nouvelle clé d'API", "confirmed click", True),
]


@pytest.mark.parametrize("rendering", ["classic", "spa"])
@pytest.mark.parametrize(("portal", "label", "kind", "generates"), CASES,
                         ids=[kind for *_, kind, _ in CASES])
def test_a_renamed_label_is_named_then_followed_from_the_configuration(
    sandbox: Sandbox, make_setup, portal: str, label: str, kind: str, generates: bool
) -> None:
    setup: Setup = make_setup(portals=(portal,), extra={"browser": {"step_timeout_seconds": 5}})
    user = setup.account(portal)["username"]
    if generates:  # the key expired: the flow must reach the step that makes a new one
        sandbox.set_key(portal, user, None, clock.now() - timedelta(days=2))
    for shown in {label, label.upper(), label.capitalize()}:
        sandbox.relabel(portal, shown, RENAMED)
    before = sandbox.generation_count(portal, user)

    failed = setup.cli("run", "--json")

    assert failed.returncode == 1, failed.stdout + failed.stderr
    row = json.loads(failed.stdout)[0]
    assert row["outcome"] == "page_changed", row
    assert f"« {label} »" in row["message"], row["message"]
    assert f'portals.{portal}.labels: {{"{label}": "…"}}' in row["message"], row["message"]
    assert sandbox.generation_count(portal, user) == before

    config = yaml.safe_load(setup.path.read_text())
    config["portals"][portal]["labels"] = {label: RENAMED}
    setup.path.write_text(yaml.safe_dump(config, allow_unicode=True))

    done = setup.cli("run")

    assert done.returncode == 0, done.stdout + done.stderr
    assert setup.stored_key(portal) == sandbox.current_key(portal, user)
    assert sandbox.generation_count(portal, user) == before + generates


@pytest.mark.parametrize("rendering", ["classic"])
def test_an_unknown_label_is_refused_naming_the_portals_labels(make_setup) -> None:
    setup: Setup = make_setup(portals=("atlas",))
    config = yaml.safe_load(setup.path.read_text())
    config["portals"]["atlas"]["labels"] = {"Ma clef CFA": "Clé"}
    setup.path.write_text(yaml.safe_dump(config, allow_unicode=True))

    done = setup.cli("run")

    assert done.returncode == 2
    assert "portals.atlas.labels" in done.stderr and "« Ma clef CFA »" in done.stderr
    assert "« Ma clé CFA »" in done.stderr  # the portal's labels are listed


@pytest.mark.parametrize("rendering", ["classic"])
def test_portals_lists_a_portals_steps_and_labels_with_the_overrides(make_setup) -> None:
    setup: Setup = make_setup(portals=("atlas",))
    config = yaml.safe_load(setup.path.read_text())
    config["portals"]["atlas"]["labels"] = {"Mes paramètres": "Paramètres du compte"}
    setup.path.write_text(yaml.safe_dump(config, allow_unicode=True))

    done = setup.cli("portals", "atlas")

    assert done.returncode == 0, done.stderr
    assert "Seed steps" in done.stdout and "Ma clé CFA" in done.stdout
    assert "Paramètres du compte (configured)" in done.stdout
