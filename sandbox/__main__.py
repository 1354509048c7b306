"""`python -m sandbox [--host H] [--port N]`: serve the simulated portals until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path

from .server import DEFAULT_LATENCY, serve
from .web import RENDERINGS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--latency", type=float, nargs=2, metavar=("MIN", "MAX"),
                        default=DEFAULT_LATENCY, help="seconds added to every request")
    parser.add_argument("--rendering", choices=RENDERINGS, default="classic",
                        help="how the pages are built (same labels and steps)")
    parser.add_argument("--mail-dir", type=Path, default=None,
                        help="deliver the OPCOs' mails to <DIR>/<address>/Maildir")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, (args.latency[0], args.latency[1]),
                          args.rendering, args.mail_dir))


if __name__ == "__main__":
    main()
