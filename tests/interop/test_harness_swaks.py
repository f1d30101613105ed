"""smtp-harness against swaks, wrapped as a Nagios-style monitor by docs/examples/swaks-nagios:
a dialogue that stops after RCPT, and a full send, each judged by its committed expectations."""

import json
import os
import shutil
import subprocess

import pytest

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(SOURCE, "docs", "examples")
WRAPPER = os.path.join(EXAMPLES, "swaks-nagios")


def harness(*args, timeout=300):
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    return subprocess.run([program, *args], capture_output=True, text=True, timeout=timeout)


def run(tmp_path, extra, expect):
    if shutil.which("swaks") is None:
        pytest.fail("swaks is missing: ci/setup installs it")
    report = tmp_path / "report.json"
    r = harness("run", "--jobs", "4", "--monitor", f"cmd:{WRAPPER} {{host}} {{port}} {extra}",
                "--expect", os.path.join(EXAMPLES, expect), "--json", str(report))
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(report.read_text())
    return {x["scenario"]: x for x in doc["results"]}


def test_the_wrapper_maps_swaks_exit_codes():
    r = subprocess.run([WRAPPER], capture_output=True, text=True, timeout=10)
    assert r.returncode == 3
    assert r.stdout.startswith("SWAKS UNKNOWN")


def test_swaks_quit_after_rcpt(tmp_path):
    got = run(tmp_path, "--quit-after rcpt", "swaks-quit-after-expectations.yaml")
    assert got["healthy"]["verdict"] == "passed"
    assert got["rcpt-550-unknown-user"]["verdict"] == "caught"
    assert "swaks exit 24" in got["rcpt-550-unknown-user"]["observed"]["summary"]
    assert got["mail-451"]["verdict"] == "caught"
    # Nothing is sent, so DATA faults are out of sight.
    assert got["data-554"]["verdict"] == "missed"
    assert got["starttls-cert-expired"]["verdict"] == "missed"


def test_swaks_full_send(tmp_path):
    got = run(tmp_path, "", "swaks-send-expectations.yaml")
    assert got["healthy"]["verdict"] == "passed"
    assert got["data-554"]["verdict"] == "caught"
    assert "swaks exit 25" in got["data-554"]["observed"]["summary"]
    assert got["data-end-552"]["verdict"] == "caught"
    assert got["data-end-hang"]["verdict"] == "caught"
    assert got["quit-hang"]["verdict"] == "missed"


def test_a_certificate_verifying_swaks_trusts_the_mock_through_the_ca_file_placeholder(tmp_path):
    if shutil.which("swaks") is None:
        pytest.fail("swaks is missing: ci/setup installs it")
    verify = f"cmd:{WRAPPER} {{host}} {{port}} --tls --tls-verify --quit-after tls"
    scenarios = ["--scenarios", "healthy", "starttls-cert-self-signed"]
    report = tmp_path / "report.json"
    r = harness("run", "-q", "--json", str(report), *scenarios, "--monitor",
                verify + " --tls-ca-path {ca_file} --tls-sni {tls_name}")
    got = {x["scenario"]: x for x in json.loads(report.read_text())["results"]}
    assert got["healthy"]["verdict"] == "passed", r.stdout
    assert got["starttls-cert-self-signed"]["verdict"] == "caught"
    assert got["starttls-cert-self-signed"]["unproven"] is False
    assert r.returncode == 0, r.stdout + r.stderr
    # Without the mock's CA it cannot verify anything: the control proves the catch is unproven.
    r = harness("run", "-q", "--json", str(report), *scenarios, "--monitor", verify)
    doc = json.loads(report.read_text())
    assert doc["false_alarm_controls"] == ["healthy"]
    assert doc["unproven"] == 1
    assert r.returncode == 1
