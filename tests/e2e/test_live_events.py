"""Live events over a WebSocket at /api/v1/events (issue 16): what a session, a fault, a message
and an API change publish, the order and numbering of events, a client that falls behind, the
access rules of the upgrade, and shutdown with a client connected."""

import json
import os
import re
import smtplib
import socket
import threading
import time

import pytest

from waiting import wait_for
from ws_client import HandshakeRefused, WebSocket

RCPT_550 = {"id": "no-user", "when": {"phase": "rcpt"},
            "do": {"reply": "550 5.1.1 <{rcpt}>: no such user"}}


def subscribe(mock, **kwargs):
    ws = WebSocket(mock.control, "/api/v1/events", **kwargs)
    hello = ws.event()
    assert hello["type"] == "hello", hello
    return ws


def of_session(events, session):
    return [e for e in events if e.get("session") == session]


def test_a_session_with_a_fault_is_followed_live(mock):
    with subscribe(mock) as ws:
        mock.api_json("POST", "/api/v1/rules", RCPT_550, expect=201)
        changed = ws.until(lambda e: e["type"] == "rules_changed")[-1]
        assert changed["rules"] == 1 and changed["listener"] == "open", changed
        with smtplib.SMTP(mock.host, mock.port, timeout=5) as client:
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail("a@example.org", ["nobody@example.org"], "Subject: x\r\n\r\nx\r\n")
        events = ws.until(lambda e: e["type"] == "session_ended")
    opened = next(e for e in events if e["type"] == "session_opened")
    session = of_session(events, opened["session"])
    kinds = [e["type"] for e in session]
    assert kinds[0] == "session_opened" and kinds[-1] == "session_ended", kinds
    phases = [e["phase"] for e in session if e["type"] == "phase"]
    assert phases[:4] == ["banner", "ehlo", "mail", "rcpt"], phases
    fault = next(e for e in session if e["type"] == "fault")
    assert fault["rule"] == "no-user" and fault["phase"] == "rcpt", fault
    assert "550 5.1.1" in fault["effect"], fault
    # The fault comes after the RCPT command and before the reply it caused.
    rcpt = next(i for i, e in enumerate(session)
                if e["type"] == "command" and e["text"].lower().startswith("rcpt"))
    reply = next(i for i, e in enumerate(session) if e["type"] == "reply"
                 and e["text"].startswith("550"))
    assert rcpt < session.index(fault) < reply
    assert session[-1]["outcome"] == "quit" and session[-1]["closed_by"] == "server"
    times = [e["t_ms"] for e in session if "t_ms" in e]
    assert times == sorted(times), times
    # Every event is numbered, one more than the one before.
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs


def test_batched_a_message_holds_the_events_of_a_moment_one_per_line(mock):
    ws = WebSocket(mock.control, "/api/v1/events?batch=lines")
    try:
        assert json.loads(ws.message())["type"] == "hello"
        with smtplib.SMTP(mock.host, mock.port, timeout=5) as client:
            client.sendmail("a@example.org", ["b@example.org"], "Subject: x\r\n\r\nx\r\n")
        events, messages = [], 0
        deadline = time.monotonic() + 10
        while not any(e["type"] == "session_ended" for e in events):
            assert time.monotonic() < deadline, events
            text = ws.message()
            messages += 1
            events += [json.loads(line) for line in text.split("\n")]
    finally:
        ws.sock.close()
    seqs = [e["seq"] for e in events if "seq" in e]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
    assert [e["type"] for e in events if "session" in e][0] == "session_opened"
    # A whole session's events come in far fewer messages than one each.
    assert messages < len(events) / 2, (messages, len(events))
    status, _, body = mock.http("GET", "/api/v1/events?batch=all", headers={
        "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert status == 400 and json.loads(body)["error"]["path"] == "batch", body


def numbered_noops(first, count):
    return b"".join(b"NOOP n%06d\r\n" % i for i in range(first, first + count))


def noop_numbers(events):
    return [int(e["text"].split("n", 1)[1]) for e in events
            if e["type"] == "command" and e["text"].startswith("NOOP n")]


def test_a_burst_of_events_arrives_as_separate_intact_messages_in_order(mock):
    # 3,000 pipelined NOOPs: about 9,000 events within milliseconds, batches of hundreds of
    # kilobytes gathered into few socket writes; each event must still be one text message.
    # They fit the client's queue (1 MiB) even if this reader lags: nothing may be dropped.
    count = 3000
    with subscribe(mock) as ws:
        with socket.create_connection((mock.host, mock.port), timeout=10) as s:
            s.sendall(b"EHLO burst.example\r\n" + numbered_noops(0, count) + b"QUIT\r\n")
            received = b""
            while not received.endswith(b"221 2.0.0 Bye\r\n"):
                chunk = s.recv(65536)
                assert chunk, received[-200:]
                received += chunk
        # event() parses each message as one JSON object: two in one message would not parse.
        events = ws.until(lambda e: e["type"] == "session_ended", timeout=20)
    assert not [e for e in events if e["type"] == "lagged"]
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs[:50]
    assert noop_numbers(events) == list(range(count))
    assert sum(1 for e in events if e["type"] == "reply" and e["text"].startswith("250 2.0.0")) \
        >= count


def test_a_ping_is_answered_while_batches_flow(mock):
    stop = threading.Event()

    def traffic():
        first = 0
        while not stop.is_set():
            with socket.create_connection((mock.host, mock.port), timeout=10) as s:
                s.sendall(b"EHLO ping.example\r\n" + numbered_noops(first, 500) + b"QUIT\r\n")
                while s.recv(65536):
                    pass
            first += 500

    sender = threading.Thread(target=traffic, daemon=True)
    with subscribe(mock) as ws:
        sender.start()
        try:
            ws.until(lambda e: e["type"] == "command")  # batches are flowing
            events = []
            for i in range(5):
                payload = b"ping %d" % i
                ws.ping(payload)
                deadline = time.monotonic() + 10
                while payload not in ws.pongs:
                    assert time.monotonic() < deadline, (payload, ws.pongs)
                    events.append(ws.event())
            assert ws.pongs == [b"ping %d" % i for i in range(5)]
            # Events kept flowing between the pongs, whole and in order.
            assert any("session" in e for e in events), events
            seqs = [e["seq"] for e in events if "seq" in e]
            assert seqs == sorted(set(seqs)), seqs[:50]
        finally:
            stop.set()
            sender.join(timeout=30)


def test_a_stored_message_and_the_counters_are_published(mock):
    with subscribe(mock) as ws:
        with smtplib.SMTP(mock.host, mock.port, timeout=5) as client:
            client.sendmail("a@example.org", ["b@example.org"], "Subject: x\r\n\r\nbody\r\n")
        stored = ws.until(lambda e: e["type"] == "message")[-1]
        assert stored["id"] == mock.messages()[0]["id"], stored
        counters = ws.until(lambda e: e["type"] == "counters", timeout=3)[-1]["counters"]
        assert counters["messages"]["accepted"] == 1, counters
        assert counters["connections"]["accepted"] == 1, counters


def test_scenario_and_listener_changes_are_published(mock):
    with subscribe(mock) as ws:
        mock.api_json("PUT", "/api/v1/listener", {"state": "closed"})
        e = ws.until(lambda e: e["type"] == "listener_changed")[-1]
        assert e["listener"] == "closed", e
        mock.api_json("POST", "/api/v1/reset", {})
        e = ws.until(lambda e: e["type"] == "reset")[-1]
        assert (e["scenario"], e["rules"], e["listener"]) == ("healthy", 0, "open"), e
        mock.http("PUT", "/api/v1/scenario", "not: [valid", {"Content-Type": "application/yaml"})
        mock.api_json("DELETE", "/api/v1/scenario")
        # The refused PUT published nothing: the next event is the DELETE's.
        e = ws.until(lambda e: e["type"] != "counters")[-1]
        assert e["type"] == "scenario_changed", e


def pipelined_noops(count, width=400):
    return (b"EHLO stalled.example\r\n" + (b"NOOP " + b"x" * width + b"\r\n") * count +
            b"QUIT\r\n")


def test_a_stalled_client_neither_slows_smtp_nor_grows_memory_and_is_told_it_lagged(mock):
    # 12,000 NOOPs of 400 octets: about 10 MB of events, far over a client's queue and the
    # socket buffers of one that reads nothing.
    with subscribe(mock, recv_buffer=4096) as ws:
        rss_before = rss_kib(mock.proc.pid)
        started = time.monotonic()
        with socket.create_connection((mock.host, mock.port), timeout=20) as s:
            s.sendall(pipelined_noops(12000))
            received = b""
            while not received.endswith(b"221 2.0.0 Bye\r\n"):
                chunk = s.recv(65536)
                assert chunk, received[-200:]
                received += chunk
        elapsed = time.monotonic() - started
        assert received.count(b"\r\n250 2.0.0 Ok") >= 12000
        assert elapsed < 10, elapsed
        if not os.environ.get("SMTPH_SANITIZED"):  # ASan's quarantine keeps freed memory
            assert rss_kib(mock.proc.pid) - rss_before < 64 * 1024
        # Reading again: what was queued, then the notice, then live events again. The backlog
        # can overflow again while it drains, with a notice each time, and a session opened
        # before the last notice is read may be among the dropped: the next one shows live.
        lag = ws.until(lambda e: e["type"] == "lagged", timeout=10)[-1]
        assert lag["dropped"] > 0, lag
        for session in range(2, 8):
            with smtplib.SMTP(mock.host, mock.port, timeout=5) as client:
                client.noop()
            seen = ws.until(lambda e: e["type"] == "lagged" or (
                e["type"] == "session_opened" and e["session"] == session), timeout=5)
            if seen[-1]["type"] == "session_opened":
                break
        else:
            pytest.fail("no live event after the lag notices")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def test_the_upgrade_obeys_the_access_rules(mock):
    host, port = mock.control.rsplit(":", 1)
    with pytest.raises(HandshakeRefused) as refused:
        WebSocket(mock.control, "/api/v1/events", headers={"Origin": "http://evil.example"})
    assert refused.value.status == 403
    assert "access-control-allow-origin" not in refused.value.head.lower()
    with pytest.raises(HandshakeRefused) as refused:
        WebSocket(mock.control, "/api/v1/events", headers={"Host": f"evil.example:{port}"})
    assert refused.value.status == 403
    # The console's own origin may subscribe.
    with subscribe(mock, headers={"Origin": f"http://{mock.control}"}) as ws:
        assert "access-control-allow-origin" not in ws.head.lower()
    # A plain GET is told what the endpoint is.
    status, _, body = mock.http("GET", "/api/v1/events")
    assert status == 400 and b"WebSocket" in body, body


def test_a_token_protected_mock_needs_the_token_to_subscribe(start_mock):
    mock = start_mock("--control-token", "s3cret")
    with pytest.raises(HandshakeRefused) as refused:
        WebSocket(mock.control, "/api/v1/events")
    assert refused.value.status == 401
    with subscribe(mock, headers={"Authorization": "Bearer s3cret"}):
        pass


def test_the_mock_stops_at_once_with_a_client_connected(mock):
    ws = subscribe(mock)
    started = time.monotonic()
    assert mock.stop() == 0
    assert time.monotonic() - started < 3
    with pytest.raises(EOFError):
        while True:
            ws.event()
    ws.close()
    assert wait_for(lambda: mock.proc.poll() is not None, 1)


def documented_events():
    doc = os.path.join(os.environ.get("SMTPH_SOURCE_DIR", "."), "docs", "api.md")
    section = open(doc, encoding="utf-8").read().split("## GET /api/v1/events", 1)[1]
    block = section.split("```\n", 1)[1].split("```", 1)[0]
    examples = [json.loads(line) for line in block.splitlines() if line.startswith("{") and
                not line.endswith("…}")]
    table = section.split("| `type` |", 1)[1].split("\n\n", 1)[0]
    listed = set()
    for row in table.splitlines()[2:]:
        listed.update(re.findall(r"`([a-z_]+)`", row.split("|")[1]))
    return examples, listed


def test_the_documented_events_are_the_real_ones(mock):
    examples, listed = documented_events()
    with WebSocket(mock.control, "/api/v1/events") as ws:
        mock.api_json("POST", "/api/v1/rules", {**RCPT_550, "id": "no-user"}, expect=201)
        with smtplib.SMTP(mock.host, mock.port, timeout=5) as client:
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail("alice@example.com", ["bob@example.com"], "Subject: x\r\n\r\nx\r\n")
        events = ws.until(lambda e: e["type"] == "counters", timeout=3)
    real = {}
    for e in events:
        real.setdefault(e["type"], e)
    for example in examples:
        assert example["type"] in listed, example
        assert set(example) == set(real[example["type"]]), (example, real[example["type"]])
    assert set(real) <= listed, set(real) - listed
