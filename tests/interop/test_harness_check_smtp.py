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


def check_smtp(*options):
    if not os.access(CHECK_SMTP, os.X_OK):
        pytest.fail(f"{CHECK_SMTP} is missing: ci/setup installs monitoring-plugins-standard")
    return " ".join([f"cmd:{CHECK_SMTP} -H {{host}} -p {{port}} -t 5", *options])


def run_json(tmp_path, monitor, *scenarios, expect=None):
    report = tmp_path / "report.json"
    junit = tmp_path / "junit.xml"
    args = ["run", "-q", "--jobs", "4", "--monitor", monitor, "--json", str(report),
            "--junit", str(junit), "--scenarios", *scenarios]
    if expect is not None:
        path = tmp_path / "expect.yaml"
        path.write_text(expect)
        args += ["--expect", str(path)]
    r = harness(*args)
    doc = json.loads(report.read_text())
    return r, doc, {x["scenario"]: x for x in doc["results"]}, ET.parse(junit).getroot()


def test_without_expectations_check_smtp_is_held_to_each_scenarios_own_statuses(tmp_path):
    # HELO works, so OK is right on ehlo-502-helo-fallback. intermittent is judged over 7
    # checks: check_smtp says WARNING ("recv() failed") on each 421 banner, which the scenario
    # does not accept (as on banner-421), and OK on the others.
    r, doc, got, _ = run_json(tmp_path, check_smtp(), "healthy", "ehlo-502-helo-fallback",
                              "intermittent", "quit-drop")
    assert got["healthy"]["verdict"] == "passed"
    assert got["ehlo-502-helo-fallback"]["verdict"] == "passed"
    assert got["ehlo-502-helo-fallback"]["expected"]["status"] == ["OK"]
    coin = got["intermittent"]
    assert coin["verdict"] == "misreported"
    assert coin["expected"]["status"] == ["OK", "CRITICAL"]
    assert coin["checks"] == 7 and 1 <= coin["fired_checks"] < 7 and coin["caught_checks"] == 0
    assert {(c["fault_fired"], c["verdict"]) for c in coin["check_results"]} == {
        (True, "misreported"), (False, "passed")}
    # A third-party monitor names no failure kinds: it is not held to the scenario's.
    assert got["intermittent"]["expected"]["kind"] is None
    # check_smtp does not judge the reply to QUIT: a true miss.
    assert got["quit-drop"]["verdict"] == "missed"
    assert [x["scenario"] for x in doc["results"] if not x["as_expected"]] == [
        "intermittent", "quit-drop"]
    assert r.returncode == 1


def test_an_alert_where_the_server_still_works_is_a_false_alarm(tmp_path):
    # With -S, check_smtp demands STARTTLS, which a HELO-only server cannot offer.
    r, doc, got, _ = run_json(tmp_path, check_smtp("-S"), "ehlo-502-helo-fallback")
    assert got["ehlo-502-helo-fallback"]["observed"]["status"] != "OK"
    assert got["ehlo-502-helo-fallback"]["verdict"] == "false_alarm"
    assert r.returncode == 1


def test_unknown_can_be_expected(tmp_path):
    # check_smtp -S exits 3 (UNKNOWN) when STARTTLS is refused with 454.
    r, doc, got, _ = run_json(tmp_path, check_smtp("-S"), "starttls-454",
                              expect="scenarios:\n  starttls-454: {status: UNKNOWN}\n")
    assert got["starttls-454"]["observed"]["status"] == "UNKNOWN"
    assert got["starttls-454"]["observed"]["exit_code"] == 3
    assert got["starttls-454"]["verdict"] == "caught"
    assert r.returncode == 0, r.stdout + r.stderr
    # Without the expectation, UNKNOWN is an alert with the wrong status, not an error.
    r, doc, got, _ = run_json(tmp_path, check_smtp("-S"), "starttls-454")
    assert got["starttls-454"]["verdict"] == "misreported"
    assert r.returncode == 1


def test_a_monitor_that_alerts_on_the_healthy_control_proves_no_catch(tmp_path):
    # A banner check for a string no server sends: it warns everywhere, and with any alert
    # accepted every fault looks caught.
    monitor = check_smtp("-e", "NO-SUCH-BANNER")
    any_alert = "defaults: {status: [WARNING, CRITICAL]}\n"
    r, doc, got, junit = run_json(tmp_path, monitor, "healthy", "banner-421", "ehlo-550",
                                  expect=any_alert)
    assert got["healthy"]["verdict"] == "false_alarm"
    assert doc["false_alarm_controls"] == ["healthy"]
    for name in ("banner-421", "ehlo-550"):
        assert got[name]["verdict"] == "caught"
        assert got[name]["unproven"] is True
        assert got[name]["as_expected"] is False
    assert doc["unproven"] == 2
    assert "unproven: the healthy control (healthy) raised a false alarm" in r.stdout
    assert "caught (unproven)" in r.stdout
    # The table shows why it fired: its own words.
    assert "Invalid SMTP response received from host" in r.stdout
    assert junit.find("testsuite").get("failures") == "3"
    assert r.returncode == 1
    # Stating that this monitor alarms on healthy keeps the run green, still marked unproven.
    r, doc, got, _ = run_json(tmp_path, monitor, "healthy", "banner-421",
                              expect=any_alert + "scenarios:\n  healthy: {expect_verdict: false_alarm}\n")
    assert got["banner-421"]["unproven"] is True
    assert r.returncode == 0, r.stdout + r.stderr
