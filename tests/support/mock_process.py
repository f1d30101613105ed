"""Starts and stops a real smtp-mock process for black-box tests."""

import http.client
import json
import os
import select
import signal
import socket
import subprocess
import time

from waiting import wait_for


def program(env_var):
    """Path of a built program, passed in by CTest (SMTP_MOCK, SMTP_PROBE, ...)."""
    path = os.environ.get(env_var)
    if not path:
        raise RuntimeError(f"{env_var} is not set: run the tests through ctest (ci/test)")
    return path


def split_address(text):
    """'127.0.0.1:25' or '[::1]:25' -> (host, port)."""
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago, for a program that takes no port 0."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STATE_CHANGES = ("POST", "PUT", "DELETE", "PATCH")


def with_content_type(method, body, headers):
    """The headers of a control API request: a state change without a Content-Type gets the one
    its body calls for (the API refuses state changes that are not JSON or YAML)."""
    headers = dict(headers or {})
    if method in STATE_CHANGES and not any(k.lower() == "content-type" for k in headers):
        text = body.decode(errors="replace") if isinstance(body, bytes) else (body or "")
        looks_json = isinstance(body, (dict, list)) or text.lstrip()[:1] in ("{", "[", "")
        headers["Content-Type"] = "application/json" if looks_json else "application/yaml"
    return headers


def read_ready_line(proc, name, timeout):
    """The JSON ready line that `proc` (started with stdout and stderr piped) prints first; kills
    it and raises when none comes within `timeout` seconds, raises with its stderr when it exits
    first. The one way the tests wait for a program of ours to be ready."""
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            proc.kill()
            raise RuntimeError(f"{name} printed no ready line in time")
        readable, _, _ = select.select([proc.stdout], [], [], left)
        if readable:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                err = proc.stderr.read().decode(errors="replace")
                raise RuntimeError(f"{name} exited before it was ready: {err}")
            line += chunk
    ready = json.loads(line.split(b"\n", 1)[0])
    assert ready["event"] == "ready", ready
    return ready


def raw_exchange(address, raw, timeout=5.0):
    """Sends raw bytes to ADDR:PORT; returns (what came back, whether the peer closed). For tests
    of HTTP services that must answer malformed or hostile requests."""
    host, port = split_address(address)
    data, closed = b"", False
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(raw)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
                data += chunk
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
    return data, closed


class MockProcess:
    """A running smtp-mock; its ready line tells where it listens."""

    def __init__(self, args=(), timeout=10.0, binary=None, launcher=()):
        """`binary`: the program (default: $SMTP_MOCK), started through `launcher` when given
        (a command that runs the rest of its arguments, such as a chroot)."""
        cmd = [*launcher, binary or program("SMTP_MOCK"), "--listen", "127.0.0.1:0",
               "--control", "127.0.0.1:0", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.ready = self._read_ready(timeout)
        self.host, self.port = split_address(self.ready["smtp"][0])
        self.control = self.ready.get("control")
        self.pop3 = split_address(self.ready["pop3"]) if "pop3" in self.ready else None
        self.imap = split_address(self.ready["imap"]) if "imap" in self.ready else None
        self.imaps = split_address(self.ready["imaps"]) if "imaps" in self.ready else None
        self.dns = split_address(self.ready["dns"]) if "dns" in self.ready else None
        self.smtp_tls = [split_address(a) for a in self.ready.get("smtp_tls", [])]
        self.stderr = b""

    def _read_ready(self, timeout):
        return read_ready_line(self.proc, "smtp-mock", timeout)

    def connect(self, timeout=5.0):
        """A raw TCP socket to the SMTP listener."""
        return socket.create_connection((self.host, self.port), timeout=timeout)

    def api(self, method, path, body=None, headers=None):
        """One control API request; returns (status, parsed JSON or raw bytes, headers)."""
        host, port = split_address(self.control)
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            headers = with_content_type(method, body, headers)
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            if resp.getheader("Content-Type", "").startswith("application/json"):
                data = json.loads(data)
            return resp.status, data, dict(resp.getheaders())
        finally:
            conn.close()

    def messages(self):
        """Metadata of every captured message, oldest first."""
        status, data, _ = self.api("GET", "/api/v1/messages")
        assert status == 200, data
        return data["messages"]

    def idle(self, timeout=10.0):
        """Waits until no SMTP connection is open (every session has ended and is recorded);
        returns whether that came within `timeout` seconds."""
        return wait_for(lambda: self.api_json("GET", "/api/v1/stats")["connections"]["active"] == 0,
                        timeout)

    def raw_message(self, message_id):
        """The exact bytes of one captured message."""
        status, data, _ = self.api("GET", f"/api/v1/messages/{message_id}/raw")
        assert status == 200, data
        return data

    def http(self, method, path, body=None, headers=None, timeout=10.0):
        """One control API request, unparsed; returns (status, headers with lower-case names,
        body bytes)."""
        host, port = split_address(self.control)
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            headers = with_content_type(method, body, headers)
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def api_json(self, method, path, body=None, headers=None, expect=200):
        """A control API request whose answer must have status `expect`; returns its JSON."""
        status, _, data = self.http(method, path, body, headers)
        assert status == expect, (method, path, status, data)
        return json.loads(data)

    def stop(self, timeout=15.0):
        """SIGTERM, then wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr = self.proc.stderr.read()
        return self.proc.returncode
