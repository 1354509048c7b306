"""The sandbox's private Dovecot: real IMAP with imaplib, mail delivered as a local delivery
agent does (stdlib mailbox), TLS verified against the throw-away CA."""

from __future__ import annotations

import ctypes
import email
import imaplib
import mailbox
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid
from pathlib import Path

import pytest

import sandbox.mailserver
from sandbox.mailserver import MailServer
from tests.machine import require_dovecot

ADDRESS = "cle-api@cfa-demo.fr"
PASSWORD = "mot de passe: s3cr3t"  # a space and a colon: the passwd-file must not care
SUBJECT = "Votre clé API – OPCO Santé"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def _dovecot() -> None:
    require_dovecot()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    with MailServer(tmp_path_factory.mktemp("imap"), {ADDRESS: PASSWORD}) as started:
        yield started


@pytest.fixture(scope="module", params=["starttls", "ssl"])
def tls_server(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    with MailServer(tmp_path_factory.mktemp(request.param), {ADDRESS: PASSWORD},
                    request.param) as started:
        yield started


def plain(server: MailServer) -> imaplib.IMAP4:
    return imaplib.IMAP4(server.host, server.port, timeout=10)


def key_message(key: str) -> tuple[EmailMessage, str]:
    """A portal's key e-mail: non-ASCII subject, text part, quoted-printable HTML part."""
    html = (f"<html><body><p>Bonjour,</p><p>Votre clé d'API est <b>{key}</b> ; elle expire "
            "le 31/12/2026. Conservez-la précieusement, elle ne sera plus affichée.</p>"
            "</body></html>\n")
    message = EmailMessage()
    message["From"] = "Opco Santé <ne-pas-repondre@opco-sante.example>"
    message["To"] = ADDRESS
    message["Subject"] = SUBJECT
    message["Message-ID"] = make_msgid(domain="opco-sante.example")
    message.set_content(f"Bonjour,\nVotre clé d'API est {key}.\n")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message, html


def test_login_with_the_password_in_any_case(server: MailServer) -> None:
    client = plain(server)
    assert client.login(ADDRESS.upper(), PASSWORD)[0] == "OK"
    assert client.select("INBOX")[0] == "OK"
    client.logout()


def test_a_wrong_password_or_an_unknown_user_is_refused(server: MailServer) -> None:
    for user, password in ((ADDRESS, "wrong"), ("personne@cfa-demo.fr", PASSWORD)):
        client = plain(server)
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login(user, password)
        client.logout()
    # And the right password still logs in (no lasting penalty for 127.0.0.1).
    client = plain(server)
    assert client.login(ADDRESS, PASSWORD)[0] == "OK"
    client.logout()


def test_mail_delivered_to_the_maildir_is_seen(server: MailServer) -> None:
    session = plain(server)
    session.login(ADDRESS, PASSWORD)
    before = int(session.select("INBOX")[1][0])

    key = uuid.uuid4().hex
    message, html = key_message(key)
    box = mailbox.Maildir(server.maildir(ADDRESS), create=True)
    stored = box.add(message)

    # A session already open sees it on its next NOOP...
    session.noop()
    assert int(session.response("EXISTS")[1][-1]) == before + 1
    session.logout()

    # ...and a new one finds it by its non-ASCII subject and by its Message-ID.
    client = plain(server)
    client.login(ADDRESS, PASSWORD)
    client.select("INBOX", readonly=True)
    client.literal = "clé API".encode()
    by_subject = client.search("UTF-8", "SUBJECT")[1][0].split()
    by_id = client.search(None, "HEADER", "Message-ID", message["Message-ID"])[1][0].split()
    assert len(by_id) == 1 and by_id[0] in by_subject
    fetched = client.fetch(by_id[0], "(RFC822)")[1][0]
    assert isinstance(fetched, tuple)
    raw = fetched[1]
    client.logout()

    # Byte for byte what was delivered (IMAP ends lines with CRLF, the file with LF).
    assert raw.replace(b"\r\n", b"\n") == box.get_bytes(stored)
    assert b"cl=C3=A9" in raw  # the HTML part as sent: quoted-printable
    seen = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=default_policy)
    assert isinstance(seen, EmailMessage)
    assert seen["Subject"] == SUBJECT
    html_part = seen.get_body(preferencelist=("html",))
    assert html_part is not None
    assert html_part["Content-Transfer-Encoding"] == "quoted-printable"
    assert html_part.get_content() == html


def test_add_user_while_running(server: MailServer) -> None:
    address = f"Nouveau-{uuid.uuid4().hex[:8]}@CFA-demo.fr"
    refused = plain(server)
    with pytest.raises(imaplib.IMAP4.error):
        refused.login(address, "neuf")
    refused.logout()

    # At once (most likely within the second of the refusal): no passwd-file cache to wait for.
    server.add_user(address, "neuf")
    assert address.lower() in server.users
    assert server.maildir(address) == server.root / "mail" / address.lower() / "Maildir"
    message, _ = key_message("k")
    mailbox.Maildir(server.maildir(address), create=True).add(message)

    client = plain(server)
    assert client.login(address, "neuf")[0] == "OK"
    assert client.select("INBOX")[1] == [b"1"]
    client.logout()

    with pytest.raises(ValueError, match="already"):
        server.add_user(address.upper(), "autre")
    with pytest.raises(ValueError, match="address"):
        server.add_user("../etc@x", "p")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_tls_verified_against_the_cafile(tls_server: MailServer, host: str) -> None:
    assert tls_server.cafile is not None
    context = ssl.create_default_context(cafile=tls_server.cafile)
    if tls_server.security == "ssl":
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(host, tls_server.port, ssl_context=context,
                                                  timeout=10)
    else:
        client = imaplib.IMAP4(host, tls_server.port, timeout=10)
        assert "STARTTLS" in client.capabilities
        client.starttls(ssl_context=context)
    assert isinstance(client.sock, ssl.SSLSocket)
    assert client.login(ADDRESS, PASSWORD)[0] == "OK"
    client.logout()


def test_tls_without_the_ca_is_not_trusted(tls_server: MailServer) -> None:
    context = ssl.create_default_context()  # the system's CAs only
    with pytest.raises(ssl.SSLCertVerificationError):
        if tls_server.security == "ssl":
            imaplib.IMAP4_SSL(tls_server.host, tls_server.port, ssl_context=context,
                              timeout=10)
        else:
            imaplib.IMAP4(tls_server.host, tls_server.port, timeout=10).starttls(
                ssl_context=context)
    # connect() speaks the mode itself.
    client = tls_server.connect()
    assert client.login(ADDRESS, PASSWORD)[0] == "OK"
    client.logout()


def process_group(pgid: int) -> list[int]:
    """Processes (zombies included) whose process group is `pgid`."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        # After the command's closing parenthesis: state, ppid, pgrp.
        if int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
            found.append(int(entry.name))
    return found


def test_stop_leaves_no_process(tmp_path: Path) -> None:
    with MailServer(tmp_path, {ADDRESS: PASSWORD}) as started:
        session = plain(started)
        session.login(ADDRESS, PASSWORD)
        session.select("INBOX")  # an imap process serving a session
        pid = started.pid
        assert pid is not None
        assert len(process_group(pid)) > 3
    assert started.pid is None
    assert process_group(pid) == []  # none left running, none left as an unreaped zombie
    with pytest.raises((imaplib.IMAP4.abort, OSError)):
        session.noop()
    started.stop()  # twice is harmless


def test_a_failure_to_start_shows_dovecots_words(tmp_path: Path) -> None:
    class Misconfigured(MailServer):
        def _config(self) -> str:
            return super()._config() + "no_such_setting = 1\n"

    with pytest.raises(RuntimeError, match="Unknown setting: no_such_setting"):
        Misconfigured(tmp_path).start()


def test_a_port_taken_meanwhile_is_replaced(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    free_port = sandbox.mailserver._free_port
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1]])
        monkeypatch.setattr(sandbox.mailserver, "_free_port",
                            lambda: next(ports, None) or free_port())
        with MailServer(tmp_path, {ADDRESS: PASSWORD}) as started:
            assert started.port != taken.getsockname()[1]
            assert started.connect().login(ADDRESS, PASSWORD)[0] == "OK"


def test_the_command_line_serves_until_ctrl_c(tmp_path: Path) -> None:
    root, errors = tmp_path / "root", tmp_path / "stderr"
    with errors.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "sandbox.mailserver", "--root", str(root),
             "--user", f"{ADDRESS}:{PASSWORD}"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("IMAP (none) on 127.0.0.1:"), first + errors.read_text()
        client = imaplib.IMAP4("127.0.0.1", int(first.rsplit(":", 1)[1]), timeout=10)
        assert client.login(ADDRESS, PASSWORD)[0] == "OK"
        client.logout()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill()
        process.wait()
    assert not (root / "run" / "master.pid").exists()  # Dovecot stopped cleanly


# Python itself lives under /root here and in CI, out of nobody's reach: the child starts as
# root, imports what it needs, then becomes nobody for good before it touches the server.
NOBODY_SCRIPT = """
import encodings.idna, imaplib, mailbox, os, pwd, sys
from email.message import EmailMessage
from pathlib import Path
from sandbox.mailserver import MailServer
nobody = pwd.getpwnam("nobody")
os.setgroups([])
os.setgid(nobody.pw_gid)
os.setuid(nobody.pw_uid)
with MailServer(Path(sys.argv[1]), {"a@cfa-demo.fr": "pw"}) as server:
    message = EmailMessage()
    message["Subject"] = "clé"
    message.set_content("corps")
    mailbox.Maildir(server.maildir("a@cfa-demo.fr"), create=True).add(message)
    client = server.connect()
    client.login("a@cfa-demo.fr", "pw")
    client.select("INBOX")
    print(client.fetch("1", "(BODY[TEXT])")[1][0][1].decode().strip())
    client.logout()
"""


def test_as_an_ordinary_user() -> None:
    """Root here (and in CI): the rest of the module covers root; this, an ordinary user."""
    if os.geteuid() != 0:
        pytest.skip("already run by an ordinary user: the other tests cover it")
    nobody = pwd.getpwnam("nobody")
    root = Path(tempfile.mkdtemp(prefix="mailserver-nobody-"))  # pytest's tmp is root-only
    try:
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        done = subprocess.run(
            [sys.executable, "-c", NOBODY_SCRIPT, str(root)], cwd=REPO,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "corps"
        maildir = root / "mail" / "a@cfa-demo.fr" / "Maildir"
        assert maildir.stat().st_uid == nobody.pw_uid
        config = (root / "dovecot.conf").read_text()
        assert "default_internal_user = nobody" in config and "chroot = /" not in config
    finally:
        shutil.rmtree(root)


def test_a_ctrl_c_the_kernel_hands_to_another_thread_still_stops_it(tmp_path: Path) -> None:
    """A process-wide signal goes to any of its threads. Taken by the thread that copies
    Dovecot's log, it once left the main thread asleep and the server running (seen once in a
    full run); here it is sent to that thread on purpose."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.mailserver", "--root", str(tmp_path / "root"),
         "--user", f"{ADDRESS}:{PASSWORD}"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("IMAP (none) on 127.0.0.1:")
        others = [int(t) for t in os.listdir(f"/proc/{process.pid}/task")
                  if int(t) != process.pid]
        assert others, "the server has a thread besides the main one"
        assert ctypes.CDLL(None, use_errno=True).tgkill(process.pid, others[0],
                                                        signal.SIGINT) == 0
        assert process.wait(timeout=15) == 0
    finally:
        process.kill()
        process.wait()
    assert not (tmp_path / "root" / "run" / "master.pid").exists()  # Dovecot stopped cleanly
