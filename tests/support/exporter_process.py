"""Starts and stops a real `smtp-probe exporter` for black-box tests (e2e and interop)."""

import http.client
import signal
import subprocess

from mock_process import program, read_ready_line, split_address


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
        return read_ready_line(self.proc, "smtp-probe exporter", timeout)

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
