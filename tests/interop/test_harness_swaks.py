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


def own_certificate(tmp_path, name):
    """A self-signed certificate and key for `name`, made with openssl as a user would."""
    cert, key = tmp_path / "own-cert.pem", tmp_path / "own-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30", "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=30)
    return str(cert), str(key)


def test_the_mock_presents_the_users_own_certificate_to_a_verifying_swaks(tmp_path):
    if shutil.which("swaks") is None:
        pytest.fail("swaks is missing: ci/setup installs it")
    cert, key = own_certificate(tmp_path, "mx.example.test")
    own = ["--tls-cert", cert, "--tls-key", key, "--tls-name", "mx.example.test"]
    scenarios = ["--scenarios", "healthy", "starttls-cert-self-signed"]
    # swaks trusts nothing but the user's certificate ({cert_file}): the healthy control passes
    # only if the mock presents it.
    pinned = f"cmd:{WRAPPER} {{host}} {{port}} --tls --tls-verify --quit-after tls " \
             "--tls-ca-path {cert_file} --tls-sni {tls_name}"
    report = tmp_path / "report.json"
    r = harness("run", "-q", "--json", str(report), *scenarios, *own, "--monitor", pinned)
    got = {x["scenario"]: x for x in json.loads(report.read_text())["results"]}
    assert got["healthy"]["verdict"] == "passed", r.stdout + r.stderr
    assert got["starttls-cert-self-signed"]["verdict"] == "caught"
    assert r.returncode == 0, r.stdout + r.stderr
    # Without the option the mock presents its own certificate, which that swaks refuses.
    r = harness("run", "-q", "--json", str(report), *scenarios, "--monitor",
                pinned.replace("{cert_file}", cert))
    assert json.loads(report.read_text())["false_alarm_controls"] == ["healthy"], r.stdout
    # The built-in probe checks the user's name and still judges the mock's faulty
    # certificates by their fault ({ca_file} holds the user's CA and the mock's).
    r = harness("run", "-q", "--scenarios", "starttls-cert-expired", "starttls-cert-wrong-host",
                "starttls-cert-expiring", *own)
    assert r.returncode == 0, r.stdout + r.stderr


def test_tls_options_are_checked_before_the_run(tmp_path):
    cert, key = own_certificate(tmp_path, "mx.example.test")
    r = harness("run", "--scenarios", "healthy", "--tls-cert", cert)
    assert r.returncode == 2 and "--tls-cert and --tls-key go together" in r.stderr, r.stderr
    r = harness("run", "--scenarios", "healthy", "--tls-cert", cert, "--tls-key",
                str(tmp_path / "missing.pem"))
    assert r.returncode == 2 and "missing.pem: cannot read" in r.stderr, r.stderr
