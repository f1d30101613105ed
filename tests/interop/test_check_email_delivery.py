"""Debian's check_email_delivery (monitoring-plugins-contrib: check_smtp_send, then
check_imap_receive) against smtp-mock across the delivery faults (`do.deliver`) and the faults
of the IMAP service (rules at phase `verify`). The tables below are what the plugin was
measured to report against each: committed, so that a change in the mock or in the plugin
shows. They also record what the plugin gets wrong."""

import os
import signal
import subprocess
import tempfile
from dataclasses import dataclass

import pytest

from mock_process import MockProcess

PLUGINS = "/usr/lib/nagios/plugins"


@dataclass(frozen=True)
class Case:
    deliver: dict       # the do.deliver effect; None for a healthy mock
    status: int         # the plugin's exit status
    says: str           # the start of its first line


# Measured with --wait 1,1, --imap-check-interval 1 --imap-retries 5, and -w 2 -c 10 for the
# late delivery; the other cases are about what arrives, not how fast, so they get -w 15 -c 30:
# the plugin's own start-up (two Perl programs) must not make a loaded machine look late.
DELIVERY_CASES = {
    "healthy": Case(None, 0, "EMAIL DELIVERY OK"),
    "never-delivered": Case({"to": "nowhere"}, 2, "EMAIL DELIVERY CRITICAL"),
    "late-3s": Case({"after": "3s"}, 1, "EMAIL DELIVERY WARNING"),
    "junk": Case({"to": "junk"}, 2, "EMAIL DELIVERY CRITICAL"),
    "twice": Case({"copies": 2}, 0, "EMAIL DELIVERY OK"),
    "subject-changed": Case({"subject": "[SPAM] rewritten"}, 2, "EMAIL DELIVERY CRITICAL"),
    "body-changed": Case({"body": "rewritten"}, 0, "EMAIL DELIVERY OK"),
}


@dataclass(frozen=True)
class MailboxCase:
    when: dict          # the rule's `when` at phase verify
    do: dict            # the rule's `do`
    status: int         # the plugin's exit status
    says: str           # the start of its first line


# The IMAP service failing while SMTP works, with -t 30,4: four seconds for the IMAP half. The
# plugin catches each one, but says "Could not connect" for all of them: a refused login (the
# server's "NO [AUTHENTICATIONFAILED]" follows in the text) and a server that took the
# connection and the login and then hung at SELECT or FETCH read as a server that is down. Its
# alarm gives up on check_imap_receive without stopping it (run_plugin does).
MAILBOX_CASES = {
    "login-rejected": MailboxCase(
        {"command": "LOGIN|AUTHENTICATE"}, {"reply": "535 5.7.8 Authentication failed"}, 2,
        "EMAIL DELIVERY CRITICAL - imap failed: IMAP RECEIVE CRITICAL - Could not connect to "),
    "hang-at-login": MailboxCase(
        {"command": "LOGIN|AUTHENTICATE"}, {"hang": True}, 2,
        "EMAIL DELIVERY CRITICAL - Could not connect to IMAP server 127.0.0.1: exceeded timeout"),
    "hang-at-select": MailboxCase(
        {"command": "SELECT|EXAMINE"}, {"hang": True}, 2,
        "EMAIL DELIVERY CRITICAL - Could not connect to IMAP server 127.0.0.1: exceeded timeout"),
    "hang-at-fetch": MailboxCase(
        {"command": "(UID )?FETCH"}, {"hang": True}, 2,
        "EMAIL DELIVERY CRITICAL - Could not connect to IMAP server 127.0.0.1: exceeded timeout"),
    "refused": MailboxCase(
        {}, {"close": "rst"}, 2,
        "EMAIL DELIVERY CRITICAL - imap failed: IMAP RECEIVE CRITICAL - Could not connect to "),
}


@pytest.fixture(scope="module")
def loop_mock():
    m = MockProcess(["--imap", "127.0.0.1:0", "--no-tls"])
    yield m
    m.stop()


def run_plugin(m, user, *thresholds):
    """Runs check_email_delivery in a session of its own; once it has exited, whatever it left
    behind (a check_imap_receive its alarm gave up on) is stopped with the session."""
    plugin = os.path.join(PLUGINS, "check_email_delivery")
    if not os.access(plugin, os.X_OK):
        pytest.fail(f"{plugin} is missing: ci/setup installs monitoring-plugins-contrib")
    with tempfile.TemporaryFile("w+") as out:
        p = subprocess.Popen(
            [plugin, "-H", m.host, "--smtp-port", str(m.port),
             "--imap-port", str(m.imap[1]), "--mailto", f"{user}@example.com",
             "--mailfrom", "mon@example.org", "--username", user, "--password", "any",
             "--wait", "1,1", "--imap-check-interval", "1", "--imap-retries", "5",
             *thresholds, "--libexec", PLUGINS],
            stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            status = p.wait(timeout=60)
        finally:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
        out.seek(0)
        output = out.read()
    return status, (output.splitlines()[0] if output else ""), output


@pytest.mark.parametrize("name", list(DELIVERY_CASES))
def test_check_email_delivery_across_delivery_faults(loop_mock, name):
    case = DELIVERY_CASES[name]
    rules = [] if case.deliver is None else [
        {"when": {"phase": "data_end"}, "do": {"deliver": case.deliver}}]
    loop_mock.api_json("PUT", "/api/v1/scenario", {"name": name, "rules": rules})
    late = "after" in (case.deliver or {})
    status, first, output = run_plugin(loop_mock, name.replace("-", ""),
                                       *(["-w", "2", "-c", "10"] if late else ["-w", "15", "-c", "30"]),
                                       "-t", "30")
    assert (status, first.startswith(case.says)) == (case.status, True), output


@pytest.mark.parametrize("name", list(MAILBOX_CASES))
def test_check_email_delivery_across_imap_service_faults(loop_mock, name):
    case = MAILBOX_CASES[name]
    rule = {"when": {"phase": "verify", **case.when}, "do": case.do}
    loop_mock.api_json("PUT", "/api/v1/scenario", {"name": name, "rules": [rule]})
    before = len(loop_mock.messages())
    status, first, output = run_plugin(loop_mock, "mbox" + name.replace("-", ""),
                                       "-w", "15", "-c", "30", "-t", "30,4")
    assert (status, first.startswith(case.says)) == (case.status, True), output
    assert len(loop_mock.messages()) == before + 1, "SMTP took the message"
