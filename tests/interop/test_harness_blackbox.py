"""smtp-harness against prometheus-blackbox-exporter, started here on 127.0.0.1 with the module
configuration shipped in docs/examples/blackbox.yml, judged by the committed expectations."""

import json
import os
import subprocess

import pytest

from daemon_process import http_daemon
from mock_process import free_port

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(SOURCE, "docs", "examples")
EXPORTER = "prometheus-blackbox-exporter"


def harness(*args, timeout=300):
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    return subprocess.run([program, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def blackbox(tmp_path):
    port = free_port()
    with http_daemon(EXPORTER, ["--config.file", os.path.join(EXAMPLES, "blackbox.yml"),
                                "--web.listen-address", f"127.0.0.1:{port}"],
                     f"http://127.0.0.1:{port}/-/healthy", tmp_path / "blackbox.log",
                     package=EXPORTER):
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
