"""Speed and memory of a run, as ratios measured in one go (not a timed test).

  .venv/bin/python benchmarks/run_benchmark.py [--per-portal 2]

Runs N accounts per portal against the sandbox (realistic latency) once with one account at a
time and once with the default concurrency, sampling the memory (PSS) of Chromium's
processes, and prints: the speed-up of concurrency, and the memory one more browser context
costs (DESIGN.md expects about 70 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import threading
import time
from pathlib import Path

from retrievers import logs
from retrievers.config import load_config
from retrievers.demo import demo_config
from retrievers.runner import Runner
from retrievers.state import StateDB
from retrievers.store import KeyStore
from sandbox import DEFAULT_LATENCY, DEMO_ACCOUNTS, Sandbox


def chromium_pss_mb() -> float:
    """Memory of every Chromium process on the machine, in MB (Linux /proc).

    PSS, not RSS: Chromium's processes share most of their pages, which RSS counts again in
    every process."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if b"chrom" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class PeakSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.05):
            self.peak = max(self.peak, chromium_pss_mb())

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak


def accounts_for(per_portal: int) -> list[dict]:
    return [
        {**demo, "name": f"{demo['name']}-{i}", "username": f"{i}.{demo['username']}"}
        for demo in DEMO_ACCOUNTS
        for i in range(per_portal)
    ]


def measure(per_portal: int, concurrency: int) -> tuple[float, float, int]:
    """Seconds, peak Chromium MB and accounts done, for one fresh sandbox and store."""
    accounts = accounts_for(per_portal)
    sandbox = Sandbox(latency=DEFAULT_LATENCY, accounts=accounts)
    with tempfile.TemporaryDirectory() as tmp, sandbox.serve_in_thread():
        path, env = demo_config(sandbox, Path(tmp), accounts)
        os.environ.update(env)
        settings = load_config(path)
        settings.browser.concurrency = concurrency
        state = StateDB(settings.resolved_state_path())
        runner = Runner(settings, KeyStore.from_config(settings.store), state)
        sampler = PeakSampler()
        sampler.start()
        started = time.perf_counter()
        results = asyncio.run(runner.run(settings.accounts))
        elapsed = time.perf_counter() - started
        peak = sampler.stop()
        state.close()
    return elapsed, peak, sum(r.outcome == "ok" for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-portal", type=int, default=2)
    args = parser.parse_args()
    logs.configure(quiet=True)
    n = args.per_portal * len(DEMO_ACCOUNTS)
    serial_s, serial_mb, serial_ok = measure(args.per_portal, 1)
    parallel_s, parallel_mb, parallel_ok = measure(args.per_portal, 3)
    print(f"accounts: {n} ({serial_ok} and {parallel_ok} ok)")
    print(f"one at a time:  {serial_s:6.1f} s, Chromium peak {serial_mb:6.0f} MB")
    print(f"concurrency 3:  {parallel_s:6.1f} s, Chromium peak {parallel_mb:6.0f} MB")
    print(f"speed-up (serial / concurrent time): {serial_s / parallel_s:.2f}x")
    print(f"memory ratio (concurrent / serial peak): {parallel_mb / serial_mb:.2f}x, "
          f"about {(parallel_mb - serial_mb) / 2:.0f} MB per extra context")


if __name__ == "__main__":
    main()
