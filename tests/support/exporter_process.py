"""Starts and stops a real `smtp-probe exporter` for black-box tests (e2e and interop)."""

import http.client
import json
import os
import select
import signal
import subprocess
import time

from mock_process import program, split_address


class ExporterProcess:
    """A running exporter on an ephemeral loopback port; its ready line tells where."""

    def __init__(self, modules_file, *args, timeout=10.0):
        cmd = [program("SMTP_PROBE"), "exporter", "--config", str(modules_file),
               "--listen", "127.0.0.1:0", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.ready = self._read_ready(timeout)
        self.address = self.ready["listen"]
        self.host, self.port = split_address(self.address)
        self.stderr = b""

    def _read_ready(self, timeout):
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                self.proc.kill()
                raise RuntimeError("smtp-probe exporter printed no ready line in time")
            readable, _, _ = select.select([self.proc.stdout], [], [], left)
            if readable:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    err = self.proc.stderr.read().decode(errors="replace")
                    raise RuntimeError(f"smtp-probe exporter exited before it was ready: {err}")
                line += chunk
        ready = json.loads(line.split(b"\n", 1)[0])
        assert ready["event"] == "ready", ready
        return ready

    def get(self, path, headers=None, method="GET", timeout=30.0):
        """One request; returns (status, headers with lower-case names, body text)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return (resp.status, {k.lower(): v for k, v in resp.getheaders()},
                    resp.read().decode())
        finally:
            conn.close()

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


def samples(exposition):
    """{'name{labels}': value} of a Prometheus text exposition, comments left out."""
    out = {}
    for line in exposition.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out
