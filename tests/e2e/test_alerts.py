"""smtp-harness alerts, black-box: an alert configuration driven through fault timelines."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import xml.etree.ElementTree as ET

from interrupt import signal_when_printed
from mock_process import program

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", ".")
EXAMPLES = os.path.join(SOURCE, "docs", "examples")
CATALOG = os.path.join(SOURCE, "faults", "catalog")


def run_alerts(*args, timeout=120):
    return subprocess.run([program("SMTP_HARNESS"), "alerts", "--catalog", CATALOG, *args],
                          capture_output=True, timeout=timeout)


def fast_config(tmp_path, attempts=3, name="watch.yaml"):
    """A watch configuration with all three notifier kinds and short intervals."""
    path = tmp_path / name
    path.write_text(f"""
listen: 127.0.0.1:0
defaults: {{interval: 1s, retry_interval: 500ms, max_check_attempts: {attempts}, timeout: 1s,
           flap: {{window: 8, high: 50, low: 25}}}}
targets: [{{name: mx, host: "mx.example.net:25"}}]
notifiers:
  - {{name: hook, type: webhook, url: "http://alerts.example.net/hook", format: alertmanager}}
  - {{name: mail, type: email, server: "smtp.example.net:587", starttls: true,
     to: [oncall@example.net]}}
  - {{name: sms, type: exec, command: [/usr/local/bin/send-sms, "{{summary}}"]}}
""")
    return str(path)


def checks_in_log(stderr):
    """The state after each check that changed it, from the watch log: "CRITICAL SOFT 1/3"..."""
    marker = "smtp-probe watch: check "
    return [line.split(marker, 1)[1].split(": ", 1)[1] for line in stderr.decode().splitlines()
            if marker in line]


def blip_was_seen_and_absorbed(stderr):
    """The first failing check was followed by an OK before any problem was confirmed."""
    states = checks_in_log(stderr)
    first_fail = next(i for i, s in enumerate(states) if s.startswith("CRITICAL SOFT 1/"))
    first_hard = next((i for i, s in enumerate(states) if s.startswith("CRITICAL HARD")),
                      len(states))
    return any(s.startswith("OK") for s in states[first_fail:first_hard])


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_the_shipped_examples_page_stay_quiet_and_recover(tmp_path):
    """docs/examples: watch.yaml on timeline.yaml meets alert-expectations.yaml."""
    junit = tmp_path / "alerts.xml"
    report = tmp_path / "alerts.json"
    proc = run_alerts("--watch-config", os.path.join(EXAMPLES, "watch.yaml"),
                      "--timeline", os.path.join(EXAMPLES, "timeline.yaml"),
                      "--expect-alerts", os.path.join(EXAMPLES, "alert-expectations.yaml"),
                      "--junit", str(junit), "--json", str(report))
    out = proc.stdout.decode()
    assert proc.returncode == 0, out + proc.stderr.decode()
    assert "step 2/5 blip: banner-missing for 2.5s" in out
    assert "step 4/5 outage: banner-missing for 30.0s" in out
    assert "2 of 2 expectations held" in out
    assert blip_was_seen_and_absorbed(proc.stderr), checks_in_log(proc.stderr)
    doc = json.loads(report.read_text())
    assert doc["summary"]["failed"] == 0 and doc["summary"]["passed"] == 2
    channels = {(n["channel"], n["type"]) for n in doc["notifications"]}
    # Every notifier kind delivered the page and the recovery, and nothing else was sent.
    assert channels == {("webhook", "problem"), ("webhook", "recovery"),
                        ("email", "problem"), ("email", "recovery"),
                        ("exec", "problem"), ("exec", "recovery")}, doc["notifications"]
    assert len(doc["notifications"]) == 6
    outage = next(r for r in doc["results"] if r["step"] == "outage")
    assert 3.0 <= outage["fired_after_s"] <= 12.0
    assert 0.0 <= outage["resolved_after_s"] <= 6.0
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "0"


def test_too_many_retries_miss_a_short_outage_and_fail_the_run(tmp_path):
    timeline = write(tmp_path, "timeline.yaml", """
name: short-outage
steps:
  - {id: warmup, scenario: healthy, for: 2s}
  - {id: outage, scenario: banner-421, for: 4s}
  - {id: after, scenario: healthy, for: 3s}
""")
    expect = write(tmp_path, "expect.yaml", """
expectations:
  - {name: pages on the outage, step: outage, fires: {status: CRITICAL, kind: temp_failure},
     within: [0s, 4s], notifiers: [hook, mail, sms]}
""")
    junit = tmp_path / "junit.xml"
    proc = run_alerts("--watch-config", fast_config(tmp_path, attempts=10), "--timeline",
                      timeline, "--expect-alerts", expect, "--junit", str(junit))
    out = proc.stdout.decode()
    assert proc.returncode == 1, out
    assert "FAIL" in out and "0 of 1 expectations held" in out
    assert "no problem notification" in out
    case = ET.parse(junit).getroot().find("testsuite").find("testcase")
    assert case.get("name") == "pages on the outage"
    assert case.find("failure") is not None


def test_a_blip_that_pages_fails_the_quiet_expectation(tmp_path):
    timeline = write(tmp_path, "timeline.yaml", """
steps:
  - {id: warmup, scenario: healthy, for: 2s}
  - {id: blip, scenario: banner-missing, for: 1200ms}
  - {id: after, scenario: healthy, for: 4s}
""")
    expect = write(tmp_path, "expect.yaml", """
expectations:
  - {name: quiet on a blip, step: blip, quiet: true, quiet_after: 3s}
""")
    # A check starts within the 1.2s blip and times out after 1s; the retry comes 0.5s later.
    # max_check_attempts 1 pages on the first failure: the blip is not absorbed.
    proc = run_alerts("--watch-config", fast_config(tmp_path, attempts=1), "--timeline", timeline,
                      "--expect-alerts", expect)
    out = proc.stdout.decode()
    assert proc.returncode == 1, out
    assert "expected no problem notification" in out

    # With three attempts the same blip raises nothing, though a check saw it.
    proc = run_alerts("--watch-config", fast_config(tmp_path, attempts=3, name="w3.yaml"),
                      "--timeline", timeline, "--expect-alerts", expect)
    assert proc.returncode == 0, proc.stdout.decode()
    assert blip_was_seen_and_absorbed(proc.stderr), checks_in_log(proc.stderr)


def test_flapping_is_flagged(tmp_path):
    timeline = write(tmp_path, "timeline.yaml", """
steps:
  - {id: warmup, scenario: healthy, for: 1s}
  - {id: flap, scenario: flapping, for: 10s}
""")
    expect = write(tmp_path, "expect.yaml", """
expectations:
  - {name: flapping is flagged, step: flap, flapping: true, within: [0s, 10s]}
""")
    config = write(tmp_path, "watch.yaml", """
listen: 127.0.0.1:0
defaults: {interval: 300ms, max_check_attempts: 1, timeout: 1s,
           flap: {window: 8, high: 50, low: 25}}
targets: [{name: mx, host: localhost}]
notifiers: [{name: hook, type: webhook, url: "http://alerts.example.net/"}]
""")
    proc = run_alerts("--watch-config", config, "--timeline", timeline, "--expect-alerts", expect)
    out = proc.stdout.decode()
    assert proc.returncode == 0, out
    assert "flapping flagged after" in out


def test_file_mistakes_are_usage_errors_with_their_position(tmp_path):
    timeline = write(tmp_path, "timeline.yaml", """
steps:
  - {id: one, scenario: no-such-scenario, for: 1s}
""")
    proc = run_alerts("--watch-config", fast_config(tmp_path), "--timeline", timeline)
    assert proc.returncode == 3
    assert f"{timeline}:3:" in proc.stdout.decode()
    assert "no scenario file" in proc.stdout.decode()

    broken = write(tmp_path, "broken.yaml", "name: broken\nrules:\n  - when: {phase: nowhere}\n"
                                            "    do: {hang: true}\n")
    timeline = write(tmp_path, "timeline2.yaml", f"steps: [{{scenario: {broken}, for: 1s}}]\n")
    proc = run_alerts("--watch-config", fast_config(tmp_path), "--timeline", timeline)
    assert proc.returncode == 3, proc.stdout.decode()
    assert f"{broken}:3:" in proc.stdout.decode(), "the scenario's own mistake, before any run"

    good = write(tmp_path, "good.yaml", "steps: [{id: one, scenario: healthy, for: 1s}]\n")
    expect = write(tmp_path, "expect.yaml", "expectations: [{step: two, quiet: true}]\n")
    proc = run_alerts("--watch-config", fast_config(tmp_path), "--timeline", good,
                      "--expect-alerts", expect)
    assert proc.returncode == 3
    assert 'no step "two" in the timeline' in proc.stdout.decode()


def test_ctrl_c_ends_the_run_and_removes_its_files(tmp_path):
    """SIGINT in the middle of a step: the timeline ends there, the watch service and the mocks
    stop, the run directory goes, and the command says where it stopped (exit 130)."""
    timeline = write(tmp_path, "t.yaml", """
steps:
  - {id: warmup, scenario: healthy, for: 1s}
  - {id: outage, scenario: banner-missing, for: 120s}
""")
    private = tempfile.mkdtemp(prefix="smtph-alerts-")
    try:
        code, text, _ = signal_when_printed(
            [program("SMTP_HARNESS"), "alerts", "--catalog", CATALOG,
             "--watch-config", fast_config(tmp_path), "--timeline", timeline],
            dict(os.environ, TMPDIR=private), tmp_path / "out.txt", "step 2/2 outage",
            signal.SIGINT, timeout=30)
        assert code == 130, text
        assert "ERROR: interrupted by SIGINT: the timeline stopped at " in text, text
        assert "in step 2/2 outage; what the run started is stopped and its files are removed" \
            in text, text
        assert os.listdir(private) == [], "the run directory was left behind"
    finally:
        shutil.rmtree(private, ignore_errors=True)
