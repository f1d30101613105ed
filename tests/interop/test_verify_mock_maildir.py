"""The whole delivery path without our probe: a message sent over SMTP to smtp-mock, written by
its Maildir store (`--store maildir:DIR`) into a private Dovecot's Maildir, found and deleted by
the verifier over POP3 and IMAP. Also the verifier against smtp-mock's own POP3 server.

smtp-mock writes message files 0600, and Dovecot refuses to read mail as root, so the mock runs
as the rig's mail user (nobody) here."""

import json
import os
import tempfile
import shutil
import pwd
import select
import signal
import smtplib
import subprocess
import time
import uuid
from email.message import EmailMessage

import pytest

from rig import MAIL_USER, DovecotRig
from verify_tool import run_verify

RCPT = "probe@example.test"


def mock_program() -> str:
    path = os.environ.get("SMTP_MOCK")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("set SMTP_MOCK to the built smtp-mock program")
    return path


def start_mock(*args, user=None, cwd=None):
    """Starts smtp-mock and returns (process, ready JSON)."""
    kwargs = {}
    program = mock_program()
    if user is not None:
        pw = pwd.getpwnam(user)
        kwargs = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        # The build tree may sit in a directory only root can enter (a mktemp -d clone): run a
        # copy the other user can reach.
        copy_dir = tempfile.mkdtemp(prefix="smtph-mock-bin-")
        os.chmod(copy_dir, 0o755)
        program = shutil.copy(program, os.path.join(copy_dir, "smtp-mock"))
        os.chmod(program, 0o755)
    proc = subprocess.Popen(
        [program, "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, **kwargs)
    deadline = time.monotonic() + 10
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            proc.kill()
            pytest.fail("smtp-mock printed no ready line in time")
        readable, _, _ = select.select([proc.stdout], [], [], left)
        if readable:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                pytest.fail("smtp-mock exited: " + proc.stderr.read().decode(errors="replace"))
            line += chunk
    return proc, json.loads(line.split(b"\n", 1)[0])


def stop_mock(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def send(ready, message_id):
    host, _, port = ready["smtp"][0].rpartition(":")
    msg = EmailMessage()
    msg["From"] = "monitor@example.test"
    msg["To"] = RCPT
    msg["Subject"] = "round trip"
    msg["Message-ID"] = f"<{message_id}>"
    msg.set_content("line one\n.\n..leading dots survive\n")
    with smtplib.SMTP(host, int(port), timeout=10) as smtp:
        smtp.send_message(msg)


@pytest.fixture
def rig_for_mock():
    if os.geteuid() != 0:
        pytest.fail("the Dovecot rig needs root")
    rig = DovecotRig(user=RCPT).start()  # the mock files mail under DIR/<recipient>/
    try:
        yield rig
    finally:
        rig.cleanup()


@pytest.mark.parametrize("scheme", ["pop3", "imap"])
def test_message_written_by_smtp_mock_is_found_in_dovecot_and_deleted(rig_for_mock, scheme):
    rig = rig_for_mock
    proc, ready = start_mock("--store", f"maildir:{rig.root / 'mail'}", "--no-tls",
                             user=MAIL_USER, cwd=str(rig.root))
    try:
        message_id = f"{scheme}-{uuid.uuid4().hex}@probe.smtp-harness.test"
        send(ready, message_id)
        rc, out, _ = run_verify(rig.url(scheme), message_id, 10000, 200)
    finally:
        stop_mock(proc)
    assert rc == 0, out
    assert out["delivered"] is True
    assert message_id in out["detail"]
    assert rig.messages() == []


def test_verifier_against_smtp_mock_pop3():
    proc, ready = start_mock("--pop3", "127.0.0.1:0", "--no-tls")
    try:
        message_id = f"mockpop-{uuid.uuid4().hex}@probe.smtp-harness.test"
        send(ready, message_id)
        host, _, port = ready["pop3"].rpartition(":")
        url = f"pop3://probe%40example.test:any@{host}:{port}"
        rc, out, _ = run_verify(url, message_id, 10000, 200)
        assert rc == 0, out
        assert out["delivered"] is True
        rc, out, _ = run_verify(url, message_id, 800, 200)
        assert rc == 1 and out["kind"] == "not_delivered", out  # it was deleted
    finally:
        stop_mock(proc)
