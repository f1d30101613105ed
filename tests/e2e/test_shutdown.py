"""SIGTERM at awkward moments: while PUT /api/v1/listener is in flight, in the middle of a
message, with idle sessions. smtp-mock exits within its --grace and keeps every message it
accepted (issue 13, items 1 and 8)."""

import json
import os
import signal
import smtplib
import threading
import time

import pytest

from mock_process import MockProcess
from wire_client import WireClient

RUNS = 20


def wait_for(condition, timeout, interval=0.02):
    """Calls `condition()` until it is true or `timeout` seconds have passed; returns its last
    value."""
    deadline = time.monotonic() + timeout
    value = condition()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = condition()
    return value


def maildir_files(root):
    """Every message file delivered under a --store maildir:ROOT, as {name: bytes}."""
    out = {}
    if not root.exists():
        return out
    for box in root.iterdir():
        for f in (box / "new").iterdir():
            out[f"{box.name}/{f.name}"] = f.read_bytes()
    return out


def put_listener(m, state, result):
    """PUT /api/v1/listener; records the status, or the error when the stop cut it short."""
    try:
        status, _, _ = m.http("PUT", "/api/v1/listener", json.dumps({"state": state}),
                              {"Content-Type": "application/json"}, timeout=10)
        result.append(status)
    except OSError as e:
        result.append(e)


@pytest.mark.parametrize("listeners", [1, 4])
@pytest.mark.parametrize("state", ["closed", "blackhole"])
def test_sigterm_during_a_listener_change_exits_within_the_grace_period(tmp_path, state,
                                                                        listeners):
    grace = 1.0
    for run in range(RUNS):
        store = tmp_path / f"mail{run}"
        extra = ["--listen", "127.0.0.1:0"] * (listeners - 1)
        m = MockProcess(["--grace", "1s", "--store", f"maildir:{store}", *extra])
        try:
            assert len(m.ready["smtp"]) == listeners
            body = f"Subject: run {run}\r\n\r\naccepted before the stop\r\n".encode()
            with smtplib.SMTP(m.host, m.port, timeout=10) as c:
                c.sendmail("a@example.com", ["b@example.com"], body)
            result = []
            change = threading.Thread(target=put_listener, args=(m, state, result))
            change.start()
            # SIGTERM lands at a different point of the change in each run (a black hole takes
            # about 100 ms per listener to set up).
            time.sleep((run % 10) * 0.01)
            started = time.monotonic()
            m.proc.send_signal(signal.SIGTERM)
            code = m.proc.wait(timeout=30)
            elapsed = time.monotonic() - started
            change.join(timeout=10)
            assert not change.is_alive(), "the listener change never returned"
            assert code == 0, m.proc.stderr.read()
            assert elapsed < grace, f"run {run}: exit took {elapsed:.3f}s, grace is {grace}s"
            assert list(maildir_files(store).values()) == [body], f"run {run}"
        finally:
            m.stop()


def test_a_message_in_flight_finishes_within_the_grace_and_idle_sessions_hear_421(tmp_path):
    store = tmp_path / "mail"
    m = MockProcess(["--grace", "5s", "--store", f"maildir:{store}"])
    try:
        idle = WireClient.connect(m.host, m.port)
        busy = WireClient.connect(m.host, m.port)
        for c in (idle, busy):
            assert c.read_reply().startswith(b"220 ")
        assert busy.command(b"EHLO busy").startswith(b"250-")
        assert busy.command(b"MAIL FROM:<a@example.com>").startswith(b"250 ")
        assert busy.command(b"RCPT TO:<b@example.com>").startswith(b"250 ")
        assert busy.command(b"DATA").startswith(b"354 ")
        busy.send(b"Subject: in flight\r\n\r\nfirst half\r\n")
        started = time.monotonic()
        m.proc.send_signal(signal.SIGTERM)
        # The idle session is told at once.
        assert idle.read_reply(timeout=1.0) == b"421 4.3.2 localhost Service shutting down\r\n"
        assert time.monotonic() - started < 1.0
        # The client sends its final dot 0.3 s after SIGTERM: the message is accepted and kept.
        time.sleep(0.3)
        busy.send(b"second half\r\n.\r\n")
        assert busy.read_reply(timeout=3).startswith(b"250 2.0.0 Ok: queued as")
        assert busy.read_reply(timeout=3) == b"421 4.3.2 localhost Service shutting down\r\n"
        for c in (idle, busy):
            c.close()
        assert m.proc.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
        assert list(maildir_files(store).values()) == [
            b"Subject: in flight\r\n\r\nfirst half\r\nsecond half\r\n"]
    finally:
        m.stop()


def test_a_delay_and_a_hang_are_woken_by_the_stop(start_mock):
    m = start_mock("--grace", "5s")
    rules = [{"id": "slow", "when": {"phase": "banner", "connections": "1"},
              "do": {"delay": "1h"}},
             {"id": "hang", "when": {"phase": "banner", "connections": "2"},
              "do": {"hang": True}}]
    for rule in rules:
        m.api_json("POST", "/api/v1/rules", rule, {"Content-Type": "application/json"},
                   expect=201)
    delayed = WireClient.connect(m.host, m.port)
    hung = WireClient.connect(m.host, m.port)
    assert wait_for(lambda: m.api_json("GET", "/api/v1/stats")["connections"]["active"] == 2, 5)
    started = time.monotonic()
    m.proc.send_signal(signal.SIGTERM)
    # The session in its delay says 421 instead of the banner; the hung one is closed silently.
    assert delayed.read_reply(timeout=2) == b"421 4.3.2 localhost Service shutting down\r\n"
    ending, data = hung.wait_end(timeout=2)
    assert data == b""
    delayed.close()
    hung.close()
    assert m.proc.wait(timeout=5) == 0
    assert time.monotonic() - started < 5
