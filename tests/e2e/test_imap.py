"""IMAP (RFC 3501) end to end with imaplib: --imap with STARTTLS, --imaps with TLS from the
first byte, passwords from --users, one mailbox shared with POP3, IDLE, and BYE at shutdown."""

import imaplib
import os
import poplib
import re
import smtplib
import socket
import ssl
from pathlib import Path

import pytest

from mock_process import MockProcess

MESSAGE = (b"From: a@example.com\r\nTo: carol@example.com\r\nSubject: loop 1\r\n"
           b"Message-ID: <loop-1@example.com>\r\n\r\nline one\r\n.line two\r\n")


@pytest.fixture(scope="module")
def imap_mock(tmp_path_factory):
    d = tmp_path_factory.mktemp("imap")
    (d / "users").write_text("carol:secret\n")
    m = MockProcess(["--imap", "127.0.0.1:0", "--imaps", "127.0.0.1:0", "--pop3", "127.0.0.1:0",
                     "--users", str(d / "users"), "--write-ca", str(d / "ca.pem")])
    m.ca = str(d / "ca.pem")
    yield m
    m.stop()


def send(m, rcpt, data):
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        s.sendmail("a@example.com", [rcpt], data)


def tls_context(m):
    ctx = ssl.create_default_context(cafile=m.ca)
    ctx.check_hostname = False  # the generated certificate names "localhost", we dial 127.0.0.1
    return ctx


def test_ready_line_names_both_listeners(imap_mock):
    assert imap_mock.imap[1] > 0 and imap_mock.imaps[1] > 0
    assert imap_mock.imap != imap_mock.imaps


def test_round_trip_over_starttls_is_byte_exact_and_expunge_reaches_pop3(imap_mock):
    send(imap_mock, "carol@example.com", MESSAGE)
    c = imaplib.IMAP4(*imap_mock.imap, timeout=10)
    assert "STARTTLS" in c.capabilities
    c.starttls(ssl_context=tls_context(imap_mock))
    assert c.login("carol", "secret")[0] == "OK"
    assert c.select("INBOX")[0] == "OK"
    typ, data = c.uid("SEARCH", None, "HEADER", "Message-ID", "<loop-1@example.com>")
    assert typ == "OK" and len(data[0].split()) == 1
    uid = data[0].split()[0]
    typ, data = c.uid("FETCH", uid, "(BODY.PEEK[] RFC822.SIZE)")
    assert typ == "OK" and data[0][1] == MESSAGE
    assert f"RFC822.SIZE {len(MESSAGE)}".encode() in data[0][0] + data[1]
    assert c.uid("STORE", uid, "+FLAGS", r"(\Deleted)")[0] == "OK"
    assert c.expunge()[0] == "OK"
    c.logout()
    p = poplib.POP3(*imap_mock.pop3, timeout=10)
    p.user("carol")
    p.pass_("secret")
    assert p.stat()[0] == 0  # the same mailbox: gone for POP3 too
    p.quit()


def test_imaps_serves_tls_from_the_first_byte_and_checks_the_password(imap_mock):
    c = imaplib.IMAP4_SSL(*imap_mock.imaps, ssl_context=tls_context(imap_mock), timeout=10)
    assert "STARTTLS" not in c.capabilities
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        c.login("carol", "wrong")
    assert c.login("carol", "secret")[0] == "OK"
    assert c.list()[1] and any(b"Junk" in line for line in c.list()[1])
    c.logout()


def test_idle_announces_a_message_that_arrives_meanwhile(imap_mock):
    c = imaplib.IMAP4(*imap_mock.imap, timeout=10)
    c.login("idler@example.com", "any")
    typ, data = c.select("INBOX")
    before = int(data[0])
    tag = c._new_tag().decode()
    c.send(f"{tag} IDLE\r\n".encode())
    assert c.readline().startswith(b"+")
    send(imap_mock, "idler@example.com", b"Subject: idle\r\n\r\nnews\r\n")
    line = c.readline()  # the folder is read again every 2 s while idling
    assert line == f"* {before + 1} EXISTS\r\n".encode()
    assert c.readline() == b"* 1 RECENT\r\n"
    c.send(b"DONE\r\n")
    assert c.readline().startswith(tag.encode() + b" OK")
    c.logout()


def test_a_stop_says_bye_to_open_sessions(start_mock):
    m = start_mock("--imap", "127.0.0.1:0")
    c = imaplib.IMAP4(*m.imap, timeout=10)
    c.login("x", "y")
    c.select("INBOX")
    assert m.stop() == 0
    assert c.readline().startswith(b"* BYE")  # written before the process exited


def test_the_transcript_of_docs_api_md_is_what_the_mock_says(start_mock):
    doc = (Path(os.environ.get("SMTPH_SOURCE_DIR", ".")) / "docs" / "api.md").read_text()
    block = doc.split("## IMAP (`--imap ADDR:PORT`")[1].split("```\n")[1]
    command, *expected = block.splitlines()
    sent = re.match(r"\$ printf '(.*)' \| nc 127\.0\.0\.1 1143$", command).group(1)
    m = start_mock("--imap", "127.0.0.1:0")
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        s.sendmail("alice@example.com", ["bob@example.com"],
                   b"Subject: hello\r\nFrom: alice@example.com\r\n\r\nHi Bob.\r\n")
    with socket.create_connection(m.imap, timeout=10) as c:
        c.sendall(sent.replace("\\r\\n", "\r\n").encode())
        got = b""
        while not got.endswith(b" OK LOGOUT completed\r\n"):
            chunk = c.recv(65536)
            assert chunk, got
            got += chunk
    uidvalidity = re.compile(r"UIDVALIDITY \d+")
    assert [uidvalidity.sub("UIDVALIDITY N", line) for line in got.decode().splitlines()] == \
        [uidvalidity.sub("UIDVALIDITY N", line) for line in expected]
