"""smtp-harness, black-box: the cmd: and http: monitor adapters, with tiny monitors written
here, and the expectations file."""

import http.server
import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

from exporter_process import ExporterProcess

SCENARIOS = ["healthy", "banner-421", "banner-missing", "connect-refused", "mail-451"]

# A tiny Nagios-style check: OK when the banner is 220, CRITICAL otherwise.
BANNER_CHECK = r'''
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
try:
    with socket.create_connection((host, port), timeout=1.5) as s:
        s.settimeout(1.5)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(512)
            if not chunk:
                break
            data += chunk
        s.sendall(b"QUIT\r\n")
except OSError as e:
    print(f"BANNER CRITICAL - {e}")
    sys.exit(2)
line = data.split(b"\r\n")[0].decode("latin-1")
if line.startswith("220"):
    print(f"BANNER OK - {line}")
    sys.exit(0)
print(f"BANNER CRITICAL - {line or 'no banner'}")
sys.exit(2)
'''


def harness(*args, timeout=120):
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    return subprocess.run([program, *args], capture_output=True, text=True, timeout=timeout)


def run_json(tmp_path, *args):
    out = tmp_path / "report.json"
    r = harness("run", "-q", "--jobs", "4", "--scenarios", *SCENARIOS, "--json", str(out), *args)
    doc = json.loads(out.read_text())
    return r, doc, {x["scenario"]: x for x in doc["results"]}


@pytest.fixture
def banner_check(tmp_path):
    script = tmp_path / "banner_check.py"
    script.write_text(BANNER_CHECK)
    return f"{sys.executable} {script}"


def test_cmd_monitor_is_judged_by_its_exit_code(tmp_path, banner_check):
    r, doc, got = run_json(tmp_path, "--monitor", f"cmd:{banner_check} {{host}} {{port}}")
    assert got["healthy"]["verdict"] == "passed"
    assert got["banner-421"]["verdict"] == "caught"
    assert got["banner-421"]["observed"]["exit_code"] == 2
    assert got["banner-421"]["observed"]["summary"].startswith("BANNER CRITICAL - 421")
    assert got["banner-missing"]["verdict"] == "caught"
    assert got["connect-refused"]["verdict"] == "caught"
    # It never sends MAIL: the fault there goes unnoticed, and the run says so.
    assert got["mail-451"]["verdict"] == "missed"
    assert got["mail-451"]["time_to_detect_ms"] is None
    assert "BANNER OK - 220" in got["mail-451"]["output"]
    assert r.returncode == 1
    assert "! mail-451" in r.stdout and "missed" in r.stdout


def test_an_expectations_file_can_state_the_known_misses(tmp_path, banner_check):
    expect = tmp_path / "expect.yaml"
    expect.write_text("defaults: {status: [WARNING, CRITICAL]}\n"
                      "scenarios:\n"
                      "  healthy: {status: OK}\n"
                      "  mail-451: {expect_verdict: missed, note: never sends MAIL}\n")
    r, doc, got = run_json(tmp_path, "--monitor", f"cmd:{banner_check} {{host}} {{port}}",
                           "--expect", str(expect))
    assert r.returncode == 0, r.stdout + r.stderr
    assert got["mail-451"]["expected"]["verdict"] == ["missed"]
    assert got["mail-451"]["expected"]["note"] == "never sends MAIL"
    assert doc["ok"] is True
    # Stating a miss that turns out caught is a failure too.
    expect.write_text("scenarios:\n  banner-421: {expect_verdict: missed}\n")
    r, doc, got = run_json(tmp_path, "--monitor", f"cmd:{banner_check} {{host}} {{port}}",
                           "--expect", str(expect))
    assert r.returncode == 1
    assert got["banner-421"]["verdict"] == "caught"
    assert got["banner-421"]["as_expected"] is False


def test_a_monitor_that_never_connects_is_no_contact(tmp_path):
    r, doc, got = run_json(tmp_path, "--monitor", "cmd:/bin/sh -c 'echo OK; exit 0'")
    assert got["healthy"]["verdict"] == "no_contact"
    assert got["banner-421"]["verdict"] == "no_contact"
    assert got["healthy"]["sessions"] == 0
    # A refused connection leaves no trace on the mock, so contact is not checked there.
    assert got["connect-refused"]["verdict"] == "missed"
    assert got["connect-refused"]["contact"] is None
    assert r.returncode == 1


def test_unknown_crashes_and_slow_monitors_are_errors(tmp_path):
    script = tmp_path / "m.sh"
    script.write_text("#!/bin/sh\ncase \"$1\" in\n"
                      "  healthy) echo 'UNKNOWN - confused'; exit 3 ;;\n"
                      "  banner-421) exec sleep 30 ;;\n"
                      "  banner-missing) kill -9 $$ ;;\n"
                      "  *) exit 7 ;;\nesac\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    r, doc, got = run_json(tmp_path, "--monitor", f"cmd:{script} {{scenario}} {{host}} {{port}}",
                           "--monitor-timeout", "1")
    # UNKNOWN is a status, not an error: the verdict rests on contact, which it never made.
    assert got["healthy"]["observed"]["status"] == "UNKNOWN"
    assert got["healthy"]["verdict"] == "no_contact"
    # Crashes, time limits and exit codes outside 0-3 could not be read: errors.
    assert all(x["verdict"] == "error" for x in doc["results"] if x["scenario"] != "healthy"), doc
    assert "time limit" in got["banner-421"]["observed"]["error"]
    assert got["banner-421"]["observed"]["duration_ms"] < 5000
    assert "signal" in got["banner-missing"]["observed"]["error"]
    assert "not a Nagios status" in got["mail-451"]["observed"]["error"]
    assert r.returncode == 1


def test_a_monitor_is_judged_by_its_own_exit_not_by_a_descendant_holding_its_output(
        tmp_path, banner_check):
    # It answers at once, but leaves a setsid grandchild holding its stdout for longer than the
    # time limit: that must not read as "killed after the time limit".
    pids = tmp_path / "pids"
    script = tmp_path / "daemonizing.sh"
    script.write_text(f"#!/bin/sh\nsetsid sleep 20 &\necho $! >> {pids}\nexec {banner_check} \"$@\"\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    try:
        r, doc, got = run_json(tmp_path, "--monitor", f"cmd:{script} {{host}} {{port}}",
                               "--monitor-timeout", "4")
    finally:
        for pid in pids.read_text().split() if pids.exists() else []:
            # Only while it is still that sleep: once it has ended, its id can be anyone's.
            try:
                if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"sleep\0"):
                    os.kill(int(pid), 9)
            except (FileNotFoundError, ProcessLookupError):
                pass
    assert got["healthy"]["verdict"] == "passed", got["healthy"]
    assert got["banner-421"]["verdict"] == "caught", got["banner-421"]
    assert got["banner-421"]["observed"]["summary"].startswith("BANNER CRITICAL - 421")
    for name in ("healthy", "banner-421", "banner-missing"):
        assert not got[name]["observed"].get("error"), got[name]
        assert got[name]["observed"]["duration_ms"] < 4000, got[name]


class _ProbeHandler(http.server.BaseHTTPRequestHandler):
    """A blackbox_exporter look-alike: /probe?target=HOST:PORT checks the banner."""

    requests = []

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        type(self).requests.append(self.path)
        if url.path != "/probe" or "target" not in query:
            self.send_error(400, "target required")
            return
        host, port = query["target"][0].rsplit(":", 1)
        ok = 0
        try:
            with socket.create_connection((host, int(port)), timeout=1.5) as s:
                s.settimeout(1.5)
                ok = 1 if s.recv(512).startswith(b"220") else 0
                s.sendall(b"QUIT\r\n")
        except OSError:
            ok = 0
        body = ("# HELP probe_success Displays whether or not the probe was a success\n"
                "# TYPE probe_success gauge\n"
                f"probe_success {ok}\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def exporter():
    _ProbeHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ProbeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_http_monitor_is_judged_by_probe_success(tmp_path, exporter):
    port = exporter.server_address[1]
    r, doc, got = run_json(
        tmp_path, "--monitor", f"http:http://127.0.0.1:{port}/probe?target={{host}}:{{port}}")
    assert got["healthy"]["verdict"] == "passed"
    assert got["banner-421"]["verdict"] == "caught"
    assert got["banner-421"]["observed"]["status"] == "CRITICAL"
    assert "probe_success 0" in got["banner-421"]["output"]
    assert got["banner-missing"]["verdict"] == "caught"
    assert got["mail-451"]["verdict"] == "missed"
    assert len(_ProbeHandler.requests) == len(SCENARIOS)
    assert all(q.startswith("/probe?target=127.0.0.1:") for q in _ProbeHandler.requests)
    assert r.returncode == 1


def test_an_http_monitor_on_smtp_probes_exporter_says_why(tmp_path):
    modules = tmp_path / "modules.yaml"
    modules.write_text("modules:\n  smtp_banner: {timeout: 5s}\n")
    exporter = ExporterProcess(modules)
    try:
        url = f"http://{exporter.address}/probe?module=smtp_banner&target={{host}}:{{port}}"
        r, doc, got = run_json(tmp_path, "--monitor", f"http:{url}")
    finally:
        exporter.stop()
    assert got["healthy"]["verdict"] == "passed", got["healthy"]
    assert got["banner-421"]["verdict"] == "caught"
    # The first line of the exporter's debug answer: the probe's own verdict.
    summary = got["banner-421"]["observed"]["summary"]
    assert re.match(r'probe_success 0: 127\.0\.0\.1:\d+: CRITICAL - temp_failure at banner: '
                    r'server replied "421 ', summary), summary


def test_smtp_probes_exporter_answers_the_series_an_expectation_names(tmp_path):
    modules = tmp_path / "modules.yaml"
    modules.write_text("modules:\n  smtp_tls: {timeout: 5s, starttls: true, insecure: true}\n")
    # The banner comes 1.5 s after the mock accepts; the probe's banner phase starts when its own
    # connect step ends, which on a loaded machine can be a little after that, so the bound is
    # 1 s: a healthy banner phase takes milliseconds.
    expect = tmp_path / "expect.yaml"
    expect.write_text(
        "scenarios:\n"
        "  banner-slow:\n"
        "    status: OK\n"
        "    series: {name: probe_smtp_phase_duration_seconds, labels: {phase: banner},\n"
        "             op: '>=', value: 1}\n"
        "  starttls-cert-expiring: {status: [OK, WARNING], cert_expires_within_days: 30}\n"
        "  healthy: {series: {name: probe_ssl_earliest_cert_expiry, op: '>', value: now+30d}}\n")
    exporter = ExporterProcess(modules)
    try:
        url = f"http://{exporter.address}/probe?module=smtp_tls&target={{host}}:{{port}}"
        out = tmp_path / "report.json"
        r = harness("run", "-q", "--jobs", "3", "--scenarios", "healthy", "banner-slow",
                    "starttls-cert-expiring", "--expect", str(expect), "--json", str(out),
                    "--monitor", f"http:{url}")
    finally:
        exporter.stop()
    got = {x["scenario"]: x for x in json.loads(out.read_text())["results"]}
    assert r.returncode == 0, r.stdout + r.stderr
    slow = got["banner-slow"]
    assert slow["verdict"] == "caught", slow
    assert slow["series"][0]["found"][0]["labels"] == {"phase": "banner"}
    assert float(slow["series"][0]["found"][0]["value"]) >= 1
    assert got["starttls-cert-expiring"]["verdict"] == "caught", got["starttls-cert-expiring"]
    assert got["healthy"]["verdict"] == "passed", got["healthy"]
    assert "series read:" in r.stdout
    assert re.search(r"starttls-cert-expiring: probe_ssl_earliest_cert_expiry \S+ "
                     r"\(in 10\.\d days\) \(expected < now\+30d\): holds", r.stdout), r.stdout


def test_http_errors_are_errors(tmp_path, exporter):
    port = exporter.server_address[1]
    r, doc, got = run_json(tmp_path, "--monitor", f"http:http://127.0.0.1:{port}/other")
    assert all(x["verdict"] == "error" for x in doc["results"])
    assert "HTTP status 400" in got["healthy"]["observed"]["error"]
    # Nothing listens on the exporter's port once it is closed.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    r, doc, got = run_json(tmp_path, "--monitor", f"http:http://127.0.0.1:{free}/probe")
    assert all(x["verdict"] == "error" for x in doc["results"])
    assert "cannot connect" in got["healthy"]["observed"]["error"]
    assert r.returncode == 1


def test_an_expectations_file_for_the_whole_catalog_warns_only_about_names_found_nowhere(
        tmp_path, banner_check):
    expect = tmp_path / "expect.yaml"
    expect.write_text("scenarios:\n"
                      "  healthy: {status: OK}\n"
                      "  mail-451: {expect_verdict: missed}\n"
                      "  ehlo-550: {expect_verdict: missed}\n"
                      "  banner-4211: {expect_verdict: missed}\n")
    r = harness("run", "-q", "--scenarios", "healthy", "--expect", str(expect),
                "--monitor", f"cmd:{banner_check} {{host}} {{port}}")
    warnings = [line for line in r.stderr.splitlines() if "warning" in line]
    assert warnings == [f"smtp-harness: warning: {expect} names scenario 'banner-4211', which is "
                        "neither loaded nor a scenario of the catalog"], r.stderr
    assert r.returncode == 0, r.stdout + r.stderr


def test_smtp_probe_as_a_cmd_monitor_is_held_to_each_scenarios_own_statuses(tmp_path):
    # No expectations file: OK is right where the server still works (HELO fallback) and
    # acceptable on intermittent; a dropped QUIT must be a WARNING.
    probe = os.environ["SMTP_PROBE"]
    out = tmp_path / "report.json"
    r = harness("run", "-q", "--json", str(out), "--scenarios", "healthy",
                "ehlo-502-helo-fallback", "intermittent", "quit-drop",
                "--monitor", f"cmd:{probe} --format nagios -p {{port}} {{host}}")
    got = {x["scenario"]: x for x in json.loads(out.read_text())["results"]}
    assert got["ehlo-502-helo-fallback"]["verdict"] == "passed"
    assert got["ehlo-502-helo-fallback"]["expected"]["status"] == ["OK"]
    assert got["intermittent"]["expected"]["status"] == ["OK", "CRITICAL"]
    assert got["quit-drop"]["verdict"] == "caught"
    assert got["quit-drop"]["expected"]["status"] == ["WARNING"]
    assert "SMTP WARNING - closed at quit" in r.stdout
    assert r.returncode == 0, r.stdout + r.stderr


# Logs in to the mock's POP3 and IMAP services with the credentials the harness gives, and does
# nothing over SMTP: a reader of the mailbox alone still counts as contact.
MAILBOX_CHECK = r'''
import imaplib, poplib, smtplib, sys
host, port, pop3_port, imap_port, user, password, mail_to = sys.argv[1:]
try:
    p = poplib.POP3(host, int(pop3_port), timeout=5)
    p.user(user)
    p.pass_(password)
    p.quit()
    i = imaplib.IMAP4(host, int(imap_port), timeout=5)
    i.login(user, password)
    i.logout()
except (OSError, smtplib.SMTPException, poplib.error_proto, imaplib.IMAP4.error) as e:
    print(f"MAILBOX CRITICAL - {type(e).__name__}: {e}")
    sys.exit(2)
print(f"MAILBOX OK - {user} ({mail_to}) logged in over POP3 and IMAP")
sys.exit(0)
'''


def test_mailbox_placeholders_give_every_scenario_a_mailbox(tmp_path):
    script = tmp_path / "mailbox_check.py"
    script.write_text(MAILBOX_CHECK)
    out = tmp_path / "report.json"
    r = harness("run", "-q", "--scenarios", "healthy", "mailbox-refused", "--json", str(out),
                "--monitor", f"cmd:{sys.executable} {script} {{host}} {{port}} {{pop3_port}} {{imap_port}} "
                "{mailbox_user} {mailbox_password} {mail_to}")
    got = {x["scenario"]: x for x in json.loads(out.read_text())["results"]}
    # healthy has no mailbox hint: the template named the mailbox, so it was served all the same.
    assert got["healthy"]["verdict"] == "passed", r.stdout + r.stderr
    assert got["healthy"]["observed"]["summary"] == \
        "MAILBOX OK - harness (harness@localhost) logged in over POP3 and IMAP"
    # The mailbox service down: connecting is refused while SMTP works.
    assert got["mailbox-refused"]["verdict"] == "caught"
    assert got["mailbox-refused"]["observed"]["summary"].startswith(
        "MAILBOX CRITICAL - ConnectionRefusedError"), got["mailbox-refused"]["observed"]


def test_a_misspelt_mailbox_placeholder_is_rejected_up_front():
    r = harness("run", "--scenarios", "healthy", "--monitor", "cmd:check -p {imap_prot}")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "unknown placeholder {imap_prot}" in r.stderr and "{imap_port}" in r.stderr, r.stderr
