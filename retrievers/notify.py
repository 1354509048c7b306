"""Tell a person when the unattended job needs one: Apprise, configured by URL (e-mail, Teams,
Slack, ntfy, a JSON webhook...). Messages carry outcomes, never keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from retrievers.logs import log
from retrievers.redact import REDACTOR

if TYPE_CHECKING:
    from retrievers.results import AccountResult


def notify_problems(urls: Sequence[str], results: Sequence[AccountResult], command: str) -> None:
    """One message listing the accounts that failed or need a person; nothing if none did."""
    problems = [r for r in results if r.outcome.failed or r.outcome.needs_person]
    if not urls or not problems:
        return
    import apprise  # imported here: only a run with something to tell pays for it

    failed = sum(r.outcome.failed for r in problems)
    needs = len(problems) - failed
    parts = [f"{failed} failed" if failed else "", f"{needs} action needed" if needs else ""]
    title = f"key-retriever {command}: " + ", ".join(p for p in parts if p)
    body = "\n".join(f"{r.portal}/{r.account}: {r.outcome}: {r.message}" for r in problems)
    sender = apprise.Apprise()
    for url in urls:
        if not sender.add(url):
            log.error("notification URL not understood by Apprise", url=_safe_url(url))
    notify_type = apprise.NotifyType.FAILURE if failed else apprise.NotifyType.WARNING
    if not sender.notify(title=REDACTOR(title), body=REDACTOR(body), notify_type=notify_type):
        log.error("a notification could not be sent", urls=[_safe_url(u) for u in urls])


def _safe_url(url: str) -> str:
    """The URL's scheme and host only: notification URLs often hold passwords or tokens."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rpartition("@")[2]
    return f"{scheme}://{host}/…"
