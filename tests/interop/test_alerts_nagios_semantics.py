"""smtp-harness alerts --nagios-config: escalations, host notifications and flap detection, as a
real Nagios 4 runs them (Debian's nagios4, started by the harness in a temporary directory) with
the real check_smtp. One Nagios run for the module: tests/interop/nagios/escalation-host-flap.cfg
through its timeline (45 s at --time-scale 60), judged by its expectations; the tests read what
it captured."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import pytest

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CATALOG = os.path.join(SOURCE, "faults", "catalog")
FILES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nagios")
NAGIOS = "/usr/sbin/nagios4"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    if not os.access(NAGIOS, os.X_OK):
        pytest.fail(f"{NAGIOS} is missing: ci/setup installs nagios4-core")
    out = tmp_path_factory.mktemp("nagios-semantics")
    report, junit = out / "report.json", out / "report.xml"
    # A TMPDIR of its own, where the harness makes its run directory (a short path: Nagios's
    # query socket is in it).
    private = tempfile.mkdtemp(prefix="smtph-nagios-")
    proc = subprocess.run(
        [program, "alerts", "--catalog", CATALOG,
         "--nagios-config", os.path.join(FILES, "escalation-host-flap.cfg"), "--time-scale", "60",
         "--timeline", os.path.join(FILES, "escalation-host-flap-timeline.yaml"),
         "--expect-alerts", os.path.join(FILES, "escalation-host-flap-expectations.yaml"),
         "--json", str(report), "--junit", str(junit)],
        capture_output=True, text=True, timeout=150, env=dict(os.environ, TMPDIR=private))
    doc = json.loads(report.read_text()) if report.exists() else {}
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    left = [line for line in out.splitlines() if private in line] + os.listdir(private)
    shutil.rmtree(private, ignore_errors=True)
    return proc, doc, junit, left


def sent(doc, target, type_=None):
    """The notifications the recorder got for `target` (of `type_`), in order."""
    return [n for n in doc["notifications"] if n["channel"] == "nagios" and n["target"] == target
            and (type_ is None or n["type"] == type_)]


def logged(doc, target, type_):
    return [n for n in doc["notifications"] if n["channel"] == "nagios-log"
            and n["target"] == target and n["type"] == type_]


def test_the_expectations_hold(run):
    proc, doc, _, _ = run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 of 3 expectations held" in proc.stdout, proc.stdout
    assert "2 host(s) pointed at it" in proc.stdout


def test_an_escalation_takes_over_from_the_third_notification(run):
    """notification_interval 2 pages the on-call twice; from the third notification on the
    escalation's contact, the manager, is paged instead, and gets the recovery too."""
    _, doc, _, _ = run
    outage = next(s for s in doc["steps"] if s["id"] == "outage")
    problems = [n for n in sent(doc, "mx1/SMTP", "problem")
                if n["status"] == "CRITICAL" and n["t_s"] <= outage["end_s"] + 1]
    by_contact = {}
    for n in problems:
        assert n["state_type"] == "HARD" and n["attempt"] == 1, n
        by_contact.setdefault(n["notifier"], []).append(n["notification"])
    assert by_contact.get("oncall") == [1, 2], problems
    assert by_contact.get("manager", [])[:1] == [3], problems
    assert all(number >= 3 for number in by_contact["manager"]), problems
    recoveries = [n for n in sent(doc, "mx1/SMTP", "recovery")
                  if outage["end_s"] <= n["t_s"] <= outage["end_s"] + 4]
    assert [n["notifier"] for n in recoveries] == ["manager"], recoveries
    assert recoveries[0]["notification"] > by_contact["manager"][-1]


def test_a_failing_host_check_notifies_the_host_contacts(run):
    """The gateway's own check is check_smtp: refused connections make it DOWN (HARD at once
    with max_check_attempts 1), which pages the on-call by a host notification, and UP again
    sends the recovery; the manager's host_notification_options are n."""
    _, doc, _, _ = run
    downs = logged(doc, "gateway", "state")
    assert [(n["status"], n["state_type"]) for n in downs] == [("DOWN", "HARD"), ("UP", "HARD")]
    notes = sent(doc, "gateway")
    assert [(n["notifier"], n["type"], n["status"], n["notification"]) for n in notes] == \
        [("oncall", "problem", "DOWN", 1), ("oncall", "recovery", "UP", 2)], notes
    assert "Connection refused" in notes[0]["detail"]


def test_alternating_checks_start_and_stop_flapping(run):
    """Every check is HARD (max_check_attempts 1), so each change enters the flap history: the
    alternation crosses high_flap_threshold 30, the steady end falls below 25. Nagios logs both,
    sends FLAPPINGSTART and FLAPPINGSTOP to the contact with f in its options, and holds back
    problems and recoveries in between although the state keeps changing."""
    _, doc, _, _ = run
    start = logged(doc, "mx1/SMTP", "flapping_start")
    stop = logged(doc, "mx1/SMTP", "flapping_stop")
    assert len(start) == 1 and len(stop) == 1, doc["notifications"]
    assert ">= 30.0% threshold" in start[0]["detail"], start
    assert "< 25.0% threshold" in stop[0]["detail"], stop
    steady = next(s for s in doc["steps"] if s["id"] == "steady")
    assert start[0]["t_s"] < steady["start_s"] < stop[0]["t_s"], (start, stop)
    flaps = [(n["notifier"], n["type"]) for n in sent(doc, "mx1/SMTP")
             if n["type"].startswith("flapping")]
    assert flaps == [("oncall", "flapping_start"), ("oncall", "flapping_stop")], flaps
    began = sent(doc, "mx1/SMTP", "flapping_start")[0]["t_s"]
    ended = sent(doc, "mx1/SMTP", "flapping_stop")[0]["t_s"]
    held = [n for n in sent(doc, "mx1/SMTP") if began < n["t_s"] < ended]
    assert held == [], held
    changes = [n for n in logged(doc, "mx1/SMTP", "state") if began < n["t_s"] < ended]
    assert len(changes) >= 2, changes


def test_the_reports_state_the_time_scale(run):
    """The JSON and JUnit reports say what the run's seconds stand for, not only stdout."""
    proc, doc, junit, _ = run
    assert doc["time_scale"] == {"factor": 60, "interval_length_s": 1, "real_duration": "45m",
                                 "real_duration_s": 2700}, doc["time_scale"]
    outage = next(s for s in doc["steps"] if s["id"] == "outage")
    assert (outage["real_duration"], outage["real_duration_s"]) == ("8m", 480)
    windows = {r["name"]: r["real_time"] for r in doc["results"]}
    assert windows["alternating checks flap"] == "within [3m, 12m]"
    assert windows["the gateway host going down pages the on-call"] == \
        "within [0ms, 4m], resolves within [0ms, 4m]"
    suite = ET.parse(junit).getroot().find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["time_scale"] == "60" and props["interval_length_s"] == "1"
    assert props["real_duration"] == "45m" and props["step.steady.real_duration"] == "18m"
    case = next(c for c in suite.findall("testcase") if c.get("name") == "alternating checks flap")
    assert case.find("properties/property").get("value") == "within [3m, 12m]"
    assert "within [3m, 12m] of real time" in proc.stdout


def test_nothing_is_left_running(run):
    """This run's Nagios and its workers are stopped and its run directory is removed."""
    proc, _, _, left = run
    assert "nagios4 running in " in proc.stdout
    assert left == [], left


def test_the_status_data_says_where_each_stands_at_the_end(run):
    """Nagios's status data at the end of the timeline: every host and service, OK (UP) and
    HARD after the steady step, the service no longer flapping, its percent state change below
    the low threshold that ended the flapping."""
    proc, doc, _, _ = run
    end = [n for n in doc["notifications"] if n["channel"] == "nagios-status"]
    assert {n["target"]: (n["type"], n["status"], n["state_type"]) for n in end} == {
        "gateway": ("status", "UP", "HARD"), "mx1": ("status", "UP", "HARD"),
        "mx1/SMTP": ("status", "OK", "HARD")}, end
    steady = next(s for s in doc["steps"] if s["id"] == "steady")
    assert all(n["t_s"] >= steady["end_s"] for n in end), end
    service = next(n for n in end if n["target"] == "mx1/SMTP")
    flapping = re.search(r"attempt 1/1, not flapping \((\d+\.\d)% state change\)", service["detail"])
    assert flapping, service
    assert float(flapping.group(1)) < 25, service
    assert re.search(r"nagios-status\s+nagios\s+status\s+mx1/SMTP\s+OK\s+HARD attempt 1/1, "
                     r"not flapping", proc.stdout), proc.stdout
