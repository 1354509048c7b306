"""The seed's labels as a portal now shows them.

A flow names things by the seed's words (its module's `LABELS`). Where a portal renamed one,
`portals.<id>.labels` maps the seed's words to the portal's: the runner sets that mapping for
the account it drives, and `locate.words` reads every label through it, so a click, a field, a
section, a menu item or a mail follows the new words by the same "as a person reads it" rules.
No flow reads the setting itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrievers.portals import Portal

# Per account: each account's flow runs in its own asyncio task, which copies this.
_renamed: ContextVar[Mapping[str, str]] = ContextVar("renamed_labels", default={})  # noqa: B039
_QUOTED = re.compile(r"« (.+?) »")


def same(label: str) -> str:
    """A label as a person compares two of them: any case, either apostrophe, any spacing."""
    return " ".join(label.replace("’", "'").casefold().split())


def override(overrides: Mapping[str, str], label: str) -> str | None:
    """What `overrides` (a portal's setting) renames the seed's `label` to, if anything."""
    return next((shown for seed, shown in overrides.items() if same(seed) == same(label)), None)


def shown_as(label: str) -> str:
    """What the portal shows for the seed's `label`: its override, else the seed's words."""
    renamed = _renamed.get()
    return renamed.get(same(label), label) if renamed else label


@contextmanager
def renamed(overrides: Mapping[str, str]) -> Iterator[None]:
    """Within: the seed's labels read as `overrides` says (the account's portal's setting)."""
    token = _renamed.set({same(seed): shown for seed, shown in overrides.items()})
    try:
        yield
    finally:
        _renamed.reset(token)


def of(portal: Portal) -> tuple[str, ...]:
    """The seed's labels the portal's flow uses (its module's `LABELS`); none without a flow.
    Imports the flow (and Playwright): only for a configuration that renames labels, for
    `portals PORTAL` and for a failure."""
    if portal.flow is None:
        return ()
    import importlib

    module = importlib.import_module(portal.flow.split(":")[0])
    return tuple(module.LABELS)


def unknown(portal: Portal, overrides: Mapping[str, str]) -> list[str]:
    """The overrides' labels that are not the seed's labels of `portal`."""
    known = {same(label) for label in of(portal)}
    return [label for label in overrides if same(label) not in known]


def setting_for(portal: Portal, overrides: Mapping[str, str], *texts: str) -> str:
    """The setting that renames the label a failure waited for: the first of the portal's
    labels quoted in `texts` (the failure's words first, then its step's)."""
    known = {same(label): label for label in of(portal)}
    for text in texts:
        for quoted in _QUOTED.findall(text):
            label = known.get(same(quoted))
            if label is None:
                continue
            shown = override(overrides, label)
            if shown is not None:
                return (f"« {label} » is read as « {shown} » (portals.{portal.id}.labels); "
                        "change it there if the portal now shows other words")
            return (f"if the portal now shows « {label} » in other words, set them in "
                    f'portals.{portal.id}.labels: {{"{label}": "…"}}')
    return ""
