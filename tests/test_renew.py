"""`renew`, the scheduled job, as a timer runs it: real processes, real Chromium, real HTTP."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sandbox import Sandbox
from tests.conftest import Setup, finish, start

PORTALS = ("atlas", "ocapiat", "mobilites")
STARTED = "browser started"  # logged when (and only when) Chromium is launched


def current(sandbox: Sandbox, setup: Setup, portal: str) -> str | None:
    account = setup.account(portal)
    return sandbox.current_key(portal, account["username"], siret=account.get("siret"))


def generations(sandbox: Sandbox, setup: Setup) -> dict[str, int]:
    return {p: sandbox.generation_count(p, setup.account(p)["username"],
                                        siret=setup.account(p).get("siret"))
            for p in (a["portal"] for a in setup.accounts)}


def results(done: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    return {r["portal"]: r for r in json.loads(done.stdout)}


def test_renew_visits_what_is_due_and_nothing_else(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(PORTALS)

    first = setup.cli("renew", "--json")

    assert first.returncode == 0, first.stdout + first.stderr
    for portal in PORTALS:
        assert setup.stored_key(portal) == current(sandbox, setup, portal), portal
    assert {p: r["summary"] for p, r in results(first).items()} == {
        "atlas": "re-read", "ocapiat": "renewed", "mobilites": "renewed"}
    counts = generations(sandbox, setup)

    second = setup.cli("renew")

    assert second.returncode == 0, second.stdout + second.stderr
    assert "3 not due" in second.stdout
    assert STARTED not in second.stderr  # nothing due: no browser at all
    assert generations(sandbox, setup) == counts


def test_a_key_changed_on_the_portal_is_noticed_after_reread_days(
    sandbox: Sandbox, make_setup
) -> None:
    setup = make_setup(("atlas",), extra={"reread_days": 1})
    assert setup.cli("renew").returncode == 0
    atlas = setup.account("atlas")
    rotated = sandbox.rotate_key("atlas", atlas["username"])  # « automatiquement générée »
    # A day later (the state's last read moved back a day: the tool's clock is not ours).
    state = setup.folder / "key-retriever.state.sqlite"
    with sqlite3.connect(state) as db:
        (read_at,) = db.execute("SELECT retrieved_at FROM accounts").fetchone()
        earlier = datetime.fromisoformat(read_at) - timedelta(hours=25)
        db.execute("UPDATE accounts SET retrieved_at = ?", (earlier.isoformat(),))

    done = setup.cli("renew", "--json")

    assert done.returncode == 0, done.stdout + done.stderr
    assert results(done)["atlas"]["changed"] is True
    assert setup.stored_key("atlas") == rotated


def test_dry_run_walks_to_the_page_and_changes_nothing(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(("ocapiat", "mobilites"))
    counts = generations(sandbox, setup)

    dry = setup.cli("renew", "--dry-run", "--json")

    assert dry.returncode == 0, dry.stdout + dry.stderr
    said = results(dry)
    assert said["ocapiat"]["outcome"] == "dry_run"
    assert "would generate a new key" in said["ocapiat"]["message"]
    assert "would generate a new key" in said["mobilites"]["message"]
    assert generations(sandbox, setup) == counts
    assert setup.stored_key("ocapiat") is None
    assert all(r["fingerprint"] is None for r in json.loads(setup.cli("status", "--json").stdout))

    # Once keys are stored, --force --dry-run still generates nothing.
    assert setup.cli("run").returncode == 0
    counts, keys = generations(sandbox, setup), {p: setup.stored_key(p) for p in PORTALS[1:]}
    forced = setup.cli("renew", "--dry-run", "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "would generate" in forced.stdout
    assert generations(sandbox, setup) == counts
    assert {p: setup.stored_key(p) for p in PORTALS[1:]} == keys


def test_deploy_hook_gets_each_new_key_once_on_stdin(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(("ocapiat",))
    received = setup.folder / "received"
    hook = (f'{{ cat; env | grep ^KEY_RETRIEVER_ | sort; echo "args=$*"; }} >> {received}; '
            f'echo --- >> {received}')

    done = setup.cli("run", "--deploy-hook", hook)

    assert done.returncode == 0, done.stdout + done.stderr
    key = current(sandbox, setup, "ocapiat")
    text = received.read_text()
    assert text.splitlines()[0] == key  # the key, on stdin
    account = setup.account("ocapiat")
    fingerprint = json.loads(setup.cli("status", "--json").stdout)[0]["fingerprint"]
    assert "KEY_RETRIEVER_PORTAL=ocapiat" in text
    assert f"KEY_RETRIEVER_ACCOUNT={account['name']}" in text
    assert f"KEY_RETRIEVER_FINGERPRINT={fingerprint}" in text
    assert "KEY_RETRIEVER_EXPIRES_AT=20" in text
    assert "KEY_RETRIEVER_STORE_PASSPHRASE" not in text  # the tool's secrets stay its own
    assert text.count(key) == 1  # in no variable and no argument

    # The same key again: the hook does not run again.
    assert setup.cli("run", "--deploy-hook", hook).returncode == 0
    assert received.read_text().count("---") == 1
    assert key not in done.stdout + done.stderr


def test_a_failing_hook_fails_the_run_keeps_the_key_and_is_retried(
    sandbox: Sandbox, make_setup
) -> None:
    setup = make_setup(("ocapiat",))
    received = setup.folder / "received"

    failed = setup.cli("renew", "--json", "--deploy-hook",
                       "echo 'CFA software unreachable' >&2; exit 7")

    assert failed.returncode == 1, failed.stdout + failed.stderr
    said = results(failed)["ocapiat"]
    assert said["outcome"] == "hook_failed"
    assert ("deploy hook `echo 'CFA software unreachable' >&2; exit 7` exited 7: CFA software "
            "unreachable") in said["message"]
    key = current(sandbox, setup, "ocapiat")
    assert setup.stored_key("ocapiat") == key  # the key stays stored
    counts = generations(sandbox, setup)

    retried = setup.cli("renew", "--deploy-hook", f"cat > {received}")

    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert received.read_text().strip() == key
    assert STARTED not in retried.stderr  # only the hook: the portal is not visited again
    assert generations(sandbox, setup) == counts
    received.unlink()
    assert setup.cli("renew", "--deploy-hook", f"cat > {received}").returncode == 0
    assert not received.exists()  # taken once: not again


def test_two_renews_at_once_never_both_generate(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(("ocapiat",))
    replaced = sandbox.hold_after_generate("ocapiat")
    try:
        first = start(setup, "renew")
        assert replaced.wait(60), "the first renew never generated"
        second = finish(setup, start(setup, "renew"))
    finally:
        sandbox.hold_after_generate("ocapiat", hold=False)
    first_done = finish(setup, first)

    assert first_done.returncode == 0, first_done.stdout + first_done.stderr
    assert second.returncode == 0, second.stdout + second.stderr  # a timer firing twice: fine
    assert "another key-retriever process (pid" in second.stdout
    assert generations(sandbox, setup)["ocapiat"] == 1
    assert setup.stored_key("ocapiat") == current(sandbox, setup, "ocapiat")


def test_failures_are_notified_and_metrics_written(
    sandbox: Sandbox, make_setup, webhook: tuple[str, list[dict]]
) -> None:
    url, received = webhook
    setup = make_setup(("atlas", "ocapiat"), passwords={"atlas": "wrong-password"},
                       extra={"notify": [url]})
    metrics_file = setup.folder / "textfile" / "key_retriever.prom"
    setup.path.write_text(setup.path.read_text() + f"metrics_file: {metrics_file}\n")

    done = setup.cli("renew")

    assert done.returncode == 1, done.stdout + done.stderr
    assert len(received) == 1
    message = received[0]
    assert "1 failed" in message["title"]
    assert f"atlas/{setup.account('atlas')['name']}: wrong_credentials" in message["message"]
    assert "ocapiat" not in message["message"]  # only what needs someone
    key = current(sandbox, setup, "ocapiat")
    assert key and key not in json.dumps(received)
    text = metrics_file.read_text()
    samples = {
        (sample.name, sample.labels.get("portal"), sample.labels.get("outcome")): sample.value
        for family in text_string_to_metric_families(text) for sample in family.samples
    }
    expires = sandbox.key_expires_at("ocapiat", setup.account("ocapiat")["username"])
    assert expires is not None
    assert samples[("key_retriever_key_expiry_timestamp_seconds", "ocapiat", None)] == \
        pytest.approx(expires.timestamp(), abs=86400)  # the portal shows the day
    assert samples[("key_retriever_key_days_left", "ocapiat", None)] > 100
    assert samples[("key_retriever_last_outcome", "ocapiat", "ok")] == 1
    assert samples[("key_retriever_last_outcome", "atlas", "wrong_credentials")] == 1
    assert samples[("key_retriever_key_valid", "atlas", None)] == 0
    assert ("key_retriever_last_success_timestamp_seconds", "ocapiat", None) in samples
    assert key not in text

    # All well: no notification.
    assert setup.cli("renew", "ocapiat").returncode == 0
    assert len(received) == 1


def test_export_and_exec_hand_the_keys_to_the_cfa_software(
    sandbox: Sandbox, make_setup
) -> None:
    setup = make_setup(("atlas", "ocapiat"))
    assert setup.cli("run").returncode == 0
    atlas, ocapiat = current(sandbox, setup, "atlas"), current(sandbox, setup, "ocapiat")
    suffix = setup.account("atlas")["name"].upper().replace("-", "_")

    env = setup.cli("export")
    assert env.returncode == 0, env.stderr
    assert f"CFA_KEY_ATLAS={atlas}" in env.stdout.splitlines()
    assert f"CFA_KEY_ATLAS_{suffix}={atlas}" in env.stdout.splitlines()
    assert f"CFA_KEY_OCAPIAT={ocapiat}" in env.stdout.splitlines()

    as_json = json.loads(setup.cli("export", "--format", "json", "--portal", "ocapiat").stdout)
    assert [(k["portal"], k["key"]) for k in as_json] == [("ocapiat", ocapiat)]
    assert as_json[0]["expires_at"]

    shown = setup.cli("exec", "--portal", "atlas", "--", "sh", "-c",
                      'printf "%s|%s" "$CFA_KEY_ATLAS" "${CFA_KEY_OCAPIAT:-none}"; exit 4')
    assert shown.returncode == 4  # the command's own exit code
    assert shown.stdout == f"{atlas}|none"


def test_export_refuses_half_the_keys(sandbox: Sandbox, make_setup) -> None:
    setup = make_setup(("atlas", "ocapiat"))
    assert setup.cli("run", "atlas").returncode == 0

    done = setup.cli("export")

    assert done.returncode == 1
    assert f"no key stored for ocapiat/{setup.account('ocapiat')['name']}" in done.stderr
    assert done.stdout == ""


DEPLOY = Path(__file__).parent.parent / "deploy"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_systemd_units_are_valid(tmp_path: Path) -> None:
    # The units name /usr/local/bin/key-retriever; verify checks that it exists and runs.
    for unit in ("key-retriever.service", "key-retriever.timer"):
        text = (DEPLOY / unit).read_text()
        (tmp_path / unit).write_text(text.replace("/usr/local/bin/key-retriever",
                                                  shutil.which("true") or "/bin/true"))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(tmp_path / "key-retriever.timer"),
         str(tmp_path / "key-retriever.service")],
        capture_output=True, text=True,
    )
    problems = [line for line in done.stderr.splitlines() if "key-retriever" in line]
    assert done.returncode == 0 and not problems, done.stderr
    timer = (DEPLOY / "key-retriever.timer").read_text()
    assert "Persistent=true" in timer and "RandomizedDelaySec=" in timer


def test_the_cron_line_is_valid() -> None:
    from croniter import croniter

    line = (DEPLOY / "key-retriever.cron").read_text().strip().splitlines()[-1]
    schedule = " ".join(line.split()[:5])
    assert croniter.is_valid(schedule), line
    assert "key-retriever renew" in line
    assert line in (DEPLOY.parent / "README.md").read_text()  # what the README shows
