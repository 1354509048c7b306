"""Speed and memory of key-retriever at scale, as ratios measured in one run (not a timed test).

  .venv/bin/python benchmarks/run_benchmark.py [--per-portal 25] [--many 100]

Against the simulated portals with realistic latency, each measurement on fresh portals:
1. the tool one account at a time against a minimal hand-written Playwright script doing the
   same clicks (benchmarks/minimal_script.py), on OPCO EP and OPCO Mobilités accounts;
2. the tool at its defaults against one account at a time, for `--many` accounts of four portals;
3. peak memory (PSS) of the tool's whole process tree (Python, Playwright's driver, Chromium)
   during (2);
4. start-up time of `--help` and `status`.
Prints each figure beside its target.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from retrievers.browser import system_chromium
from retrievers.demo import demo_config
from sandbox import DEFAULT_LATENCY, DEMO_ACCOUNTS, PORTALS, Sandbox

HERE = Path(__file__).parent
TOOL = [sys.executable, "-m", "retrievers"]


def accounts_for(portals: tuple[str, ...], per_portal: int) -> list[dict[str, Any]]:
    return [
        {**demo, "name": f"{demo['name']}-{i}", "username": f"{i}.{demo['username']}"}
        for demo in DEMO_ACCOUNTS if demo["portal"] in portals
        for i in range(per_portal)
    ]


def tree_pss_mb(root: int) -> float:
    """PSS of a process and all its descendants (PSS: shared pages counted once in all)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak PSS (MB) of the process tree, and output."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.1):
            peak = max(peak, tree_pss_mb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{command[2:4]} failed ({process.returncode}):\n{output[-3000:]}")
    return elapsed, peak, output


def run_tool(specs: list[dict[str, Any]], one_at_a_time: bool) -> tuple[float, float]:
    sandbox = Sandbox(latency=DEFAULT_LATENCY, accounts=specs)
    with tempfile.TemporaryDirectory(prefix="kr-bench-") as tmp, sandbox.serve_in_thread():
        browser: dict[str, Any] = {}  # the tool finds its Chromium as for any user
        portals = {p: {"base_url": sandbox.base_url(p)} for p in PORTALS}
        if one_at_a_time:
            browser["concurrency"] = 1
            for portal in portals.values():
                portal["max_parallel"] = 1
        path, env = demo_config(sandbox, Path(tmp), specs,
                                extra={"browser": browser, "portals": portals})
        seconds, peak, _ = measured([*TOOL, "run", "--config", str(path)],
                                    {**os.environ, **env})
    return seconds, peak


def run_minimal(specs: list[dict[str, Any]]) -> float:
    sandbox = Sandbox(latency=DEFAULT_LATENCY, accounts=specs)
    with tempfile.TemporaryDirectory(prefix="kr-bench-") as tmp, sandbox.serve_in_thread():
        accounts = [{**s, "base_url": sandbox.base_url(s["portal"])} for s in specs]
        path = Path(tmp) / "accounts.json"
        path.write_text(json.dumps(accounts))
        chromium = system_chromium(headless=True)  # the one the tool picks
        assert chromium, "no Chromium on PATH"
        seconds, _, output = measured([sys.executable, str(HERE / "minimal_script.py"),
                                       str(path), chromium], dict(os.environ))
    assert f"read {len(specs)} keys" in output, output
    return seconds


def start_up(args: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([*TOOL, *args], env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-portal", type=int, default=25,
                        help="OPCO EP and Mobilités accounts each, for the minimal script")
    parser.add_argument("--many", type=int, default=100, help="accounts for the speed-up")
    args = parser.parse_args()

    print(f"headless Chromium: {system_chromium(headless=True)}", flush=True)
    pair = accounts_for(("opcoep", "mobilites"), args.per_portal)
    minimal_s = run_minimal(pair)
    tool_serial_s, _ = run_tool(pair, one_at_a_time=True)

    four = ("atlas", "ocapiat", "opcoep", "mobilites")
    many = accounts_for(four, max(1, args.many // len(four)))
    serial_s, serial_mb = run_tool(many, one_at_a_time=True)
    default_s, default_mb = run_tool(many, one_at_a_time=False)

    with tempfile.TemporaryDirectory(prefix="kr-bench-") as tmp:
        config = Path(tmp) / "key-retriever.yaml"
        config.write_text(yaml.safe_dump({"accounts": [
            {"name": "a", "portal": "ocapiat", "username": "u", "password_env": "PW"}]}))
        env = {**os.environ, "KEY_RETRIEVER_CONFIG": str(config)}
        help_s = start_up(["--help"], env)
        status_s = start_up(["status"], env)

    rows = [
        (f"tool one at a time / minimal script ({len(pair)} accounts)",
         f"{tool_serial_s:.1f} s / {minimal_s:.1f} s = {tool_serial_s / minimal_s:.2f}x",
         "<= 1.15x", tool_serial_s / minimal_s <= 1.15),
        (f"speed-up of the defaults ({len(many)} accounts)",
         f"{serial_s:.1f} s / {default_s:.1f} s = {serial_s / default_s:.2f}x",
         ">= 4x", serial_s / default_s >= 4),
        ("peak memory, whole process tree (defaults)",
         f"{default_mb:.0f} MB (one at a time: {serial_mb:.0f} MB)", "<= 1200 MB",
         default_mb <= 1200),
        ("start: --help / status", f"{help_s:.2f} s / {status_s:.2f} s", "<= 0.3 s",
         max(help_s, status_s) <= 0.3),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, target, ok in rows:
        print(f"{name:<{width}}  {value:<32} target {target:<10} {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
