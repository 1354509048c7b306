"""Each label of each flow renamed, one at a time, on each rendering of its portal: the run must
end within the step's time, `page_changed`, naming the label it waited for, in our words, having
generated nothing. Too slow for the CI suite (a run per label and rendering); run it by hand:

    .venv/bin/python scripts/relabel_matrix.py [PORTAL ...] [--rendering R ...] [--timeout S]

It prints one line per case and exits 1 when any case fails. A label that only a later step
reads (the key's own section on a page whose key is shown elsewhere too) may legitimately still
be found another way: such a case is reported "read anyway" (not a failure) when the key stored
is the portal's own and nothing was generated.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrievers import labels as seed_labels
from retrievers.demo import account_entry
from retrievers.portals import PORTALS as PORTAL_REGISTRY
from sandbox import DEMO_ACCOUNTS, RENDERINGS, Sandbox

PORTALS = ("atlas", "ocapiat", "opcoep", "mobilites", "afdas", "opcommerce", "sante")
LIBRARY_WORDS = re.compile(r"\b(Locator|Page|Route|BrowserContext)\.\w+:|Timeout \d+ms exceeded|"
                           r"waiting for (locator|get_by_|selector)")
RENAMED = "Libellé renommé"


def labels(portal: str) -> list[str]:
    """The seed's words the flow reads by (its module's LABELS)."""
    return list(seed_labels.of(PORTAL_REGISTRY[portal]))


def case(sandbox: Sandbox, folder: Path, portal: str, label: str, timeout: int) -> str:
    demo = next(a for a in DEMO_ACCOUNTS if a["portal"] == portal)
    config = {
        "store": {"backend": "file", "path": str(folder / "keys.enc")},
        "browser": {"step_timeout_seconds": timeout},
        "retry": {"attempts": 1},
        "portals": {portal: {"base_url": sandbox.base_url(portal)}},
        "accounts": [account_entry(demo, "PW")],
        "artifacts_dir": str(folder / "artifacts"),
    }
    path = folder / "key-retriever.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    env = {**os.environ, "PW": demo["password"],
           "KEY_RETRIEVER_STORE_PASSPHRASE": "relabel matrix"}
    # As written, and upper-cased (never lower-cased: the pages' scripts and paths hold words
    # such as « partnet » that are not labels).
    for shown in {label, label.upper()}:
        sandbox.relabel(portal, shown, RENAMED)
    before = sandbox.generation_count(portal, demo["username"], demo.get("siret"))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "retrievers", "run", "--config", str(path)],
                          env=env, capture_output=True, text=True, timeout=600)
    took = time.monotonic() - started
    said = " ".join(done.stdout.replace("│", " ").split())
    generated = sandbox.generation_count(portal, demo["username"], demo.get("siret")) - before
    if LIBRARY_WORDS.search(done.stdout + done.stderr):
        return f"FAIL library words reached the user ({took:.0f} s)"
    if generated and done.returncode != 0:
        return f"FAIL generated {generated} key(s) and failed"
    if done.returncode == 0:
        return f"read anyway ({took:.0f} s)"
    if "page_changed" not in said:
        return f"FAIL outcome not page_changed: {said[-200:]}"
    if label.lower() not in said.lower():
        return f"FAIL the label is not named: {said[-300:]}"
    # Each step waits at most its timeout; a run may wait through two steps' worth.
    if took > 3 * timeout + 30:
        return f"FAIL took {took:.0f} s"
    return f"ok ({took:.0f} s)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("portals", nargs="*", default=list(PORTALS))
    parser.add_argument("--rendering", action="append", choices=RENDERINGS)
    parser.add_argument("--timeout", type=int, default=5, help="step timeout, seconds")
    args = parser.parse_args()
    failures = 0
    for rendering in args.rendering or RENDERINGS:
        for portal in args.portals:
            for label in labels(portal):
                # Fresh portals each time: the demo account's first run, generate step included.
                sandbox = Sandbox(latency=(0.0, 0.02), rendering=rendering)
                with sandbox.serve_in_thread(), tempfile.TemporaryDirectory() as folder:
                    verdict = case(sandbox, Path(folder), portal, label, args.timeout)
                failures += verdict.startswith("FAIL")
                print(f"{rendering:<9} {portal:<11} « {label} »: {verdict}", flush=True)
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
