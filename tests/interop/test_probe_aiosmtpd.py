"""smtp-probe against aiosmtpd (a server we did not write): healthy, STARTTLS with a certificate
made by `openssl req`, AUTH, and a full round trip through a real Dovecot over POP3 and IMAP."""

import json
import os
import subprocess
import ssl
import time

import pytest

from mock_process import free_port
from waiting import wait_for

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
from aiosmtpd.smtp import AuthResult  # noqa: E402


def probe_program():
    path = os.environ.get("SMTP_PROBE")
    if not path:
        pytest.fail("SMTP_PROBE is not set: run through ctest")
    return path


def run_probe(*args, timeout=60):
    out = subprocess.run([probe_program(), "--format", "json", *args], capture_output=True,
                         timeout=timeout)
    lines = out.stdout.decode().splitlines()
    assert len(lines) == 1, out
    return json.loads(lines[0]), out.returncode


class Recorder:
    """Keeps every message; optionally hands it on (to a Dovecot maildir)."""

    def __init__(self, forward=None):
        self.messages = []
        self.forward = forward

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        if self.forward:
            self.forward(envelope.original_content or envelope.content)
        return "250 2.0.0 Ok: queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"probe" and auth_data.password == b"s3cret"
    # handled=False lets aiosmtpd send its 535; a bare failure makes aiosmtpd 1.4 hang.
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for localhost/127.0.0.1, valid 20 days."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "20",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out",
                    str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def aiosmtpd():
    """Starts aiosmtpd controllers on free loopback ports; stops them afterwards."""
    started = []

    def start(handler, **kwargs):
        port = free_port()
        c = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=port,
                                           ready_timeout=10, **kwargs)
        c.start()
        started.append(c)
        return port

    yield start
    for c in started:
        c.stop()


def test_healthy_send_is_received_dot_unstuffed(aiosmtpd):
    rec = Recorder()
    port = aiosmtpd(rec)
    result, rc = run_probe("--send", "--mail-from", "probe@example.test", "--rcpt-to",
                           "rcpt@example.test", f"127.0.0.1:{port}")
    assert rc == 0 and result["status"] == "OK", result
    assert len(rec.messages) == 1
    env = rec.messages[0]
    assert env.mail_from == "probe@example.test"
    assert env.rcpt_tos == ["rcpt@example.test"]
    body = env.original_content.decode()
    assert f"Message-ID: <{result['delivery']['message_id']}>" in body
    # The lone dot the probe stuffed arrives as a lone dot again (RFC 5321 §4.5.2).
    assert "\r\n.\r\nEnd of test message.\r\n" in body
    assert "\r\n.The next line" in body


def test_starttls_verification_insecure_and_ca_file(aiosmtpd, certificate):
    cert, key = certificate
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(cert), str(key))
    port = aiosmtpd(Recorder(), tls_context=ctx, require_starttls=True)
    target = f"127.0.0.1:{port}"

    # A self-signed certificate fails verification: tls_error at tls.
    result, rc = run_probe("--starttls", target)
    assert (result["failure"]["kind"], result["failure"]["phase"]) == ("tls_error", "tls"), result
    assert "self-signed" in result["failure"]["message"] or "self signed" in result[
        "failure"]["message"]
    assert rc == 2

    # --insecure skips verification but still reports the certificate.
    result, rc = run_probe("--starttls", "--insecure", "--send", target)
    assert rc == 0, result
    assert result["tls"]["version"].startswith("TLSv1.")
    assert result["tls"]["certificate"]["subject"] == "CN=localhost"
    assert 18 <= result["tls"]["certificate"]["days_left"] <= 20

    # Trusting the certificate as a CA verifies it, host name and address included.
    result, rc = run_probe("--starttls", "--ca-file", str(cert), target)
    assert rc == 0, result
    result, rc = run_probe("--starttls", "--ca-file", str(cert), "--sni", "localhost", target)
    assert rc == 0, result
    result, rc = run_probe("--starttls", "--ca-file", str(cert), "--sni", "mx.example.test",
                           target)
    assert result["failure"]["kind"] == "tls_error", result

    # 20 days left: WARNING under --cert-days 30, CRITICAL under 30,25.
    result, rc = run_probe("--starttls", "--insecure", "--cert-days", "30", target)
    assert (result["failure"]["kind"], result["failure"]["phase"], rc) == (
        "cert_expiring", "tls", 1), result
    result, rc = run_probe("--starttls", "--insecure", "--cert-days", "30,25", target)
    assert rc == 2 and result["status"] == "CRITICAL", result


def test_starttls_required_but_not_offered(aiosmtpd):
    port = aiosmtpd(Recorder())
    result, rc = run_probe("--starttls", f"127.0.0.1:{port}")
    assert (result["failure"]["kind"], result["failure"]["phase"]) == (
        "capability_missing", "starttls"), result
    assert rc == 2


def test_auth_plain_accepted_and_refused(aiosmtpd):
    port = aiosmtpd(Recorder(), authenticator=authenticator, auth_require_tls=False)
    target = f"127.0.0.1:{port}"
    result, rc = run_probe("--auth", "probe:s3cret", "--send", target)
    assert rc == 0, result
    assert "auth" in result["timings_ms"]
    assert not any("s3cret" in e["text"] for e in result["transcript"])
    result, rc = run_probe("--auth", "probe:wrong", target)
    assert (result["failure"]["kind"], result["failure"]["phase"]) == ("perm_failure", "auth")
    assert result["failure"]["code"] == 535
    assert rc == 2


@pytest.mark.parametrize("scheme", ["pop3", "imap", "pop3s", "imaps"])
def test_round_trip_through_dovecot(aiosmtpd, dovecot, scheme):
    port = aiosmtpd(Recorder(forward=dovecot.deliver))
    url = dovecot.url(scheme)
    if scheme.endswith("s"):
        url += "?insecure"  # the rig's certificate is self-signed
    result, rc = run_probe("--verify", url, "--verify-timeout", "20", f"127.0.0.1:{port}")
    assert rc == 0, result
    assert result["delivery"]["latency_ms"] is not None
    assert 0 <= result["delivery"]["latency_ms"] < 20000
    assert "verify" in result["timings_ms"]
    # The probe deletes its message once found.
    assert wait_for(lambda: dovecot.messages() == [], 10), dovecot.messages()


def test_round_trip_not_delivered(aiosmtpd, dovecot):
    port = aiosmtpd(Recorder())  # accepts, but never delivers
    started = time.monotonic()
    result, rc = run_probe("--verify", dovecot.url("pop3"), "--verify-timeout", "2",
                           f"127.0.0.1:{port}")
    assert (result["failure"]["kind"], result["failure"]["phase"]) == ("not_delivered", "verify")
    assert rc == 2
    assert time.monotonic() - started < 10
