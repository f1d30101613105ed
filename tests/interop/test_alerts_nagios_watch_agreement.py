"""smtp-probe watch against a real Nagios 4: the same timeline and the same thresholds
(max_check_attempts, check and retry intervals, notification interval, flap thresholds), as a
watch configuration (tests/interop/nagios/agreement-watch.yaml) and as Nagios objects
(agreement.cfg, at --time-scale 60), meet the same expectations and send the same problem
notifications (type, state, attempt, notification number). The recoveries differ in the
numbers they carry, as docs/alerting.md explains; the test holds both sides to exactly that.
Both runs go at once, 26 s."""

import json
import os
import shutil
import subprocess
import tempfile

import pytest

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CATALOG = os.path.join(SOURCE, "faults", "catalog")
FILES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nagios")
NAGIOS = "/usr/sbin/nagios4"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    if not os.access(NAGIOS, os.X_OK):
        pytest.fail(f"{NAGIOS} is missing: ci/setup installs nagios4-core")
    out = tmp_path_factory.mktemp("agreement")
    common = ["--timeline", os.path.join(FILES, "agreement-timeline.yaml"),
              "--expect-alerts", os.path.join(FILES, "agreement-expectations.yaml"), "--quiet"]
    configs = {
        "watch": ["--watch-config", os.path.join(FILES, "agreement-watch.yaml")],
        "nagios": ["--nagios-config", os.path.join(FILES, "agreement.cfg"), "--time-scale", "60"],
    }
    private = tempfile.mkdtemp(prefix="smtph-agree-")  # the runs' TMPDIR
    procs = {name: subprocess.Popen(
        [program, "alerts", "--catalog", CATALOG, *args, *common,
         "--json", str(out / f"{name}.json")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, TMPDIR=private))
        for name, args in configs.items()}
    results = {}
    for name, proc in procs.items():
        try:
            text, _ = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            text, _ = proc.communicate()
        report = out / f"{name}.json"
        results[name] = (proc.returncode, text,
                         json.loads(report.read_text()) if report.exists() else {})
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    left = [line for line in ps.splitlines() if private in line] + os.listdir(private)
    shutil.rmtree(private, ignore_errors=True)
    assert left == [], f"left behind: {left}"
    return results


def pages(doc):
    """Problem and recovery notifications: (type, status, attempt, notification, time)."""
    return [(n["type"], n["status"], n["attempt"], n["notification"], n["t_s"])
            for n in doc["notifications"]
            if n["channel"] != "nagios-log" and n["type"] in ("problem", "recovery")]


def test_both_meet_the_same_expectations(runs):
    for name, (code, text, _) in runs.items():
        assert code == 0, f"{name}:\n{text}"
        assert "2 of 2 expectations held" in text, f"{name}:\n{text}"


def test_the_same_problem_notifications(runs):
    """The blip stays soft in both; the outage turns hard on the third attempt and is
    re-notified once after notification_interval, at about the same time."""
    watch = [p for p in pages(runs["watch"][2]) if p[0] == "problem"]
    nagios = [p for p in pages(runs["nagios"][2]) if p[0] == "problem"]
    assert [p[:4] for p in watch] == [("problem", "CRITICAL", 3, 1), ("problem", "CRITICAL", 3, 2)]
    assert [p[:4] for p in nagios] == [p[:4] for p in watch], (watch, nagios)
    for w, n in zip(watch, nagios):
        assert abs(w[4] - n[4]) <= 2.5, (watch, nagios)


def test_the_recoveries_differ_only_in_their_numbers(runs):
    """Both send one recovery, OK. Nagios passes the attempt of the hard state that ended
    (SERVICEATTEMPT 3) and counts the recovery as the next notification of the problem (3);
    watch names the check that recovered (attempt 1) and the problem's last notification (2)."""
    watch = [p for p in pages(runs["watch"][2]) if p[0] == "recovery"]
    nagios = [p for p in pages(runs["nagios"][2]) if p[0] == "recovery"]
    assert [p[:4] for p in nagios] == [("recovery", "OK", 3, 3)], nagios
    assert [p[:4] for p in watch] == [("recovery", "OK", 1, 2)], watch
    assert abs(watch[0][4] - nagios[0][4]) <= 2.5, (watch, nagios)


def test_neither_flaps(runs):
    """With the same flap thresholds (21 states, 30% high), a blip and one outage change the
    state too seldom: neither flags flapping."""
    for name, (_, _, doc) in runs.items():
        assert not [n for n in doc["notifications"] if n["type"].startswith("flapping")], name
