"""Live fault control on the wire (the control API): a scenario
swapped through PUT /api/v1/scenario takes effect on the next connection while sessions in
flight keep the scenario they started with; DELETE goes back to healthy; rules added, counted
and removed through /api/v1/rules; the listener state through PUT /api/v1/listener; fired rules
in the session records and fire counts in /metrics. Observed with the raw socket client of
tests/support/wire_client.py."""

import os
import pathlib
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))

from waiting import wait_for  # noqa: E402
from wire_client import FIN, OPEN, WireClient, connect_outcome  # noqa: E402

SOURCE_DIR = pathlib.Path(os.environ.get("SMTPH_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
CATALOG = SOURCE_DIR / "faults" / "catalog"

HEALTHY_GREETING = b"220 localhost ESMTP smtp-mock ready\r\n"
BYE = b"221 2.0.0 Bye\r\n"
SERVICE_421 = (b"421 4.3.2 localhost Service not available, closing transmission "
               b"channel\r\n")
MESSAGE = b"Subject: live\r\n\r\nsent while the scenario changed\r\n.\r\n"
YAML = {"Content-Type": "application/yaml"}


def catalog_text(name):
    # Bytes: http.client would encode a str body as Latin-1, and the catalog has UTF-8 (§).
    return (CATALOG / f"{name}.yaml").read_bytes()


def swap(mock, name):
    """PUT a catalog scenario; returns the scenario the API reports in force."""
    put = mock.api_json("PUT", "/api/v1/scenario", catalog_text(name), YAML)
    assert put["name"] == name
    assert mock.api_json("GET", "/api/v1/scenario")["name"] == name
    return put


def greeted(mock):
    client = WireClient.connect(mock.host, mock.port)
    assert client.read_reply() == HEALTHY_GREETING
    return client


def ehlo_is_healthy(client):
    reply = client.command(b"EHLO live.test")
    assert reply.startswith(b"250-localhost greets live.test\r\n") and reply.endswith(
        b"250 SMTPUTF8\r\n"), reply


def deliver_and_quit(client):
    """A whole healthy transaction on an open session, then QUIT."""
    assert client.command(b"MAIL FROM:<a@live.test>") == b"250 2.1.0 Ok\r\n"
    assert client.command(b"RCPT TO:<b@live.test>") == b"250 2.1.5 Ok\r\n"
    assert client.command(b"DATA").startswith(b"354 ")
    client.send(MESSAGE)
    assert client.read_reply().startswith(b"250 2.0.0 Ok: queued as ")
    assert client.command(b"QUIT") == BYE
    assert client.wait_end() == (FIN, b"")


def test_swap_takes_effect_on_the_next_connection_only(mock):
    # A session that starts healthy, and stays healthy through two swaps.
    before = greeted(mock)

    swap(mock, "ehlo-421")
    # A new connection sees EHLO refused with the exact 421, then FIN.
    with WireClient.connect(mock.host, mock.port) as fresh:
        assert fresh.read_reply() == HEALTHY_GREETING
        assert fresh.command(b"EHLO live.test") == SERVICE_421
        assert fresh.wait_end() == (FIN, b"")
    # The session started under ehlo-421 keeps it after the next swap.
    under_ehlo_421 = greeted(mock)

    swap(mock, "banner-missing")
    with WireClient.connect(mock.host, mock.port) as fresh:
        assert fresh.observe_silence(0.5) == (OPEN, b"")

    # Sessions in flight: the first one is healthy throughout, its EHLO comes after the swaps.
    ehlo_is_healthy(before)
    assert before.command(b"NOOP") == b"250 2.0.0 Ok\r\n"
    deliver_and_quit(before)
    before.close()
    assert under_ehlo_421.command(b"HELO live.test") == SERVICE_421
    assert under_ehlo_421.wait_end() == (FIN, b"")
    under_ehlo_421.close()
    assert len(mock.messages()) == 1

    # DELETE goes back to healthy for the next connection.
    healthy = mock.api_json("DELETE", "/api/v1/scenario")
    assert healthy["rules"] == [] and healthy["listener"] == "open"
    with greeted(mock) as after:
        ehlo_is_healthy(after)
        deliver_and_quit(after)
    assert len(mock.messages()) == 2


def fire_mail_rule(mock, expect):
    with greeted(mock) as client:
        ehlo_is_healthy(client)
        assert client.command(b"MAIL FROM:<a@live.test>") == expect
        assert client.command(b"QUIT") == BYE
        assert client.wait_end() == (FIN, b"")


def session_fired(mock, session_id, timeout=10.0):
    """The fired rules of a finished session record (the record is completed as the session
    ends, so wait for it)."""
    def record():
        return mock.api_json("GET", f"/api/v1/sessions/{session_id}")

    assert wait_for(lambda: record().get("ended_at"), timeout), record()
    return record()["fired"]


def metric(mock, sample):
    """The value of one Prometheus sample line of /metrics, or None."""
    status, _, body = mock.http("GET", "/metrics")
    assert status == 200
    for line in body.decode().splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    return None


def test_rule_added_counted_in_api_sessions_and_metrics_then_removed(mock):
    rule = {"id": "live-mail-452", "when": {"phase": "mail"},
            "do": {"reply": "452 4.3.1 Insufficient system storage"}}
    created = mock.api_json("POST", "/api/v1/rules", rule, expect=201)
    assert created["id"] == "live-mail-452" and created["fired"] == 0
    listed = mock.api_json("GET", "/api/v1/rules")["rules"]
    assert [(r["id"], r["fired"]) for r in listed] == [("live-mail-452", 0)]

    for n in (1, 2):
        fire_mail_rule(mock, b"452 4.3.1 Insufficient system storage\r\n")
        listed = mock.api_json("GET", "/api/v1/rules")["rules"]
        assert [(r["id"], r["fired"]) for r in listed] == [("live-mail-452", n)]
        assert metric(mock, 'smtp_mock_rule_fired_total{rule="live-mail-452"}') == n
        assert metric(mock, "smtp_mock_faults_fired_total") == n

    sessions = mock.api_json("GET", "/api/v1/sessions")["sessions"]
    assert [s["id"] for s in sessions] == [1, 2]
    for s in sessions:
        assert session_fired(mock, s["id"]) == [{"rule": "live-mail-452", "phase": "mail"}]

    assert mock.api_json("DELETE", "/api/v1/rules/live-mail-452") == {"deleted": "live-mail-452"}
    assert mock.api_json("GET", "/api/v1/rules")["rules"] == []
    fire_mail_rule(mock, b"250 2.1.0 Ok\r\n")
    assert session_fired(mock, 3) == []
    assert metric(mock, "smtp_mock_faults_fired_total") == 2


def test_catalog_scenario_rules_count_their_fires(mock):
    swap(mock, "flapping")
    outcomes = []
    for _ in range(3):
        with WireClient.connect(mock.host, mock.port) as client:
            reply = client.read_reply()
            outcomes.append(reply[:3])
            if reply == HEALTHY_GREETING:
                assert client.command(b"QUIT") == BYE
            assert client.wait_end() == (FIN, b"")
    assert outcomes == [b"421", b"220", b"421"]
    rules = mock.api_json("GET", "/api/v1/rules")["rules"]
    assert [(r["id"], r["fired"]) for r in rules] == [("odd-connections-refused", 2)]
    assert metric(mock, 'smtp_mock_rule_fired_total{rule="odd-connections-refused"}') == 2
    assert session_fired(mock, 1) == [{"rule": "odd-connections-refused", "phase": "banner"}]
    assert session_fired(mock, 2) == []


def test_listener_closed_blackhole_open(mock):
    in_flight = greeted(mock)

    # The answer names the mailbox service's state too, which an SMTP change leaves open.
    assert mock.api_json("PUT", "/api/v1/listener",
                         {"state": "closed"}) == {"state": "closed", "mailbox": "open"}
    outcome, took = connect_outcome(mock.host, mock.port, timeout=2.0)
    assert outcome == "refused" and took < 0.5

    assert mock.api_json("PUT", "/api/v1/listener",
                         {"state": "blackhole"}) == {"state": "blackhole", "mailbox": "open"}
    outcome, took = connect_outcome(mock.host, mock.port, timeout=1.0)
    assert outcome == "timeout" and took >= 1.0

    assert mock.api_json("PUT", "/api/v1/listener",
                         {"state": "open"}) == {"state": "open", "mailbox": "open"}
    with greeted(mock) as again:
        ehlo_is_healthy(again)
        assert again.command(b"QUIT") == BYE

    # The session accepted before the listener changed was never disturbed.
    ehlo_is_healthy(in_flight)
    deliver_and_quit(in_flight)
    in_flight.close()


def test_listener_state_of_a_swapped_scenario(mock):
    swap(mock, "connect-refused")
    assert connect_outcome(mock.host, mock.port, timeout=2.0)[0] == "refused"
    swap(mock, "connect-blackhole")
    assert connect_outcome(mock.host, mock.port, timeout=1.0)[0] == "timeout"
    mock.api_json("DELETE", "/api/v1/scenario")
    with greeted(mock) as client:
        assert client.command(b"QUIT") == BYE
