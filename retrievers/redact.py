"""The one redactor: every log line, exception message, HTML dump and state row passes here.

It knows every secret of the run (passwords from the environment, keys as soon as they are read,
stored keys as soon as they are loaded) and replaces them wherever they appear.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "[REDACTED]"
_MIN_SECRET_LENGTH = 4  # shorter strings would mask ordinary words


class Redactor:
    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add(self, *secrets: str | None) -> None:
        for secret in secrets:
            if not secret or len(secret) < _MIN_SECRET_LENGTH:
                continue
            # A secret also appears URL-encoded in URLs and form bodies.
            self._secrets.update({secret, quote(secret, safe=""), quote_plus(secret)})

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set):
            return type(value)(self.value(v) for v in value)
        if isinstance(value, BaseException):
            return self(f"{type(value).__name__}: {value}")
        return value

    def processor(self, _logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        """structlog processor: runs after exceptions are formatted, before rendering."""
        return {k: self.value(v) for k, v in event_dict.items()}

    def contains_secret(self, texts: Iterable[str]) -> bool:
        return any(secret in text for text in texts for secret in self._secrets)


REDACTOR = Redactor()
