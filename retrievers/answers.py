"""What the page says after an action: the thing the step waits for, or words instead.

A person who clicks « Afficher ma clé CFA » reads what comes: the key, or « Aucune clé n'a encore
été générée », or « Votre clé a expiré le 03/02/2026 », or an error. They act on those words at
once; they never stare at the page for thirty seconds waiting for a key it already said is not
coming. Here that reading lives once: every click of `retrievers.locate` first notes the words
already on the page (`note_what_is_said`), so that afterwards only *new* words count as the
page's answer; `await_answer` waits for the awaited thing or for such words, and sorts the
words into a typed `Answer` the flow branches on, as the seed's « si … sinon … » means.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, Playwright
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from retrievers.dates import end_of_french_day
from retrievers.errors import ActionNeeded, PageChanged, PortalDown
from retrievers.redact import REDACTOR


class Said(StrEnum):
    SHOWN = "shown"  # the awaited thing came
    NO_KEY = "no_key"  # none generated yet
    EXPIRED = "expired"  # there was one; it expired (a date when the page gives it)
    REFUSED = "refused"  # this account may not do it (rights, a head office's button)
    UNAVAILABLE = "unavailable"  # the portal cannot answer now
    UNKNOWN = "unknown"  # an alert in other words: quoted in the failure
    NOTHING = "nothing"  # neither the awaited thing nor any word within the step's time


# The words of each answer, as French portals put them. JavaScript-compatible: the page's own
# selector engine reads them too. A sentence that starts with « Si » is an instruction, not an
# answer (« Si vous n'avez pas encore de clé, … »).
NO_KEY = (r"(aucun|aucune)\s+(cl[ée]|identifiant|token|jeton)"
          r"|pas\s+(encore\s+)?(de|d['’])\s*(cl[ée]|identifiant|token|jeton)"
          r"|(pas|jamais)\s+(encore\s+)?([ée]t[ée]\s+)?g[ée]n[ée]r[ée]"
          r"|(cl[ée]|identifiant|token|jeton)\s+(non|pas)\s+(encore\s+)?g[ée]n[ée]r")
EXPIRED = (r"(a|est|ont|sont)\s+expir[ée]|expir[ée]e?s?\s+(le|depuis|au)\b"
           r"|n['’]est\s+plus\s+(valide|active)|p[ée]rim[ée]")
REFUSED = (r"seul(e|s)?\s+(le|la|les)\s|n['’][eê]tes\s+pas\s+autoris|non\s+autoris"
           r"|pas\s+(les\s+)?droits|acc[eè]s\s+(refus|interdit)|pas\s+habilit")
UNAVAILABLE = (r"indisponible|maintenance|r[ée]essayer\s+plus\s+tard|erreur\s+technique"
               r"|service\s+unavailable|momentan[ée]ment")
_VOCABULARY = "|".join(f"(?:{p})" for p in (NO_KEY, EXPIRED, REFUSED, UNAVAILABLE))
_INSTRUCTION = r"^\s*si\s"

# A selector engine (registered like the section engine) for the words the page says now and
# did not say when `note_what_is_said` last ran: alerts in any words, and any element whose own
# text speaks the vocabulary above.
SAID_ENGINE = "kr-said"
_SAID_ENGINE_JS = """{
  candidates(doc, body) {
    const { vocabulary, instruction } = body;
    const words = new RegExp(vocabulary, "i"), ifs = new RegExp(instruction, "i");
    const text = (e) => (e.textContent || "").replace(/\\s+/g, " ").trim();
    const own = (e) => Array.from(e.childNodes).filter((n) => n.nodeType === 3)
      .map((n) => n.textContent).join(" ");
    const alerting = (e) => ["alert", "alertdialog"].includes(e.getAttribute("role"))
      || e.getAttribute("aria-live") === "assertive";
    const found = [];
    for (const e of doc.body ? doc.body.querySelectorAll("*") : []) {
      if (["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT"].includes(e.tagName)) continue;
      // Its own words first: the whole text of every element would cost the page's size
      // squared, at each poll of a wait.
      if (!alerting(e) && !words.test(own(e))) continue;
      const t = text(e);
      if (t && !ifs.test(t)) found.push([e, t]);
    }
    return found;
  },
  queryAll(root, body) {
    const parsed = JSON.parse(body);
    const doc = root.ownerDocument || root;
    return this.candidates(doc, parsed)
      .filter(([e, t]) => e.getAttribute("data-kr-said") !== t).map(([e]) => e);
  },
  note(doc, body) {
    for (const [e, t] of this.candidates(doc, body)) e.setAttribute("data-kr-said", t);
  }
}"""
_BODY = json.dumps({"vocabulary": _VOCABULARY, "instruction": _INSTRUCTION})
_NOTE_JS = f"""() => {{
  const engine = {_SAID_ENGINE_JS};
  engine.note(document, {_BODY});
}}"""


async def register(playwright: Playwright) -> None:
    """Once per Playwright instance, before any browser context is created."""
    await playwright.selectors.register(SAID_ENGINE, _SAID_ENGINE_JS)


async def note_what_is_said(page: Page) -> None:
    """Before an action: the words on the page now are not its answer."""
    # A page navigating away cannot be read: everything on the next one is new anyway.
    with contextlib.suppress(PlaywrightError):
        await page.evaluate(_NOTE_JS)


def said(page: Page) -> Locator:
    """Words the page says that it did not say before the last action."""
    return page.locator(f"{SAID_ENGINE}={_BODY}").filter(visible=True)


@dataclass(frozen=True)
class Answer:
    said: Said
    words: str = ""  # the page's own words, redacted: quoted in failures
    expired_on: datetime | None = None

    @property
    def shown(self) -> bool:
        return self.said is Said.SHOWN

    @property
    def no_valid_key(self) -> bool:
        """The portal says there is no key to show: none yet, or expired."""
        return self.said in (Said.NO_KEY, Said.EXPIRED)

    def require_shown(self, awaited: str) -> None:
        """Anything but the awaited thing is a failure in the page's words."""
        if self.shown:
            return
        quoted = f"the page says « {self.words} »"
        if self.said is Said.NOTHING:
            raise PageChanged(f"{awaited} did not show, and the page said nothing about it")
        if self.said is Said.UNAVAILABLE:
            raise PortalDown(f"{quoted} instead of {awaited}")
        if self.said is Said.REFUSED:
            raise ActionNeeded(f"{quoted} instead of {awaited}")
        raise PageChanged(f"{quoted} instead of {awaited}")


def classify(text: str) -> Answer:
    words = REDACTOR(" ".join(text.split()))
    for kind, pattern in ((Said.UNAVAILABLE, UNAVAILABLE), (Said.REFUSED, REFUSED),
                          (Said.EXPIRED, EXPIRED), (Said.NO_KEY, NO_KEY)):
        if re.search(pattern, words, re.IGNORECASE):
            expired_on = end_of_french_day(words) if kind is Said.EXPIRED else None
            return Answer(kind, words, expired_on)
    return Answer(Said.UNKNOWN, words)


async def await_answer(page: Page, expected: Locator, timeout_ms: float) -> Answer:
    """Wait for `expected`, or for what the page says instead. Words that mean "no", "none",
    "expired" or "unavailable" answer at once; an alert in other words still leaves the step
    its time for `expected`, then is quoted."""
    words = said(page).first
    try:
        await expected.or_(words).first.wait_for(timeout=timeout_ms)
    except PlaywrightTimeoutError:
        return Answer(Said.NOTHING)
    if await expected.is_visible():
        return Answer(Said.SHOWN)
    answer = classify(await words.text_content() or "")
    if answer.said is not Said.UNKNOWN:
        return answer
    try:
        await expected.wait_for(timeout=timeout_ms)
    except PlaywrightTimeoutError:
        return answer
    return Answer(Said.SHOWN)
