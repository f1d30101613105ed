"""A private Dovecot instance for round-trip tests (POP3 and IMAP, plain and implicit TLS).

Everything lives in one temporary directory: configuration, a self-signed certificate made with
openssl at start, a passwd-file user database, the Maildir, logs, base_dir and state_dir. The
system Dovecot (/etc/dovecot, /run/dovecot) is never read or touched. Listeners are on
127.0.0.1 only, on free ports.

Dovecot must be started as root (it drops privileges itself). Mail is accessed as `nobody`
(Dovecot refuses mail access as root), so the directory is world-traversable and the Maildir is
owned by nobody. A process that delivers files readable only by their owner (smtp-mock's
Maildir store writes 0600) must therefore run as nobody too: see MAIL_USER.

Use from pytest through the `dovecot` fixture (tests/interop/conftest.py), or by hand:

    /usr/bin/python3 tests/interop/dovecot/rig.py      # prints one JSON line, Ctrl-C stops it
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "support"))

from mock_process import free_port  # noqa: E402
from waiting import wait_for  # noqa: E402

DOVECOT = shutil.which("dovecot", path="/usr/sbin:/usr/bin:/sbin:/bin") or "/usr/sbin/dovecot"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
MAIL_USER = "nobody"  # the system user Dovecot reads and writes mail as
START_TIMEOUT_S = 15.0
STOP_GRACE_S = 3.0  # Dovecot just started may take 6 s to stop gracefully; then it is killed
STOP_TIMEOUT_S = 10.0

CONFIG_TEMPLATE = """\
# Private test instance made by tests/interop/dovecot/rig.py; nothing here is the system's.
instance_name = {instance}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
debug_log_path = {root}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
shutdown_clients = yes
# No stats service: its handshake would delay login processes and shutdown.
stats_writer_socket_path =
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 1
first_valid_gid = 1
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3}
  }}
  inet_listener pop3s {{
    address = 127.0.0.1
    port = {pop3s}
    ssl = yes
  }}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0600
  }}
}}
"""


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class DovecotRig:
    """One private Dovecot. `start()` it, use it, `stop()` it."""

    user: str = "probe"  # the login name, and the Maildir's directory name under mail/
    password: str = "s3cr@t%p&ss"  # "@" and "%" exercise percent-decoding; no ":" (passwd-file)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="smtph-dovecot-")))
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def maildir(self) -> Path:
        """The test user's Maildir (INBOX): tmp/, new/, cur/."""
        return self.root / "mail" / self.user

    @property
    def log_path(self) -> Path:
        return self.root / "dovecot.log"

    def url(self, scheme: str, user: str | None = None, password: str | None = None) -> str:
        """A --verify URL for this instance, credentials percent-encoded."""
        from urllib.parse import quote

        u = quote(self.user if user is None else user, safe="")
        p = quote(self.password if password is None else password, safe="")
        return f"{scheme}://{u}:{p}@127.0.0.1:{self.ports[scheme]}"

    def start(self) -> "DovecotRig":
        if os.geteuid() != 0:
            raise RuntimeError("the Dovecot rig must run as root")
        nobody = pwd.getpwnam(MAIL_USER)
        os.chmod(self.root, 0o755)
        for sub in ("run", "state"):
            (self.root / sub).mkdir()
        for sub in ("tmp", "new", "cur"):
            (self.maildir / sub).mkdir(parents=True)
        for path in [self.root / "mail", self.maildir] + [self.maildir / s for s in ("tmp", "new", "cur")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
            os.chmod(path, 0o770 if path != self.root / "mail" else 0o755)
        self._make_certificate()
        (self.root / "users").write_text(
            f"{self.user}:{{PLAIN}}{self.password}:{nobody.pw_uid}:{nobody.pw_gid}::{self.maildir}::\n"
        )
        os.chmod(self.root / "users", 0o644)
        last_error = ""
        for _ in range(3):  # a port taken between free_port() and bind: try new ports
            self.ports = {name: free_port() for name in ("pop3", "imap", "pop3s", "imaps")}
            (self.root / "dovecot.conf").write_text(
                CONFIG_TEMPLATE.format(
                    root=self.root,
                    instance=f"smtph-{uuid.uuid4().hex[:8]}",
                    uid=nobody.pw_uid,
                    gid=nobody.pw_gid,
                    **self.ports,
                )
            )
            self.process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                stdout=open(self.root / "dovecot.stdout", "wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            if wait_for(lambda: self.process.poll() is not None
                        or all(port_open(p) for p in self.ports.values()), START_TIMEOUT_S) \
                    and self.process.poll() is None:
                return self
            last_error = self._diagnostics()
            self.stop()
        raise RuntimeError(f"Dovecot did not start:\n{last_error}")

    def stop(self) -> None:
        """Stops this instance (and only this instance) and waits for it to exit."""
        if self.process is None:
            return
        if self.process.poll() is None:
            # The master stops its own children; the group kill is only the fallback.
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT_S)
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def deliver(self, message: bytes, name: str | None = None) -> Path:
        """Puts a message in the Maildir as an MTA would: write to tmp/, then rename to new/."""
        name = name or f"{time.time_ns()}.{uuid.uuid4().hex}.smtph"
        tmp = self.maildir / "tmp" / name
        tmp.write_bytes(message)
        os.chmod(tmp, 0o644)
        final = self.maildir / "new" / name
        os.rename(tmp, final)
        return final

    def messages(self) -> list[Path]:
        """Files in new/ and cur/ (messages not yet expunged)."""
        return sorted(
            p for sub in ("new", "cur") for p in (self.maildir / sub).iterdir() if p.is_file()
        )

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def _make_certificate(self) -> None:
        subprocess.run(
            [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", str(self.root / "key.pem"), "-out", str(self.root / "cert.pem")],
            check=True, capture_output=True, timeout=60,
        )
        os.chmod(self.root / "key.pem", 0o600)

    def _diagnostics(self) -> str:
        out = ""
        try:
            out = (self.root / "dovecot.stdout").read_text(errors="replace")
        except OSError:
            pass
        return out + self.log()


def make_message(message_id: str, subject: str = "smtp-harness round trip", body: str = "test\r\n") -> bytes:
    """A small RFC 5322 message carrying `message_id` (angle brackets added when missing)."""
    mid = message_id if message_id.startswith("<") else f"<{message_id}>"
    return (
        "Return-Path: <probe@example.test>\r\n"
        "From: probe@example.test\r\n"
        "To: probe@example.test\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: {mid}\r\n"
        "Date: Fri, 27 Nov 2026 12:00:00 +0000\r\n"
        "\r\n" + body
    ).encode()


if __name__ == "__main__":
    rig = DovecotRig().start()
    print(json.dumps({"event": "ready", "root": str(rig.root), "maildir": str(rig.maildir),
                      "user": rig.user, "password": rig.password, **rig.ports}), flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        rig.cleanup()
    sys.exit(0)
