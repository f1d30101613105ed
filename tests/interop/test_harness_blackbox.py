"""smtp-harness against prometheus-blackbox-exporter, started here on 127.0.0.1 with the module
configuration shipped in docs/examples/blackbox.yml, judged by the committed expectations; and
the run of docs/harness.md that judges its other series, which must print what the page shows."""

import json
import os
import re
import shlex
import subprocess
import time

import pytest

from daemon_process import http_daemon
from mock_process import free_port

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(SOURCE, "docs", "examples")
EXPORTER = "prometheus-blackbox-exporter"


def harness(*args, timeout=300, cwd=None):
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    return subprocess.run([program, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd)


@pytest.fixture(scope="module")
def blackbox(tmp_path_factory):
    """One exporter for every test of this module."""
    port = free_port()
    log = tmp_path_factory.mktemp("blackbox") / "blackbox.log"
    with http_daemon(EXPORTER, ["--config.file", os.path.join(EXAMPLES, "blackbox.yml"),
                                "--web.listen-address", f"127.0.0.1:{port}"],
                     f"http://127.0.0.1:{port}/-/healthy", log, package=EXPORTER):
        yield port


def test_blackbox_exporter_matches_its_committed_expectations(tmp_path, blackbox):
    report = tmp_path / "report.json"
    url = f"http://127.0.0.1:{blackbox}/probe?module=smtp_ehlo&target={{host}}:{{port}}"
    r = harness("run", "--jobs", "4", "--monitor", f"http:{url}",
                "--expect", os.path.join(EXAMPLES, "blackbox-expectations.yaml"),
                "--json", str(report))
    assert r.returncode == 0, r.stdout + r.stderr
    got = {x["scenario"]: x for x in json.loads(report.read_text())["results"]}
    assert got["healthy"]["verdict"] == "passed"
    assert got["healthy-multiline-banner"]["verdict"] == "passed"
    assert got["ehlo-550"]["verdict"] == "caught"
    assert "probe_success 0" in got["ehlo-550"]["output"]
    assert got["mail-451"]["verdict"] == "missed"
    # The summary says why, from the exporter's debug log: what failed, and the last reply read.
    assert got["ehlo-550"]["observed"]["summary"].startswith("probe_success 0: "), got["ehlo-550"]
    assert 'last line read: "550 5.7.1 Client host rejected' in got["ehlo-550"]["observed"]["summary"]
    # A miss shows how far the module went: it quit after EHLO and never sent MAIL.
    assert got["mail-451"]["observed"]["summary"].startswith(
        'probe_success 1: last line read: "221 '), got["mail-451"]["observed"]


def test_the_starttls_module_sees_a_failing_handshake(tmp_path, blackbox):
    report = tmp_path / "report.json"
    url = f"http://127.0.0.1:{blackbox}/probe?module=smtp_starttls&target={{host}}:{{port}}"
    r = harness("run", "-q", "--monitor", f"http:{url}", "--json", str(report), "--scenarios",
                "healthy", "starttls-handshake-failure", "starttls-not-advertised")
    got = {x["scenario"]: x for x in json.loads(report.read_text())["results"]}
    assert got["healthy"]["verdict"] == "passed", got["healthy"]["output"]
    assert got["starttls-handshake-failure"]["verdict"] == "caught"
    assert got["starttls-not-advertised"]["verdict"] == "caught"
    assert r.returncode == 0, r.stdout


SERIES_MARKER = "<!-- blackbox-series-example -->"
# Timings, the mock's ephemeral ports and the certificates' expiry times (Unix times) differ
# from run to run.
VARYING = re.compile(r"\d+\.\d+|\d{5,}")


def series_example():
    """(command, shown output) of the docs/harness.md block after SERIES_MARKER: the block's
    `$ smtp-harness run` command (continued with backslashes) and the lines after it."""
    page = open(os.path.join(SOURCE, "docs", "harness.md")).read()
    block = page.split(SERIES_MARKER, 1)[1].split("```\n", 2)[1].splitlines()
    start = next(i for i, line in enumerate(block) if line.startswith("$ smtp-harness run"))
    lines = block[start:]
    command = lines.pop(0)[2:]
    while command.endswith("\\"):
        command = command[:-1] + lines.pop(0)
    return command, "\n".join(lines)


def normalised(text):
    return [" ".join(VARYING.sub("N", line).split()) for line in text.strip().splitlines()]


def test_other_series_are_judged_and_the_page_shows_the_run(tmp_path, blackbox):
    command, shown = series_example()
    argv = shlex.split(command.replace("127.0.0.1:9115", f"127.0.0.1:{blackbox}"))
    report = tmp_path / "report.json"
    r = harness(*argv[1:], "--json", str(report), cwd=SOURCE)
    assert r.returncode == 0, r.stdout + r.stderr
    got = {x["scenario"]: x for x in json.loads(report.read_text())["results"]}
    # probe_success stays 1 on each of these; the series show the fault.
    slow = got["banner-slow"]
    assert slow["verdict"] == "caught", slow
    assert slow["observed"]["status"] == "OK"
    assert slow["series"][0]["name"] == "probe_duration_seconds"
    assert float(slow["series"][0]["found"][0]["value"]) >= 1.5, slow["series"]
    expiring = got["starttls-cert-expiring"]["series"][0]
    assert got["starttls-cert-expiring"]["verdict"] == "caught", expiring
    assert expiring["condition"] == "probe_ssl_earliest_cert_expiry < now+30d"
    days_left = (float(expiring["found"][0]["value"]) - time.time()) / 86400
    assert 10 <= days_left <= 10.5, expiring  # the certificate expires in 10 days (and 12 h)
    expired = got["starttls-cert-expired"]["series"][0]
    assert got["starttls-cert-expired"]["verdict"] == "caught", expired
    assert float(expired["found"][0]["value"]) < time.time(), expired
    assert got["healthy"]["verdict"] == "passed", got["healthy"]["series"]
    # No handshake, no certificate: the series is absent, and that is a misreport.
    failed = got["starttls-handshake-failure"]
    assert failed["verdict"] == "misreported", failed
    assert failed["observed"]["status"] == "CRITICAL"
    assert failed["series"][0]["found"] == []
    assert failed["series"][0]["reading"].startswith("probe_ssl_earliest_cert_expiry absent")
    printed = (r.stdout + r.stderr).replace(f"127.0.0.1:{blackbox}", "127.0.0.1:9115")
    assert normalised(printed) == normalised(shown), r.stdout + r.stderr
