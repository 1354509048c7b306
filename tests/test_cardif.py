"""Cardif: the aggregation TOKEN and the Code Apporteur, handed to O2S — real Chromium against
both renderings of the simulated extranet and O2S."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from sandbox import EXTRA_DEMO_ACCOUNTS, RENDERINGS, Sandbox
from tests.conftest import FAST, Setup

CARDIF = next(a for a in EXTRA_DEMO_ACCOUNTS if a["portal"] == "cardif")
O2S = next(a for a in EXTRA_DEMO_ACCOUNTS if a["portal"] == "o2s")
USER = CARDIF["username"]
CODES = ["123789", "123456", "99999", "100000", "123456", ""]  # unsorted, repeats, a blank


@pytest.fixture(params=RENDERINGS)
def rendering(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def sandbox(rendering: str) -> Any:
    sb = Sandbox(latency=FAST, rendering=rendering)
    sb.set_extraction_delay(0.8)
    with sb.serve_in_thread():
        yield sb


@pytest.fixture
def setup(sandbox: Sandbox, tmp_path: Path) -> Setup:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEY_RETRIEVER_")}
    env.update(KEY_RETRIEVER_STORE_PASSPHRASE="correct horse battery staple",
               CARDIF_PASSWORD=CARDIF["password"], O2S_PASSWORD=O2S["password"])
    account = {
        "name": "cabinet-sud", "portal": "cardif", "username": USER,
        "password_env": "CARDIF_PASSWORD",
        "options": {"o2s": {"base_url": sandbox.base_url("o2s"), "username": O2S["username"],
                            "password_env": "O2S_PASSWORD"}},
    }
    config = {
        "store": {"backend": "file", "path": str(tmp_path / "keys.enc")},
        "browser": {"step_timeout_seconds": 15},
        "retry": {"attempts": 2, "wait_seconds": 0.2},
        "portals": {"cardif": {"base_url": sandbox.base_url("cardif")}},
        "accounts": [account],
        "artifacts_dir": str(tmp_path / "artifacts"),
    }
    path = tmp_path / "key-retriever.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return Setup(path=path, env=env, accounts=[{**account, "password": CARDIF["password"]}],
                 folder=tmp_path)


def stored(setup: Setup) -> str | None:
    done = setup.cli("get", "cardif", "--account", "cabinet-sud")
    return done.stdout.strip() if done.returncode == 0 else None


def code_apporteur(setup: Setup) -> str | None:
    done = setup.cli("get", "cardif", "--account", "cabinet-sud", "--field", "code_apporteur")
    return done.stdout.strip() if done.returncode == 0 else None


def assert_no_leak(setup: Setup, *secrets: str) -> None:
    for text in setup.everything_written():
        for secret in [*secrets, CARDIF["password"], O2S["password"]]:
            assert secret not in text


def test_first_run_subscribes_reads_the_file_and_hands_both_to_o2s(
    sandbox: Sandbox, setup: Setup
) -> None:
    sandbox.set_progestor(USER, codes=CODES)

    done = setup.cli("run")

    assert done.returncode == 0, done.stdout + done.stderr
    token = sandbox.current_key("cardif", USER)
    assert token and stored(setup) == token
    assert sandbox.subscriptions(USER) == ["O2S"]  # never another aggregator
    assert code_apporteur(setup) == "99999"  # as numbers: 99999 < 100000 < 123456
    assert sandbox.o2s_requests(O2S["username"]) == [{"code_apporteur": "99999", "token": token}]
    status = setup.cli("status")
    assert "Code Apporteur 99999" in status.stdout and "in O2S" in status.stdout

    again = setup.cli("run")

    assert again.returncode == 0, again.stdout + again.stderr
    assert sandbox.subscriptions(USER) == ["O2S"]  # never twice
    assert sandbox.generation_count("cardif", USER) == 1
    assert len(sandbox.o2s_requests(O2S["username"])) == 1  # the same pair: not again
    assert not sandbox.o2s_deletions(O2S["username"])
    assert_no_leak(setup, token)


def test_an_existing_subscription_is_read_not_made_again(sandbox: Sandbox, setup: Setup) -> None:
    preset = sandbox.set_subscribed(USER, "O2S")

    done = setup.cli("run")

    assert done.returncode == 0, done.stdout + done.stderr
    assert stored(setup) == preset
    assert sandbox.subscriptions(USER) == ["O2S"]
    assert sandbox.generation_count("cardif", USER) == 0
    assert_no_leak(setup, preset)


@pytest.mark.parametrize("rendering", ["classic"])
@pytest.mark.parametrize("file_format", ["csv-latin1", "csv-utf8", "xlsx"])
def test_each_file_format_gives_the_smallest_code(
    sandbox: Sandbox, setup: Setup, file_format: str
) -> None:
    sandbox.set_progestor(USER, format=file_format, codes=["100000", "99999", "123456", ""])

    done = setup.cli("run", "--json")

    assert done.returncode == 0, done.stdout + done.stderr
    assert code_apporteur(setup) == "99999"


@pytest.mark.parametrize("rendering", ["classic"])
@pytest.mark.parametrize(("bad", "said"), [
    ({"codes": []}, "lists no Code Apporteur"),
    ({"header": "Code interne"}, "has no « Code apporteur » column"),
    ({"broken": True}, "could not be read"),
])
def test_a_bad_progestor_file_is_named_and_the_token_kept(
    sandbox: Sandbox, setup: Setup, bad: dict[str, Any], said: str
) -> None:
    sandbox.set_progestor(USER, format="xlsx" if bad.get("broken") else None, **bad)

    done = setup.cli("run", "--json")

    assert done.returncode == 1, done.stdout + done.stderr
    result = json.loads(done.stdout)[0]
    assert said in result["message"] and "the Progestor file Progestor_V2_" in result["message"]
    assert result["message"].startswith("key ")  # the TOKEN was stored first
    assert stored(setup) == sandbox.current_key("cardif", USER)
    assert code_apporteur(setup) is None
    assert sandbox.o2s_requests(O2S["username"]) == []


def test_a_changed_code_is_deleted_in_o2s_before_the_new_request(
    sandbox: Sandbox, setup: Setup
) -> None:
    sandbox.set_progestor(USER, codes=CODES)
    assert setup.cli("run").returncode == 0
    token = sandbox.current_key("cardif", USER)
    sandbox.set_progestor(USER, codes=["88888", "123456"])

    done = setup.cli("run")

    assert done.returncode == 0, done.stdout + done.stderr
    assert code_apporteur(setup) == "88888"
    assert sandbox.o2s_deletions(O2S["username"]) == [{"code_apporteur": "99999",
                                                       "token": token}]
    assert sandbox.o2s_requests(O2S["username"]) == [{"code_apporteur": "88888", "token": token}]


def test_a_failed_hand_off_keeps_the_token_and_only_the_hand_off_is_retried(
    sandbox: Sandbox, setup: Setup
) -> None:
    sandbox.set_down("o2s")

    failed = setup.cli("run", "--json")

    assert failed.returncode == 1, failed.stdout + failed.stderr
    result = json.loads(failed.stdout)[0]
    assert result["outcome"] == "handoff_failed" and "O2S hand-off failed" in result["message"]
    token = sandbox.current_key("cardif", USER)
    assert stored(setup) == token
    extractions = sandbox.extraction_count(USER)
    sandbox.set_down("o2s", False)

    retried = setup.cli("renew")

    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert sandbox.o2s_requests(O2S["username"]) == [{"code_apporteur": "99999",
                                                      "token": token}]
    assert sandbox.extraction_count(USER) == extractions  # Cardif not visited again
    assert sandbox.generation_count("cardif", USER) == 1
    assert_no_leak(setup, token)
