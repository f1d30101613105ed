"""The verifier never runs past its timeout, whatever the server does: silence, a hanging TLS
handshake, trickled bytes, refused connections, or something that is not POP3/IMAP at all.
The servers here are small scripted sockets on 127.0.0.1."""

import socket
import threading
import time

import pytest

from verify_tool import run_verify


class ScriptedServer:
    """Accepts connections on 127.0.0.1 and runs `behaviour(conn)` for each, in a thread."""

    def __init__(self, behaviour, address="127.0.0.1"):
        self.behaviour = behaviour
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.connections = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        deadline = time.monotonic() + 60  # bounded, whatever happens
        while not self.stopping.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            try:
                self.behaviour(conn, self.stopping)
            except OSError:
                pass

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def server():
    started = []

    def start(behaviour, address="127.0.0.1"):
        s = ScriptedServer(behaviour, address)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def silent(conn, stopping):
    stopping.wait(30)


def trickle(conn, stopping):
    # One byte every 100 ms of a greeting that never ends.
    for _ in range(300):
        if stopping.wait(0.1):
            return
        conn.sendall(b"+")


def http(conn, stopping):
    conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
    stopping.wait(5)


def endless_pop3_listing(conn, stopping):
    # A correct login, then a UIDL listing that never ends, one line every 10 ms.
    f = conn.makefile("rb")
    conn.sendall(b"+OK ready\r\n")
    for reply in (b"+OK\r\n", b"+OK\r\n", b"+OK\r\n"):
        if not f.readline():
            return
        conn.sendall(reply)
    for n in range(1, 3000):
        if stopping.wait(0.01):
            return
        conn.sendall(b"%d uid-%d\r\n" % (n, n))


@pytest.mark.parametrize(
    "scheme,behaviour",
    [("pop3", silent), ("imap", silent), ("pop3s", silent), ("imaps", silent),
     ("pop3", trickle), ("imap", trickle), ("pop3", endless_pop3_listing)],
    ids=["silent-pop3", "silent-imap", "tls-handshake-hang-pop3s", "tls-handshake-hang-imaps",
         "trickle-pop3", "trickle-imap", "endless-listing-pop3"])
def test_timeout_is_a_hard_deadline(server, scheme, behaviour):
    s = server(behaviour)
    rc, out, elapsed = run_verify(f"{scheme}://u:p@127.0.0.1:{s.port}", "x@y", 1500, 200,
                                  "--insecure")
    assert rc == 1
    assert out["kind"] == "timeout", out
    assert elapsed < 1.5 + 2.5, elapsed  # without the hard deadline: 10 s or more
    assert out["latency_ms"] <= 2000


def test_refused_is_retried_until_the_deadline_and_reported(server):
    s = server(silent)
    port = s.port
    s.stop()  # nothing listens on the port any more
    rc, out, elapsed = run_verify(f"pop3://u:p@127.0.0.1:{port}", "x@y", 1200, 200)
    assert rc == 1
    assert out["kind"] == "refused", out
    assert out["polls"] >= 3
    assert 1.0 <= elapsed < 1.2 + 2.5


@pytest.mark.parametrize("scheme", ["pop3", "imap"])
def test_not_the_protocol_is_a_protocol_error_at_once(server, scheme):
    s = server(http)
    rc, out, elapsed = run_verify(f"{scheme}://u:p@127.0.0.1:{s.port}", "x@y", 5000)
    assert rc == 1
    assert out["kind"] == "protocol_error", out
    assert "HTTP/1.0 400" in out["detail"]
    assert out["polls"] == 1
    assert elapsed < 3


def test_bad_url_is_a_usage_error():
    from verify_tool import verify_check_path
    import subprocess

    proc = subprocess.run([verify_check_path(), "pop3://nobody@127.0.0.1", "x@y"],
                          capture_output=True, text=True, timeout=10)
    assert proc.returncode == 3
    assert "USER:PASS@" in proc.stderr


def test_tls_to_a_plain_port_is_a_tls_error(server):
    s = server(trickle)
    rc, out, elapsed = run_verify(f"imaps://u:p@127.0.0.1:{s.port}", "x@y", 3000, 200,
                                  "--insecure")
    assert rc == 1
    assert out["kind"] == "tls_error", out
    assert out["polls"] == 1


def test_ipv6_loopback_in_brackets(server):
    try:
        s = server(http, "::1")
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    rc, out, _ = run_verify(f"imap://u:p@[::1]:{s.port}", "x@y", 3000)
    assert rc == 1
    assert out["kind"] == "protocol_error", out
    assert f"event: connected to [::1]:{s.port}" in out["transcript"]
