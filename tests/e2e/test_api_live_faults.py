"""Live fault control through the API (issue 4, item 3): scenario swap, rules with fire counts,
the listener state, and --scenario at startup."""

import errno
import json
import socket
import subprocess

import pytest

from mock_process import program
from waiting import wait_for
from wire_client import WireClient

NOOP_421 = """\
name: noop-421
summary: NOOP is answered 421.
rules:
  - id: noop-down
    when: {phase: noop}
    do: {reply: "421 4.3.2 going down"}
"""


def banner(sock):
    return sock.recv(1024)


def noop(sock):
    sock.sendall(b"NOOP\r\n")
    return sock.recv(1024)


def test_scenario_swap_affects_new_sessions_only(mock):
    old = mock.connect()
    assert banner(old).startswith(b"220")
    put = mock.api_json("PUT", "/api/v1/scenario", NOOP_421, {"Content-Type": "application/yaml"})
    assert put["name"] == "noop-421"
    assert [r["id"] for r in put["rules"]] == ["noop-down"]
    assert mock.api_json("GET", "/api/v1/scenario")["name"] == "noop-421"

    with mock.connect() as new:
        banner(new)
        assert noop(new) == b"421 4.3.2 going down\r\n"
    # The session in flight keeps the scenario it started with.
    assert noop(old).startswith(b"250")
    old.close()

    rules = mock.api_json("GET", "/api/v1/rules")
    assert rules["rules"][0]["fired"] == 1

    def ended_sessions():
        sessions = mock.api_json("GET", "/api/v1/sessions")["sessions"]
        return sessions if len(sessions) == 2 and all(s["ended_at"] for s in sessions) else None

    sessions = wait_for(ended_sessions, 10)
    assert sessions, mock.api_json("GET", "/api/v1/sessions")
    fired = {s["id"]: s["fired"] for s in sessions}
    assert fired[2] == [{"rule": "noop-down", "phase": "noop"}]
    assert fired[1] == []

    healthy = mock.api_json("DELETE", "/api/v1/scenario")
    assert healthy["rules"] == [] and healthy["listener"] == "open"
    with mock.connect() as again:
        banner(again)
        assert noop(again).startswith(b"250")


def test_scenario_as_json(mock):
    body = {"name": "banner-554", "rules": [{"when": {"phase": "banner"},
                                             "do": {"reply": "554 5.3.2 no service", "close": "fin"}}]}
    mock.api_json("PUT", "/api/v1/scenario", body, {"Content-Type": "application/json"})
    with mock.connect() as s:
        assert banner(s) == b"554 5.3.2 no service\r\n"


def test_scenario_errors_carry_line_column_and_path(mock):
    bad = "name: x\nrules:\n  - when: {phase: banner}\n    do: {close: fn}\n"
    status, _, data = mock.http("PUT", "/api/v1/scenario", bad)
    assert status == 400
    err = json.loads(data)["error"]
    assert err["code"] == "invalid_scenario"
    assert err["path"] == "rules[0].do.close"
    assert err["line"] == 4 and err["column"] > 0
    assert "fin" in err["message"] and "rst" in err["message"]

    status, _, data = mock.http("PUT", "/api/v1/scenario", "name: [oops\n")
    assert status == 400 and json.loads(data)["error"]["code"] == "scenario_syntax"
    status, _, data = mock.http("PUT", "/api/v1/scenario", '{"name": ', {"Content-Type": "application/json"})
    assert status == 400 and json.loads(data)["error"]["code"] == "malformed_json"
    status, _, data = mock.http("PUT", "/api/v1/scenario", '{"name": "x", "rulez": []}')
    assert status == 400 and json.loads(data)["error"]["path"] == "rulez"
    # Nothing changed.
    assert mock.api_json("GET", "/api/v1/scenario")["rules"] == []


def test_rules_add_fire_count_and_remove(mock):
    rule = {"id": "mail-451", "when": {"phase": "mail"}, "do": {"reply": "451 4.3.0 try later"}}
    status, headers, data = mock.http("POST", "/api/v1/rules", json.dumps(rule),
                                     {"Content-Type": "application/json"})
    assert status == 201, data
    assert headers["location"] == "/api/v1/rules/mail-451"
    assert json.loads(data)["fired"] == 0

    status, _, data = mock.http("POST", "/api/v1/rules", json.dumps(rule))
    assert status == 409 and json.loads(data)["error"]["path"] == "id"
    status, _, data = mock.http("POST", "/api/v1/rules", '{"when": {"phase": "mial"}, "do": {"hang": true}}')
    assert status == 400 and json.loads(data)["error"]["path"] == "when.phase"

    with WireClient.connect(mock.host, mock.port) as c:
        c.read_reply()
        c.command(b"EHLO x")
        assert c.command(b"MAIL FROM:<a@example.com>") == b"451 4.3.0 try later\r\n"
    assert mock.api_json("GET", "/api/v1/rules/mail-451")["fired"] == 1
    assert mock.api_json("GET", "/api/v1/stats")["faults_fired"] == 1
    metrics = mock.http("GET", "/metrics")[2].decode()
    assert 'smtp_mock_rule_fired_total{rule="mail-451"} 1\n' in metrics
    assert "smtp_mock_faults_fired_total 1\n" in metrics

    assert mock.api_json("DELETE", "/api/v1/rules/mail-451") == {"deleted": "mail-451"}
    status, _, _ = mock.http("DELETE", "/api/v1/rules/mail-451")
    assert status == 404
    assert mock.api_json("GET", "/api/v1/rules")["rules"] == []


def connect_result(host, port, timeout):
    s = socket.socket()
    s.settimeout(timeout)
    try:
        s.connect((host, port))
        return "connected"
    except socket.timeout:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"
    finally:
        s.close()


def test_listener_states(mock):
    closed = {"state": "closed", "mailbox": "open"}
    assert mock.api_json("PUT", "/api/v1/listener", {"state": "closed"}) == closed
    assert connect_result(mock.host, mock.port, 2) == "refused"
    assert mock.api_json("GET", "/api/v1/listener") == closed
    assert mock.api_json("GET", "/api/v1/scenario")["listener"] == "closed"
    assert mock.api_json("PUT", "/api/v1/listener", {"state": "blackhole"}) == \
        {"state": "blackhole", "mailbox": "open"}
    assert connect_result(mock.host, mock.port, 1.0) == "timeout"
    mock.api_json("PUT", "/api/v1/listener", {"state": "open"})
    with mock.connect() as s:
        assert banner(s).startswith(b"220")


def test_scenario_listener_state_applies_on_swap(mock):
    mock.api_json("PUT", "/api/v1/scenario", "name: refused\nlistener: closed\nrules: []\n")
    assert connect_result(mock.host, mock.port, 2) == "refused"
    mock.api_json("DELETE", "/api/v1/scenario")
    assert connect_result(mock.host, mock.port, 2) == "connected"


def test_scenario_file_at_startup(start_mock, tmp_path):
    f = tmp_path / "noop.yaml"
    f.write_text(NOOP_421)
    m = start_mock("--scenario", str(f), "--seed", "7")
    assert m.api_json("GET", "/api/v1/scenario")["name"] == "noop-421"
    with m.connect() as s:
        banner(s)
        assert noop(s) == b"421 4.3.2 going down\r\n"


def test_closed_listener_from_startup_scenario(start_mock, tmp_path):
    f = tmp_path / "closed.yaml"
    f.write_text("name: closed\nlistener: closed\nrules: []\n")
    m = start_mock("--scenario", str(f))
    assert connect_result(m.host, m.port, 2) == "refused"
    m.api_json("PUT", "/api/v1/listener", {"state": "open"})
    assert connect_result(m.host, m.port, 2) == "connected"


def test_bad_scenario_file_stops_startup_with_its_position(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("name: bad\nrules:\n  - when: {phase: banner}\n    do: {close: fn}\n")
    p = subprocess.run([program("SMTP_MOCK"), "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
                        "--scenario", str(f)], capture_output=True, timeout=20)
    assert p.returncode != 0
    assert f"{f}:4:".encode() in p.stderr
    assert b"rules[0].do.close" in p.stderr
