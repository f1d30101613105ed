"""A loopback TCP server whose every connection runs a behaviour written by the test: a hostile
or broken SMTP server for the probe, in a few lines.

    def banner_then_silence(conn, stop):
        conn.sendall(b"220 ok\\r\\n")
        stop.wait(30)

    port = scripted(banner_then_silence)   # the `scripted` fixture; servers stop after the test
"""

import socket
import threading

import pytest


class ScriptedServer:
    """Accepts connections on 127.0.0.1 and runs `behaviour(conn, stop)` for each, on a thread."""

    def __init__(self, behaviour):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.behaviour = behaviour
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn):
        try:
            self.behaviour(conn, self.stop)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


def read_line(conn):
    """One line from the client, through its LF; OSError when the client closed first."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(1)
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


@pytest.fixture
def scripted():
    """Starts scripted servers: `port = scripted(behaviour)`; all are stopped after the test."""
    servers = []

    def start(behaviour):
        s = ScriptedServer(behaviour)
        servers.append(s)
        return s.port

    yield start
    for s in servers:
        s.close()
