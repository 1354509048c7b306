"""A page that shows a key once (OPCO 2i's « Afficher le mot de passe »).

Asking the portal burns the key, so what it answers is kept in the secure store the moment it
arrives, before the page even shows it, until the key itself is stored. A run killed in between
finds that answer there and replays it in the browser, page and scripts as they came, to read
the key again without asking the portal (which would say the link was used).
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from retrievers.logs import log
from retrievers.store import AccountItem

if TYPE_CHECKING:
    from playwright.async_api import Page, Route

    from retrievers.store import KeyStore

# What a page's content comes in; images, styles and scripts are fetched again on a replay.
_KEPT = {"document", "xhr", "fetch"}
# Replayed as received: the body is already decoded and its length may differ.
_DROPPED_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "set-cookie"}


class Capture:
    """The portal's answers for one account, kept in the secure store beside its key."""

    def __init__(self, store: KeyStore, portal: str, account: str) -> None:
        self._item = AccountItem(store, portal, account, "one-time-page")

    def load(self) -> dict[str, Any] | None:
        return self._item.load()

    def clear(self) -> None:
        self._item.clear()

    def holds(self, value: str) -> bool:
        """Whether the portal's kept answers carry `value` (as text, JSON or HTML): the box
        on the page is checked against what the portal said, never trusted alone."""
        data = self._item.load() or {"answers": []}
        forms = {value, json.dumps(value)[1:-1], html.escape(value)}
        for answer in data["answers"]:
            body = base64.b64decode(answer["body"]).decode("utf-8", errors="replace")
            if any(form in body for form in forms):
                return True
        return False

    @staticmethod
    async def close(page: Page) -> None:
        """Stop keeping answers: the key is stored (requests still under way are dropped)."""
        with contextlib.suppress(PlaywrightError):
            await page.unroute_all(behavior="ignoreErrors")

    async def open(self, page: Page, link: str, earlier: dict[str, Any] | None = None) -> None:
        """Open `link` in `page`; every page and answer it gets is kept before the page sees
        it. With `earlier` (what a stopped run kept), those answers are replayed instead of
        asking the portal again; anything else is asked for, and kept, as the first time."""
        data: dict[str, Any] = earlier or {"link": link, "answers": []}
        kept = {(a["method"], a["url"]): a for a in data["answers"]}

        async def answer(route: Route) -> None:
            try:
                await keep(route)
            except PlaywrightError:
                # The page or its context closed while an answer was under way (the run
                # ended): nothing to keep, and nothing worth a traceback.
                log.debug("one-time page: a request ended with the page")

        async def keep(route: Route) -> None:
            request = route.request
            if request.resource_type not in _KEPT:
                await route.continue_()
                return
            earlier_answer = kept.get((request.method, request.url))
            if earlier_answer is not None:
                headers = {k: v for k, v in earlier_answer["headers"].items()
                           if k.lower() not in _DROPPED_HEADERS}
                await route.fulfill(status=earlier_answer["status"], headers=headers,
                                    body=base64.b64decode(earlier_answer["body"]))
                return
            response = await route.fetch()
            body = await response.body()
            data["answers"].append({
                "method": request.method, "url": request.url, "status": response.status,
                "headers": response.headers, "body": base64.b64encode(body).decode(),
            })
            self._item.save(data)
            log.info("one-time page: its answer is kept in the secure store until the key is "
                     "stored", method=request.method, answers=len(data["answers"]))
            await route.fulfill(response=response, body=body)

        await page.route("**/*", answer)
        await page.goto(data["link"])
