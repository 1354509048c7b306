"""Speed and memory of key-retriever, as ratios measured in one run (not a timed test).

  .venv/bin/python benchmarks/run_benchmark.py [--per-portal 25] [--sizes 100,400,1000]

Against the simulated portals with realistic latency, each measurement on fresh portals:
1. the tool one account at a time against a minimal hand-written Playwright script doing the
   same clicks in the same browser (benchmarks/minimal_script.py), on OPCO EP and OPCO
   Mobilités accounts: wall time, and CPU seconds per account of the whole process tree
   (Python, Playwright's driver, Chromium);
2. the tool at its defaults for each size (accounts of four portals): wall time per account
   against the machine's limit (the run's CPU time spread over the cores, or its slowest
   account when that is longer), peak memory (PSS) of the process tree, the most accounts of
   one portal the portal saw signed in at once, and the times of `status`, `export` and a
   `renew` with nothing due at that size;
3. start-up time of `--help`.
Prints each figure beside its target. `--commands-only` measures only `status`, `export` and
`renew` at each size (under a minute for 100 and 1,000), on a store and state database filled
as a run leaves them, without a browser.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from retrievers.browser import system_chromium
from retrievers.demo import demo_config
from sandbox import DEFAULT_LATENCY, DEMO_ACCOUNTS, Sandbox, keys

HERE = Path(__file__).parent
TOOL = [sys.executable, "-m", "retrievers"]
FOUR = ("atlas", "ocapiat", "opcoep", "mobilites")
CORES = os.cpu_count() or 1


def accounts_for(portals: tuple[str, ...], per_portal: int) -> list[dict[str, Any]]:
    return [
        {**demo, "name": f"{demo['name']}-{i}", "username": f"{i}.{demo['username']}"}
        for demo in DEMO_ACCOUNTS if demo["portal"] in portals
        for i in range(per_portal)
    ]


def process_tree(root: int) -> list[int]:
    """A process and all its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def tree_pss_mb(root: int) -> float:
    """PSS of a process and all its descendants (PSS: shared pages counted once in all)."""
    total = 0
    for pid in process_tree(root):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


@dataclass
class Measure:
    wall: float  # seconds
    cpu: float  # seconds of CPU of the whole process tree
    peak_mb: float
    output: str


def _cgroup2_root() -> Path | None:
    for line in Path("/proc/mounts").read_text().splitlines():
        _, where, kind, *_ = line.split()
        if kind == "cgroup2" and os.access(where, os.W_OK):
            return Path(where)
    return None


CGROUP2 = _cgroup2_root()


def measured(command: list[str], env: dict[str, str]) -> Measure:
    """Run `command`; its CPU is counted in a cgroup of its own, which holds every process it
    starts: Chromium's processes are not all reaped up the tree, and getrusage(CHILDREN)
    missed more than half of their CPU here. Without a writable cgroup v2, getrusage."""
    group = CGROUP2 / f"kr-bench-{os.getpid()}-{time.monotonic_ns()}" if CGROUP2 else None
    if group:
        group.mkdir()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()

    def join_group() -> None:  # in the child, before exec: all it starts stays in the group
        if group:
            (group / "cgroup.procs").write_text(str(os.getpid()))

    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, preexec_fn=join_group)
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(1.0):  # reading smaps costs CPU: once a second
            peak = max(peak, tree_pss_mb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    if group:
        stat = dict(line.split() for line in (group / "cpu.stat").read_text().splitlines())
        cpu = int(stat["usage_usec"]) / 1e6
        _until_empty(group)  # the last ones on their way out
        group.rmdir()
    else:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode != 0:
        raise SystemExit(f"{command[2:4]} failed ({process.returncode}):\n{output[-3000:]}")
    return Measure(wall, cpu, peak, output)


def _until_empty(group: Path) -> None:
    """Wait until no process is left in the cgroup: the kernel signals each change of
    cgroup.events (POLLPRI)."""
    with (group / "cgroup.events").open() as events:
        poller = select.poll()
        poller.register(events, select.POLLPRI)
        while "populated 1" in events.read():
            poller.poll(10_000)
            events.seek(0)


def slowest_account(log: str) -> float:
    """The longest time one account took, from the tool's JSON log lines."""
    spans: dict[tuple[str, str], list[datetime]] = {}
    for line in log.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and "account" in event and "timestamp" in event:
            at = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
            spans.setdefault((event.get("portal", ""), event["account"]), []).append(at)
    return max(((max(s) - min(s)).total_seconds() for s in spans.values()), default=0.0)


def median_time(args: list[str], env: dict[str, str], times: int = 3) -> float:
    taken = []
    for _ in range(times):
        started = time.perf_counter()
        subprocess.run([*TOOL, *args], env=env, capture_output=True, check=True)
        taken.append(time.perf_counter() - started)
    return statistics.median(taken)


@dataclass
class ToolRun:
    measure: Measure
    accounts: int
    slowest: float
    most_at_once: dict[str, int]
    status_s: float = 0.0
    export_s: float = 0.0
    renew_s: float = 0.0

    @property
    def machine_limit(self) -> float:
        return max(self.measure.cpu / CORES, self.slowest)


def run_tool(specs: list[dict[str, Any]], *, one_at_a_time: bool,
             commands_after: bool = False) -> ToolRun:
    sandbox = Sandbox(latency=DEFAULT_LATENCY, accounts=specs)
    portals_used = sorted({s["portal"] for s in specs})
    with tempfile.TemporaryDirectory(prefix="kr-bench-") as tmp, sandbox.serve_in_thread():
        browser: dict[str, Any] = {}  # the tool finds its Chromium as for any user
        portals: dict[str, Any] = {p: {"base_url": sandbox.base_url(p)} for p in portals_used}
        if one_at_a_time:
            browser["concurrency"] = 1
        path, env = demo_config(sandbox, Path(tmp), specs, o2s=None,
                                extra={"browser": browser, "portals": portals})
        env = {**os.environ, **env, "KEY_RETRIEVER_CONFIG": str(path)}
        measure = measured([*TOOL, "run", "--log-json"], env)
        run = ToolRun(measure, len(specs), slowest_account(measure.output),
                      {p: sandbox.most_signed_in_at_once(p) for p in portals_used})
        if commands_after:
            run.status_s = median_time(["status"], env)
            run.export_s = median_time(["export"], env)
            run.renew_s = median_time(["renew"], env)
    return run


def portal_shaped_key(portal: str, expires: datetime) -> str:
    """A key as the portal's simulation makes them (OPCO EP's: JWTs of about 200 characters):
    `export` learns every key it prints."""
    if portal == "opcoep":
        return keys.opcoep_token(secrets.token_hex(16), "cfa", None, datetime.now(UTC), expires)
    return {"atlas": keys.atlas_key, "ocapiat": keys.ocapiat_key,
            "mobilites": keys.mobilites_key}[portal]()


def commands_on_filled_store(specs: list[dict[str, Any]]) -> tuple[float, float, float]:
    """`status`, `export` and `renew` (nothing due) on a store and state database holding a
    valid key per account, written by the tool's own store and state code as a run does."""
    from retrievers.config import load_config
    from retrievers.state import StateDB, fingerprint
    from retrievers.store import KeyStore

    sandbox = Sandbox(accounts=specs)
    with tempfile.TemporaryDirectory(prefix="kr-bench-") as tmp, sandbox.serve_in_thread():
        path, env = demo_config(sandbox, Path(tmp), specs, o2s=None)
        env = {**os.environ, **env, "KEY_RETRIEVER_CONFIG": str(path)}
        os.environ["KEY_RETRIEVER_STORE_PASSPHRASE"] = env["KEY_RETRIEVER_STORE_PASSPHRASE"]
        settings = load_config(path)
        store = KeyStore.from_config(settings.store)
        state = StateDB(settings.resolved_state_path())
        expires = datetime.now(UTC) + timedelta(days=150)
        for account in settings.accounts:
            key = portal_shaped_key(account.portal, expires)
            store.put_key(account.portal, account.name, key)
            state.record_key(account.portal, account.name, key_fingerprint=fingerprint(key),
                             expires_at=expires, generated=False)
            state.record_outcome(account.portal, account.name, "ok", "")
        state.close()
        return (median_time(["status"], env, times=7), median_time(["export"], env, times=7),
                median_time(["renew"], env, times=7))


def run_minimal(specs: list[dict[str, Any]]) -> Measure:
    sandbox = Sandbox(latency=DEFAULT_LATENCY, accounts=specs)
    with tempfile.TemporaryDirectory(prefix="kr-bench-") as tmp, sandbox.serve_in_thread():
        accounts = [{**s, "base_url": sandbox.base_url(s["portal"])} for s in specs]
        path = Path(tmp) / "accounts.json"
        path.write_text(json.dumps(accounts))
        chromium = system_chromium(headless=True)  # the one the tool picks
        assert chromium, "no Chromium on PATH"
        measure = measured([sys.executable, str(HERE / "minimal_script.py"), str(path),
                            chromium], dict(os.environ))
    assert f"read {len(specs)} keys" in measure.output, measure.output
    return measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-portal", type=int, default=25,
                        help="OPCO EP and Mobilités accounts each, against the minimal script")
    parser.add_argument("--sizes", default="100,400,1000",
                        help="accounts of four portals run at the defaults, comma-separated")
    parser.add_argument("--commands-only", action="store_true",
                        help="only status, export and renew at each size, on a filled store")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    if args.commands_only:
        for n in sizes:
            status_s, export_s, renew_s = commands_on_filled_store(
                accounts_for(FOUR, max(1, n // len(FOUR))))
            print(f"{n} accounts: status / export / renew (nothing due): {status_s:.2f} s / "
                  f"{export_s:.2f} s / {renew_s:.2f} s  target <= 0.3 s", flush=True)
        return

    print(f"headless Chromium: {system_chromium(headless=True)}; {CORES} cores; CPU counted "
          f"{'in a cgroup v2' if CGROUP2 else 'by getrusage (undercounts Chromium)'}",
          flush=True)
    pair = accounts_for(("opcoep", "mobilites"), args.per_portal)
    script = run_minimal(pair)
    serial = run_tool(pair, one_at_a_time=True)
    print(f"one at a time: tool {serial.measure.wall:.1f} s, script {script.wall:.1f} s",
          flush=True)

    runs = {}
    for n in sizes:
        runs[n] = run_tool(accounts_for(FOUR, max(1, n // len(FOUR))), one_at_a_time=False,
                           commands_after=True)
        r = runs[n]
        print(f"{n} accounts: {r.measure.wall:.1f} s, CPU {r.measure.cpu:.1f} s, "
              f"{r.measure.peak_mb:.0f} MB", flush=True)
    help_s = median_time(["--help"], dict(os.environ), times=5)

    per = len(pair)
    tool_cpu, script_cpu = serial.measure.cpu / per, script.cpu / per
    rows = [
        (f"one at a time, tool / minimal script ({per} accounts)",
         f"{serial.measure.wall:.1f} s / {script.wall:.1f} s = "
         f"{serial.measure.wall / script.wall:.2f}x", "<= 1.05x",
         serial.measure.wall / script.wall <= 1.05),
        ("CPU per account, tool / minimal script",
         f"{tool_cpu:.2f} s / {script_cpu:.2f} s = {tool_cpu / script_cpu:.2f}x", "<= 1.1x",
         tool_cpu / script_cpu <= 1.1),
    ]
    first = runs[sizes[0]]
    for n, r in runs.items():
        limit = r.machine_limit
        per_account = r.measure.wall / n
        growth = per_account / (first.measure.wall / sizes[0])
        rows += [
            (f"{n} accounts at the defaults / machine's limit",
             f"{r.measure.wall:.1f} s / {limit:.1f} s = {r.measure.wall / limit:.2f}x",
             "<= 1.3x", r.measure.wall / limit <= 1.3),
            (f"{n} accounts: wall per account (vs {sizes[0]})",
             f"{per_account:.3f} s ({growth:.2f}x)", "<= 1.1x", growth <= 1.1),
            (f"{n} accounts: peak memory, process tree", f"{r.measure.peak_mb:.0f} MB",
             "<= 1200 MB", r.measure.peak_mb <= 1200),
            (f"{n} accounts: most of one portal at once",
             ", ".join(f"{p} {m}" for p, m in r.most_at_once.items()), "<= 4",
             max(r.most_at_once.values()) <= 4),
            (f"{n} accounts: status / export / renew (nothing due)",
             f"{r.status_s:.2f} s / {r.export_s:.2f} s / {r.renew_s:.2f} s", "<= 0.3 s",
             max(r.status_s, r.renew_s) <= 0.3),
        ]
    rows.append(("start: --help", f"{help_s:.2f} s", "<= 0.3 s", help_s <= 0.3))
    width = max(len(r[0]) for r in rows)
    for name, value, target, ok in rows:
        print(f"{name:<{width}}  {value:<34} target {target:<10} {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
