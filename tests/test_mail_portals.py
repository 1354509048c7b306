"""OPCO 2i and Constructys: keys that come by e-mail, read from a real IMAP server (a private
Dovecot) into which the simulated OPCOs deliver their mails; real Chromium, both renderings."""

from __future__ import annotations

import contextlib
import json
import mailbox
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
import yaml

from retrievers.demo import demo_config
from sandbox import DEMO_MAILBOX, MAIL_DEMO_ACCOUNTS, RENDERINGS, Sandbox
from sandbox.mailserver import MailServer
from tests.conftest import FAST, Setup
from tests.machine import require_dovecot

OPCO2I = next(a for a in MAIL_DEMO_ACCOUNTS if a["portal"] == "opco2i")
CONSTRUCTYS = next(a for a in MAIL_DEMO_ACCOUNTS if a["portal"] == "constructys")
SIREN = OPCO2I["request"]["siren"]
OG_SIRET = CONSTRUCTYS["request"]["og_siret"]
ADDRESS = DEMO_MAILBOX["address"]
STOP_MAILS = "les transmissions via boîtes mails doivent être stoppées"


@dataclass
class World:
    sandbox: Sandbox
    mail: MailServer
    setup: Setup

    def results(self, *args: str) -> tuple[int, dict[str, dict]]:
        done = self.setup.cli("run", *args, "--json")
        return done.returncode, {r["portal"]: r for r in json.loads(done.stdout or "[]")}

    def deliver(self, message: EmailMessage) -> None:
        """A mail that is not the simulated OPCO's (or an old one of theirs)."""
        mailbox.Maildir(self.mail.maildir(ADDRESS), create=True).add(message)


@contextlib.contextmanager
def _world(folder: Path, rendering: str, security: str = "none") -> Iterator[World]:
    require_dovecot()
    with MailServer(folder / "imap", {ADDRESS: DEMO_MAILBOX["password"]}, security) as mail:
        sandbox = Sandbox(latency=FAST, mail_dir=mail.root / "mail",
                          rendering={"opco2i": rendering, "constructys": rendering})
        with sandbox.serve_in_thread():
            path, env = demo_config(sandbox, folder, MAIL_DEMO_ACCOUNTS, o2s=None, mail=mail,
                                    extra={"browser": {"step_timeout_seconds": 15}})
            env = {**{k: v for k, v in os.environ.items()
                      if not k.startswith("KEY_RETRIEVER_")}, **env}
            yield World(sandbox, mail, Setup(path=path, env=env,
                                             accounts=list(MAIL_DEMO_ACCOUNTS), folder=folder))


@pytest.fixture(params=RENDERINGS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with _world(tmp_path, request.param) as built:
        yield built


def _mail(sender: str, subject: str, body: str, *, days_ago: float = 0) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, ADDRESS, subject
    message["Date"] = format_datetime(datetime.now(UTC) - timedelta(days=days_ago))
    message["Message-ID"] = make_msgid()
    message.set_content(body)
    return message


def test_opco2i_form_then_mail_then_the_key_shown_once(world: World) -> None:
    sandbox, setup = world.sandbox, world.setup

    code, rows = world.results("opco2i")
    assert code == 3 and rows["opco2i"]["outcome"] == "action_needed"
    assert "request sent" in rows["opco2i"]["message"] and ADDRESS in rows["opco2i"]["message"]
    assert sandbox.opco2i_requests(SIREN) == [OPCO2I["request"]]  # the six answers, as given

    code, rows = world.results("opco2i")  # the mail has come
    assert code == 0, rows
    assert setup.stored_key("opco2i") == sandbox.current_key("opco2i", SIREN)
    assert sandbox.reveal_count(SIREN) == 1
    assert STOP_MAILS in rows["opco2i"]["message"]  # the seed's warning, repeated

    code, rows = world.results("opco2i")  # nothing new: kept, no new request, no new reveal
    assert code == 0 and rows["opco2i"]["outcome"] == "not_due"
    assert len(sandbox.opco2i_requests(SIREN)) == 1 and sandbox.reveal_count(SIREN) == 1
    key = setup.stored_key("opco2i")
    assert key and all(key not in text for text in setup.everything_written())


def test_a_one_time_page_that_fails_leaves_no_artifact_of_its_key(world: World) -> None:
    """The page shows the key once, in a form the flow does not expect: page_changed, and
    nothing of that page lands in an artifact (the key is not known, so nothing could mask it)."""
    sandbox, setup = world.sandbox, world.setup
    key = sandbox.set_key("opco2i", SIREN, "c1e2 a3b4 c5d6 e7f8", None)
    assert world.results("opco2i")[0] == 3

    code, rows = world.results("opco2i")

    assert code == 1 and rows["opco2i"]["outcome"] == "page_changed", rows
    assert "« Mot de passe »" in rows["opco2i"]["message"]
    assert sandbox.reveal_count(SIREN) == 1
    assert all(key not in text for text in setup.everything_written())
    assert not list((setup.folder / "artifacts").glob("*"))


def test_constructys_form_then_establishments_then_the_key(world: World) -> None:
    sandbox, setup = world.sandbox, world.setup

    code, rows = world.results("constructys")
    assert code == 3 and "request sent" in rows["constructys"]["message"]
    assert sandbox.constructys_requests(OG_SIRET) == [CONSTRUCTYS["request"]]

    code, rows = world.results("constructys")  # the list of establishments has come
    assert code == 3
    message = rows["constructys"]["message"]
    assert "Reply to" in message and "constructys" in message.lower()
    for establishment in CONSTRUCTYS["establishments"]:
        assert establishment["siret"] in message.replace(" ", "")

    sandbox.validate_perimeter(OG_SIRET)  # the OG answered; Constructys mails the key
    code, rows = world.results("constructys")
    assert code == 0, rows
    assert setup.stored_key("constructys") == sandbox.current_key("constructys", OG_SIRET)

    code, rows = world.results("constructys")
    assert code == 0 and rows["constructys"]["outcome"] == "not_due"
    assert len(sandbox.constructys_requests(OG_SIRET)) == 1
    key = setup.stored_key("constructys")
    assert key and all(key not in text for text in setup.everything_written())


def test_unrelated_older_and_duplicate_mails(world: World) -> None:
    """Only the OPCO's answer to this request counts; a link used once is never used again."""
    sandbox, setup = world.sandbox, world.setup
    world.deliver(_mail("Newsletter CFA <news@cfa-actu.fr>", "Votre clé pour 2027",
                        "Lire : http://127.0.0.1:9/news"))
    world.deliver(_mail('"OPCO 2i - Clé API CFA" <noreply-cleapi@opco2i.fr>',
                        "Votre clé d'activation API CFA OPCO 2i",
                        "Afficher ma clé d'activation : http://127.0.0.1:9/opco2i/vieux-lien",
                        days_ago=40))
    sandbox.hold_mail("opco2i")
    assert world.results("opco2i")[0] == 3
    code, rows = world.results("opco2i")  # the OPCO's mail has not come yet: still waiting
    assert code == 3 and "waiting for the e-mail" in rows["opco2i"]["message"]

    sandbox.release_mail("opco2i")
    sandbox.resend_key_mail(SIREN)  # the same link twice
    code, rows = world.results("opco2i")
    assert code == 0, rows
    assert setup.stored_key("opco2i") == sandbox.current_key("opco2i", SIREN)

    code, rows = world.results("opco2i")  # the duplicate's link was used: not opened again
    assert code == 0 and rows["opco2i"]["outcome"] == "not_due"
    assert sandbox.reveal_count(SIREN) == 1


def test_a_crash_right_after_the_reveal_loses_no_key(world: World) -> None:
    """SIGKILL of the process group once the portal has answered the one-time page: the next
    run stores the key from what was kept, without asking the portal (it would say used)."""
    sandbox, setup = world.sandbox, world.setup
    assert world.results("opco2i")[0] == 3
    revealed = sandbox.hold_reveal()
    process = subprocess.Popen(
        [sys.executable, "-m", "retrievers", "run", "opco2i", "--config", str(setup.path),
         "--log-json"],
        env=setup.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    assert revealed.wait(timeout=120), "the run never pressed « Afficher le mot de passe »"
    sandbox.hold_reveal(False)  # the portal's answer goes out, the key burnt
    assert process.stderr is not None
    for line in process.stderr:  # the tool says when it has kept the answer: kill right then
        if "one-time page" in line and json.loads(line)["method"] == "POST":
            break
    else:
        pytest.fail("the run ended without keeping the portal's answer")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    stored_before = setup.stored_key("opco2i")

    code, rows = world.results("opco2i")

    assert code == 0, rows
    if stored_before is None:  # as almost always: killed before the key reached the store
        assert "kept by the run that stopped" in rows["opco2i"]["message"]
    assert setup.stored_key("opco2i") == sandbox.current_key("opco2i", SIREN)
    assert sandbox.reveal_count(SIREN) == 1  # the portal was not asked again
    assert world.results("opco2i")[1]["opco2i"]["outcome"] == "not_due"


def test_a_wrong_mailbox_password_is_said_and_sends_nothing(world: World) -> None:
    world.setup.env["DEMO_MAILBOX_PASSWORD"] = "not the password"

    code, rows = world.results("opco2i")

    assert code == 1
    assert rows["opco2i"]["outcome"] == "wrong_credentials"
    assert "refused the login" in rows["opco2i"]["message"]
    assert world.sandbox.opco2i_requests(SIREN) == []
    assert "not the password" not in "".join(world.setup.everything_written())


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_mailbox_over_tls_is_trusted_only_through_its_ca(tmp_path: Path, security: str) -> None:
    with _world(tmp_path, "classic", security=security) as world:
        config = yaml.safe_load(world.setup.path.read_text())
        config["mailbox"]["security"] = security
        world.setup.path.write_text(yaml.safe_dump(config))

        code, rows = world.results("opco2i")  # the throw-away CA is not the system's
        assert code == 1 and rows["opco2i"]["outcome"] == "portal_down"
        assert "set mailbox.cafile" in rows["opco2i"]["message"]
        assert world.sandbox.opco2i_requests(SIREN) == []  # nothing sent before the mailbox

        config["mailbox"]["cafile"] = str(world.mail.cafile)
        world.setup.path.write_text(yaml.safe_dump(config))
        assert world.results("opco2i")[0] == 3
        assert world.results("opco2i")[0] == 0
        assert world.setup.stored_key("opco2i") == world.sandbox.current_key("opco2i", SIREN)
        # Dovecot would take a login without TLS from 127.0.0.1: its log shows none came so.
        logins = [line for line in world.mail.log.read_text().splitlines()
                  if "Login: user=" in line]
        assert logins and all(", TLS" in line for line in logins), logins
