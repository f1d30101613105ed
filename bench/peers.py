"""Servers and helpers the benchmarks share: smtp-mock, Postfix smtp-sink and aiosmtpd started
on free loopback ports, CPU time read from /proc, and the result table."""

import os
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))

from mock_process import MockProcess  # noqa: E402

BUILD = os.environ.get("SMTPH_BUILD", os.path.join(ROOT, "build", "dev"))
os.environ.setdefault("SMTP_MOCK", os.path.join(BUILD, "mockserver", "smtp-mock"))
os.environ.setdefault("SMTP_PROBE", os.path.join(BUILD, "prober", "smtp-probe"))
os.environ.setdefault("SMTP_HARNESS", os.path.join(BUILD, "harness", "smtp-harness"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_banner(port, timeout=10.0, poll=0.05):
    """Connects to 127.0.0.1:`port` every `poll` seconds until a 220 banner comes; returns the
    monotonic time it came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(4).startswith(b"220"):
                    return time.monotonic()
        except OSError:
            time.sleep(poll)
    raise RuntimeError(f"no SMTP banner on port {port}")


def cpu_times(pid):
    """(user, system) CPU seconds of a process, from /proc (or of one thread: its id as `pid`)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def cpu_seconds(pid):
    """User + system CPU time of a process, from /proc."""
    return sum(cpu_times(pid))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Peer:
    """A running SMTP server under test: name, port, pid, stop()."""

    def __init__(self, name, port, proc, mock=None):
        self.name, self.port, self.proc, self.mock = name, port, proc, mock

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.mock:
            self.mock.stop()
        else:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def start_mock(*args, program=None):
    """Starts smtp-mock with `args`: the build under test, or `program` (e.g. an older build)."""
    saved = os.environ["SMTP_MOCK"]
    if program:
        os.environ["SMTP_MOCK"] = program
    try:
        m = MockProcess(args)
    finally:
        os.environ["SMTP_MOCK"] = saved
    return Peer("smtp-mock", m.port, m.proc, mock=m)


def start_smtp_sink():
    port = free_port()
    proc = subprocess.Popen(["/usr/sbin/smtp-sink", "-u", "nobody", f"127.0.0.1:{port}", "1024"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_banner(port)
    return Peer("smtp-sink", port, proc)


def start_aiosmtpd():
    port = free_port()
    proc = subprocess.Popen(["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_banner(port)
    return Peer("aiosmtpd", port, proc)


def print_table(title, header, rows):
    print(f"\n## {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    sys.stdout.flush()
