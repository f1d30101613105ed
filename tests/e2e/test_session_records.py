"""What the mock records is true at every moment: a session is active until its connection
ends, ended_at and the outcome are set when it ends, closed_by says who ended it, and the
counters add up (issue 18 §2, issue 13 item 10)."""

import json
import re
import smtplib
import time

import pytest

from wire_client import WireClient

JSON = {"Content-Type": "application/json"}


def wait_for(condition, timeout, interval=0.02):
    """Calls `condition()` until it is true or `timeout` seconds have passed; returns its last
    value."""
    deadline = time.monotonic() + timeout
    value = condition()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = condition()
    return value


def sessions(m):
    return m.api_json("GET", "/api/v1/sessions")["sessions"]


def session(m, sid):
    return m.api_json("GET", f"/api/v1/sessions/{sid}")


def add_rule(m, rule):
    m.api_json("POST", "/api/v1/rules", rule, JSON, expect=201)


def events(s):
    return [e["text"] for e in s["transcript"] if e["dir"] == "event"]


def test_a_hung_session_is_active_until_the_client_gives_up(mock):
    add_rule(mock, {"id": "hang", "when": {"phase": "banner"}, "do": {"hang": True}})
    c = WireClient.connect(mock.host, mock.port)
    # Wait until the hang has begun; the session is then still active.
    assert wait_for(lambda: sessions(mock) and "server hangs: sends nothing more"
                    in events(sessions(mock)[0]), 5)
    s = sessions(mock)[0]
    assert (s["outcome"], s["ended_at"], s["closed_by"]) == ("active", None, None)
    assert mock.api_json("GET", "/api/v1/stats")["connections"]["active"] == 1
    time.sleep(0.2)  # the hang goes on while the client waits
    c.close()
    assert wait_for(lambda: session(mock, s["id"])["outcome"] != "active", 5)
    s = session(mock, s["id"])
    assert (s["outcome"], s["closed_by"]) == ("client_closed", "client")
    assert s["ended_at"] > s["started_at"]
    assert events(s)[-1] == "connection closed by client"


def test_a_hung_banner_session_keeps_the_lines_the_client_sent_while_waiting(mock):
    add_rule(mock, {"id": "hang", "when": {"phase": "banner"}, "do": {"hang": True}})
    with WireClient.connect(mock.host, mock.port) as c:
        assert wait_for(lambda: sessions(mock) and "server hangs: sends nothing more"
                        in events(sessions(mock)[0]), 5)
        c.send(b"EHLO impatient.test\r\n")
        sid = sessions(mock)[0]["id"]
        assert wait_for(lambda: any(e["dir"] == "C" for e in session(mock, sid)["transcript"]), 5)
        c.send(b"QUIT\r\n")
        assert wait_for(lambda: sum(e["dir"] == "C"
                                    for e in session(mock, sid)["transcript"]) == 2, 5)
        assert c.observe_silence(0.2)[1] == b""  # still nothing from the server
    s = session(mock, sid)
    said = [(e["t_ms"], e["text"]) for e in s["transcript"] if e["dir"] == "C"]
    assert [text for _, text in said] == ["EHLO impatient.test", "QUIT"]
    hung_at = next(e["t_ms"] for e in s["transcript"] if e["text"].startswith("server hangs"))
    assert hung_at <= said[0][0] <= said[1][0]
    status, _, body = mock.http("GET", f"/api/v1/sessions/{sid}?format=text")
    assert status == 200
    text = body.decode()
    assert re.search(r"C: EHLO impatient\.test", text) and re.search(r"C: QUIT", text), text


def test_closed_by_names_the_fault_the_server_or_the_client(mock):
    add_rule(mock, {"id": "drop", "when": {"phase": "ehlo"}, "do": {"close": "fin"}})
    with WireClient.connect(mock.host, mock.port) as c:
        c.read_reply()
        c.send(b"EHLO x\r\n")
        assert c.wait_end(timeout=5)[0] == "fin"
    with WireClient.connect(mock.host, mock.port) as c:
        c.read_reply()
        assert c.command(b"QUIT").startswith(b"221")
        c.wait_end(timeout=5)
    with WireClient.connect(mock.host, mock.port) as c:
        c.read_reply()
    assert wait_for(lambda: all(s["outcome"] != "active" for s in sessions(mock)) and
                    len(sessions(mock)) == 3, 5)
    got = [(s["outcome"], s["closed_by"]) for s in sessions(mock)]
    assert got == [("fault_closed", "fault"), ("quit", "server"), ("client_closed", "client")]


def test_too_many_errors_has_its_own_outcome_and_the_counters_add_up(mock):
    with WireClient.connect(mock.host, mock.port) as c:
        c.read_reply()
        c.send(b"BAD\r\n" * 20)
        ending, data = c.wait_end(timeout=5)
        assert data.endswith(b"421 4.7.0 localhost Error: too many errors\r\n")
    with WireClient.connect(mock.host, mock.port) as c:
        c.read_reply()
        c.command(b"QUIT")
        c.wait_end(timeout=5)
    assert wait_for(lambda: mock.api_json("GET", "/api/v1/stats")["connections"]["active"] == 0,
                    5)
    stats = mock.api_json("GET", "/api/v1/stats")
    by_outcome = stats["sessions"]["by_outcome"]
    assert by_outcome["too_many_errors"] == 1 and by_outcome["quit"] == 1
    assert by_outcome["refused"] == 0 and stats["connections"]["refused"] == 0
    # Every accepted connection is active or ended with exactly one outcome.
    assert stats["connections"]["accepted"] == sum(by_outcome.values()) == 2
    assert sessions(mock)[0]["outcome"] == "too_many_errors"
    metrics = mock.http("GET", "/metrics")[2].decode()
    assert 'smtp_mock_sessions_total{outcome="too_many_errors"} 1\n' in metrics


def test_a_refused_connection_is_counted_once_as_refused(start_mock):
    m = start_mock("--max-connections", "1")
    with WireClient.connect(m.host, m.port) as first:
        first.read_reply()
        with WireClient.connect(m.host, m.port) as second:
            assert second.read_reply().startswith(b"421 4.7.0")
    assert wait_for(lambda: m.api_json("GET", "/api/v1/stats")["connections"]["active"] == 0, 5)
    stats = m.api_json("GET", "/api/v1/stats")
    assert stats["connections"]["refused"] == stats["sessions"]["by_outcome"]["refused"] == 1
    assert stats["connections"]["accepted"] == sum(stats["sessions"]["by_outcome"].values())
    refused = [s for s in sessions(m) if s["outcome"] == "refused"]
    assert len(refused) == 1 and refused[0]["closed_by"] == "server"


def test_a_session_reads_as_text_with_its_delays_fault_and_ending(mock):
    rule = {"id": "slow-no", "when": {"phase": "rcpt"},
            "do": {"delay": "300ms", "reply": "550 5.1.1 no such user"}}
    mock.api_json("POST", "/api/v1/rules", rule, expect=201)
    with smtplib.SMTP(mock.host, mock.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("a@example.org", ["b@example.org"], "Subject: x\r\n\r\nx\r\n")
    assert mock.idle()
    session = mock.api_json("GET", "/api/v1/sessions")["sessions"][-1]["id"]
    status, headers, body = mock.http("GET", f"/api/v1/sessions/{session}?format=text")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    lines = body.decode().splitlines()
    assert lines[0].startswith(f"session {session} from 127.0.0.1:")
    reply = next(line for line in lines if "S: 550 5.1.1 no such user" in line)
    delay = int(re.search(r"\+(\d+) ms", reply).group(1))
    assert 300 <= delay < 3000, reply
    assert "fault rule slow-no fired at rcpt" in lines
    assert re.match(r"ended \S+: quit, closed by server$", lines[-1]), lines[-1]
    status, _, body = mock.http("GET", f"/api/v1/sessions/{session}?format=xml")
    assert status == 400 and b'"path":"format"' in body
