"""`python -m sandbox [--host H] [--port N]`: serve the simulated portals until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .accounts import PORTALS
from .server import DEFAULT_LATENCY, Sandbox


def describe(sandbox: Sandbox) -> str:
    """The base URLs and demo credentials, for a person about to try the tool."""
    lines = [f"Portails simulés sur {sandbox.root_url}", ""]
    lines += [f"  {portal:<10} {sandbox.base_url(portal)}" for portal in PORTALS]
    lines += ["", "Comptes de démonstration :"]
    for account in sandbox.accounts:
        sirets = ", ".join(account.sirets) or "-"
        lines.append(f"  {account.portal:<10} {account.username:<32} {account.password:<22} "
                     f"SIRET {sirets}")
    lines += ["", "Ctrl-C pour arrêter."]
    return "\n".join(lines)


async def serve(host: str, port: int, latency: tuple[float, float]) -> None:
    sandbox = Sandbox(latency=latency)
    await sandbox.start(host, port)
    print(describe(sandbox), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, nargs=2, metavar=("MIN", "MAX"),
                        default=DEFAULT_LATENCY, help="seconds added to every request")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, (args.latency[0], args.latency[1])))


if __name__ == "__main__":
    main()
