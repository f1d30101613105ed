"""smtp-harness alerts --prometheus-config, live: the harness starts smtp-probe exporter, Debian's
Prometheus on the example rule files and Debian's Alertmanager on the example routes, on
loopback in a temporary directory, at --time-scale 60, drives the mock through the example
timeline and captures what the receivers deliver (webhooks, and e-mail through a mock). The run
happens once for the module; virtual time must give the same verdicts on the same files, and
docs/alerting.md shows the run as it is."""

import json
import os
import re
import subprocess

import pytest
from docs_text import normalised

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CATALOG = os.path.join(SOURCE, "faults", "catalog")

LIVE_ARGS = ["--prometheus-config", "docs/examples/prometheus/prometheus.yml",
             "--exporter-modules", "docs/examples/prometheus/exporter-modules.yml",
             "--alertmanager-config", "docs/examples/prometheus/alertmanager.yml",
             "--timeline", "docs/examples/prometheus/timeline-live.yaml",
             "--expect-alerts", "docs/examples/prometheus/expectations-live.yaml",
             "--time-scale", "60"]


def harness_alerts(*args, timeout=120):
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    for daemon in ("/usr/bin/prometheus", "/usr/bin/prometheus-alertmanager", "/usr/bin/promtool",
                   "/usr/bin/amtool"):
        if not os.access(daemon, os.X_OK):
            pytest.fail(f"{daemon} is missing: ci/setup installs prometheus and "
                        "prometheus-alertmanager")
    return subprocess.run([program, "alerts", "--catalog", CATALOG, *args], capture_output=True,
                          text=True, timeout=timeout, cwd=SOURCE)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The one live run of the module (about 30 s), with its reports."""
    out = tmp_path_factory.mktemp("live")
    run = harness_alerts(*LIVE_ARGS, "--json", str(out / "report.json"), "--junit",
                         str(out / "report.xml"))
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() \
        else None
    return run, report, (out / "report.xml").read_text() if (out / "report.xml").exists() else ""


def verdicts(report):
    return {r["name"]: r["verdict"] == "passed" for r in report["results"]}


def test_the_blip_stays_quiet_and_the_outage_pages_both_receivers_after_for(live):
    run, report, _ = live
    assert report is not None, run.stdout + run.stderr
    assert "error" not in report, report["error"]
    assert run.returncode == 1, run.stdout + run.stderr  # the eager expectation fails
    assert verdicts(report) == {"a 3-minute blip pages nobody": True,
                                "the outage pages on-call and the team": True,
                                "the team hears of the recovery": True,
                                "the outage pages within two minutes": False}, run.stdout
    assert "3 of 4 expectations held" in run.stdout
    pages = [n for n in report["notifications"] if n["type"] == "problem"]
    assert {(n["channel"], n["notifier"]) for n in pages} == {
        ("email", "oncall-email"), ("webhook", "team-webhook")}, pages
    for n in pages:
        assert n["labels"] == {"alertname": "SMTPDown", "instance": "mx1.example.com:25",
                               "job": "smtp_banner", "severity": "page"}, n
    recoveries = [n for n in report["notifications"] if n["type"] == "recovery"]
    # Alertmanager's e-mail receivers do not send resolved notifications unless told to.
    assert {n["notifier"] for n in recoveries} == {"team-webhook"}, recoveries


def test_the_reports_state_the_scale_and_the_real_time_of_every_window(live):
    run, report, junit = live
    assert report is not None, run.stdout + run.stderr
    assert report["time_scale"] == {"factor": 60, "real_duration": "30m",
                                    "real_duration_s": 1800.0}, report["time_scale"]
    windows = {r["name"]: r.get("real_time") for r in report["results"]}
    assert windows["the team hears of the recovery"] == \
        "within [5m, 8m], resolves within [0ms, 7m]", windows
    assert '<property name="time_scale" value="60"/>' in junit
    assert "interval_length_s" not in junit
    assert ("time scale 60: scrape every 0.5s instead of 30.0s, rules evaluated every 1.0s "
            "instead of 60.0s") in run.stdout, run.stdout


def test_virtual_time_gives_the_same_verdicts_on_the_same_files(live, tmp_path):
    _, live_report, _ = live
    assert live_report is not None
    run = harness_alerts(*LIVE_ARGS, "--virtual-time", "--json", str(tmp_path / "v.json"))
    report = json.loads((tmp_path / "v.json").read_text())
    assert "error" not in report, run.stdout
    assert verdicts(report) == verdicts(live_report), run.stdout


def test_docs_show_the_live_run(live):
    run, _, _ = live
    docs = open(os.path.join(SOURCE, "docs", "alerting.md")).read()
    shown = " ".join(re.sub(r"\\\n\s*", "", docs).split())
    assert "smtp-harness alerts " + " ".join(LIVE_ARGS) in shown
    docs = normalised(docs)
    for line in run.stdout.splitlines():
        assert normalised(line) in docs, f"docs/alerting.md lacks the line {line!r}"


def test_a_missing_daemon_is_named_with_its_debian_package():
    run = harness_alerts(*LIVE_ARGS, "--alertmanager", "/nonexistent/alertmanager")
    assert run.returncode == 3
    assert ("cannot run /nonexistent/alertmanager: it is not installed (Debian package "
            "prometheus-alertmanager: apt-get install prometheus-alertmanager)") in run.stdout


def test_live_with_blackbox_exporter_and_without_alertmanager(tmp_path):
    """--blackbox-config: the run starts prometheus-blackbox-exporter with the user's module;
    without an Alertmanager configuration the alerts Prometheus itself sends are captured, under
    the receiver name `prometheus` (about 13 s)."""
    (tmp_path / "rules.yml").write_text("""groups:
  - name: smtp
    rules:
      - alert: SMTPDown
        expr: probe_success == 0
        for: 2s
        labels: {severity: page}
""")
    (tmp_path / "prometheus.yml").write_text("""global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [rules.yml]
scrape_configs:
  - job_name: smtp_blackbox
    metrics_path: /probe
    params: {module: [smtp_ehlo]}
    static_configs: [{targets: ['mx9.example.net:25']}]
    relabel_configs:
      - {source_labels: [__address__], target_label: __param_target}
      - {target_label: __address__, replacement: 127.0.0.1:9115}
""")
    (tmp_path / "timeline.yaml").write_text("""steps:
  - {id: warmup, scenario: healthy, for: 3s}
  - {id: long, scenario: ehlo-421, for: 6s}
  - {id: after, scenario: healthy, for: 4s}
""")
    (tmp_path / "expect.yaml").write_text("""expectations:
  - {step: long, fires: {alertname: SMTPDown, labels: {job: smtp_blackbox}},
     within: [2s, 6s], resolves_within: [0s, 3s], routed_to: [prometheus]}
""")
    run = harness_alerts("--prometheus-config", str(tmp_path / "prometheus.yml"),
                         "--blackbox-config", os.path.join(SOURCE, "docs", "examples",
                                                           "blackbox.yml"),
                         "--timeline", str(tmp_path / "timeline.yaml"),
                         "--expect-alerts", str(tmp_path / "expect.yaml"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "(module smtp_ehlo) of the exporter at 127.0.0.1:" in run.stdout
    assert "its alerts captured at http://127.0.0.1:" in run.stdout
    assert re.search(r"prometheus +prometheus +problem +mx9\.example\.net:25 +page +SMTPDown",
                     run.stdout), run.stdout
    assert "1 of 1 expectations held" in run.stdout
