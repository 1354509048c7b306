"""Finding things the way a person reading the seed does, whatever markup a portal uses.

A person finds « the key in the section Ma clé CFA » by reading: the heading, then the first
key-looking box or text after it, before the next heading of the same rank — whichever
wrapper holds the heading. They « sélectionner » a choice whether it is a radio button, an
option card, a tab, a link or a <select>; they open the menu at the top right whatever it is
made of. Each of those ideas lives here once. Every helper that acts fails with a
`PageChanged` naming the label it looked for; the runner adds the seed's step.
"""

from __future__ import annotations

import contextlib
import json
import re

from playwright.async_api import Dialog, Locator, Page, Playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from retrievers import answers, labels
from retrievers.errors import PageChanged
from retrievers.logs import log

# A value is a key only if it looks like one: never a mask or a placeholder standing where the
# key will show (runs of « • », « * », « x », one character repeated). JavaScript-compatible:
# the page's selector engine waits with it, so a mask is simply not the key yet.
NOT_A_MASK = r"(?!\s*(.)\1*\s*$)(?!\s*[•●∙·◦*xX]+\s*$)(?!.*[•●]{3})"
# What an API key looks like on a page: one token, no spaces. Waiting for this (not merely for
# a non-empty box) skips placeholders such as "Chargement…" shown while the page fetches it.
KEY_PATTERN = re.compile(rf"^{NOT_A_MASK}\s*[A-Za-z0-9._~+/=-]{{16,}}\s*$")


def key_shaped(pattern: str) -> re.Pattern[str]:
    """A flow's own idea of its key's shape (`^…$`), never matching a mask."""
    return re.compile(rf"^{NOT_A_MASK}" + pattern.removeprefix("^"))


def looks_like_key(value: str) -> bool:
    """Whether `value` could be a key at all: not empty, not a mask, not words."""
    return bool(re.fullmatch(rf"{NOT_A_MASK}\S{{8,}}", value.strip()))

# A selector engine (Playwright's `selectors.register`) that reads in document order, which
# CSS and XPath cannot do with "up to the next heading of the same rank". Its body is JSON:
#   mode "after": the root's descendants and the elements after it, up to the next heading of
#                 the root's rank or higher (a root that is not a heading: the next heading);
#   mode "within": the root's descendants; mode "self": the root itself;
#   mode "entry": the part of a list that belongs to the root (an item's name): its table row,
#                 or else the largest block around it holding no other name of its kind.
#   pattern: keep only boxes whose value, or elements whose own text, matches it.
SECTION_ENGINE = "kr-section"
_SECTION_ENGINE_JS = """{
  queryAll(root, body) {
    const { mode, pattern, flags } = JSON.parse(body);
    const rank = (e) => {
      const m = /^H([1-6])$/.exec(e.tagName);
      if (m) return +m[1];
      return e.getAttribute("role") === "heading" ? +(e.getAttribute("aria-level") || 2) : 0;
    };
    let found = [];
    if (mode === "entry") {
      const row = root.closest("tr, [role=row]");
      if (row) return [row];
      const kind = (e) => e.tagName === root.tagName
        && (e.getAttribute("role") || "") === (root.getAttribute("role") || "");
      let entry = root;
      for (let up = root.parentElement; up && up !== root.ownerDocument.body;
           up = up.parentElement) {
        if (Array.from(up.getElementsByTagName(root.tagName)).filter(kind).length > 1) break;
        entry = up;
      }
      return [entry];
    }
    if (mode === "self") found = [root];
    else if (mode === "within") found = Array.from(root.querySelectorAll("*"));
    else {
      const doc = root.ownerDocument;
      const own = rank(root) || 7;
      const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_ELEMENT);
      walker.currentNode = root;
      // The root's own descendants first: « Date d'expiration : <strong>…</strong> ».
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const r = rank(node);
        if (r && r <= own) break;
        found.push(node);
      }
    }
    if (!pattern) return found;
    const re = new RegExp(pattern, flags);
    const shown = (e) => {
      if (e.tagName === "INPUT" || e.tagName === "TEXTAREA") return e.value;
      return Array.from(e.childNodes).filter((n) => n.nodeType === 3)
        .map((n) => n.textContent).join("");
    };
    return found.filter((e) => re.test(shown(e)));
  }
}"""

_READ_SHOWN = """e => (e.tagName === "INPUT" || e.tagName === "TEXTAREA") ? e.value
  : Array.from(e.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join("")"""

# The button beside a value shown masked (« Afficher le TOKEN », an eye named « Voir la clé »).
REVEAL = re.compile(r"^\s*(afficher|voir|r[ée]v[ée]ler|d[ée]masquer)\b.{0,30}"
                    r"(cl[ée]|token|jeton|identifiant|mot de passe)", re.IGNORECASE)
_CLICKABLE_ROLES = ("link", "button", "menuitem", "tab", "menuitemradio", "option")
_CHOICE_ROLES = ("radio", "option", "tab", "menuitemradio", "link", "button", "menuitem")
_SOON_MS = 2_000  # what a page shows at once, or soon after its script ran
_TOP_OF_PAGE = 160  # px: a header bar, whatever element holds it
_CONFIRM = re.compile(r"^\s*(confirmer( .*)?|oui|valider|ok|continuer)\s*$", re.IGNORECASE)
# Never opened while looking for a menu: it would end the session.
_LOG_OUT = re.compile(r"d[ée]connexion|se d[ée]connecter|log ?out|sign ?out", re.IGNORECASE)


async def register_engines(playwright: Playwright) -> None:
    """Once per Playwright instance, before any browser context is created."""
    await playwright.selectors.register(SECTION_ENGINE, _SECTION_ENGINE_JS)
    await answers.register(playwright)


def words(label: str, *, whole: bool = False) -> re.Pattern[str]:
    """The seed's words as a person reads them: any case, any spacing, either apostrophe or
    dash; `whole`: the words alone (« Envoyer », not « Envoyer une autre réponse »). A label
    the configuration renamed for this portal is read in its new words (retrievers/labels)."""
    parts = []
    for char in labels.shown_as(label).strip():
        if char in "'’":
            parts.append("['’]")
        elif char in "-–—":
            parts.append("[-–—]")
        elif char.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    pattern = "".join(parts)
    return re.compile(rf"^\s*{pattern}\s*$" if whole else pattern, re.IGNORECASE)


def _section(anchor: Locator, mode: str, pattern: re.Pattern[str] | None) -> Locator:
    body: dict[str, str | None] = {"mode": mode, "pattern": None, "flags": ""}
    if pattern is not None:
        body["pattern"] = pattern.pattern
        body["flags"] = "i" if pattern.flags & re.IGNORECASE else ""
    return anchor.locator(f"{SECTION_ENGINE}={json.dumps(body)}")


def _any_role(scope: Page | Locator, roles: tuple[str, ...], name: str,
              whole: bool = False) -> Locator:
    pattern = words(name, whole=whole)
    found = scope.get_by_role(roles[0], name=pattern)  # type: ignore[arg-type]
    for role in roles[1:]:
        found = found.or_(scope.get_by_role(role, name=pattern))  # type: ignore[arg-type]
    return found


# -- what a person sees ------------------------------------------------------------------------
def clickable(scope: Page | Locator, name: str, *, whole: bool = False) -> Locator:
    """The visible thing labelled `name` that a person would click, whatever its role."""
    return _any_role(scope, _CLICKABLE_ROLES, name, whole).filter(visible=True).first


def reveal_button(scope: Page | Locator) -> Locator:
    """What a person presses to see a value the page shows masked."""
    return (scope.get_by_role("button", name=REVEAL).or_(scope.get_by_role("link", name=REVEAL))
            .filter(visible=True).first)


def heading(scope: Page | Locator, name: str) -> Locator:
    return scope.get_by_role("heading", name=words(name)).filter(visible=True).first


def field(scope: Page | Locator, label: str) -> Locator:
    """A form field by its label, its placeholder or its accessible name."""
    pattern = words(label)
    return (
        scope.get_by_label(pattern)
        .or_(scope.get_by_placeholder(pattern))
        .or_(scope.get_by_role("textbox", name=pattern))
        .or_(scope.get_by_role("combobox", name=pattern))
        .or_(scope.get_by_role("spinbutton", name=pattern))
        .filter(visible=True)
        .first
    )


def dialog(page: Page, title: str) -> Locator:
    """A pop-in, whether it is named by its heading or only shows the title."""
    return page.get_by_role("dialog").or_(page.get_by_role("alertdialog")).filter(
        has_text=words(title)
    ).filter(visible=True).first


def value_under(page: Page, label: str, pattern: re.Pattern[str] = KEY_PATTERN) -> Locator:
    """What a person reads under heading `label` or beside label `label`: the first box or
    text matching `pattern` in that section, or a box named `label` itself."""
    named = page.get_by_role("textbox", name=words(label))
    anchors = page.get_by_role("heading", name=words(label)).or_(page.get_by_text(words(label)))
    return (
        _section(named, "self", pattern)
        .or_(_section(anchors, "after", pattern))
        .filter(visible=True)
        .first
    )


def entry(page: Page, name: str | re.Pattern[str]) -> Locator:
    """The part of a list that belongs to item `name` (its whole text): its table row, or the
    card or list item around it, up to where another item of the list begins."""
    anchor = page.get_by_text(name, exact=True) if isinstance(name, str) else page.get_by_text(name)
    return _section(anchor.filter(visible=True).first, "entry", None)


def value_within(scope: Locator, pattern: re.Pattern[str] = KEY_PATTERN) -> Locator:
    """The first box or text matching `pattern` inside `scope` (a pop-in, a card)."""
    return _section(scope, "within", pattern).filter(visible=True).first


async def read_shown(found: Locator) -> str:
    """A box's value, or an element's own text as the DOM holds it (CSS may upper-case it)."""
    return str(await found.evaluate(_READ_SHOWN))


# -- what a person does ------------------------------------------------------------------------
def _page_of(scope: Page | Locator) -> Page:
    return scope if isinstance(scope, Page) else scope.page


# Every document of the tool's contexts watches its clicks (see `clicked`): the element the
# pointer went down on, and whether the click that followed came to it. From the window, where
# an event starts (no listener of the page can stop it before it is seen); `null` until the
# document's first press.
CLICK_WATCH_JS = """(() => {
  let pressed = null;
  window.__keyRetrieverClickCame = null;
  addEventListener("pointerdown", event => {
    pressed = event.composedPath()[0];
    window.__keyRetrieverClickCame = false;
  }, true);
  addEventListener("click", event => {
    if (pressed && event.composedPath().includes(pressed)) window.__keyRetrieverClickCame = true;
  }, true);
})();"""
CLICK_CAME_JS = "() => window.__keyRetrieverClickCame"  # what the watch saw of the last click


async def clicked(target: Locator, *, timeout: float | None = None) -> bool:
    """Click `target` and say whether the click reached it.

    Playwright checks that nothing covers the element as the mouse goes down. A banner drawn
    between the press and the release (a cookie banner showing up late, a busy machine
    stretching that instant) takes the release: the browser sends the click to neither, the
    element's script never runs, and Playwright reports success. Whether a click event came
    to the element pressed tells; where none came, nothing happened and clicking again is
    safe, even on a button that changes something.

    The watch is the document's own (CLICK_WATCH_JS, added to each context): asking it is one
    call, where watching the element itself took four and an element handle (a quarter of the
    tool's CPU per account, measured)."""
    await target.click(timeout=timeout)
    try:
        came = await target.page.evaluate(CLICK_CAME_JS)
    except PlaywrightError:  # the page went on to another document: the click did that
        return True
    return came is not False  # None: a new document, which the click led to


async def press(target: Locator, *, timeout: float | None = None) -> None:
    """Click `target` until a click reaches it (at most three times; see `clicked`)."""
    for attempt in (1, 2, 3):
        if await clicked(target, timeout=timeout):
            return
        log.info("the click did not reach its target: clicking again", attempt=attempt)
    raise PlaywrightTimeoutError("something covered the element at each click")


async def click(scope: Page | Locator, name: str, *, then: str | None = None) -> None:
    """Click `name`; what the page then says is its answer (see retrievers/answers.py).

    `then`: the seed's next label, which the click leads to (a link or a tab, never a button
    that changes something): a lost click is made again (see `_again_if_lost`)."""
    page = _page_of(scope)
    target = clickable(scope, name)
    # A person clicks once the page has loaded: before its script ran, a button drawn by the
    # HTML may do nothing (seen on Ocapiat's « Générer ma clé CFA » with the machine busy).
    await page.wait_for_load_state()
    await answers.note_what_is_said(page)
    try:
        await press(target)
    except PlaywrightTimeoutError:
        raise PageChanged(f"nothing a person could click named « {name} »") from None
    await _again_if_lost(page, name, target, then)


async def _again_if_lost(page: Page, name: str, target: Locator, then: str | None) -> None:
    """A click can be lost (a cookie banner showing up at that instant, a page still wiring
    its links): when the seed's next label `then` did not come soon and `name` is still
    there, a person clicks again, once. Whether `then` comes after all is the next step's to
    wait for, and to name."""
    if then is None:
        return
    try:
        await shows(page, then).wait_for(timeout=_SOON_MS * 2)
        return
    except PlaywrightTimeoutError:
        pass
    with contextlib.suppress(PlaywrightTimeoutError):
        # A menu that opened is not clicked again: that would close it.
        if (await target.is_visible()
                and await target.get_attribute("aria-expanded", timeout=_SOON_MS) != "true"):
            log.info("nothing came of a click yet: clicking again", label=name)
            await press(target, timeout=_SOON_MS)


async def present(page: Page, label: str, *, to_read: bool = False) -> None:
    """Wait until the page shows the seed's `label` (`to_read`: as words or a field to read
    from, not as a button or a link), or say it is not there."""
    try:
        await (written(page, label) if to_read else shows(page, label)).wait_for()
    except PlaywrightTimeoutError:
        raise PageChanged(f"« {label} » is not on the page") from None


def written(page: Page, label: str) -> Locator:
    """The seed's `label` as words, a heading or a field: where something is to be read."""
    not_clickable = page.locator(":not(button):not(a):not([role=button]):not([role=link])")
    return (heading(page, label).or_(field(page, label))
            .or_(page.get_by_text(words(label)).and_(not_clickable))
            .filter(visible=True).first)


def shows(page: Page, label: str) -> Locator:
    """Whatever the page shows under the seed's label: something to click, a field, a
    heading, or the words themselves."""
    return (clickable(page, label).or_(field(page, label)).or_(heading(page, label))
            .or_(page.get_by_text(words(label))).filter(visible=True).first)


async def choose(scope: Page | Locator, name: str, *, then: str | None = None) -> None:
    """« Sélectionner » `name`: a radio button, option card, tab, link, button or select option
    (`then`: the seed's next label, as for `click`)."""
    pattern = words(name)
    options = scope.locator("select").filter(has=scope.get_by_role("option", name=pattern))
    cards = scope.locator("label").filter(has_text=pattern)  # around a hidden radio input
    listed = scope.locator("input[list]")  # a box offering its choices in a <datalist>
    control = _any_role(scope, _CHOICE_ROLES, name).or_(options).or_(cards).or_(listed)
    control = control.filter(visible=True).first
    try:
        await control.wait_for()
        tag, role = await control.evaluate("e => [e.tagName, e.getAttribute('role')]")
        await answers.note_what_is_said(_page_of(scope))
        if tag == "INPUT" and await control.get_attribute("list"):
            await control.fill(name)
        elif tag == "SELECT":
            label = await control.get_by_role("option", name=words(name)).first.text_content()
            await control.select_option(label=(label or name).strip())
        elif role == "radio" or tag == "INPUT":
            await control.check()
        else:
            await press(control)
            await _again_if_lost(_page_of(scope), name, control, then)
    except PlaywrightTimeoutError:
        raise PageChanged(f"nothing a person could select named « {name} »") from None


async def go_to(page: Page, name: str, *, there: Locator | None = None) -> None:
    """Go to « name » as the seed says it, whether the portal made it a link, a tab, a menu
    item or a section: follow what is named so where there is one (in a menu too), else accept
    the page as it is when it already holds a heading « name » (or `there`)."""
    target = clickable(page, name)
    arrived = heading(page, name) if there is None else heading(page, name).or_(there)
    try:
        await target.or_(arrived).first.wait_for(timeout=_SOON_MS)
    except PlaywrightTimeoutError:
        await page.wait_for_load_state()
        if not await target.or_(arrived).first.is_visible():
            if await in_a_menu(page, name):
                await click_in_menu(page, name)
                return
            try:
                await target.or_(arrived).first.wait_for()
            except PlaywrightTimeoutError:
                raise PageChanged(f"nothing named « {name} » to follow (in the page or its "
                                  "menus), and no such section") from None
    await page.wait_for_load_state()  # a link drawn by the page's script after its heading
    if await target.is_visible():
        await click(page, name)


async def in_a_menu(page: Page, name: str) -> bool:
    """Whether « name » is an item of one of the page's menus (each opened and closed again,
    as a person looks)."""
    target = clickable(page, name)
    try:
        triggers = await _menu_buttons(page, wait_ms=_SOON_MS)
    except PageChanged:
        return False
    for trigger in triggers:
        try:
            await trigger.click(timeout=_SOON_MS)
            await target.wait_for(timeout=_SOON_MS)
            await page.keyboard.press("Escape")
            return True
        except PlaywrightTimeoutError:
            await page.keyboard.press("Escape")
    return False


async def show_tab_with(page: Page, name: str) -> None:
    """Bring « name » into view where it sits in another tab of the page (« Nouvel abonnement »
    beside the list): a person looks through the tabs for it."""
    target = clickable(page, name)
    if await target.count():
        return
    tabs = page.get_by_role("tab").filter(visible=True)
    for i in range(await tabs.count()):
        await press(tabs.nth(i))
        if await target.count():
            return


# What opens a form kept folded on a list page (« + Nouvelle demande », « Ajouter »).
_NEW = re.compile(r"^\W*(nouvelle|nouveau|ajouter|cr[ée]er|faire une)\b", re.IGNORECASE)


def new_form_opener(page: Page) -> Locator:
    return (page.get_by_role("button", name=_NEW).or_(page.get_by_role("link", name=_NEW))
            .filter(visible=True).first)


async def open_form_with(page: Page, first_field: Locator) -> None:
    """A form shown at once, or folded behind « + Nouvelle demande »: a person unfolds it."""
    opener = new_form_opener(page)
    try:
        await first_field.or_(opener).first.wait_for()
    except PlaywrightTimeoutError:
        raise PageChanged("no form, and nothing that opens one") from None
    if not await first_field.is_visible():
        await answers.note_what_is_said(page)
        await press(opener)


_SEND = re.compile(r"^\W*(envoyer|valider|enregistrer|ajouter|soumettre|cr[ée]er)", re.IGNORECASE)


async def submit(box: Locator) -> None:
    """Send the form `box` is in: its send button where it has one, else Enter in the box."""
    send = (box.locator("xpath=ancestor::form[1]").get_by_role("button", name=_SEND)
            .filter(visible=True))
    if await send.count():
        await answers.note_what_is_said(box.page)
        await press(send.first)
    else:
        await box.press("Enter")


def other_than(key: str | None, pattern: re.Pattern[str] = KEY_PATTERN) -> re.Pattern[str]:
    """`pattern`, but not `key`: waits for a new key, not the one still displayed."""
    if key is None:
        return pattern
    return re.compile(rf"^(?!\s*{re.escape(key)}\s*$)" + pattern.pattern, pattern.flags)


async def click_confirming(
    page: Page, name: str, *, until: Locator | None, scope: Page | Locator | None = None
) -> None:
    """Click `name` (in `scope`, the page by default), confirming what it asks (a browser
    confirm() or a modal), then wait for `until` (None: for the confirmation itself). Elsewhere
    a browser dialog is dismissed (Playwright's default): only a click the flow means to
    confirm is ever confirmed."""

    async def accept(dialog: Dialog) -> None:
        await dialog.accept()

    page.once("dialog", accept)
    try:
        await click(scope or page, name)
        modal = page.get_by_role("dialog").or_(page.get_by_role("alertdialog"))
        confirm = modal.get_by_role("button", name=_CONFIRM).or_(
            modal.get_by_role("link", name=_CONFIRM)
        ).filter(visible=True).first
        await (confirm if until is None else confirm.or_(until).first).wait_for()
        if await confirm.is_visible():
            await press(confirm)
        if until is not None:
            await until.wait_for()
    except PlaywrightTimeoutError:
        raise PageChanged(f"nothing came of « {name} »") from None
    finally:
        page.remove_listener("dialog", accept)


async def fill(scope: Page | Locator, label: str, value: str) -> None:
    """Type into a text field, or pick `value` in a drop-down labelled `label`."""
    found = field(scope, label)
    try:
        await found.wait_for()
        if await found.evaluate("e => e.tagName") == "SELECT":
            await _select_by_value_or_words(found, value)
        else:
            await found.fill(value)
    except PlaywrightTimeoutError:
        raise PageChanged(f"no field a person could fill labelled « {label} »") from None


async def _select_by_value_or_words(select: Locator, value: str) -> None:
    try:
        await select.select_option(value, timeout=2_000)
    except PlaywrightError:  # options named « 6 mois » with other values
        options = select.get_by_role("option", name=re.compile(rf"(^|\D){re.escape(value)}(\D|$)"))
        await select.select_option(label=(await options.first.text_content() or "").strip())


async def click_in_menu(
    page: Page, item: str, *, menu: str | None = None, tries: int = 3
) -> None:
    """Open a menu and click `item` in it: the menu named `menu`, or else the one at the top
    right that holds `item` (a person opens the avatar or name button to look).

    Pop-up menus close on any click elsewhere (such as the one that dismisses a cookie banner
    showing up late) and ignore clicks made before their script has run: a person would simply
    open the menu again.
    """
    target = clickable(page, item)
    # Once the page has loaded, as `click` does: a menu button drawn by the HTML before the
    # script that opens it has run takes the click and opens nothing (then only the next try,
    # seconds later, would open it: seen on OPCO EP's « Mon cfa » for 2 accounts in 5).
    await page.wait_for_load_state()
    triggers = [clickable(page, menu)] if menu else await _menu_buttons(page)
    await answers.note_what_is_said(page)
    for attempt in range(1, tries + 1):
        for trigger in triggers:
            try:
                await press(trigger)
                if await clicked(target, timeout=3_000):
                    return
                # The click did not reach the item (a banner took it, the menu closed): the
                # menu is opened again.
                log.info("the click did not reach the menu item: opening the menu again",
                         label=item)
            except PlaywrightTimeoutError:
                if menu is None:
                    await page.keyboard.press("Escape")
        if attempt == tries:
            where = f"the menu « {menu} »" if menu else "any menu at the top of the page"
            raise PageChanged(f"« {item} » did not show in {where}")


async def _menu_buttons(page: Page, wait_ms: float | None = None) -> list[Locator]:
    """Buttons that open menus, the top right first (then the page's header's other buttons):
    where a person looks for the menu of their account."""
    popups = page.locator("[aria-haspopup]:not([aria-haspopup=false]), [aria-expanded]")
    candidates = popups.or_(page.get_by_role("banner").get_by_role("button")).filter(visible=True)
    try:
        await candidates.first.wait_for(timeout=wait_ms)
    except PlaywrightTimeoutError:
        raise PageChanged("no menu button at the top of the page") from None
    found: list[tuple[tuple[bool, float], Locator]] = []
    for i in range(await candidates.count()):
        button = candidates.nth(i)
        name = await button.get_attribute("aria-label") or await button.text_content() or ""
        box = await button.bounding_box()
        if box and not _LOG_OUT.search(name):
            found.append(((box["y"] > _TOP_OF_PAGE, -(box["x"] + box["width"])), button))
    return [button for _where, button in sorted(found, key=lambda pair: pair[0])]
