"""Many CFAs at once: fast start, shards, a browser served elsewhere, portals run side by side."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
import yaml

from retrievers.config import AccountConfig, Settings, load_config
from retrievers.demo import demo_config
from retrievers.parallelism import Parallelism
from retrievers.runner import interleaved
from retrievers.selection import select_accounts
from sandbox import DEMO_ACCOUNTS, Sandbox
from tests.conftest import (
    FAST,
    Setup,
    chromium_with_remote_debugging,
    demo_account,
    playwright_server,
)


def test_commands_that_need_no_browser_never_import_playwright(make_setup) -> None:
    setup = make_setup(("atlas", "ocapiat"))
    probe = (
        "import sys\n"
        "from retrievers import cli\n"
        "try:\n"
        "    cli.main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('playwright', 'flows')\n"
        "                and m != 'flows.options' and m != 'flows')\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    for command in (["--help"], ["status"], ["portals"], ["get", "atlas"], ["renew", "--help"]):
        args = [command[0], "--config", str(setup.path), *command[1:]]
        if command == ["--help"]:
            args = ["--help"]
        done = subprocess.run([sys.executable, "-c", probe, *args], env=setup.env,
                              capture_output=True, text=True, timeout=60)
        assert "LOADED []" in done.stderr, (command, done.stderr)


def _settings(count: int) -> Settings:
    portals = ("atlas", "ocapiat", "opcoep", "mobilites")
    return Settings(accounts=[
        AccountConfig(name=f"cfa-{i:03}", portal=portals[i % 4], username=f"user{i}",
                      password_env="PW")
        for i in range(count)
    ])


def test_shards_split_accounts_into_disjoint_covering_parts() -> None:
    settings = _settings(100)
    parts = [select_accounts(settings, (), None, (i, 4)) for i in range(4)]
    names = [(a.portal, a.name) for part in parts for a in part]
    assert sorted(names) == sorted((a.portal, a.name) for a in settings.accounts)  # covering
    assert len(names) == len(set(names))  # disjoint
    assert all(10 <= len(part) <= 40 for part in parts), [len(p) for p in parts]
    # An account keeps its shard when others come and go.
    fewer = Settings(accounts=settings.accounts[::2])
    for i in range(4):
        assert {a.name for a in select_accounts(fewer, (), None, (i, 4))} <= {
            a.name for a in parts[i]}


def test_shard_option_reads_the_index_of_an_indexed_job(make_setup) -> None:
    setup = make_setup(("atlas",))
    bad = setup.cli("renew", "--shard", "4/4")
    assert bad.returncode == 2 and "the index goes from 0 to N-1" in bad.stderr
    env = dict(setup.env)
    setup.env.pop("JOB_COMPLETION_INDEX", None)
    missing = setup.cli("renew", "--shard", "4")
    assert missing.returncode == 2 and "JOB_COMPLETION_INDEX" in missing.stderr
    setup.env = {**env, "JOB_COMPLETION_INDEX": "3"}
    # One account, four shards: most shards have nothing to do, which is no error.
    outputs = [setup.cli("renew", "--dry-run", "--shard", f"{i}/4", "--json") for i in range(4)]
    assert all(done.returncode == 0 for done in outputs), [o.stderr for o in outputs]
    assert sum('"portal": "atlas"' in o.stdout for o in outputs) == 1


def test_accounts_interleave_across_portals() -> None:
    accounts = _settings(12).accounts
    by_portal = sorted(accounts, key=lambda a: a.portal)  # as a vendor's list often comes
    order = [a.portal for a in interleaved(by_portal)]
    assert order[:4] == sorted(set(order[:4]), key=order[:4].index) and len(set(order[:4])) == 4


@pytest.fixture(params=["cdp_url", "playwright_url"])
def remote_browser(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A browser served elsewhere: a Chromium with remote debugging (CDP), or a Playwright
    server (Playwright's protocol, as pools speak it). Yields (setting, URL)."""
    serve = chromium_with_remote_debugging if request.param == "cdp_url" else playwright_server
    for url in serve():
        yield request.param, url


def test_a_flow_runs_in_a_browser_served_elsewhere(
    sandbox: Sandbox, make_setup, remote_browser: tuple[str, str]
) -> None:
    """OPCO EP's token also comes as a .txt file, read here and checked against the page (from
    a Playwright server it comes over the connection); no copy of it is left."""
    setting, url = remote_browser
    setup = make_setup(("opcoep", "atlas"), extra={"browser": {setting: url}})

    done = setup.cli("run", "--log-json")

    assert done.returncode == 0, done.stdout + done.stderr
    assert '"browser connected"' in done.stderr and '"browser started"' not in done.stderr
    for portal in ("opcoep", "atlas"):
        demo = demo_account(portal)
        assert setup.stored_key(portal) == sandbox.current_key(portal, demo["username"],
                                                               siret=demo.get("siret"))
    downloads = setup.folder / "key-retriever.downloads"
    assert not [p for p in downloads.rglob("*") if p.is_file()]


@pytest.mark.long(40)  # seconds, about
def test_many_accounts_of_two_portals_all_done_side_by_side(tmp_path: Path) -> None:
    """Eight CFAs on each of two portals, at the defaults (the limit follows the machine), with
    OPCO EP spared to three at once: every key stored, none twice, no portal ever saw more of
    its accounts signed in at once than allowed, and the terminal showed how many ran."""
    specs = [
        {**demo, "name": f"{demo['name']}-{i}", "username": f"{i}.{demo['username']}"}
        for demo in DEMO_ACCOUNTS if demo["portal"] in ("opcoep", "mobilites")
        for i in range(8)
    ]
    sandbox = Sandbox(latency=FAST, accounts=specs)
    with sandbox.serve_in_thread():
        path, env = demo_config(sandbox, tmp_path, specs, o2s=None, extra={
            "portals": {"opcoep": {"base_url": sandbox.base_url("opcoep"), "max_parallel": 3},
                        "mobilites": {"base_url": sandbox.base_url("mobilites")}},
        })
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("KEY_RETRIEVER_")},
               **env}
        setup = Setup(path=path, env=env, accounts=specs, folder=tmp_path)

        # At a terminal, as a person runs it.
        args = setup.cli_args("run")
        child = pexpect.spawn(args[0], args[1:], env=env, encoding="utf-8", timeout=240,
                              dimensions=(50, 160))
        child.expect(r"\d+ of 16 accounts done · \d+ running, at most \d+ \(follows the machine\)")
        child.expect(pexpect.EOF)
        child.close()

        assert child.exitstatus == 0, child.before
        # OPCO EP's tokens are valid and read; Mobilités shows a key only by generating one.
        assert "8 re-read, 8 renewed" in child.before, child.before[-3000:]
        # How many ran at once depends on the machine's load (the limit follows it); never
        # more of one portal than that portal allows.
        assert sandbox.most_signed_in_at_once("opcoep") <= 3
        assert sandbox.most_signed_in_at_once("mobilites") <= 4  # max_parallel's default
        for spec in specs:
            key = sandbox.current_key(spec["portal"], spec["username"], siret=spec["siret"])
            got = setup.cli("get", spec["portal"], "--account", spec["name"]).stdout.strip()
            assert got == key, spec["name"]
            assert sandbox.generation_count(spec["portal"], spec["username"],
                                            siret=spec["siret"]) <= 1


def test_the_limit_follows_the_machine_within_its_bounds() -> None:
    """What `Parallelism.adjust` does with each measure (the run samples it every second)."""
    room, busy, plenty, short = 30.0, 95.0, 8 * 2**30, 100 * 2**20
    limit = Parallelism(None, most=10)
    start = limit.limit
    limit.adjust(room, plenty)
    assert limit.limit == start  # nobody waits for a place: no need for more
    limit.waiting, limit.running = 5, start
    limit.adjust(room, plenty)
    assert limit.limit == start + 2  # wide room: two more
    for _ in range(10):
        limit.running = limit.limit
        limit.adjust(room, plenty)
    assert limit.limit == 10  # never above what the portals allow
    for _ in range(20):
        limit.adjust(busy, plenty)
    assert limit.limit == min(os.cpu_count() or 1, 10)  # saturated: one per core is kept
    for _ in range(20):
        limit.adjust(room, short)
    assert limit.limit == 1  # memory short: down to one
    fixed = Parallelism(3, most=10)
    assert fixed.limit == 3 and "browser.concurrency" in fixed.describe()


DEPLOY = Path(__file__).parent.parent / "deploy"


def test_the_kubernetes_setup_shards_the_accounts_and_names_real_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from croniter import croniter

    docs = list(yaml.safe_load_all((DEPLOY / "kubernetes" / "sharded-renew.yaml").read_text()))
    cron = next(d for d in docs if d["kind"] == "CronJob")["spec"]
    assert croniter.is_valid(cron["schedule"]) and cron["concurrencyPolicy"] == "Forbid"
    job = cron["jobTemplate"]["spec"]
    assert job["completionMode"] == "Indexed" and job["completions"] == job["parallelism"]
    container = job["template"]["spec"]["containers"][0]
    assert container["args"][:1] == ["renew"]
    assert container["args"][-2:] == ["--shard", str(job["completions"])]

    # The pod's variables are settings the tool reads ($(SHARD) as Kubernetes fills it in).
    config = tmp_path / "key-retriever.yaml"
    config.write_text(yaml.safe_dump({"accounts": []}))
    for variable in container["env"]:
        if variable["name"].startswith("KEY_RETRIEVER_"):
            monkeypatch.setenv(variable["name"], variable["value"].replace("$(SHARD)", "2"))
    settings = load_config(config)
    assert settings.browser.playwright_url == "ws://browser-pool:3000/"
    assert settings.resolved_state_path() == Path("/var/lib/key-retriever/state-2.sqlite")
    assert settings.artifacts_dir == Path("/var/lib/key-retriever/artifacts")

    # The pool serves the Playwright its image carries, on the port its Service names.
    pool = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    server = pool["containers"][0]
    version = re.search(r":v([0-9.]+)-", server["image"])
    assert version and f"playwright@{version.group(1)}" in server["command"]
    service = next(d for d in docs if d["kind"] == "Service")["spec"]
    assert service["ports"][0]["targetPort"] == server["ports"][0]["containerPort"]
    assert f":{service['ports'][0]['port']}/" in settings.browser.playwright_url
