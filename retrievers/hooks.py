"""Deploy hooks: hand each new key to the CFA's software, like certbot's --deploy-hook.

The hook is a shell command. The key goes to its standard input only: never in its arguments
or environment, which other users of the machine can read (/proc/PID/cmdline, environ).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from retrievers.logs import log
from retrievers.redact import REDACTOR


@dataclass(frozen=True)
class HookFailure:
    command: str
    why: str

    def __str__(self) -> str:
        return f"deploy hook `{self.command}` {self.why}"


def run_deploy_hook(
    command: str,
    key: str,
    *,
    portal: str,
    account: str,
    fingerprint: str,
    expires_at: datetime | None,
    timeout: float,
    hidden: Iterable[str] = (),
) -> HookFailure | None:
    """Run `command` with the key on stdin; None when it exited 0. The variables named in
    `hidden` (the tool's own secrets: passwords, the store's passphrase) are not passed on."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in set(hidden)},
        "KEY_RETRIEVER_PORTAL": portal,
        "KEY_RETRIEVER_ACCOUNT": account,
        "KEY_RETRIEVER_FINGERPRINT": fingerprint,
        "KEY_RETRIEVER_EXPIRES_AT": expires_at.isoformat() if expires_at else "",
    }
    try:
        done = subprocess.run(
            ["/bin/sh", "-c", command], input=key + "\n", env=env, capture_output=True,
            text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        return HookFailure(command, f"did not finish within {timeout:.0f} s")
    except OSError as exc:
        return HookFailure(command, f"could not start: {exc.strerror or exc}")
    output = REDACTOR((done.stdout + done.stderr).strip())
    if done.returncode != 0:
        last = output.splitlines()[-1] if output else "no output"
        return HookFailure(command, f"exited {done.returncode}: {last}")
    log.info("deploy hook done", hook=command, output=output[-500:] or None)
    return None
