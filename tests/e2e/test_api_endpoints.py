"""Black-box tests of smtp-mock's control API: every endpoint and every error case,
over real HTTP with http.client."""

import json
import re
import smtplib
import socket
import subprocess

import pytest

from mock_process import program, split_address
from waiting import wait_for
from wire_client import WireClient

MESSAGE = b"Subject: api test\r\nFrom: a@example.com\r\n\r\n.leading dot\r\nbody\r\n"


def send(mock, sender="a@example.com", rcpts=("b@example.com",), data=MESSAGE):
    with smtplib.SMTP(mock.host, mock.port, timeout=10) as s:
        s.sendmail(sender, list(rcpts), data)


def stats_when(mock, condition, timeout=10):
    """The stats once `condition(stats)` holds (sessions are counted when they end, just after
    the client saw the last reply); the last stats when it never does."""
    assert wait_for(lambda: condition(mock.api_json("GET", "/api/v1/stats")), timeout)
    return mock.api_json("GET", "/api/v1/stats")


def error_of(data):
    body = json.loads(data)
    assert set(body) == {"error"}, body
    assert {"code", "message", "path"} <= set(body["error"]), body
    return body["error"]


def test_ready_line_names_control_and_pop3(start_mock):
    m = start_mock("--pop3", "127.0.0.1:0", "--listen-tls", "127.0.0.1:0")
    assert set(m.ready) == {"event", "smtp", "smtp_tls", "pop3", "control", "console"}
    assert m.ready["console"] == f"http://{m.ready['control']}/"
    for text in [m.ready["control"], m.ready["pop3"], *m.ready["smtp"], *m.ready["smtp_tls"]]:
        host, port = split_address(text)
        assert host == "127.0.0.1" and port > 0


def test_ready_line_without_control(start_mock):
    m = start_mock("--control", "")
    assert "control" not in m.ready and "pop3" not in m.ready


def test_health(mock):
    h = mock.api_json("GET", "/api/v1/health")
    assert h["status"] == "ok"
    assert re.fullmatch(r"\d+\.\d+\.\d+", h["version"])
    assert 0 <= h["uptime_seconds"] < 60
    assert isinstance(h["seed"], int) and h["seed"] > 0


def test_seed_from_the_command_line_is_reported(start_mock):
    m = start_mock("--seed", "12345")
    assert m.api_json("GET", "/api/v1/health")["seed"] == 12345


def test_picked_seed_is_logged(start_mock):
    m = start_mock()
    seed = m.api_json("GET", "/api/v1/health")["seed"]
    m.stop()
    assert f"seed {seed}".encode() in m.stderr


def test_sessions_have_transcripts(mock):
    send(mock)
    with mock.connect() as s:
        s.recv(1024)
        s.sendall(b"NOOP\r\n")
        s.recv(1024)

    def ended():
        sessions = mock.api_json("GET", "/api/v1/sessions")["sessions"]
        return sessions if len(sessions) == 2 and all(s["ended_at"] for s in sessions) else None

    sessions = wait_for(ended, 10)
    assert sessions, mock.api_json("GET", "/api/v1/sessions")
    first = sessions[0]
    assert first["id"] == 1
    assert first["outcome"] == "quit"
    assert first["local"] == f"{mock.host}:{mock.port}"
    assert first["peer"].startswith("127.0.0.1:")
    for key in ("started_at", "ended_at"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first[key]), first[key]
    assert first["tls"] is None and first["auth"] is None
    assert first["messages"] == ["1"]
    assert first["fired"] == []
    texts = [(e["dir"], e["text"]) for e in first["transcript"]]
    assert ("S", "220 localhost ESMTP smtp-mock ready") in texts
    assert ("C", "QUIT") in texts
    assert all(e["t_ms"] >= 0 for e in first["transcript"])
    times = [e["t_ms"] for e in first["transcript"]]
    assert times == sorted(times)
    assert sessions[1]["outcome"] == "client_closed"

    page = mock.api_json("GET", "/api/v1/sessions?since=1&limit=1")
    assert [s["id"] for s in page["sessions"]] == [2]
    assert mock.api_json("GET", "/api/v1/sessions?since=2")["sessions"] == []
    assert mock.api_json("GET", "/api/v1/sessions/1")["id"] == 1


@pytest.mark.parametrize("query,param", [
    ("since=x", "since"), ("since=-1", "since"), ("limit=0", "limit"), ("limit=abc", "limit"),
    ("limit=99999999999999999999", "limit"), ("bogus=1", "bogus"),
])
def test_sessions_bad_query(mock, query, param):
    status, _, data = mock.http("GET", "/api/v1/sessions?" + query)
    assert status == 400
    err = error_of(data)
    assert err["code"] == "invalid_query" and err["path"] == param
    assert param in err["message"]


def test_unknown_session_is_404(mock):
    status, _, data = mock.http("GET", "/api/v1/sessions/42")
    assert status == 404 and error_of(data)["code"] == "not_found"


def test_messages_metadata_raw_and_delete(mock):
    send(mock, rcpts=("b@example.com", "c@example.com"))
    msgs = mock.api_json("GET", "/api/v1/messages")["messages"]
    assert len(msgs) == 1
    m = msgs[0]
    assert set(m) == {"id", "from", "to", "size", "subject", "headers", "received_at", "session",
                      "tls", "auth"}
    assert m["from"] == "a@example.com"
    assert m["to"] == ["b@example.com", "c@example.com"]
    assert m["size"] == len(MESSAGE)
    assert m["subject"] == "api test"
    assert m["headers"] == [{"name": "Subject", "value": "api test"},
                            {"name": "From", "value": "a@example.com"}]
    assert m["session"] == 1 and m["tls"] is False and m["auth"] is None
    assert mock.api_json("GET", f"/api/v1/messages/{m['id']}") == m

    status, headers, raw = mock.http("GET", f"/api/v1/messages/{m['id']}/raw")
    assert status == 200
    assert headers["content-type"] == "message/rfc822"
    assert raw == MESSAGE  # byte-exact, dot-unstuffed

    for path in ("/api/v1/messages/99", "/api/v1/messages/99/raw"):
        status, _, data = mock.http("GET", path)
        assert status == 404 and error_of(data)["path"] == "id"

    send(mock)
    assert mock.api_json("DELETE", "/api/v1/messages") == {"deleted": 2}
    assert mock.api_json("GET", "/api/v1/messages") == {"messages": []}


def test_stats(mock):
    send(mock)
    send(mock)
    s = stats_when(mock, lambda s: s["sessions"]["total"] == 2 and s["connections"]["active"] == 0)
    assert s["connections"] == {"accepted": 2, "active": 0, "refused": 0}
    assert s["sessions"]["total"] == 2
    assert s["sessions"]["by_outcome"]["quit"] == 2
    assert s["messages"] == {"accepted": 2, "stored": 2}
    assert s["faults_fired"] == 0
    assert s["bytes"]["received"] > 2 * len(MESSAGE)
    assert s["bytes"]["sent"] > 0


def test_metrics(mock):
    send(mock)
    stats_when(mock, lambda s: s["sessions"]["total"] == 1 and s["connections"]["active"] == 0)
    status, headers, data = mock.http("GET", "/metrics")
    assert status == 200
    assert headers["content-type"].startswith("text/plain; version=0.0.4")
    text = data.decode()
    samples = {}
    typed = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
        elif line and not line.startswith("#"):
            name_labels, value = line.rsplit(" ", 1)
            samples[name_labels] = float(value)
            assert name_labels.split("{")[0] in typed, line
            assert name_labels.startswith("smtp_mock_")
    assert samples["smtp_mock_connections_accepted_total"] == 1
    assert samples['smtp_mock_sessions_total{outcome="quit"}'] == 1
    assert samples["smtp_mock_messages_accepted_total"] == 1
    assert samples["smtp_mock_faults_fired_total"] == 0
    assert samples['smtp_mock_listener_state{state="open"}'] == 1


@pytest.mark.parametrize("method,path,allow", [
    ("POST", "/api/v1/health", "GET"),
    ("PUT", "/metrics", "GET"),
    ("PATCH", "/api/v1/scenario", "GET, PUT, DELETE"),
    ("PUT", "/api/v1/rules", "GET, POST"),
    ("POST", "/api/v1/listener", "GET, PUT"),
    ("PUT", "/api/v1/sessions", "GET, DELETE"),
    ("GET", "/api/v1/reset", "POST"),
    ("POST", "/api/v1/messages", "GET, DELETE"),
    ("DELETE", "/api/v1/stats", "GET"),
])
def test_wrong_method_is_405_with_allow(mock, method, path, allow):
    status, headers, data = mock.http(method, path)
    assert status == 405
    assert headers["allow"] == allow
    assert error_of(data)["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/console", "/console/none.js", "/api/v1", "/api/v1/nope", "/api/v2/health",
                                  "/api/v1/health/x", "/api/v1/messages/1/raw/x"])
def test_unknown_path_is_404(mock, path):
    status, _, data = mock.http("GET", path)
    assert status == 404 and error_of(data)["code"] == "not_found"


def test_body_over_one_mebibyte_is_413(mock):
    status, _, data = mock.http("PUT", "/api/v1/scenario", b"x" * (1024 * 1024 + 1),
                               {"Content-Type": "application/yaml"})
    assert status == 413
    assert error_of(data)["code"] == "payload_too_large"
    # The API still works afterwards, and so does SMTP.
    assert mock.api_json("GET", "/api/v1/health")["status"] == "ok"
    send(mock)


def test_expect_100_continue_is_honoured(mock):
    host, port = split_address(mock.control)
    body = json.dumps({"state": "open"}).encode()
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"PUT /api/v1/listener HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                  b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n"
                  % (mock.control.encode(), len(body)))
        assert s.recv(1024).startswith(b"HTTP/1.1 100 Continue")
        s.sendall(body)
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 200"), reply


def test_malformed_http_is_400(mock):
    host, port = split_address(mock.control)
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 400"), reply


@pytest.mark.parametrize("body,status,code,path", [
    ('{"state": "open"', 400, "malformed_json", ""),
    ('{"state": 3}', 400, "wrong_type", "state"),
    ('{"state": "open", "why": 1}', 400, "unknown_field", "why"),
    ("{}", 400, "missing_field", "state"),
    ('{"state": "half-open"}', 400, "invalid_value", "state"),
    ('{"mailbox": "blackhole"}', 400, "invalid_value", "mailbox"),
])
def test_listener_body_errors(mock, body, status, code, path):
    got, _, data = mock.http("PUT", "/api/v1/listener", body, {"Content-Type": "application/json"})
    assert got == status
    err = error_of(data)
    assert (err["code"], err["path"]) == (code, path)


def test_token_required_when_set(start_mock):
    m = start_mock("--control-token", "t0ken")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic t0ken"}):
        for path in ("/api/v1/health", "/metrics", "/api/v1/messages"):
            status, h, data = m.http("GET", path, headers=headers)
            assert status == 401, (path, headers)
            assert h["www-authenticate"].startswith("Bearer")
            assert error_of(data)["code"] == "unauthorized"
    ok = m.api_json("GET", "/api/v1/health", headers={"Authorization": "Bearer t0ken"})
    assert ok["status"] == "ok"


def test_control_host_names_are_accepted_besides_the_address(start_mock):
    m = start_mock("--control-host", "mock.example", "--control-host", "smtp-mock.test")
    port = m.control.rsplit(":", 1)[1]
    for host in (f"mock.example:{port}", f"SMTP-MOCK.test:{port}", m.control):
        status, _, data = m.http("GET", "/api/v1/health", headers={"Host": host})
        assert status == 200, (host, data)
    for host in (f"evil.example:{port}", f"mock.example:{int(port) + 1}"):
        status, _, data = m.http("GET", "/api/v1/health", headers={"Host": host})
        assert status == 403 and error_of(data)["code"] == "host_not_allowed", host


def test_non_loopback_control_without_token_is_refused_at_startup():
    # Refused before anything is bound: no non-loopback socket is ever opened.
    p = subprocess.run([program("SMTP_MOCK"), "--listen", "127.0.0.1:0", "--control",
                        "0.0.0.0:0"], capture_output=True, timeout=20)
    assert p.returncode != 0
    assert b"--control-token" in p.stderr
    assert p.stdout == b""


def test_api_errors_do_not_disturb_a_session_in_flight(mock):
    with WireClient.connect(mock.host, mock.port) as c:
        c.read_reply()
        c.command(b"EHLO x")
        for _ in range(20):
            mock.http("PUT", "/api/v1/listener", "{bad")
            mock.http("POST", "/api/v1/health")
        assert c.command(b"NOOP").startswith(b"250")


def test_refused_connections_are_counted(start_mock):
    m = start_mock("--max-connections", "1")
    with m.connect() as first:
        assert first.recv(1024).startswith(b"220")
        with m.connect() as second:
            assert second.recv(1024).startswith(b"421")
    s = stats_when(m, lambda s: s["sessions"]["total"] == 2 and s["connections"]["active"] == 0)
    assert s["connections"]["accepted"] == 2
    assert s["connections"]["refused"] == 1
    assert s["sessions"]["by_outcome"]["refused"] == 1
    metrics = m.http("GET", "/metrics")[2].decode()
    assert "smtp_mock_connections_refused_total 1\n" in metrics
    assert 'smtp_mock_sessions_total{outcome="refused"} 1\n' in metrics


def test_active_connections_are_counted(mock):
    with mock.connect() as s:
        s.recv(1024)
        stats = mock.api_json("GET", "/api/v1/stats")
        assert stats["connections"]["active"] == 1
        sessions = mock.api_json("GET", "/api/v1/sessions")["sessions"]
        assert sessions[0]["outcome"] == "active" and sessions[0]["ended_at"] is None


def test_keep_alive_serves_several_requests_on_one_connection(mock):
    import http.client
    host, port = split_address(mock.control)
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        for path in ("/api/v1/health", "/api/v1/stats", "/metrics", "/api/v1/nope"):
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            assert resp.status in (200, 404)
            assert resp.getheader("Connection", "").lower() != "close"
    finally:
        conn.close()


def test_http_1_0_gets_an_answer_and_a_close(mock):
    host, port = split_address(mock.control)
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"GET /api/v1/health HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200")
    assert json.loads(body)["status"] == "ok"


def test_api_under_load_while_smtp_delivers(start_mock):
    import threading
    m = start_mock("--threads", "2")
    stop = threading.Event()
    api_errors = []

    def hammer():
        paths = ["/api/v1/sessions?limit=5", "/api/v1/messages", "/api/v1/stats", "/metrics",
                 "/api/v1/rules", "/api/v1/nope", "/api/v1/sessions?limit=x"]
        i = 0
        while not stop.is_set() and i < 2000:
            status, _, _ = m.http("GET", paths[i % len(paths)])
            if status not in (200, 400, 404):
                api_errors.append(status)
            i += 1

    def deliver(n):
        with smtplib.SMTP(m.host, m.port, timeout=20) as s:
            for i in range(20):
                s.sendmail("a@example.com", [f"u{n}@example.com"], f"Subject: {n}-{i}\r\n\r\nx\r\n".encode())

    hammers = [threading.Thread(target=hammer) for _ in range(2)]
    senders = [threading.Thread(target=deliver, args=(n,)) for n in range(4)]
    for t in hammers + senders:
        t.start()
    for t in senders:
        t.join(timeout=60)
    stop.set()
    for t in hammers:
        t.join(timeout=60)
    assert api_errors == []
    assert len(m.api_json("GET", "/api/v1/messages")["messages"]) == 80
    assert m.api_json("GET", "/api/v1/stats")["messages"]["accepted"] == 80
