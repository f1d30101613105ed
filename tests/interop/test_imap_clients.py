"""smtp-mock's IMAP listeners (--imap with STARTTLS, --imaps) read by real clients: mutt,
Debian's check_imap_receive and check_email_delivery (monitoring-plugins-contrib), and our own
probe's round trip (`smtp-probe --verify imap://` and `imaps://`). One mock serves the module."""

import json
import os
import shutil
import smtplib
import subprocess
import uuid

import pytest

from mock_process import MockProcess, program
from terminal import run_on_terminal, visible

PLUGINS = "/usr/lib/nagios/plugins"
MUTT = shutil.which("mutt")


def plugin(name):
    path = os.path.join(PLUGINS, name)
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: ci/setup installs monitoring-plugins-contrib")
    return path


@pytest.fixture(scope="module")
def loop_mock(tmp_path_factory):
    d = tmp_path_factory.mktemp("imap-clients")
    (d / "users").write_text("carol:secret\n")
    m = MockProcess(["--imap", "127.0.0.1:0", "--imaps", "127.0.0.1:0",
                     "--users", str(d / "users"), "--write-ca", str(d / "ca.pem")])
    m.ca = str(d / "ca.pem")
    m.dir = d
    yield m
    m.stop()


def send(m, rcpt, subject, body="body\r\n"):
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        s.sendmail("mon@example.org", [rcpt],
                   f"From: mon@example.org\r\nTo: {rcpt}\r\nSubject: {subject}\r\n\r\n{body}")


def run(argv, timeout=60):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


@pytest.mark.skipif(MUTT is None, reason="mutt is installed by ci/setup")
@pytest.mark.parametrize("scheme", ["imap", "imaps"])
def test_mutt_reads_the_inbox_over_tls(loop_mock, tmp_path, scheme):
    user = f"mutt-{scheme}@example.com"
    subjects = [f"mutt over {scheme} {i}" for i in range(2)]
    for s in subjects:
        send(loop_mock, user, s, f"body of {s}\r\n")
    host, port = loop_mock.imap if scheme == "imap" else loop_mock.imaps
    rc = tmp_path / "muttrc"
    # imap:// with ssl_force_tls: mutt must upgrade with STARTTLS and verify the certificate.
    rc.write_text(f"set wait_key=no\nset pipe_decode=no\nset sort=mailbox-order\n"
                  f"set imap_pass=any\nset ssl_force_tls=yes\nset ssl_starttls=yes\n"
                  f"set ssl_ca_certificates_file={loop_mock.ca}\n"
                  f"set certificate_file={tmp_path / 'certs'}\nset folder={tmp_path}\n")
    out = tmp_path / "piped.txt"
    pipe = f"<pipe-entry>cat >> {out}<enter>"
    keys = "<first-entry>" + "<next-entry>".join([pipe] * len(subjects)) + "<quit>"
    url = f"{scheme}://{user.replace('@', '%40')}@{host}:{port}/INBOX"
    status, screen = run_on_terminal(
        [MUTT, "-n", "-F", str(rc), "-R", "-f", url, "-e", f'push "{keys}"'],
        {**os.environ, "TERM": "xterm", "HOME": str(tmp_path)}, timeout=30)
    assert status == 0, visible(screen)
    text = out.read_text() if out.exists() else ""
    for s in subjects:
        assert f"Subject: {s}" in text and f"body of {s}" in text, (text, visible(screen))


@pytest.mark.parametrize("tls", [[], ["--ssl", "--ssl-ca-file"]], ids=["imap", "imaps"])
def test_check_imap_receive_finds_and_deletes_the_message(loop_mock, tls):
    token = uuid.uuid4().hex
    send(loop_mock, "carol@example.com", f"receive {token}")
    host, port = loop_mock.imaps if tls else loop_mock.imap
    args = ["-H", host, "-p", str(port), "-U", "carol", "-P", "secret", "-s", "SUBJECT",
            "-s", token, "-w", "5", "-c", "10", "-t", "10", "--imap-retries", "1"]
    if tls:
        args += [tls[0], tls[1], loop_mock.ca]
    p = run([plugin("check_imap_receive"), *args])
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith("IMAP RECEIVE OK") and "1 found" in p.stdout
    assert "1 deleted" in p.stdout
    p = run([plugin("check_imap_receive"), *args])  # deleted: not found again
    assert p.returncode == 2 and "0 found" in p.stdout, p.stdout


def test_check_imap_receive_reports_a_refused_password(loop_mock):
    host, port = loop_mock.imap
    p = run([plugin("check_imap_receive"), "-H", host, "-p", str(port), "-U", "carol",
             "-P", "wrong", "-s", "SUBJECT", "-s", "x", "-t", "10"])
    assert p.returncode == 2 and "CRITICAL" in p.stdout, p.stdout


def test_check_email_delivery_round_trip(loop_mock):
    p = run([plugin("check_email_delivery"), "-H", loop_mock.host,
             "--smtp-port", str(loop_mock.port), "--imap-port", str(loop_mock.imap[1]),
             "--mailto", "carol@example.com", "--mailfrom", "mon@example.org",
             "--username", "carol", "--password", "secret", "--wait", "1,1",
             "-w", "5", "-c", "10", "-t", "30", "--libexec", PLUGINS])
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith("EMAIL DELIVERY OK"), p.stdout


@pytest.mark.parametrize("scheme", ["imap", "imaps"])
def test_probe_verify_round_trip(loop_mock, scheme):
    host, port = loop_mock.imap if scheme == "imap" else loop_mock.imaps
    p = run([program("SMTP_PROBE"), f"{loop_mock.host}:{loop_mock.port}",
             "--rcpt-to", "carol@example.com", "--ca-file", loop_mock.ca,
             "--verify", f"{scheme}://carol:secret@{host}:{port}", "--verify-timeout", "10s",
             "--format", "json"])
    result = json.loads(p.stdout)
    assert p.returncode == 0 and result["status"] == "OK", (p.stdout, p.stderr)
    assert result["delivery"]["latency_ms"] < 10000
    # The probe deleted its message: the mailbox holds none of its Message-IDs.
    texts = [t["text"] for t in result["transcript"]]
    assert any("found and deleted" in t or "EXPUNGE" in t for t in texts), texts
