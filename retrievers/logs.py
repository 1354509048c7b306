"""structlog setup: readable lines on a terminal, JSON otherwise; everything redacted.

structlog (with the rich tracebacks it pulls in) is imported at the first log line, not at
start: `status` or `get` usually log nothing and must answer fast.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from retrievers.redact import REDACTOR

_options: dict[str, Any] = {}
_logger: Any = None  # structlog's logger as configured; None: configure at the next line


def configure(*, json: bool | None = None, verbose: bool = False, quiet: bool = False) -> None:
    """Say how to log; applied at the first log line."""
    global _logger
    _options.update(json=json, verbose=verbose, quiet=quiet)
    _logger = None


def _apply(*, json: bool | None = None, verbose: bool = False, quiet: bool = False) -> None:
    import structlog

    if json is None:
        json = not sys.stderr.isatty()
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # Tracebacks become text first, so the redactor sees them too.
            structlog.processors.format_exc_info,
            REDACTOR.processor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),
        cache_logger_on_first_use=False,
    )
    # Libraries' own logging (asyncio, aiohttp, filelock): warnings only, redacted too.
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_redact_record)
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)


class _CurrentStderr:
    """sys.stderr as it is at each write: the progress display swaps it to print above itself."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _redact_record(record: logging.LogRecord) -> bool:
    record.msg = REDACTOR(record.getMessage())
    record.args = None
    return True


class _Log:
    """The tool's logger: structlog's, configured on first use."""

    def __getattr__(self, name: str) -> Any:
        global _logger
        if _logger is None:
            import structlog

            _apply(**_options)
            # Bound once: structlog's lazy proxy builds a logger at every line (5 µs, five
            # times a line dropped below the level: `renew` drops one per account).
            _logger = structlog.get_logger("key-retriever").bind()
        return getattr(_logger, name)


log = _Log()
