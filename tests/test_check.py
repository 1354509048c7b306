"""`key-retriever check`: on a good configuration every line holds and nothing is touched; each
bad setup gets its own ✗ line, what to do, and the documented exit code, in our words."""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrievers.demo import demo_config
from sandbox import DEMO_ACCOUNTS, DEMO_MAILBOX, MAIL_DEMO_ACCOUNTS, Sandbox
from sandbox.mailserver import MailServer
from tests.conftest import FAST, Setup
from tests.machine import make_read_only, require_dovecot

ATLAS = next(a for a in DEMO_ACCOUNTS if a["portal"] == "atlas")
OPCO2I = next(a for a in MAIL_DEMO_ACCOUNTS if a["portal"] == "opco2i")
ADDRESS = DEMO_MAILBOX["address"]


@dataclass
class World:
    sandbox: Sandbox
    mail: MailServer
    setup: Setup

    def change(self, **settings: Any) -> None:
        config = yaml.safe_load(self.setup.path.read_text())
        for dotted, value in settings.items():
            *parents, leaf = dotted.split("__")
            node = config
            for part in parents:
                node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
            node[leaf] = value
        self.setup.path.write_text(yaml.safe_dump(config, allow_unicode=True))

    def check(self) -> tuple[int, dict[str, dict]]:
        done = self.setup.cli("check", "--json")
        lines = json.loads(done.stdout)
        return done.returncode, {line["what"]: line for line in lines}


@contextlib.contextmanager
def _world(folder: Path, security: str = "none") -> Iterator[World]:
    require_dovecot()
    with MailServer(folder / "imap", {ADDRESS: DEMO_MAILBOX["password"]}, security) as mail:
        sandbox = Sandbox(latency=FAST, mail_dir=mail.root / "mail")
        with sandbox.serve_in_thread():
            path, env = demo_config(sandbox, folder, [ATLAS, OPCO2I], o2s=None, mail=mail,
                                    extra={"browser": {"step_timeout_seconds": 5}})
            env = {**{k: v for k, v in os.environ.items()
                      if not k.startswith("KEY_RETRIEVER_")}, **env}
            yield World(sandbox, mail, Setup(path=path, env=env, accounts=[ATLAS, OPCO2I],
                                             folder=folder))


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with _world(tmp_path) as built:
        yield built


def _failed(lines: dict[str, dict]) -> dict[str, dict]:
    return {what: line for what, line in lines.items() if not line["ok"]}


def test_a_good_configuration_holds_and_nothing_is_touched(world: World) -> None:
    code, lines = world.check()

    assert code == 0, lines
    assert {"configuration", "secure store", "browser", "mailbox", "portal atlas",
            "portal opco2i"} <= set(lines)
    assert "Chromium" in lines["browser"]["detail"]
    assert "headless shell" in lines["browser"]["detail"]
    assert not (world.setup.folder / "keys.enc").exists()  # the store is not created by check
    user = ATLAS["username"]
    assert world.sandbox.generation_count("atlas", user) == 0
    assert world.sandbox.opco2i_requests(OPCO2I["request"]["siren"]) == []  # no form sent
    secrets = [v for k, v in world.setup.env.items() if k.startswith("DEMO_")]
    assert all(secret not in "".join(world.setup.everything_written()) for secret in secrets)


def test_an_existing_store_is_probed_and_left_as_it_was(world: World) -> None:
    assert world.setup.cli("set", "atlas", input="a-key-set-by-hand-0123456789\n").returncode == 0

    code, lines = world.check()

    assert code == 0, lines
    assert "written, read back and deleted" in lines["secure store"]["detail"]
    assert world.setup.stored_key("atlas") == "a-key-set-by-hand-0123456789"


def test_a_missing_password_variable(world: World) -> None:
    variable = next(k for k in world.setup.env if k.startswith("DEMO_ATLAS"))
    del world.setup.env[variable]

    code, lines = world.check()

    assert code == 1
    assert list(_failed(lines)) == [f"${variable}"]
    assert "is not set" in lines[f"${variable}"]["detail"]
    assert variable in lines[f"${variable}"]["fix"]


def test_an_unreachable_base_url(world: World) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    world.change(portals__atlas__base_url=f"http://127.0.0.1:{port}/")

    code, lines = world.check()

    assert code == 1 and list(_failed(lines)) == ["portal atlas"]
    assert "did not answer" in lines["portal atlas"]["detail"]
    assert "portals.atlas.base_url" in lines["portal atlas"]["fix"]


def test_a_portal_whose_certificate_is_not_trusted(tmp_path: Path) -> None:
    # The mail server's TLS port, a certificate from a throw-away CA: what a portal behind a
    # self-signed or intercepted certificate looks like.
    with _world(tmp_path, security="ssl") as world:
        world.change(portals__atlas__base_url=f"https://127.0.0.1:{world.mail.port}/",
                     mailbox__security="ssl", mailbox__cafile=str(world.mail.cafile))

        code, lines = world.check()

        assert code == 1 and list(_failed(lines)) == ["portal atlas"], lines
        assert "certificate is not trusted" in lines["portal atlas"]["detail"]


def test_a_wrong_mailbox_password(world: World) -> None:
    world.setup.env["DEMO_MAILBOX_PASSWORD"] = "not the password"

    code, lines = world.check()

    assert code == 1 and list(_failed(lines)) == ["mailbox"]
    assert "refused the login" in lines["mailbox"]["detail"]
    assert "not the password" not in "".join(world.setup.everything_written())


def test_an_unwritable_store(world: World) -> None:
    folder = world.setup.folder / "store"
    folder.mkdir()
    world.change(store__path=str(folder / "keys.enc"))
    undo = make_read_only(folder)
    try:
        code, lines = world.check()
    finally:
        undo()

    assert code == 1 and list(_failed(lines)) == ["secure store"]
    assert "not writable" in lines["secure store"]["detail"] or str(folder) in \
        lines["secure store"]["detail"]


def test_a_corrupt_store(world: World) -> None:
    (world.setup.folder / "keys.enc").write_bytes(b"not an encrypted store\n")

    code, lines = world.check()

    assert code == 1 and list(_failed(lines)) == ["secure store"]
    assert "keys.enc" in lines["secure store"]["detail"]


def test_a_missing_browser(world: World) -> None:
    world.change(browser__executable_path="/nowhere/chromium")

    code, lines = world.check()

    assert code == 1 and list(_failed(lines)) == ["browser"]
    assert "/nowhere/chromium does not exist" in lines["browser"]["detail"]


def test_an_unknown_label_override_is_a_configuration_that_cannot_be_read(world: World) -> None:
    world.change(portals__atlas__labels={"Ma clef": "Clé"})

    code, lines = world.check()

    assert code == 2
    [line] = lines.values()
    assert not line["ok"] and "portals.atlas.labels" in line["detail"]
    assert "« Ma clé CFA »" in line["detail"]  # the portal's labels, to pick from
