"""The one redactor: every log line, exception message, HTML dump and state row passes here.

It knows every secret of the run (passwords from the environment, keys as soon as they are read,
stored keys as soon as they are loaded) and replaces them wherever they appear.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

import ahocorasick

MASK = "[REDACTED]"
_MIN_SECRET_LENGTH = 4  # shorter strings would mask ordinary words
# Secrets searched one by one before the automaton is built again: at least 64, and an eighth
# of all those known. Building costs every secret (0.1 s for 3,000), so it waits for a text to
# search, and for a share of new ones: `export` learns a thousand keys and searches nothing
# (a rebuild after every 64 learnt made it take 0.1–0.6 s more at 1,000 accounts).
_REBUILD_AFTER, _REBUILD_SHARE = 64, 8


class Redactor:
    def __init__(self) -> None:
        self._secrets: set[str] = set()
        # Every secret found in one pass over the text (Aho-Corasick), whatever their number:
        # a run of a thousand accounts knows thousands. Secrets learnt since the automaton was
        # built wait in _recent (searched one by one) until there are enough to rebuild it.
        self._automaton = ahocorasick.Automaton()
        self._recent: list[str] = []

    def add(self, *secrets: str | None) -> None:
        for secret in secrets:
            if not secret or len(secret) < _MIN_SECRET_LENGTH:
                continue
            # A secret also appears URL-encoded in URLs and form bodies.
            for form in {secret, quote(secret, safe=""), quote_plus(secret)} - self._secrets:
                self._secrets.add(form)
                self._recent.append(form)

    def __call__(self, text: str) -> str:
        spans = self._found(text)
        if not spans:
            return text
        # Overlapping secrets are masked as one: no piece of either is left showing.
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        parts, shown_from = [], 0
        for start, end in merged:
            parts += [text[shown_from:start], MASK]
            shown_from = end
        parts.append(text[shown_from:])
        return "".join(parts)

    def _found(self, text: str) -> list[tuple[int, int]]:
        self._build_when_due()
        spans = []
        if self._automaton.kind == ahocorasick.AHOCORASICK:
            spans = [(last + 1 - length, last + 1) for last, length in self._automaton.iter(text)]
        for secret in self._recent:
            at = text.find(secret)
            while at != -1:
                spans.append((at, at + len(secret)))
                at = text.find(secret, at + 1)
        return spans

    def _build_when_due(self) -> None:
        if len(self._recent) > max(_REBUILD_AFTER, len(self._secrets) // _REBUILD_SHARE):
            automaton = ahocorasick.Automaton()
            for form in self._secrets:
                automaton.add_word(form, len(form))
            automaton.make_automaton()
            self._automaton, self._recent = automaton, []

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
        return any(self._found(text) for text in texts)


REDACTOR = Redactor()
