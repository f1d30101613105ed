"""The session list is paged and streamed: thousands of recorded sessions and clients that ask
for all of them and never read cannot take the mock's memory or its /health (issue 13, item 13)."""

import json
import socket
import threading
import time

import pytest

from mock_process import MockProcess

SESSIONS = 1000
NOOPS = 40  # each with a long argument: about 20 KB of transcript per session


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def one_session(host, port):
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall((("NOOP " + "n" * 480 + "\r\n") * NOOPS + "QUIT\r\n").encode())
        data = b""
        while b"221 " not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk


def record_sessions(m, count):
    """Runs `count` SMTP sessions over a few threads."""
    def worker(n):
        for _ in range(n):
            one_session(m.host, m.port)

    threads = [threading.Thread(target=worker, args=(count // 8,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.fixture(scope="module")
def busy_mock():
    m = MockProcess(["--threads", "2"])
    record_sessions(m, SESSIONS)
    yield m
    m.stop()


def has_data(s):
    try:
        return bool(s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except BlockingIOError:
        return False


def get_json(m, target):
    status, data, headers = m.api("GET", target)
    assert status == 200, data
    return data


def test_pages_are_capped_and_linked(busy_mock):
    m = busy_mock
    page = get_json(m, "/api/v1/sessions?limit=10000")
    assert len(page["sessions"]) == 1000, "the cap, documented in docs/api.md"
    ids = [s["id"] for s in page["sessions"]]
    assert ids == sorted(ids) and ids[0] == 1
    assert page["next_since"] == ids[-1]
    # Following `next` to the end visits every session exactly once.
    seen = list(ids)
    target = page["next"]
    while target:
        page = get_json(m, target)
        seen += [s["id"] for s in page["sessions"]]
        target = page["next"]
    assert seen == list(range(1, len(seen) + 1))
    assert len(seen) >= SESSIONS
    assert get_json(m, f"/api/v1/sessions?since={seen[-1]}") == {
        "sessions": [], "next_since": seen[-1], "next": None}


def test_clients_that_never_read_hold_neither_memory_nor_health(busy_mock):
    m = busy_mock
    size = len(json.dumps(get_json(m, "/api/v1/sessions?limit=1000")))
    assert size > 10 * 1024 * 1024, f"a full page is large ({size} octets)"
    before = rss_kib(m.proc.pid)
    host, port = m.control.rsplit(":", 1)
    stalled = []
    for _ in range(30):
        s = socket.create_connection((host, int(port)), timeout=10)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(f"GET /api/v1/sessions?limit=10000 HTTP/1.1\r\nHost: {m.control}\r\n\r\n".encode())
        stalled.append(s)
    try:
        # Wait until every stalled client has been answered as far as its socket takes.
        deadline = time.monotonic() + 30
        peak = rss_kib(m.proc.pid)
        while time.monotonic() < deadline:
            readable = sum(1 for s in stalled if has_data(s))
            peak = max(peak, rss_kib(m.proc.pid))
            if readable == len(stalled):
                break
            time.sleep(0.05)
        start = time.monotonic()
        health = get_json(m, "/api/v1/health")
        took = time.monotonic() - start
        peak = max(peak, rss_kib(m.proc.pid))
        assert health["status"] == "ok"
        assert took < 5, f"/api/v1/health took {took:.1f}s with 30 stalled readers"
        # 30 full pages held in memory would be 30 x {size} octets; a piece each is far less.
        assert peak - before < 64 * 1024, f"RSS grew by {(peak - before) // 1024} MiB"
    finally:
        for s in stalled:
            s.close()
