"""smtp-probe watch keeps its state across restarts: no alert re-sent, none forgotten."""

import json

from test_watch import Receiver, receiver, set_scenario, start_watch, target_of  # noqa: F401
from waiting import wait_for


def config(mock, url, state, retry="{attempts: 5, backoff: 200ms}"):
    return f"""
listen: 127.0.0.1:0
state_file: {state}
defaults: {{interval: 300ms, retry_interval: 200ms, max_check_attempts: 2, timeout: 1s}}
targets: [{{name: mx, host: "{target_of(mock)}"}}]
notifiers: [{{name: hook, type: webhook, url: "{url}/hook", retry: {retry}}}]
"""


def test_restart_in_the_middle_of_an_open_alert(mock, receiver, start_watch, tmp_path):
    state = tmp_path / "state.json"
    first = start_watch(config(mock, receiver.url, state), name="first")
    set_scenario(mock, "banner-missing")
    assert wait_for(lambda: len(receiver.bodies()) == 1, 10), first.log()
    problem = receiver.bodies()[0]
    assert problem["type"] == "problem"
    assert first.stop() == 0

    saved = json.loads(state.read_text())
    assert saved["monitors"]["mx"]["problem_open"] is True
    assert saved["outbox"] == []

    # Still down after the restart: the open problem is not sent again.
    second = start_watch(config(mock, receiver.url, state), name="second")
    assert wait_for(lambda: "restored mx: CRITICAL HARD, problem notified" in second.log(), 5), \
        second.log()
    assert second.more_checks(3), second.log()
    assert len(receiver.bodies()) == 1, receiver.bodies()
    assert second.status()["targets"][0]["problem_open"] is True

    # And it is not forgotten: the recovery comes, for the same alert.
    set_scenario(mock, "healthy")
    assert wait_for(lambda: len(receiver.bodies()) == 2, 10), second.log()
    recovery = receiver.bodies()[1]
    assert recovery["type"] == "recovery"
    assert recovery["id"] == problem["id"]


def test_a_pending_delivery_survives_a_restart(mock, start_watch, tmp_path):
    state = tmp_path / "state.json"
    # The receiver is down: the problem waits in the outbox between retries.
    down = Receiver()
    url = down.url
    down.close()
    first = start_watch(config(mock, url, state, retry="{attempts: 10, backoff: 10s}"),
                        name="first")
    set_scenario(mock, "banner-421")
    assert wait_for(lambda: "notifier hook failed (attempt 1/10)" in first.log(), 10), first.log()
    assert first.stop() == 0
    saved = json.loads(state.read_text())
    assert len(saved["outbox"]) == 1
    assert saved["outbox"][0]["event"]["type"] == "problem"
    assert saved["outbox"][0]["attempts"] == 1

    # The receiver is back on the same port; the restarted watch delivers it, once.
    back = Receiver(port=int(url.rsplit(":", 1)[1]))
    try:
        second = start_watch(config(mock, back.url, state), name="second")
        assert wait_for(lambda: len(back.bodies()) >= 1, 10), second.log()
        assert wait_for(
            lambda: second.metric('smtp_watch_notifications_sent_total{notifier="hook"}') == 1, 5)
        assert second.more_checks(2), second.log()
        bodies = back.bodies()
        assert [b["type"] for b in bodies] == ["problem"], bodies
        assert bodies[0]["id"].startswith("mx/")
        assert "resuming delivery to hook" in second.log()
    finally:
        back.close()
