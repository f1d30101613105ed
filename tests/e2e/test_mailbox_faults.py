"""Mailbox faults end to end: SMTP works, and the mock's POP3 and IMAP services refuse the login,
hang at a command or reset the connection (rules at phase `verify`), or are down altogether
(their listeners closed), as poplib, imaplib and the probe's round trip (`smtp-probe --verify`)
see it. One mock serves the module; each test puts its faults in force through the control
API."""

import imaplib
import json
import poplib
import socket
import subprocess

import pytest

from mock_process import MockProcess, program


@pytest.fixture(scope="module")
def mock():
    m = MockProcess(["--imap", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--no-tls"])
    yield m
    m.stop()


def mailbox_rule(m, command, do):
    when = {"phase": "verify"} if command is None else {"phase": "verify", "command": command}
    m.api_json("PUT", "/api/v1/scenario", {"name": "mailbox", "rules": [{"when": when, "do": do}]})


def probe(m, protocol, user, verify_timeout="1s"):
    """The probe's send and round trip over `protocol`; returns its JSON result."""
    host, port = getattr(m, protocol)
    p = subprocess.run([program("SMTP_PROBE"), f"{m.host}:{m.port}", "--format", "json",
                        "--rcpt-to", f"{user}@example.com", "--verify",
                        f"{protocol}://{user}:any@{host}:{port}", "--verify-timeout",
                        verify_timeout], capture_output=True, text=True, timeout=60)
    return json.loads(p.stdout)


def failure(r):
    return r["status"], r["failure"]["kind"], r["failure"]["phase"]


def test_pop3_login_rejected_is_perm_failure_at_verify_with_the_servers_text(mock):
    mailbox_rule(mock, "PASS", {"reply": "535 5.7.8 Authentication failed"})
    p = poplib.POP3(*mock.pop3, timeout=10)
    p.user("bob")
    with pytest.raises(poplib.error_proto, match=r"-ERR \[AUTH\] Authentication failed"):
        p.pass_("any")
    p.quit()
    r = probe(mock, "pop3", "popbad")
    assert failure(r) == ("CRITICAL", "perm_failure", "verify"), r
    assert "[AUTH] Authentication failed" in r["failure"]["message"], r


def test_imap_login_rejected_is_perm_failure_at_verify(mock):
    mailbox_rule(mock, "LOGIN|AUTHENTICATE", {"reply": "535 5.7.8 Authentication failed"})
    c = imaplib.IMAP4(*mock.imap, timeout=10)
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        c.login("bob", "any")
    c.logout()
    r = probe(mock, "imap", "imapbad")
    assert failure(r) == ("CRITICAL", "perm_failure", "verify"), r


def test_imap_hang_at_select_is_timeout_at_verify_and_the_login_worked(mock):
    mailbox_rule(mock, "SELECT|EXAMINE", {"hang": True})
    c = imaplib.IMAP4(*mock.imap, timeout=0.5)
    c.login("bob", "any")
    with pytest.raises(socket.timeout):
        c.select("INBOX")
    c.shutdown()
    r = probe(mock, "imap", "selecthang")
    assert failure(r) == ("CRITICAL", "timeout", "verify"), r
    assert "no response to SELECT" in r["failure"]["message"], r


def test_pop3_hang_at_retr_is_timeout_at_verify(mock):
    mailbox_rule(mock, "RETR|TOP", {"hang": True})
    r = probe(mock, "pop3", "retrhang")
    assert failure(r) == ("CRITICAL", "timeout", "verify"), r
    assert "no response to TOP" in r["failure"]["message"], r


def test_mailbox_reset_is_reset_at_verify_while_smtp_delivers(mock):
    mailbox_rule(mock, None, {"close": "rst"})
    with pytest.raises(ConnectionError):  # reset, or a broken pipe on a reset socket
        poplib.POP3(*mock.pop3, timeout=10)
    before = len(mock.messages())
    r = probe(mock, "imap", "refused")
    assert failure(r) == ("CRITICAL", "reset", "verify"), r
    assert len(mock.messages()) == before + 1  # SMTP took the message


def test_a_closed_mailbox_listener_refuses_the_connect_while_smtp_delivers(mock):
    mock.api_json("PUT", "/api/v1/scenario", {"name": "mailbox-down", "rules": []})
    assert mock.api_json("PUT", "/api/v1/listener", {"mailbox": "closed"}) == \
        {"state": "open", "mailbox": "closed"}
    with pytest.raises(ConnectionRefusedError):
        poplib.POP3(*mock.pop3, timeout=10)
    with pytest.raises(ConnectionRefusedError):
        imaplib.IMAP4(*mock.imap, timeout=10)
    before = len(mock.messages())
    for protocol in ("pop3", "imap"):
        r = probe(mock, protocol, "down" + protocol)
        assert failure(r) == ("CRITICAL", "refused", "verify"), r
        assert "refused" in r["failure"]["message"], r
    assert len(mock.messages()) == before + 2  # SMTP took both messages

    # Opened again on the same ports: the mailbox service is back, with what SMTP delivered.
    assert mock.api_json("PUT", "/api/v1/listener", {"mailbox": "open"})["mailbox"] == "open"
    p = poplib.POP3(*mock.pop3, timeout=10)
    p.user("downpop3")
    p.pass_("any")
    assert p.stat()[0] == 1
    p.quit()


def test_a_scenario_with_its_mailbox_listener_closed_refuses_from_the_start(tmp_path):
    scenario = tmp_path / "down.yaml"
    scenario.write_text("name: down\nmailbox_listener: closed\nrules: []\n")
    m = MockProcess(["--imap", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--no-tls",
                     "--scenario", str(scenario)])
    try:
        with pytest.raises(ConnectionRefusedError):
            imaplib.IMAP4(*m.imap, timeout=10)
        assert m.api_json("GET", "/api/v1/listener") == {"state": "open", "mailbox": "closed"}
        m.api_json("DELETE", "/api/v1/scenario")  # the healthy scenario opens it
        imaplib.IMAP4(*m.imap, timeout=10).logout()
    finally:
        m.stop()


def test_the_rules_fire_counts_show_mailbox_faults(mock):
    mailbox_rule(mock, "USER", {"reply": "421 4.3.2 Mailbox service busy"})
    p = poplib.POP3(*mock.pop3, timeout=10)
    with pytest.raises(poplib.error_proto, match=r"-ERR \[SYS/TEMP\] Mailbox service busy"):
        p.user("bob")
    p.quit()
    [rule] = mock.api_json("GET", "/api/v1/rules")["rules"]
    assert rule["fired"] == 1, rule
