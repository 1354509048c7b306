"""Failure artifacts: a screenshot with key fields masked and an HTML dump with keys replaced.

No trace or HAR: Playwright records typed passwords and shown keys in them.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from retrievers.logs import log
from retrievers.redact import MASK, REDACTOR
from retrievers.state import now

_BLANK_FIELDS = """(els, mask) => els.forEach(e => {
    if ('value' in e) { e.value = mask; e.setAttribute('value', mask); }
    else { e.textContent = mask; }
})"""


async def capture_failure(
    page: Page, *, directory: Path, portal: str, account: str, mask: list[Locator]
) -> Path | None:
    """Returns the screenshot's path (the HTML dump is beside it), or None if the page is gone."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    base = directory / f"{now():%Y%m%dT%H%M%SZ}-{portal}-{account}"
    # Portals show keys in read-only boxes: masked too, in case the flow failed before reading.
    secret_fields = [
        *mask,
        page.locator("input[type=password], input[readonly], textarea[readonly]"),
    ]
    try:
        await page.screenshot(
            path=base.with_suffix(".png"), mask=secret_fields, full_page=True, timeout=10_000
        )
        os.chmod(base.with_suffix(".png"), 0o600)
        for fields in secret_fields:
            await fields.evaluate_all(_BLANK_FIELDS, MASK)
        html = REDACTOR(await page.content())
    except PlaywrightError as exc:
        log.warning("could not capture the failed page", error=str(exc).splitlines()[0])
        return None
    fd = os.open(base.with_suffix(".html"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(html)
    return base.with_suffix(".png")
