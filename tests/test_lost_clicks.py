"""A click Playwright reports done can be lost: a banner drawn between the press and the
release takes the release, and the browser clicks nothing. The sandbox draws its cookie banner
at that very instant; the flow must see that nothing came of the click, and click again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Sandbox
from tests.conftest import FAST


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    sb = Sandbox(latency=FAST, banner_at_press=request.param)
    with sb.serve_in_thread(host="127.0.0.1", port=0):
        yield sb


@pytest.mark.parametrize(("sandbox", "portal"), [
    # A menu item: the menu closes under the banner, and the login form never comes.
    ("centre de formation d'apprentis – CFA", "opcoep"),
    # A button that replaces the key: clicked again only because nothing reached it.
    ("Générer ma clé d'authentification", "mobilites"),
], indirect=["sandbox"])
def test_a_click_the_banner_took_is_made_again(sandbox: Sandbox, make_setup,
                                               portal: str) -> None:
    setup = make_setup(portals=(portal,))
    account = setup.account(portal)

    done = setup.cli("run", "--verbose")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "the click did not reach" in done.stderr  # the banner did take a click
    key = sandbox.current_key(portal, account["username"], siret=account.get("siret"))
    assert setup.stored_key(portal) == key
    assert sandbox.generation_count(portal, account["username"],
                                    siret=account.get("siret")) <= 1
