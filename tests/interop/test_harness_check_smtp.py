"""smtp-harness against check_smtp (monitoring-plugins): the whole catalog, judged by the
committed expectations file that states what check_smtp catches and misses."""

import json
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CHECK_SMTP = "/usr/lib/nagios/plugins/check_smtp"
EXPECT = os.path.join(SOURCE, "docs", "examples", "check_smtp-expectations.yaml")


def harness(*args, timeout=300):
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    return subprocess.run([program, *args], capture_output=True, text=True, timeout=timeout)


def test_check_smtp_matches_its_committed_expectations(tmp_path):
    if not os.access(CHECK_SMTP, os.X_OK):
        pytest.fail(f"{CHECK_SMTP} is missing: ci/setup installs monitoring-plugins-standard")
    report = tmp_path / "report.json"
    junit = tmp_path / "junit.xml"
    r = harness("run", "--jobs", "4", "--monitor", f"cmd:{CHECK_SMTP} -H {{host}} -p {{port}} -t 5",
                "--expect", EXPECT, "--json", str(report), "--junit", str(junit))
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(report.read_text())
    got = {x["scenario"]: x for x in doc["results"]}
    assert len(got) >= 48
    # What check_smtp is known to do: HELO and MAIL faults go unnoticed, banner faults do not.
    assert got["ehlo-421"]["verdict"] == "missed"
    assert got["mail-550-blocklisted"]["verdict"] == "missed"
    assert got["banner-421"]["verdict"] == "caught"
    assert got["banner-missing"]["observed"]["status"] == "CRITICAL"
    assert got["healthy"]["verdict"] == "passed"
    assert got["healthy"]["observed"]["summary"].startswith("SMTP OK")
    assert all(x["as_expected"] for x in doc["results"])
    root = ET.parse(junit).getroot()
    assert root.find("testsuite").get("failures") == "0"
    assert len(root.findall("testsuite/testcase")) == len(got)
