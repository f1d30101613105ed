"""STARTTLS (RFC 3207), implicit TLS (RFC 8314) and AUTH PLAIN/LOGIN (RFC 4954) end to end, with
Python's smtplib/ssl and with swaks, trusting the CA written by --write-ca."""

import shutil
import smtplib
import ssl
import subprocess

import pytest

from waiting import wait_for

MESSAGE = b"Subject: tls\r\n\r\nover tls\r\n"


@pytest.fixture
def secure_mock(start_mock, tmp_path):
    users = tmp_path / "users"
    users.write_text("# test users\nalice:wonder land\nbob:builder\n")
    ca = tmp_path / "ca.pem"
    m = start_mock("--users", str(users), "--write-ca", str(ca), "--listen-tls", "127.0.0.1:0")
    m.ca = ca
    return m


def context(ca):
    ctx = ssl.create_default_context(cafile=str(ca))
    ctx.check_hostname = True
    return ctx


def test_starttls_then_login_then_send(secure_mock):
    m = secure_mock
    with smtplib.SMTP(m.host, m.port, local_hostname="client.example", timeout=10) as s:
        s.ehlo()
        assert s.has_extn("starttls")
        code, _ = s.starttls(context=context(m.ca))
        assert code == 220
        assert s.sock.version() in ("TLSv1.2", "TLSv1.3")
        s.ehlo()  # RFC 3207 §4.2: the EHLO state is reset after the handshake
        assert not s.has_extn("starttls")
        assert "PLAIN" in s.esmtp_features["auth"] and "LOGIN" in s.esmtp_features["auth"]
        s.login("alice", "wonder land")
        s.sendmail("alice@example.com", ["bob@example.com"], MESSAGE)
    msg = m.api_json("GET", "/api/v1/messages")["messages"][0]  # stored before the 250
    assert msg["tls"] is True and msg["auth"] == "alice"
    # The record is completed as the session ends, just after the client saw 221.
    assert wait_for(
        lambda: m.api_json("GET", f"/api/v1/sessions/{msg['session']}")["ended_at"], 10)
    session = m.api_json("GET", f"/api/v1/sessions/{msg['session']}")
    assert session["tls"]["version"].startswith("TLSv1.")
    assert session["tls"]["cipher"]
    assert session["auth"] == "alice"
    assert session["outcome"] == "quit"


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_each_mechanism(secure_mock, mechanism):
    m = secure_mock
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        s.starttls(context=context(m.ca))
        s.ehlo()
        s.user, s.password = "bob", "builder"
        method = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login}[mechanism]
        code, _ = s.auth(mechanism, method, initial_response_ok=(mechanism == "PLAIN"))
        assert code == 235


def test_bad_password_is_535(secure_mock):
    m = secure_mock
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        s.starttls(context=context(m.ca))
        s.ehlo()
        with pytest.raises(smtplib.SMTPAuthenticationError) as e:
            s.login("alice", "wrong")
        assert e.value.smtp_code == 535
        assert e.value.smtp_error.startswith(b"5.7.8")


def test_unknown_mechanism_is_504(secure_mock):
    m = secure_mock
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        s.ehlo()
        code, _ = s.docmd("AUTH", "CRAM-MD5")
        assert code == 504


def test_implicit_tls_listener(secure_mock):
    m = secure_mock
    host, port = m.smtp_tls[0]
    with smtplib.SMTP_SSL(host, port, context=context(m.ca), timeout=10) as s:
        s.ehlo()
        assert not s.has_extn("starttls")
        s.login("bob", "builder")
        s.sendmail("bob@example.com", ["alice@example.com"], MESSAGE)
    msg = m.api_json("GET", "/api/v1/messages")["messages"][0]
    assert msg["tls"] is True and msg["auth"] == "bob"


def test_require_auth_refuses_mail_with_530(start_mock, tmp_path):
    users = tmp_path / "users"
    users.write_text("carol:pw\n")
    m = start_mock("--users", str(users), "--require-auth")
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        s.ehlo()
        code, text = s.mail("x@example.com")
        assert code == 530 and text.startswith(b"5.7.0")
        s.login("carol", "pw")
        code, _ = s.mail("x@example.com")
        assert code == 250


def test_auth_requires_tls_hides_auth_before_starttls(start_mock, tmp_path):
    users = tmp_path / "users"
    users.write_text("carol:pw\n")
    ca = tmp_path / "ca.pem"
    m = start_mock("--users", str(users), "--auth-requires-tls", "--write-ca", str(ca))
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        s.ehlo()
        assert not s.has_extn("auth")
        s.starttls(context=context(ca))
        s.ehlo()
        assert s.has_extn("auth")
        s.login("carol", "pw")


def test_wrong_ca_fails_verification(secure_mock, tmp_path):
    m = secure_mock
    ctx = ssl.create_default_context()  # the system CAs do not know the mock's CA
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        with pytest.raises(ssl.SSLCertVerificationError):
            s.starttls(context=ctx)


SWAKS = shutil.which("swaks")


@pytest.mark.skipif(SWAKS is None, reason="swaks is installed by ci/setup")
@pytest.mark.parametrize("auth", ["PLAIN", "LOGIN"])
def test_swaks_starttls_and_auth(secure_mock, auth):
    m = secure_mock
    p = subprocess.run([SWAKS, "--server", f"{m.host}:{m.port}", "--tls", "--tls-verify",
                        "--tls-ca-path", str(m.ca), "--auth", auth, "--auth-user", "alice",
                        "--auth-password", "wonder land", "--from", "alice@example.com",
                        "--to", "bob@example.com", "--header", f"Subject: swaks {auth}",
                        "--body", "hello from swaks"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "235 " in p.stdout
    assert "TLS started" in p.stdout
    msgs = m.api_json("GET", "/api/v1/messages")["messages"]
    assert len(msgs) == 1 and msgs[0]["tls"] is True and msgs[0]["auth"] == "alice"
    raw = m.http("GET", f"/api/v1/messages/{msgs[0]['id']}/raw")[2]
    assert f"Subject: swaks {auth}".encode() in raw and b"hello from swaks" in raw


@pytest.mark.skipif(SWAKS is None, reason="swaks is installed by ci/setup")
def test_swaks_bad_password_fails(secure_mock):
    m = secure_mock
    p = subprocess.run([SWAKS, "--server", f"{m.host}:{m.port}", "--tls", "--tls-ca-path",
                        str(m.ca), "--auth", "PLAIN", "--auth-user", "alice", "--auth-password",
                        "nope", "--from", "a@example.com", "--to", "b@example.com"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert "535 5.7.8" in p.stdout


@pytest.mark.skipif(SWAKS is None, reason="swaks is installed by ci/setup")
def test_swaks_implicit_tls(secure_mock):
    m = secure_mock
    host, port = m.smtp_tls[0]
    p = subprocess.run([SWAKS, "--server", f"{host}:{port}", "--tlsc", "--tls-verify",
                        "--tls-ca-path", str(m.ca), "--auth", "LOGIN", "--auth-user", "bob",
                        "--auth-password", "builder", "--from", "bob@example.com",
                        "--to", "alice@example.com"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert m.api_json("GET", "/api/v1/messages")["messages"][0]["tls"] is True
