"""smtp-harness alerts --prometheus-config --virtual-time: the user's Prometheus rules evaluated
by Debian's promtool on what smtp-probe exporter's probe really returned from a mock driven
through a fault timeline, each alert routed by Debian's amtool on the user's Alertmanager
configuration; docs/alerting.md shows these runs as they are."""

import json
import os
import re
import subprocess

import pytest

from daemon_process import http_daemon
from mock_process import free_port

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(SOURCE, "docs", "examples", "prometheus")
CATALOG = os.path.join(SOURCE, "faults", "catalog")

EXAMPLE_ARGS = ["--prometheus-config", "docs/examples/prometheus/prometheus.yml", "--virtual-time",
                "--exporter-modules", "docs/examples/prometheus/exporter-modules.yml",
                "--alertmanager-config", "docs/examples/prometheus/alertmanager.yml",
                "--timeline", "docs/examples/prometheus/timeline.yaml"]


def harness_alerts(*args, cwd=SOURCE):
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    for tool in ("/usr/bin/promtool", "/usr/bin/amtool"):
        if not os.access(tool, os.X_OK):
            pytest.fail(f"{tool} is missing: ci/setup installs prometheus and "
                        "prometheus-alertmanager")
    return subprocess.run([program, "alerts", "--catalog", CATALOG, *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def shown_in_docs(args, output):
    """The command is in docs/alerting.md, and so is every line it printed (the mock's port
    aside)."""
    docs = open(os.path.join(SOURCE, "docs", "alerting.md")).read()
    shown = " ".join(re.sub(r"\\\n\s*", "", docs).split())
    docs = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", docs)
    assert "smtp-harness alerts " + " ".join(args) in shown
    for line in output.splitlines():
        line = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line)
        assert line in docs, f"docs/alerting.md lacks the line {line!r}"


def test_the_shipped_example_stays_quiet_on_a_blip_and_pages_after_five_minutes(tmp_path):
    """48 minutes of docs/examples/prometheus/timeline.yaml: the 3-minute blip pages nobody,
    SMTPDown (for: 5m) fires 5 minutes into the outage, routed to e-mail and the webhook."""
    report = tmp_path / "report.json"
    args = EXAMPLE_ARGS + ["--expect-alerts", "docs/examples/prometheus/expectations.yaml"]
    junit = tmp_path / "report.xml"
    run = harness_alerts(*args, "--json", str(report), "--junit", str(junit))
    assert run.returncode == 0, run.stdout + run.stderr
    xml = junit.read_text()
    assert 'tests="2"' in xml and 'failures="0"' in xml, xml
    assert 'name="the outage pages on-call and the team"' in xml, xml
    assert "2 of 2 expectations held" in run.stdout
    assert "96 scrapes, 49 rule evaluations every 60.0s by promtool test rules" in run.stdout
    assert "blip: ehlo-421 for 180.0s, probe_success 6x 0" in run.stdout
    doc = json.loads(report.read_text())
    pages = [n for n in doc["notifications"] if n["type"] == "problem"]
    assert {n["notifier"] for n in pages} == {"oncall-email", "team-webhook"}, pages
    assert all(n["alertname"] == "SMTPDown" and n["t_s"] == 1680.0 for n in pages), pages
    assert pages[0]["labels"] == {"alertname": "SMTPDown", "instance": "mx1.example.com:25",
                                  "job": "smtp_banner", "severity": "page"}
    shown_in_docs(args, run.stdout)


def test_an_expectation_the_rules_cannot_meet_fails_and_says_why():
    args = EXAMPLE_ARGS + ["--expect-alerts", "docs/examples/prometheus/expectations-eager.yaml"]
    run = harness_alerts(*args)
    assert run.returncode == 1, run.stdout + run.stderr
    assert ("oncall-email: problem after 300.0s, expected within [0.0s, 120.0s]"
            in run.stdout), run.stdout
    assert "0 of 1 expectations held" in run.stdout
    shown_in_docs(args, run.stdout)


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return str(tmp_path / name)


SEND_JOB = """  - job_name: smtp_send
    metrics_path: /probe
    params: {module: [smtp_send]}
    static_configs: [{targets: ['mx9.example.net:25']}]
"""


def ten_minute_rule(tmp_path, rule_expr="probe_success == 0", job=SEND_JOB):
    write(tmp_path, "rules.yml", f"""groups:
  - name: smtp
    rules:
      - alert: SMTPLongDown
        expr: {rule_expr}
        for: 10m
        labels: {{severity: ticket}}
""")
    return write(tmp_path, "prometheus.yml", """global: {scrape_interval: 1m, evaluation_interval: 1m}
rule_files: [rules.yml]
scrape_configs:
""" + job)


def test_a_ten_minute_rule_stays_quiet_for_nine_minutes_and_fires_after_ten(tmp_path):
    """for: 10m on a full send through rcpt-550: 9 minutes of failure page nobody; 20 minutes
    page after 10, routed by severity=ticket to the webhook only."""
    config = ten_minute_rule(tmp_path)
    timeline = write(tmp_path, "timeline.yaml", """name: long
steps:
  - {id: warmup, scenario: healthy, for: 5m}
  - {id: short, scenario: rcpt-550-unknown-user, for: 9m}
  - {id: calm, scenario: healthy, for: 5m}
  - {id: long, scenario: rcpt-550-unknown-user, for: 20m}
  - {id: after, scenario: healthy, for: 5m}
""")
    expect = write(tmp_path, "expect.yaml", """expectations:
  - {name: nine minutes are quiet, step: short, quiet: true, quiet_after: 11m}
  - name: twenty minutes page after ten
    step: long
    fires: {alertname: SMTPLongDown, labels: {instance: mx9.example.net:25, job: smtp_send}}
    severity: ticket
    within: [10m, 11m]
    resolves_within: [0s, 1m]
    routed_to: [team-webhook]
""")
    run = harness_alerts("--prometheus-config", config, "--virtual-time", "--exporter-modules",
                         os.path.join(EXAMPLES, "exporter-modules.yml"), "--alertmanager-config",
                         os.path.join(EXAMPLES, "alertmanager.yml"), "--timeline", timeline,
                         "--expect-alerts", expect)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 of 2 expectations held" in run.stdout
    assert "long: rcpt-550-unknown-user for 1200.0s, probe_success 20x 0" in run.stdout


def test_rules_that_never_fire_fail_a_fires_expectation(tmp_path):
    """The same run with a rule on a metric the exporter does not have: nothing fires, and the
    expectation says so."""
    config = ten_minute_rule(tmp_path, "probe_smtp_nonexistent == 1")
    timeline = write(tmp_path, "timeline.yaml", """steps:
  - {id: long, scenario: ehlo-421, for: 12m}
""")
    expect = write(tmp_path, "expect.yaml",
                   "expectations: [{step: long, fires: {alertname: SMTPLongDown}}]\n")
    run = harness_alerts("--prometheus-config", config, "--virtual-time", "--exporter-modules",
                         os.path.join(EXAMPLES, "exporter-modules.yml"), "--timeline", timeline,
                         "--expect-alerts", expect)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "FAIL     long fires SMTPLongDown  long  no problem notification" in run.stdout


@pytest.fixture
def base(tmp_path):
    """Arguments of a valid run, with copies of the example files to spoil."""
    for name in ("prometheus.yml", "rules.yml", "alertmanager.yml"):
        (tmp_path / name).write_text(open(os.path.join(EXAMPLES, name)).read())
    return tmp_path, ["--prometheus-config", str(tmp_path / "prometheus.yml"), "--virtual-time",
                      "--exporter-modules", os.path.join(EXAMPLES, "exporter-modules.yml"),
                      "--alertmanager-config", str(tmp_path / "alertmanager.yml"),
                      "--timeline", os.path.join(EXAMPLES, "timeline.yaml")]


def test_a_rule_file_prometheus_rejects_is_named_with_promtools_message(base):
    tmp_path, args = base
    rules = tmp_path / "rules.yml"
    rules.write_text(rules.read_text().replace("== 0", "=="))
    run = harness_alerts(*args)
    assert run.returncode == 3, run.stdout + run.stderr
    assert f"Prometheus rejects {tmp_path}/prometheus.yml or a rule file it names" in run.stdout
    assert f'{rules}: 6:15: group "smtp", rule 1, "SMTPDown": could not parse expression' \
        in run.stdout, run.stdout


def test_an_alertmanager_config_amtool_rejects_is_named_with_its_message(base):
    tmp_path, args = base
    am = tmp_path / "alertmanager.yml"
    am.write_text(am.read_text().replace("receiver: oncall-email", "receiver: oncall-mail"))
    run = harness_alerts(*args)
    assert run.returncode == 3, run.stdout + run.stderr
    assert f"Alertmanager rejects {am}" in run.stdout
    assert 'undefined receiver "oncall-mail" used in route' in run.stdout, run.stdout


def test_a_missing_tool_is_named_with_its_debian_package(base):
    _, args = base
    run = harness_alerts(*args, "--amtool", "/nonexistent/amtool")
    assert run.returncode == 3
    assert ("cannot run /nonexistent/amtool: it is not installed (Debian package "
            "prometheus-alertmanager: apt-get install prometheus-alertmanager)") in run.stdout


def test_a_module_the_modules_file_lacks_is_named_with_the_known_ones(base):
    tmp_path, args = base
    prom = tmp_path / "prometheus.yml"
    prom.write_text(prom.read_text().replace("module: [smtp_banner]", "module: [smtp_bannr]"))
    run = harness_alerts(*args)
    assert run.returncode == 3
    assert ('job smtp_banner asks for module "smtp_bannr", which '
            f'{EXAMPLES}/exporter-modules.yml does not define; modules: smtp_banner, '
            'smtp_starttls, smtp_send') in run.stdout, run.stdout


@pytest.fixture(scope="module")
def blackbox(tmp_path_factory):
    """prometheus-blackbox-exporter with docs/examples/blackbox.yml on a free loopback port."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("blackbox") / "blackbox.log"
    with http_daemon("prometheus-blackbox-exporter",
                     ["--config.file", os.path.join(SOURCE, "docs", "examples", "blackbox.yml"),
                      "--web.listen-address", f"127.0.0.1:{port}"],
                     f"http://127.0.0.1:{port}/-/healthy", log_path,
                     package="prometheus-blackbox-exporter"):
        yield f"127.0.0.1:{port}"


def test_blackbox_exporter_with_its_module_feeds_a_ten_minute_rule(tmp_path, blackbox):
    """The job scrapes blackbox_exporter's smtp_ehlo module (the harness asks it over HTTP, as
    Prometheus does): 9 minutes of EHLO 421 stay quiet, 12 minutes page after 10."""
    config = ten_minute_rule(tmp_path, job="""  - job_name: smtp_blackbox
    metrics_path: /probe
    params: {module: [smtp_ehlo]}
    static_configs: [{targets: ['mx9.example.net:25']}]
""")
    timeline = write(tmp_path, "timeline.yaml", """steps:
  - {id: warmup, scenario: healthy, for: 3m}
  - {id: short, scenario: ehlo-421, for: 9m}
  - {id: calm, scenario: healthy, for: 3m}
  - {id: long, scenario: ehlo-421, for: 12m}
  - {id: after, scenario: healthy, for: 2m}
""")
    expect = write(tmp_path, "expect.yaml", """expectations:
  - {step: short, quiet: true, quiet_after: 11m}
  - {step: long, fires: {alertname: SMTPLongDown, labels: {job: smtp_blackbox}},
     within: [10m, 11m], resolves_within: [0s, 1m]}
""")
    run = harness_alerts("--prometheus-config", config, "--virtual-time", "--exporter", blackbox,
                         "--timeline", timeline, "--expect-alerts", expect)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"(module smtp_ehlo) of the exporter at {blackbox}" in run.stdout
    assert "long: ehlo-421 for 720.0s, probe_success 12x 0" in run.stdout, run.stdout
    assert "2 of 2 expectations held" in run.stdout


def test_an_alert_on_the_failure_labels_ends_when_the_failure_does(tmp_path):
    """probe_smtp_failure{kind,phase} exists only while the probe fails: it goes stale at the
    first healthy scrape, as in Prometheus, so an alert on it resolves within a scrape (not after
    the 5-minute lookback) and carries the kind and phase as labels."""
    config = ten_minute_rule(tmp_path, "probe_smtp_failure == 1")
    (tmp_path / "rules.yml").write_text((tmp_path / "rules.yml").read_text()
                                        .replace("for: 10m", "for: 2m"))
    timeline = write(tmp_path, "timeline.yaml", """steps:
  - {id: warmup, scenario: healthy, for: 2m}
  - {id: outage, scenario: rcpt-550-unknown-user, for: 6m}
  - {id: after, scenario: healthy, for: 8m}
""")
    expect = write(tmp_path, "expect.yaml", """expectations:
  - step: outage
    fires: {alertname: SMTPLongDown, labels: {kind: perm_failure, phase: rcpt}}
    within: [2m, 3m]
    resolves_within: [0s, 1m]
""")
    run = harness_alerts("--prometheus-config", config, "--virtual-time", "--exporter-modules",
                         os.path.join(EXAMPLES, "exporter-modules.yml"), "--timeline", timeline,
                         "--expect-alerts", expect)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 of 1 expectations held" in run.stdout


def test_the_harness_starts_blackbox_exporter_with_the_users_modules(tmp_path):
    """--blackbox-config: the run starts prometheus-blackbox-exporter itself with the user's
    configuration and scrapes its smtp_ehlo module; 12 minutes of EHLO 421 page after 10."""
    config = ten_minute_rule(tmp_path, job="""  - job_name: smtp_blackbox
    metrics_path: /probe
    params: {module: [smtp_ehlo]}
    static_configs: [{targets: ['mx9.example.net:25']}]
""")
    timeline = write(tmp_path, "timeline.yaml", """steps:
  - {id: warmup, scenario: healthy, for: 2m}
  - {id: long, scenario: ehlo-421, for: 12m}
  - {id: after, scenario: healthy, for: 2m}
""")
    expect = write(tmp_path, "expect.yaml", """expectations:
  - {step: long, fires: {alertname: SMTPLongDown, labels: {job: smtp_blackbox}},
     within: [10m, 11m], resolves_within: [0s, 1m]}
""")
    blackbox = os.path.join(SOURCE, "docs", "examples", "blackbox.yml")
    run = harness_alerts("--prometheus-config", config, "--virtual-time", "--blackbox-config",
                         blackbox, "--timeline", timeline, "--expect-alerts", expect)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "(module smtp_ehlo) of the exporter at 127.0.0.1:" in run.stdout
    assert "1 of 1 expectations held" in run.stdout
    (tmp_path / "prometheus.yml").write_text(
        (tmp_path / "prometheus.yml").read_text().replace("smtp_ehlo", "smtp_ehl0"))
    run = harness_alerts("--prometheus-config", config, "--virtual-time", "--blackbox-config",
                         blackbox, "--timeline", timeline)
    assert run.returncode == 3, run.stdout
    assert f'asks for module "smtp_ehl0", which {blackbox} does not define; modules: ' \
        in run.stdout, run.stdout


def test_compound_durations_are_read_as_prometheus_reads_them(tmp_path):
    """`for: 1h30m`, `scrape_interval: 1m30s` and windows such as `1h30m` are Prometheus's own
    duration syntax: the run reads them instead of refusing them; a bad one names file and key."""
    config = ten_minute_rule(tmp_path)
    (tmp_path / "rules.yml").write_text((tmp_path / "rules.yml").read_text()
                                        .replace("for: 10m", "for: 1h30m"))
    (tmp_path / "prometheus.yml").write_text((tmp_path / "prometheus.yml").read_text()
                                             .replace("scrape_interval: 1m", "scrape_interval: 1m30s"))
    timeline = write(tmp_path, "timeline.yaml", """steps:
  - {id: warmup, scenario: healthy, for: 15m}
  - {id: long, scenario: rcpt-550-unknown-user, for: 1h45m}
  - {id: after, scenario: healthy, for: 15m}
""")
    expect = write(tmp_path, "expect.yaml", """expectations:
  - {step: long, fires: {alertname: SMTPLongDown}, within: [1h30m, 1h33m], resolves_within: [0s, 2m]}
""")
    run = harness_alerts("--prometheus-config", config, "--virtual-time", "--exporter-modules",
                         os.path.join(EXAMPLES, "exporter-modules.yml"), "--timeline", timeline,
                         "--expect-alerts", expect)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "scrape every 90.0s" in run.stdout
    assert "1 of 1 expectations held" in run.stdout
    # promtool names a bad duration in the Prometheus files; the harness names one in its own.
    (tmp_path / "expect.yaml").write_text((tmp_path / "expect.yaml").read_text()
                                          .replace("1h33m", "33m1h"))
    run = harness_alerts("--prometheus-config", config, "--virtual-time", "--exporter-modules",
                         os.path.join(EXAMPLES, "exporter-modules.yml"), "--timeline", timeline,
                         "--expect-alerts", expect)
    assert run.returncode == 3, run.stdout
    assert expect in run.stdout and "expectations[0].within" in run.stdout, run.stdout
