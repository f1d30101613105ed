"""The Prometheus examples of docs/prometheus.md are valid for the real tools (Debian's
`prometheus` with promtool, `prometheus-alertmanager` with amtool): the configurations load, the
rules page for an outage only after their `for:` and stay quiet for a shorter blip, and the
Alertmanager routes send pages to e-mail and everything to the webhook."""

import os
import shutil
import subprocess

import pytest
import yaml

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(SOURCE, "docs", "examples", "prometheus")


def tool(name, *args, cwd=None):
    program = shutil.which(name)
    if program is None:
        pytest.fail(f"{name} is missing: ci/setup installs prometheus and prometheus-alertmanager")
    return subprocess.run([program, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


@pytest.mark.parametrize("name", ["prometheus.yml", "prometheus-sharded.yml"])
def test_the_scrape_configurations_load(name):
    run = tool("promtool", "check", "config", os.path.join(EXAMPLES, name))
    assert run.returncode == 0, run.stdout + run.stderr


def test_smtpdown_pages_after_five_minutes_and_not_for_a_blip(tmp_path):
    # Scraped every 30s: instance a fails for 3 minutes (a blip), instance b for 10.
    series = [
        {"series": 'probe_success{job="smtp_banner",instance="a:25"}',
         "values": "1x4 0x5 1x20"},
        {"series": 'probe_success{job="smtp_banner",instance="b:25"}',
         "values": "1x4 0x20 1x5"},
    ]
    page = {"alertname": "SMTPDown", "severity": "page", "job": "smtp_banner"}
    tests = {
        "rule_files": [os.path.join(EXAMPLES, "rules.yml")],
        "evaluation_interval": "30s",
        "tests": [{
            "interval": "30s",
            "input_series": series,
            "alert_rule_test": [
                # b has failed for 3.5 minutes: pending, no page yet.
                {"eval_time": "6m", "alertname": "SMTPDown", "exp_alerts": []},
                # b has failed for over 5 minutes: one page, for b only; a's blip never paged.
                {"eval_time": "8m", "alertname": "SMTPDown",
                 "exp_alerts": [{"exp_labels": {**page, "instance": "b:25"},
                                 "exp_annotations": {
                                     "summary": "SMTP on b:25 fails (smtp_banner)",
                                     "description": 'probe_smtp_failure{instance="b:25"} '
                                                    "names the kind and phase."}}]},
                {"eval_time": "4m", "alertname": "SMTPDown", "exp_alerts": []},
            ],
        }],
    }
    path = tmp_path / "rules_test.yml"
    path.write_text(yaml.safe_dump(tests))
    run = tool("promtool", "test", "rules", str(path))
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_alertmanager_routes_page_by_email_and_everything_by_webhook():
    config = os.path.join(EXAMPLES, "alertmanager.yml")
    run = tool("amtool", "check-config", config)
    assert run.returncode == 0, run.stdout + run.stderr

    def receivers(*labels):
        run = tool("amtool", "config", "routes", "test", "--config.file", config, *labels)
        assert run.returncode == 0, run.stdout + run.stderr
        return run.stdout.strip()

    assert receivers("alertname=SMTPDown", "severity=page") == "oncall-email,team-webhook"
    assert receivers("alertname=SMTPSlow", "severity=ticket") == "team-webhook"
    assert receivers("alertname=SMTPCertExpiring", "severity=ticket") == "team-webhook"
