"""Renewal decisions, portal options and the failures a user must be able to tell apart."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from subprocess import run

import pytest

from sandbox import Sandbox
from tests.conftest import Setup


def row(setup: Setup, portal: str) -> dict:
    rows = json.loads(setup.cli("status", "--json").stdout)
    return next(r for r in rows if r["portal"] == portal)


def test_opcoep_token_due_is_renewed_once(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(portals=("opcoep",))
    username = setup.account("opcoep")["username"]
    near = sandbox.set_key("opcoep", username, None, datetime.now(UTC) + timedelta(days=10))
    before = sandbox.generation_count("opcoep", username)

    done = setup.cli("run")

    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox.generation_count("opcoep", username) == before + 1
    new = sandbox.current_key("opcoep", username)
    assert new != near and setup.stored_key("opcoep") == new
    assert row(setup, "opcoep")["days_left"] > 300  # the new token's exp claim


def test_ocapiat_generates_with_the_configured_lifetime(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(portals=("ocapiat",))
    config = setup.path.read_text().replace(
        "password_env: PW_OCAPIAT", "password_env: PW_OCAPIAT\n  options:\n    lifetime_months: 2"
    )
    setup.path.write_text(config)

    done = setup.cli("run")

    assert done.returncode == 0, done.stdout + done.stderr
    username = setup.account("ocapiat")["username"]
    portal_expiry = sandbox.key_expires_at("ocapiat", username)
    stored_expiry = datetime.fromisoformat(row(setup, "ocapiat")["expires_at"])
    assert portal_expiry is not None
    assert abs(stored_expiry - portal_expiry) < timedelta(days=1)
    assert 55 <= (stored_expiry - datetime.now(UTC)).days <= 62
    assert setup.stored_key("ocapiat") == sandbox.current_key("ocapiat", username)


def test_ocapiat_existing_key_is_shown_not_regenerated(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(portals=("ocapiat",))
    username = setup.account("ocapiat")["username"]
    existing = sandbox.set_key("ocapiat", username, None, datetime.now(UTC) + timedelta(days=90))

    done = setup.cli("run")

    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox.generation_count("ocapiat", username) == 0
    assert setup.stored_key("ocapiat") == existing
    # Dated from the expiry the page shows beside it, so it will be renewed in time.
    stored_expiry = datetime.fromisoformat(row(setup, "ocapiat")["expires_at"])
    assert abs(stored_expiry - (datetime.now(UTC) + timedelta(days=90))) < timedelta(days=1)


def test_a_key_of_unknown_expiry_is_due_by_the_portal_s_lifetime() -> None:
    from dateutil.relativedelta import relativedelta

    from retrievers.renewal import is_due

    seen = datetime(2026, 1, 1, tzinfo=UTC)
    six_months = relativedelta(months=6)
    kwargs = {"renew_before_days": 30, "first_seen_at": seen, "lifetime": six_months}
    assert not is_due(None, **kwargs, at=seen + timedelta(days=100))
    assert is_due(None, **kwargs, at=seen + timedelta(days=125))  # past 2/3 of 6 months
    assert not is_due(None, renew_before_days=30, first_seen_at=seen, at=seen + timedelta(900))


def test_atlas_key_rotated_by_the_portal_is_picked_up(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(portals=("atlas",))
    assert setup.cli("run").returncode == 0
    rotated = sandbox.rotate_key("atlas", setup.account("atlas")["username"])

    assert setup.cli("run").returncode == 0
    assert setup.stored_key("atlas") == rotated


def test_portal_down_fails_that_account_only(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(portals=("atlas", "opcoep"))
    sandbox.set_down("opcoep")

    done = setup.cli("run")

    assert done.returncode == 1
    line = next(line for line in done.stdout.splitlines() if "opcoep" in line)
    assert "portal_down" in line
    assert "retrying" in done.stderr  # a portal that is down is retried, with backoff
    assert setup.stored_key("atlas") == sandbox.current_key(
        "atlas", setup.account("atlas")["username"])


def test_changed_page_leaves_redacted_artifacts(sandbox: Sandbox, make_setup) -> None:
    """Atlas pointed at the wrong site: the flow cannot find its steps."""
    setup = make_setup(portals=("atlas",), extra={
        "portals": {"atlas": {"base_url": sandbox.base_url("mobilites")}},
        "browser": {"step_timeout_seconds": 3},
    })

    done = setup.cli("run")

    assert done.returncode == 1
    assert "page_changed" in done.stdout
    shots = list((setup.folder / "artifacts").glob("*-atlas-*.png"))
    dumps = list((setup.folder / "artifacts").glob("*-atlas-*.html"))
    assert shots and dumps
    assert str(setup.folder / "artifacts") in done.stdout.replace("\n", "").replace("│", "")
    for text in setup.everything_written():
        assert setup.account("atlas")["password"] not in text


def test_no_chromium_is_a_configuration_error(make_setup) -> None:
    setup = make_setup(portals=("atlas",), extra={
        "browser": {"executable_path": "/nonexistent/chromium"}})

    done = setup.cli("run")

    assert done.returncode == 2
    assert "browser.executable_path" in done.stderr


def test_get_needs_account_when_a_portal_has_several(make_setup) -> None:
    setup = make_setup(portals=("atlas",))
    config = setup.path.read_text()
    setup.path.write_text(config.replace("accounts:\n", "accounts:\n- name: second\n"
                                         "  portal: atlas\n  username: x@y.fr\n"
                                         "  password_env: PW_ATLAS\n", 1))
    done = setup.cli("get", "atlas")
    assert done.returncode == 2 and "--account" in done.stderr


def status_columns(text: str) -> list[dict[str, str]]:
    """The rows of `status` as a person reads them: each column under its header, as far as
    the dashes beneath the header go."""
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if re.fullmatch(r"[- ]+", line))
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]
    names = [lines[rule - 1][a:b].strip() for a, b in spans]
    return [{name: line[a:b].strip() for name, (a, b) in zip(names, spans, strict=True)}
            for line in lines[rule + 1:] if line.strip()]


@pytest.mark.long(35)  # seconds, about
def test_demo_retrieves_every_automated_portal_s_key() -> None:
    done = run([sys.executable, "-m", "retrievers", "demo"], capture_output=True, text=True,
               timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    portals = ("atlas", "ocapiat", "opcoep", "mobilites", "afdas", "opcommerce", "sante", "cardif",
               "opco2i", "constructys")
    status = status_columns(done.stdout[done.stdout.rindex("key-retriever status"):])
    for portal in portals:  # the final status: every row ok, the e-mail portals' too
        assert [r["last outcome"] for r in status if r["portal"] == portal] == ["ok"], status
    # The e-mail portals' journeys: request sent, mails read, a person's answer played.
    assert "request sent" in done.stdout and "les transmissions via boîtes mails" in done.stdout
    # The Cardif row: its Code Apporteur (the smallest of the demo file), handed to O2S.
    assert "Code Apporteur 99999" in done.stdout and "in O2S" in done.stdout


def test_portal_without_automated_flow_needs_a_person(make_setup) -> None:
    setup = make_setup(portals=("atlas",))
    setup.path.write_text(setup.path.read_text().replace("portal: atlas", "portal: akto"))

    done = setup.cli("run")

    assert done.returncode == 3
    assert "action_needed" in done.stdout and "AKTO" in done.stdout
    assert "browser started" not in done.stderr  # nothing to drive: no browser launched


def test_wrong_store_passphrase_is_reported_before_anything(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(portals=("atlas",))
    assert setup.cli("run").returncode == 0
    setup.env["KEY_RETRIEVER_STORE_PASSPHRASE"] = "not the passphrase"

    done = setup.cli("run")

    assert done.returncode == 2
    assert "store.path" in done.stderr and "wrong KEY_RETRIEVER_STORE_PASSPHRASE" in done.stderr
    assert "browser started" not in done.stderr
