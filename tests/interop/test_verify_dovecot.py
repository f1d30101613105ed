"""Round trips against a real Dovecot (POP3, IMAP, POP3S, IMAPS) with smtp-verify-check.

Messages are placed in the Maildir the way smtp-mock's Maildir store does it (tmp/, then rename
to new/); the verifier must find the one with the probe's Message-ID, delete only it, and report
not_delivered when it never comes.
"""

import threading
import uuid

import pytest

from rig import make_message
from verify_tool import run_verify

SCHEMES = ["pop3", "imap", "pop3s", "imaps"]


def new_id(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex}@probe.smtp-harness.test"


def names(paths):
    return {p.name.split(":")[0] for p in paths}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_finds_and_deletes_only_the_probe_message(dovecot, scheme):
    others = [dovecot.deliver(make_message(new_id("other"))) for _ in range(3)]
    wanted = new_id(scheme)
    target = dovecot.deliver(make_message(wanted))
    dovecot.deliver(make_message(new_id("later")))  # newer than ours

    rc, out, elapsed = run_verify(dovecot.url(scheme), wanted, 10000, 200, "--insecure")

    assert rc == 0, out
    assert out["delivered"] is True
    assert out["error"] is None, out
    assert wanted in out["detail"]
    assert out["polls"] == 1
    assert elapsed < 10
    left = names(dovecot.messages())
    assert target.name not in left
    assert {p.name for p in others} <= left
    assert len(left) == 4
    transcript = "\n".join(out["transcript"])
    assert dovecot.password not in transcript
    if scheme.startswith("pop3"):
        assert "C: DELE " in transcript and "C: PASS ****" in transcript
    else:
        assert "+FLAGS.SILENT (\\Deleted)" in transcript and "LOGIN probe ****" in transcript
    if scheme.endswith("s"):
        assert "event: TLS TLSv1." in transcript


@pytest.mark.parametrize("scheme", ["pop3", "imap"])
def test_finds_a_message_that_arrives_while_polling(dovecot, scheme):
    wanted = new_id("late")
    dovecot.deliver(make_message(new_id("other")))
    # The delivery is timed from the moment the program's process exists, so that the time
    # it takes to be started does not count against the latency it reports.
    timer = threading.Timer(1.5, lambda: dovecot.deliver(make_message(wanted)))
    try:
        rc, out, elapsed = run_verify(dovecot.url(scheme), wanted, 10000, 200,
                                      on_started=timer.start)
    finally:
        timer.cancel()
    assert rc == 0, out
    assert out["delivered"] is True
    assert out["polls"] >= 3
    assert 1400 <= out["latency_ms"] <= 6000
    assert names(dovecot.messages()) and len(dovecot.messages()) == 1


@pytest.mark.parametrize("scheme", SCHEMES)
def test_not_delivered_after_the_timeout(dovecot, scheme):
    dovecot.deliver(make_message(new_id("other")))
    rc, out, elapsed = run_verify(dovecot.url(scheme), new_id("never"), 1500, 300, "--insecure")
    assert rc == 1
    assert out["delivered"] is False
    assert out["kind"] == "not_delivered", out
    assert out["error_category"] == "smtp.verify"
    assert out["polls"] >= 2
    assert 1.2 <= elapsed < 1.5 + 2.0  # bounded by --timeout (plus process start)
    assert len(dovecot.messages()) == 1  # nothing else was deleted


@pytest.mark.parametrize("scheme", ["pop3", "imap"])
def test_wrong_password_is_reported_at_once(dovecot, scheme):
    rc, out, elapsed = run_verify(dovecot.url(scheme, password="wrong"), new_id("x"), 10000)
    assert rc == 1
    assert out["kind"] == "perm_failure", out
    assert out["error"] == "mailbox login refused"
    assert "Authentication failed" in out["detail"] or "AUTHENTICATIONFAILED" in out["detail"]
    assert out["polls"] == 1
    assert elapsed < 8  # not retried until the timeout (Dovecot delays failed logins)


@pytest.mark.parametrize("scheme", ["pop3s", "imaps"])
def test_self_signed_certificate_fails_without_insecure(dovecot, scheme):
    rc, out, elapsed = run_verify(dovecot.url(scheme), new_id("x"), 10000)
    assert rc == 1
    assert out["kind"] == "tls_error", out
    assert out["polls"] == 1
    assert elapsed < 8


def test_insecure_can_be_given_in_the_url(dovecot):
    wanted = new_id("q")
    dovecot.deliver(make_message(wanted))
    rc, out, _ = run_verify(dovecot.url("imaps") + "/?insecure", wanted, 10000)
    assert rc == 0, out


def test_pop3_reads_newest_first_and_skips_known_uids_between_polls(dovecot):
    for _ in range(20):
        dovecot.deliver(make_message(new_id("noise")))
    wanted = new_id("late")
    timer = threading.Timer(1.0, lambda: dovecot.deliver(make_message(wanted)))
    timer.start()
    try:
        rc, out, _ = run_verify(dovecot.url("pop3"), wanted, 10000, 300)
    finally:
        timer.cancel()
    assert rc == 0, out
    transcript = out["transcript"]
    # The final poll reads only the new message's header: the 20 others were read before.
    tops = [line for line in transcript if line.startswith("C: TOP ")]
    assert tops == ["C: TOP 21 0"], tops
    assert len(dovecot.messages()) == 20


def test_message_with_dot_lines_and_folded_message_id(dovecot):
    wanted = new_id("dots")
    raw = (
        "From: a@example.test\r\n"
        "Message-ID:\r\n <" + wanted + ">\r\n"
        "Subject: dots\r\n\r\n.\r\n..\r\n.leading dot\r\n"
    ).encode()
    dovecot.deliver(raw)
    for scheme in ("pop3", "imap"):
        if scheme == "imap":
            dovecot.deliver(raw)
        rc, out, _ = run_verify(dovecot.url(scheme), wanted, 5000)
        assert rc == 0, (scheme, out)
    assert dovecot.messages() == []
