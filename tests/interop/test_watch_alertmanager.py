"""smtp-probe watch posting to a real Alertmanager (Debian's prometheus-alertmanager, started
here on 127.0.0.1 with its storage in a temporary directory): a problem fires and resolves, and
a flapping start is resolved by its stop even when the failure changed while it flapped."""

import json
import os
import sys
import urllib.request

import pytest

from daemon_process import http_daemon
from mock_process import free_port
from waiting import wait_for

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from test_watch import Watch, set_scenario, target_of  # noqa: E402

ALERTMANAGER = "prometheus-alertmanager"


@pytest.fixture(scope="module")
def alertmanager(tmp_path_factory):
    """An Alertmanager on 127.0.0.1 with no clustering and a receiver that sends nothing."""
    tmp = tmp_path_factory.mktemp("alertmanager")
    (tmp / "am.yml").write_text('route: {receiver: "null"}\nreceivers: [{name: "null"}]\n')
    url = f"http://127.0.0.1:{free_port()}"
    with http_daemon(ALERTMANAGER, ["--config.file", str(tmp / "am.yml"),
                                    "--storage.path", str(tmp / "data"),
                                    "--web.listen-address", url.removeprefix("http://"),
                                    "--cluster.listen-address="],
                     url + "/-/ready", tmp / "am.log", package="prometheus-alertmanager"):
        yield url


def active(url, alertname):
    """The label sets of the alerts named `alertname` that Alertmanager holds as firing."""
    with urllib.request.urlopen(url + "/api/v2/alerts?active=true", timeout=5) as resp:
        alerts = json.load(resp)
    return [a["labels"] for a in alerts
            if a["labels"]["alertname"] == alertname and a["status"]["state"] == "active"]


def test_alertmanager_holds_problems_and_flapping_until_watch_resolves_them(
        mock, alertmanager, tmp_path):
    config = tmp_path / "watch.yaml"
    config.write_text(f"""
listen: 127.0.0.1:0
defaults:
  interval: 200ms
  max_check_attempts: 1
  timeout: 1s
  flap: {{window: 6, high: 50, low: 25}}
targets: [{{name: mx, host: "{target_of(mock)}"}}]
notifiers:
  - {{name: am, type: webhook, url: "{alertmanager}/api/v2/alerts", format: alertmanager}}
""")
    w = Watch(str(config), str(tmp_path / "watch.log"))
    try:
        set_scenario(mock, "ehlo-550")
        assert wait_for(lambda: active(alertmanager, "SMTPProbeFailed"), 10), w.log()
        assert active(alertmanager, "SMTPProbeFailed")[0] == {
            "alertname": "SMTPProbeFailed", "target": "mx", "severity": "critical",
            "kind": "perm_failure", "phase": "ehlo"}

        set_scenario(mock, "flapping")
        assert wait_for(lambda: active(alertmanager, "SMTPProbeFlapping"), 15), w.log()
        # The flapping alert names the flapping, not the failure of a problem.
        assert active(alertmanager, "SMTPProbeFlapping") == [
            {"alertname": "SMTPProbeFlapping", "target": "mx", "severity": "critical"}]

        # Another failure while it flaps: the stop must still resolve what the start raised.
        set_scenario(mock, "ehlo-550")
        assert w.more_checks(2), w.log()
        set_scenario(mock, "healthy")
        assert wait_for(lambda: not active(alertmanager, "SMTPProbeFlapping"), 15), \
            (active(alertmanager, "SMTPProbeFlapping"), w.log())
        assert wait_for(lambda: not active(alertmanager, "SMTPProbeFailed"), 10), \
            (active(alertmanager, "SMTPProbeFailed"), w.log())
    finally:
        w.stop()
