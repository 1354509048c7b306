"""A real IMAP server for the tests and the demo: a private Dovecot on 127.0.0.1.

Everything lives under the caller's `root` folder: the generated configuration, Dovecot's run
and state directories, its log, the users' passwd-files, the mail and, for the TLS modes, a
throw-away CA and server certificate. No system path, system user or system Dovecot is used;
the port is a free one.

A user is an e-mail address; its mail is the Maildir `maildir(address)`, to which a simulated
portal delivers as a local delivery agent does:

    mailbox.Maildir(server.maildir("cle-api@cfa-demo.fr"), create=True).add(message)

Run by root, Dovecot refuses root for its login processes and for mail access, so both run as
`nobody`; the mail processes are chrooted into `<root>/mail` (nobody needs no access to the
folders above it) and the mail tree is given to nobody. A delivered message must then be
readable by others, as it is with the usual umask (022). Run by an ordinary user, everything
runs as that user.

`python -m sandbox.mailserver --root DIR --user ADDR:PASS ...` serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import grp
import hashlib
import imaplib
import ipaddress
import mailbox
import os
import pwd
import re
import secrets
import select
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DOVECOT = Path("/usr/sbin/dovecot")
SECURITIES = ("none", "starttls", "ssl")
# Root may not own the login or mail processes: they run as this unprivileged user.
UNPRIVILEGED_USER = "nobody"

PORT_TAKEN = "Address already in use"  # as Dovecot logs it
# An address is also a file name (its passwd-file) and a line of a passwd-file.
_ADDRESS = re.compile(r"[^\s/:@]+@[^\s/:@]+")


class MailServer:
    """A private Dovecot serving IMAP on `host`:`port` for the Maildirs under `root`/mail.

    `security`: "none" (plain IMAP, plaintext login allowed), "starttls" or "ssl" (implicit
    TLS), both with a certificate for 127.0.0.1 and localhost signed by the CA in `cafile`.
    Dovecot counts a loopback connection as secure, so even in "starttls" mode it accepts a
    login that did not start TLS first.
    """

    host = "127.0.0.1"

    def __init__(self, root: Path, users: Mapping[str, str] | None = None,
                 security: str = "none", start_timeout: float = 30.0) -> None:
        if security not in SECURITIES:
            raise ValueError(f"security must be one of {SECURITIES}, not {security!r}")
        self.root = Path(root).resolve()
        self.security = security
        self.start_timeout = start_timeout
        self.port = 0  # known once started
        self.cafile: Path | None = self.root / "tls" / "ca.pem" if security != "none" else None
        self.log = self.root / "log" / "dovecot.log"
        self._users: dict[str, str] = {}
        self._process: subprocess.Popen[bytes] | None = None
        # Root may not be the mail user: nobody is, in a chroot (see the module's doc).
        self._mail_owner = pwd.getpwnam(UNPRIVILEGED_USER) if os.geteuid() == 0 else None
        for address, password in (users or {}).items():
            self.add_user(address, password)

    # ----- users and mail ---------------------------------------------------------------

    @property
    def users(self) -> dict[str, str]:
        """Address (lowercased) -> password, a copy."""
        return dict(self._users)

    def maildir(self, address: str) -> Path:
        """The Maildir of `address`, where its mail is delivered and Dovecot reads it."""
        return self.root / "mail" / address.lower() / "Maildir"

    def add_user(self, address: str, password: str) -> None:
        """Create a mailbox and its login; a running server accepts it at once."""
        address = address.lower()
        if not _ADDRESS.fullmatch(address):
            raise ValueError(f"not a usable e-mail address: {address!r}")
        if address in self._users:
            raise ValueError(f"{address} is already a user")
        maildir = self.maildir(address)
        maildir.parent.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(maildir, create=True)
        if self._mail_owner:
            for path in (maildir.parents[1], maildir.parent, maildir, *maildir.rglob("*")):
                os.chown(path, self._mail_owner.pw_uid, self._mail_owner.pw_gid)
        # One passwd-file per user: Dovecot rereads a passwd-file only when its whole-second
        # mtime or its size changed, and at most once a second, so a user added to a shared
        # file could be refused for up to a second; a missing file is never cached, so a new
        # user's file is read at its first login. The password is hashed, so no ':' in it can
        # break the line and no plaintext lies on disk.
        salt = secrets.token_bytes(8)
        digest = base64.b64encode(hashlib.sha256(password.encode() + salt).digest() + salt)
        passwd = self.root / "passwd.d" / address
        passwd.parent.mkdir(parents=True, exist_ok=True)
        partial = passwd.with_name(f".{address}.partial")
        partial.write_text(f"{address}:{{SSHA256}}{digest.decode()}\n")
        partial.chmod(0o600)
        partial.replace(passwd)  # Dovecot never reads half a line
        self._users[address] = password

    # ----- running ----------------------------------------------------------------------

    def start(self) -> MailServer:
        """Start Dovecot; return once it greets an IMAP client, raise with its log if not."""
        if self._process:
            raise RuntimeError("the mail server is already running")
        if not DOVECOT.exists():
            raise RuntimeError(f"{DOVECOT} is missing: install the Debian package dovecot-imapd")
        if self.cafile:
            self._write_certificates()
        for _ in range(3):
            self.port = _free_port()
            failure = self._launch()
            if failure is None:
                return self
            # Another program may take the free port before Dovecot binds it: take another.
            if PORT_TAKEN not in self._logs():
                break
        raise RuntimeError(f"Dovecot did not start: {failure}\n{self._logs()}")

    def stop(self) -> None:
        """Stop Dovecot and all its processes, open IMAP sessions included; wait for them."""
        process, self._process = self._process, None
        if not process or process.poll() is not None:
            return
        # The whole group at once: stopped alone, the master lets open sessions (and the log
        # and stats processes serving them) run on as orphans, and spends a second on it;
        # this way they all die while it still waits for them and reaps them.
        members = _pidfds(process.pid)  # the group, to see each of its processes go
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # The master gone, a session process may still be on its way out, or be a zombie
        # that init reaps later (seconds, on this machine): wait until each is reaped
        # (bounded), then none is left behind.
        try:
            if not _reaped(members, timeout=10):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        finally:
            for fd in members:
                os.close(fd)

    @property
    def pid(self) -> int | None:
        """Dovecot's master process, while it runs."""
        return self._process.pid if self._process else None

    def connect(self, timeout: float = 10.0) -> imaplib.IMAP4:
        """An IMAP client of this server, not logged in; TLS as `security` says, verified."""
        if self.security == "ssl":
            return imaplib.IMAP4_SSL(self.host, self.port, ssl_context=self._tls_context(),
                                     timeout=timeout)
        client = imaplib.IMAP4(self.host, self.port, timeout=timeout)
        if self.security == "starttls":
            client.starttls(ssl_context=self._tls_context())
        return client

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    # ----- inside -----------------------------------------------------------------------

    def _launch(self) -> str | None:
        """Run Dovecot on self.port; None once it greets, else why not."""
        for folder in ("run", "state", "log"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        config = self.root / "dovecot.conf"
        config.write_text(self._config())
        self.log.unlink(missing_ok=True)  # a retry's log tells only of that try
        # Dovecot logs to its stderr; a thread copies it into self.log and says when the master
        # has started (it logs so once its listeners are bound) or has ended.
        self._process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(config)], start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        said = threading.Event()
        threading.Thread(target=self._copy_log, args=(self._process, said), daemon=True).start()
        if not said.wait(self.start_timeout):
            self.stop()
            return f"no word within {self.start_timeout} s"
        # Dovecot runs on without a listener it could not bind.
        if PORT_TAKEN in self._logs():
            self.stop()
            return f"its port {self.port} was taken"
        if self._process.poll() is not None:
            self._process = None
            return "it exited"
        try:
            self.connect(timeout=self.start_timeout).logout()
        except (OSError, imaplib.IMAP4.error) as error:
            self.stop()
            return f"no greeting ({type(error).__name__}: {error})"
        return None

    def _copy_log(self, process: subprocess.Popen[bytes], said: threading.Event) -> None:
        assert process.stdout is not None
        with self.log.open("ab") as log:
            for line in process.stdout:
                log.write(line)
                log.flush()
                if b"starting up" in line or PORT_TAKEN.encode() in line:
                    said.set()
        said.set()  # it ended

    def _logs(self) -> str:
        text = self.log.read_text(errors="replace").strip() if self.log.exists() else ""
        return f"--- {self.log} ---\n{text or '(empty)'}"

    def _config(self) -> str:
        root = self.root
        if self._mail_owner:
            # Root: the internal processes (auth reads root's passwd-files) stay root, which
            # Dovecot allows. The login processes refuse root ("This process must not be run
            # as root"), and so do the mail processes ("userdb returned 0 as uid"; mail_uid 0
            # is below first_valid_uid/gid, and with those at 0, "Mail access not allowed for
            # root"): they run as nobody, the mail ones chrooted into the mail tree.
            owner = self._mail_owner
            internal_user, internal_group = "root", grp.getgrgid(0).gr_name
            login_user = owner.pw_name
            mail = (f"mail_uid = {owner.pw_uid}\nmail_gid = {owner.pw_gid}\n"
                    f"mail_chroot = {root}/mail\nvalid_chroot_dirs = {root}/mail\n")
            home = "/%u"
        else:
            # An ordinary user can change neither user nor root: every process is this one.
            internal_user = login_user = pwd.getpwuid(os.geteuid()).pw_name
            internal_group = grp.getgrgid(os.getegid()).gr_name
            mail = ""
            home = f"{root}/mail/%u"
        imap_port, imaps_port = (0, self.port) if self.security == "ssl" else (self.port, 0)
        if self.security == "none":
            tls = "ssl = no\ndisable_plaintext_auth = no\n"
        else:
            tls = (f"ssl = required\nssl_cert = <{root}/tls/server.pem\n"
                   f"ssl_key = <{root}/tls/server.key\n")
        return f"""\
# Generated by sandbox.mailserver: a private Dovecot, nothing shared with a system one.
base_dir = {root}/run
state_dir = {root}/state
log_path = /dev/stderr
protocols = imap
listen = {self.host}
{tls}# Dovecot's default users and group (dovecot, dovenull) are system ones: not ours.
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
{mail}mail_location = maildir:~/Maildir
# One mailbox per address, whatever case the client types.
auth_username_format = %Lu
auth_verbose = yes
# A refused login answers at once, and failures from 127.0.0.1 do not slow every later login
# (anvil's penalty grows to 15 s): the tests make refusals on purpose.
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=SSHA256 {root}/passwd.d/%u
}}
userdb {{
  driver = static
  args = home={home}
}}
protocol imap {{
  # Many retrievals may poll one mailbox at once.
  mail_max_userip_connections = 100
}}
# Dovecot chroots these two by default, which only root may do: not here, so that an ordinary
# user can run this configuration too.
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    # mode 0: the socket is not created, which turns the penalty off (even for root).
    mode = 0
  }}
}}
"""

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)

    def _write_certificates(self) -> None:
        """A throw-away CA (cafile) and its certificate for 127.0.0.1 and localhost."""
        folder = self.root / "tls"
        folder.mkdir(parents=True, exist_ok=True)
        # Ten years either way: a test may start the server with a moved clock (time-machine)
        # while OpenSSL checks against the real one, or move the clock once it runs.
        now = datetime.now(UTC)
        since, until = now - timedelta(days=3650), now + timedelta(days=3650)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                "key-retriever sandbox mail CA")])
        ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
        ca = (x509.CertificateBuilder()
              .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
              .serial_number(x509.random_serial_number())
              .not_valid_before(since)
              .not_valid_after(until)
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                           key_encipherment=False, data_encipherment=False,
                                           key_agreement=False, key_cert_sign=True,
                                           crl_sign=True, encipher_only=False,
                                           decipher_only=False), critical=True)
              .add_extension(ca_ski, critical=False)
              .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        server = (x509.CertificateBuilder()
                  .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                              "localhost")]))
                  .issuer_name(ca_name).public_key(key.public_key())
                  .serial_number(x509.random_serial_number())
                  .not_valid_before(since)
                  .not_valid_after(until)
                  .add_extension(x509.SubjectAlternativeName([
                      x509.DNSName("localhost"),
                      x509.IPAddress(ipaddress.ip_address(self.host))]), critical=False)
                  .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                 critical=True)
                  .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                                 critical=False)
                  .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                 critical=False)
                  .add_extension(
                      x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                      critical=False)
                  .sign(ca_key, hashes.SHA256()))
        pem = serialization.Encoding.PEM
        key_file = folder / "server.key"
        key_file.touch(mode=0o600)
        key_file.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        (folder / "server.pem").write_bytes(server.public_bytes(pem))
        (folder / "ca.pem").write_bytes(ca.public_bytes(pem))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((MailServer.host, 0))
        return int(probe.getsockname()[1])


def _pidfds(pgid: int) -> dict[int, int]:
    """A pidfd for each process of the group, with its pid."""
    fds = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                fds[os.pidfd_open(int(entry.name))] = int(entry.name)
        except (OSError, ValueError, IndexError):  # ended meanwhile
            continue
    return fds


def _reaped(members: dict[int, int], timeout: float) -> bool:
    """Wait until each process is reaped (gone from /proc), not only ended; False if not."""
    poller = select.poll()
    for fd in members:
        poller.register(fd, 0)  # only POLLHUP: the kernel says so once a process is reaped
    pending = dict(members)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        poller.poll(100)  # bounded, for kernels that do not say it (before Linux 6.9)
        for fd, pid in list(pending.items()):
            if not Path(f"/proc/{pid}").exists():
                poller.unregister(fd)
                del pending[fd]
    return not pending


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.mailserver",
        description="Serve IMAP with a private Dovecot until Ctrl-C.")
    parser.add_argument("--root", type=Path, required=True,
                        help="folder for everything: config, logs, mail (ROOT/mail/ADDR/Maildir)")
    parser.add_argument("--user", action="append", default=[], metavar="ADDR:PASS",
                        help="a mailbox and its password (repeatable)")
    parser.add_argument("--security", choices=SECURITIES, default="none")
    args = parser.parse_args(argv)
    users = dict(u.split(":", 1) for u in args.user)
    # A Ctrl-C (or a kill) writes a byte that the main thread waits for. The kernel may hand the
    # signal to the log-copying thread, and then signal.pause() in the main one slept on, with
    # Dovecot; the wake-up byte is written whichever thread takes it, and waits if it comes early.
    woken, wake = socket.socketpair()
    wake.setblocking(False)
    signal.set_wakeup_fd(wake.fileno())
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: None)  # the byte is the message
    with MailServer(args.root, users, args.security) as server:
        print(f"IMAP ({server.security}) on {server.host}:{server.port}")
        if server.cafile:
            print(f"CA certificate: {server.cafile}")
        for address in server.users:
            print(f"{address}: {server.maildir(address)}")
        print(f"log: {server.log}\nCtrl-C to stop", flush=True)
        woken.recv(1)


if __name__ == "__main__":
    main()

