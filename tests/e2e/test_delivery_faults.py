"""Delivery faults (`do.deliver` at data_end) end to end: the message is accepted with 250 and
then reaches the mailboxes never, late, in Junk, twice or changed, as POP3, IMAP and the
probe's round trip (`smtp-probe --verify`, `--max-delivery-time`) see it. One mock serves the
module; each test puts its scenario in force through the control API."""

import imaplib
import json
import poplib
import smtplib
import subprocess
import uuid

import pytest

from mock_process import MockProcess, program


@pytest.fixture(scope="module")
def loop_mock():
    m = MockProcess(["--imap", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--no-tls"])
    yield m
    m.stop()


def deliver(m, how):
    m.api_json("PUT", "/api/v1/scenario", {
        "name": "delivery", "rules": [{"when": {"phase": "data_end"}, "do": {"deliver": how}}]})


def probe(m, user, *extra, verify_timeout="5s", scheme="imap"):
    """Runs the probe's round trip over IMAP (or POP3) for `user`; returns its JSON result."""
    host, port = m.imap if scheme == "imap" else m.pop3
    p = subprocess.run([program("SMTP_PROBE"), f"{m.host}:{m.port}", "--format", "json",
                        "--rcpt-to", f"{user}@example.com", "--verify",
                        f"{scheme}://{user}:any@{host}:{port}", "--verify-timeout", verify_timeout,
                        *extra], capture_output=True, text=True, timeout=60)
    return json.loads(p.stdout)


def send(m, user, subject="loop", body="original body\r\n"):
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        s.sendmail("mon@example.org", [f"{user}@example.com"],
                   f"Subject: {subject}\r\nMessage-ID: <{uuid.uuid4().hex}@x>\r\n\r\n{body}")


def imap_folder(m, user, folder="INBOX"):
    """The messages of one folder, as IMAP serves them."""
    c = imaplib.IMAP4(*m.imap, timeout=10)
    c.login(user, "any")
    _, exists = c.select(folder, readonly=True)
    data = c.fetch("1:*", "(BODY.PEEK[])")[1] if exists != [b"0"] else []
    c.logout()
    return [d[1] for d in data if isinstance(d, tuple)]


def pop3_count(m, user):
    p = poplib.POP3(*m.pop3, timeout=10)
    p.user(user)
    p.pass_("any")
    n = p.stat()[0]
    p.quit()
    return n


def test_accepted_but_never_delivered_is_not_delivered_at_verify(loop_mock):
    deliver(loop_mock, {"to": "nowhere"})
    r = probe(loop_mock, "lost", verify_timeout="1s")
    assert r["status"] == "CRITICAL", r
    assert any(t["text"].startswith("250 2.0.0") for t in r["transcript"]), r  # accepted
    assert (r["failure"]["kind"], r["failure"]["phase"]) == ("not_delivered", "verify"), r
    assert pop3_count(loop_mock, "lost") == 0 and imap_folder(loop_mock, "lost") == []
    assert loop_mock.messages()[-1]["to"] == ["lost@example.com"]  # the mock did store it


def test_a_late_delivery_is_found_with_its_latency_and_judged_by_max_delivery_time(loop_mock):
    deliver(loop_mock, {"after": "1s"})
    r = probe(loop_mock, "late")
    assert r["status"] == "OK", r
    assert r["delivery"]["latency_ms"] >= 1000, r
    r = probe(loop_mock, "late", "--max-delivery-time", "500ms")
    assert r["status"] == "WARNING", r
    assert (r["failure"]["kind"], r["failure"]["phase"]) == ("slow", "verify"), r
    r = probe(loop_mock, "late", "--max-delivery-time", "200ms,500ms")
    assert r["status"] == "CRITICAL" and r["failure"]["kind"] == "slow", r
    assert "delivery time" in r["failure"]["message"], r


def test_junk_is_not_delivered_for_the_inbox_and_found_in_junk(loop_mock):
    deliver(loop_mock, {"to": "junk"})
    r = probe(loop_mock, "junked", verify_timeout="1s")
    assert r["status"] == "CRITICAL" and r["failure"]["kind"] == "not_delivered", r
    assert len(imap_folder(loop_mock, "junked", "Junk")) == 1
    assert pop3_count(loop_mock, "junked") == 0


def test_twice_shows_two_copies(loop_mock):
    deliver(loop_mock, {"copies": 2})
    send(loop_mock, "twice")
    assert len(imap_folder(loop_mock, "twice")) == 2
    assert pop3_count(loop_mock, "twice") == 2


@pytest.mark.parametrize("scheme", ["imap", "pop3"])
def test_the_probe_reports_two_copies_as_duplicated_and_deletes_both(loop_mock, scheme):
    deliver(loop_mock, {"copies": 2})
    user = f"dup{scheme}"
    r = probe(loop_mock, user, scheme=scheme)
    assert r["status"] == "CRITICAL", r
    assert (r["failure"]["kind"], r["failure"]["phase"]) == ("duplicated", "verify"), r
    assert "arrived 2 copies" in r["failure"]["message"], r
    assert pop3_count(loop_mock, user) == 0  # every copy was deleted


def test_changed_subject_and_body_are_what_the_mailbox_serves(loop_mock):
    deliver(loop_mock, {"subject": "[changed] loop", "body": "rewritten"})
    send(loop_mock, "changed")
    [text] = imap_folder(loop_mock, "changed")
    assert b"Subject: [changed] loop\r\n" in text and text.endswith(b"\r\n\r\nrewritten\r\n")
    assert b"original body" not in text
    raw = loop_mock.raw_message(loop_mock.messages()[-1]["id"])
    assert b"Subject: loop\r\n" in raw and b"original body" in raw  # the store keeps it as sent


@pytest.mark.parametrize("scheme", ["imap", "pop3"])
def test_the_probe_reports_a_changed_subject_and_body_as_altered(loop_mock, scheme):
    deliver(loop_mock, {"subject": "[changed] loop", "body": "rewritten"})
    user = f"alt{scheme}"
    r = probe(loop_mock, user, scheme=scheme)
    assert r["status"] == "CRITICAL", r
    assert (r["failure"]["kind"], r["failure"]["phase"]) == ("altered", "verify"), r
    message = r["failure"]["message"]
    assert 'became "[changed] loop"' in message and "subject \"smtp-probe test message" in message
    assert 'received "rewritten"' in message, message
    deliver(loop_mock, {"subject": "[changed] loop"})
    r = probe(loop_mock, user, scheme=scheme)
    assert r["failure"]["kind"] == "altered" and "body" not in r["failure"]["message"], r


def test_an_intact_single_delivery_stays_ok_over_both_protocols(loop_mock):
    deliver(loop_mock, {"to": "inbox"})
    for scheme in ("imap", "pop3"):
        r = probe(loop_mock, f"intact{scheme}", scheme=scheme)
        assert r["status"] == "OK", r
