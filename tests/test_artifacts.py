"""Failure artifacts keep no key or password, even when the failed page shows them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import async_playwright

from retrievers.artifacts import capture_failure
from retrievers.browser import CHROMIUM_FLAGS, system_chromium
from retrievers.redact import REDACTOR

KEY = "F4KKZLkV20jmOY7q7GqwTbfzNtnbN-test"
PASSWORD = "s3cret-password-test"
PAGE = f"""<h1>Clé d'authentification</h1>
<input id="key" readonly value="{KEY}"><p id="also">{KEY}</p>
<input type="password" id="pw">"""


def test_screenshot_and_html_dump_hide_keys_and_passwords(tmp_path: Path) -> None:
    REDACTOR.add(KEY, PASSWORD)

    async def fail_on_a_page_showing_the_key() -> Path | None:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=system_chromium(headless=True), args=CHROMIUM_FLAGS
            )
            page = await browser.new_page()
            await page.set_content(PAGE)
            await page.locator("#pw").fill(PASSWORD)
            shot = await capture_failure(page, directory=tmp_path, portal="mobilites",
                                         account="cfa", mask=[page.locator("#key")])
            await browser.close()
            return shot

    shot = asyncio.run(fail_on_a_page_showing_the_key())

    assert shot is not None and shot.exists()
    html = shot.with_suffix(".html").read_text()
    assert "Clé d'authentification" in html  # the dump is the page…
    assert KEY not in html and PASSWORD not in html  # …without its secrets
    for artifact in (shot, shot.with_suffix(".html")):
        assert artifact.stat().st_mode & 0o777 == 0o600
