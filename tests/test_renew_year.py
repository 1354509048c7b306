"""A simulated year of twice-daily `renew`: the time-travel library moves the clock of the tool and
of the simulated portals together; Chromium, HTTP and the store are real.

Shows: no key ever passes its expiry, no key is generated more than once per due window, a key
the portal changes by itself is picked up within `reread_days`, the deploy hook runs once per new
key with the key on stdin, downtime is retried until it passes, and the metrics file and the
notifications say what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families

from retrievers import logs
from retrievers.config import load_config
from retrievers.demo import demo_config
from retrievers.operations import RunOptions, run_and_report
from retrievers.store import KeyStore
from sandbox import DEMO_ACCOUNTS, Sandbox

PORTALS = ("atlas", "ocapiat", "opcoep", "mobilites")
HALF_DAY = timedelta(hours=12)
REREAD_DAYS = 60  # the default is 7; two months keep the year's browser visits few
# Days (from the start) when a portal answers nothing but 503, and when Atlas replaces its key
# by itself (« La dernière version de votre clé sera automatiquement générée ici »).
DOWNTIME = {"ocapiat": range(152, 157), "opcoep": range(20, 24), "atlas": range(200, 202)}
ATLAS_ROTATIONS = (45, 230)


def _config(sandbox: Sandbox, folder: Path, notify: str) -> tuple[Path, dict[str, str]]:
    hook = (f'key=$(cat); printf "%s %s %s\\n" "$KEY_RETRIEVER_PORTAL" '
            f'"$KEY_RETRIEVER_FINGERPRINT" "$(printf %s "$key" | sha256sum | cut -c1-12)" '
            f'>> {folder / "deployed.txt"}')
    return demo_config(
        sandbox, folder, [a for a in DEMO_ACCOUNTS if a["portal"] in PORTALS], o2s=None,
        extra={
            "browser": {"step_timeout_seconds": 15},
            "retry": {"attempts": 1, "wait_seconds": 0},
            "portals": {p: {"base_url": sandbox.base_url(p)} for p in PORTALS},
            "reread_days": REREAD_DAYS,
            "deploy_hook": hook,
            "notify": [notify],
            "metrics_file": str(folder / "metrics.prom"),
        })


@contextlib.contextmanager
def _no_other_loop() -> Iterator[None]:
    """The tool's own asyncio.run(), as in its process. A worker that ran a pytest-playwright
    test keeps that sync API's event loop marked running in this thread (a greenlet switches
    in and out of it), and asyncio.run() refuses to start under it."""
    other = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(other)


@pytest.mark.long(250)  # seconds, about
def test_a_year_of_twice_daily_renewals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, webhook: tuple[str, list[dict]]
) -> None:
    url, notifications = webhook
    logs.configure(json=True, quiet=True)
    start = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)

    with time_machine.travel(start, tick=True) as clock:
        sandbox = Sandbox(latency=(0.0, 0.0))
        with sandbox.serve_in_thread():
            path, env = _config(sandbox, tmp_path, url)
            for variable, value in env.items():
                monkeypatch.setenv(variable, value)
            users = {p: next(a for a in DEMO_ACCOUNTS if a["portal"] == p) for p in PORTALS}

            def portal_key(portal: str) -> str | None:
                demo = users[portal]
                return sandbox.current_key(portal, demo["username"], siret=demo.get("siret"))

            generated_on: dict[str, list[int]] = {p: [] for p in PORTALS}
            stale_since: dict[str, float] = {}
            longest_stale = 0.0
            exits = []
            store: KeyStore | None = None
            for step in range(2 * 365):
                day = step / 2
                for portal, days in DOWNTIME.items():
                    sandbox.set_down(portal, int(day) in days)
                if day in ATLAS_ROTATIONS:
                    sandbox.rotate_key("atlas", users["atlas"]["username"])
                before = {p: sandbox.generation_count(p, users[p]["username"],
                                                      users[p].get("siret")) for p in PORTALS}

                settings = load_config(path)
                with contextlib.redirect_stdout(io.StringIO()), _no_other_loop():  # 730 tables
                    report = run_and_report(settings, settings.accounts, RunOptions(renew=True))
                exits.append(report.exit_code)

                store = store or KeyStore.from_config(settings.store)
                for portal in PORTALS:
                    count = sandbox.generation_count(portal, users[portal]["username"],
                                                     users[portal].get("siret"))
                    assert count - before[portal] <= 1, (portal, day)
                    if count > before[portal]:
                        generated_on[portal].append(int(day))
                    current = portal_key(portal)
                    # No key ever passes its expiry: the portal always holds a valid key...
                    assert current is not None, (portal, day, "expired")
                    # ... and the store holds it, but for a key the portal changed by itself,
                    # picked up within reread_days.
                    if store.get_key(portal, users[portal]["name"]) != current:
                        assert portal == "atlas", (portal, day)
                        stale_since.setdefault(portal, day)
                        longest_stale = max(longest_stale, day - stale_since[portal])
                    else:
                        stale_since.pop(portal, None)
                clock.shift(HALF_DAY)

    # Down days failed the job (exit 1), which said so; every other run was clean.
    assert exits[0] == 0 and exits.count(1) >= 3 and set(exits) <= {0, 1}
    assert longest_stale <= REREAD_DAYS, longest_stale
    # Generated only when due: Ocapiat's 6-month keys 30 days before expiry (the first renewal
    # waited out the downtime), OPCO EP's token 30 days before its end, Mobilités's 30 days
    # before its 365; never twice in one due window.
    assert generated_on["atlas"] == []
    assert len(generated_on["ocapiat"]) == 3, generated_on
    assert generated_on["ocapiat"][0] == 0 and generated_on["ocapiat"][1] >= 157
    assert all(b - a >= 140 for a, b in zip(generated_on["ocapiat"],
                                            generated_on["ocapiat"][1:], strict=False))
    assert len(generated_on["opcoep"]) == 1, generated_on
    assert generated_on["mobilites"][0] == 0 and len(generated_on["mobilites"]) == 2
    assert 330 <= generated_on["mobilites"][1] <= 336, generated_on  # 30 days before 365

    # The deploy hook ran once per new key, and got that key on stdin.
    lines = (tmp_path / "deployed.txt").read_text().splitlines()
    deployed = [line.split() for line in lines]
    assert all(fp == stdin_fp for _, fp, stdin_fp in deployed)
    assert len(deployed) == len({(p, fp) for p, fp, _ in deployed})  # never twice
    per_portal = {p: sum(1 for q, _, _ in deployed if q == p) for p in PORTALS}
    assert per_portal == {
        "atlas": 1 + len(ATLAS_ROTATIONS), "ocapiat": 3, "opcoep": 2, "mobilites": 2,
    }, per_portal

    # Told: the down days were notified, and the metrics say every key has days left.
    assert any("portal_down" in n["message"] and "ocapiat" in n["message"]
               for n in notifications)
    metrics = (tmp_path / "metrics.prom").read_text()
    samples = {(s.name, s.labels.get("portal")): s.value
               for f in text_string_to_metric_families(metrics) for s in f.samples}
    for portal in ("ocapiat", "opcoep", "mobilites"):
        assert samples[("key_retriever_key_days_left", portal)] > 0
