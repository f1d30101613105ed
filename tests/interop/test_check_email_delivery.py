"""Debian's check_email_delivery (monitoring-plugins-contrib: check_smtp_send, then
check_imap_receive) against smtp-mock across the delivery faults (`do.deliver`). The table
below is what the plugin was measured to report against each: committed, so that a change in
the mock or in the plugin shows. It also records what the plugin gets wrong."""

import os
import subprocess
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
CASES = {
    "healthy": Case(None, 0, "EMAIL DELIVERY OK"),
    "never-delivered": Case({"to": "nowhere"}, 2, "EMAIL DELIVERY CRITICAL"),
    "late-3s": Case({"after": "3s"}, 1, "EMAIL DELIVERY WARNING"),
    "junk": Case({"to": "junk"}, 2, "EMAIL DELIVERY CRITICAL"),
    "twice": Case({"copies": 2}, 0, "EMAIL DELIVERY OK"),
    "subject-changed": Case({"subject": "[SPAM] rewritten"}, 2, "EMAIL DELIVERY CRITICAL"),
    "body-changed": Case({"body": "rewritten"}, 0, "EMAIL DELIVERY OK"),
}


@pytest.fixture(scope="module")
def loop_mock():
    m = MockProcess(["--imap", "127.0.0.1:0", "--no-tls"])
    yield m
    m.stop()


@pytest.mark.parametrize("name", list(CASES))
def test_check_email_delivery_across_delivery_faults(loop_mock, name):
    case = CASES[name]
    rules = [] if case.deliver is None else [
        {"when": {"phase": "data_end"}, "do": {"deliver": case.deliver}}]
    loop_mock.api_json("PUT", "/api/v1/scenario", {"name": name, "rules": rules})
    plugin = os.path.join(PLUGINS, "check_email_delivery")
    if not os.access(plugin, os.X_OK):
        pytest.fail(f"{plugin} is missing: ci/setup installs monitoring-plugins-contrib")
    user = name.replace("-", "")
    p = subprocess.run(
        [plugin, "-H", loop_mock.host, "--smtp-port", str(loop_mock.port),
         "--imap-port", str(loop_mock.imap[1]), "--mailto", f"{user}@example.com",
         "--mailfrom", "mon@example.org", "--username", user, "--password", "any",
         "--wait", "1,1", "--imap-check-interval", "1", "--imap-retries", "5",
         *(["-w", "2", "-c", "10"] if "after" in (case.deliver or {}) else ["-w", "15", "-c", "30"]),
         "-t", "30", "--libexec", PLUGINS],
        capture_output=True, text=True, timeout=60)
    first = p.stdout.splitlines()[0] if p.stdout else ""
    assert (p.returncode, first.startswith(case.says)) == (case.status, True), p.stdout + p.stderr
