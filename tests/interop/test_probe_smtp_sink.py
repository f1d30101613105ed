"""smtp-probe against Postfix smtp-sink and its fault flags: every fault must be named with the
right kind and phase (issue 5). smtp-sink is a server we did not write."""

import json
import os
import shutil
import socket
import subprocess
import time

import pytest

from mock_process import free_port
from waiting import wait_for

SMTP_SINK = "/usr/sbin/smtp-sink"


def probe_program():
    path = os.environ.get("SMTP_PROBE")
    if not path:
        pytest.fail("SMTP_PROBE is not set: run through ctest")
    return path


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def wait_listening(port, deadline_s=5.0):
    if not wait_for(lambda: listening(port), deadline_s):
        raise RuntimeError(f"smtp-sink did not listen on {port}")


@pytest.fixture
def smtp_sink():
    """Starts smtp-sink with fault flags on a free loopback port; yields the port."""
    if not os.path.exists(SMTP_SINK):
        pytest.fail("smtp-sink is not installed (Debian: postfix)")
    started = []

    def start(*flags):
        port = free_port()
        cmd = [SMTP_SINK]
        if os.geteuid() == 0:
            cmd += ["-u", "nobody"]  # smtp-sink refuses to run as root without it
        cmd += [*flags, f"127.0.0.1:{port}", "64"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append(proc)
        wait_listening(port)
        return port

    yield start
    for proc in started:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_probe(port, *args, timeout=30):
    started = time.monotonic()
    out = subprocess.run([probe_program(), "--format", "json", *args, f"127.0.0.1:{port}"],
                         capture_output=True, timeout=timeout)
    elapsed = time.monotonic() - started
    lines = out.stdout.decode().splitlines()
    assert len(lines) == 1, out
    return json.loads(lines[0]), out.returncode, elapsed


# (smtp-sink flags, probe args, kind, phase, exit code, reply code)
FAULTS = [
    (["-f", "CONNECT"], [], "perm_failure", "banner", 2, 500),
    (["-r", "CONNECT"], [], "temp_failure", "banner", 2, 450),
    (["-Q", "CONNECT"], [], "temp_failure", "banner", 2, 421),
    (["-q", "EHLO"], [], "closed", "ehlo", 2, None),
    (["-r", "EHLO"], [], "temp_failure", "ehlo", 2, 450),
    (["-Q", "EHLO"], [], "temp_failure", "ehlo", 2, 421),
    (["-f", "EHLO,HELO"], [], "perm_failure", "helo", 2, 500),
    (["-q", "MAIL"], ["--send"], "closed", "mail", 2, None),
    (["-Q", "MAIL"], ["--send"], "temp_failure", "mail", 2, 421),
    (["-f", "MAIL"], ["--send"], "perm_failure", "mail", 2, 500),
    (["-r", "RCPT"], ["--send"], "temp_failure", "rcpt", 2, 450),
    (["-f", "RCPT"], ["--send"], "perm_failure", "rcpt", 2, 500),
    (["-r", "DATA"], ["--send"], "temp_failure", "data", 2, 450),
    (["-q", "DATA"], ["--send"], "closed", "data", 2, None),
    (["-f", "."], ["--send"], "perm_failure", "data_end", 2, 500),
    (["-Q", "."], ["--send"], "temp_failure", "data_end", 2, 421),
    (["-q", "."], ["--send"], "closed", "data_end", 2, None),
    (["-q", "QUIT"], [], "closed", "quit", 1, None),
    (["-r", "QUIT"], [], "temp_failure", "quit", 1, 450),
    (["-r", "RCPT", "-b", "450 4.7.1 Client host rejected: blocked using zen.spamhaus.org"],
     ["--send"], "blocklisted", "rcpt", 2, 450),
    (["-f", "MAIL", "-B", "554 5.7.1 Service unavailable; listed at bl.spamcop.net"],
     ["--send"], "blocklisted", "mail", 2, 554),
]


@pytest.mark.parametrize("flags,args,kind,phase,rc,code", FAULTS,
                         ids=[" ".join(f[0]) for f in FAULTS])
def test_fault_flag_is_named(smtp_sink, flags, args, kind, phase, rc, code):
    port = smtp_sink(*flags)
    result, returncode, _ = run_probe(port, "-t", "10", *args)
    assert result["failure"] is not None, result
    assert (result["failure"]["kind"], result["failure"]["phase"]) == (kind, phase), result
    assert returncode == rc
    assert result["failure"]["code"] == code
    assert result["status"] == {1: "WARNING", 2: "CRITICAL"}[rc]


@pytest.mark.parametrize("flags,phase", [
    (["-W", "CONNECT:5"], "banner"),
    (["-W", "EHLO:5"], "ehlo"),
    (["-W", "RCPT:5"], "rcpt"),
    (["-w", "5"], "data"),
])
def test_delays_are_timeouts_within_the_deadline(smtp_sink, flags, phase):
    port = smtp_sink(*flags)
    result, returncode, elapsed = run_probe(port, "--send", "-t", "1.5")
    assert result["failure"]["kind"] == "timeout", result
    assert result["failure"]["phase"] == phase
    assert returncode == 2
    assert elapsed < 2.5, elapsed  # -t is a hard deadline
    assert result["timings_ms"]["total"] <= 1600


def test_per_command_timeout_is_shorter_than_total(smtp_sink):
    port = smtp_sink("-W", "MAIL:3")
    result, _, elapsed = run_probe(port, "--send", "-t", "10", "--command-timeout", "1")
    assert (result["failure"]["kind"], result["failure"]["phase"]) == ("timeout", "mail")
    assert "no reply within 1.0" in result["failure"]["message"]
    assert elapsed < 2.5


def test_healthy_sink_and_helo_fallback(smtp_sink):
    port = smtp_sink()
    result, rc, _ = run_probe(port, "--send", "--rcpt-to", "someone@example.test")
    assert rc == 0 and result["status"] == "OK", result
    assert "PIPELINING" in result["server"]["extensions"]
    assert result["delivery"]["message_id"].startswith("smtp-probe.")
    for p in ("dns", "connect", "banner", "ehlo", "mail", "rcpt", "data", "body", "data_end",
              "quit"):
        assert p in result["timings_ms"], p

    # smtp-sink answers a refused EHLO with 500: the probe greets again with HELO and succeeds.
    port = smtp_sink("-f", "EHLO")
    result, rc, _ = run_probe(port, "--send")
    assert rc == 0, result
    assert "helo" in result["timings_ms"]
    assert result["server"]["extensions"] == []


def test_nagios_and_prometheus_against_sink(smtp_sink):
    port = smtp_sink("-Q", "MAIL")
    out = subprocess.run([probe_program(), "--format", "nagios", "--send", f"127.0.0.1:{port}"],
                         capture_output=True, timeout=30)
    line = out.stdout.decode()
    assert out.returncode == 2
    assert line.startswith("SMTP CRITICAL - temp_failure at mail: server replied \"421 4.0.0 ")
    assert " | time=" in line and line.endswith("\n") and line.count("\n") == 1

    healthy = smtp_sink()
    out = subprocess.run([probe_program(), "--format", "prometheus", "--send",
                          f"127.0.0.1:{port}", f"127.0.0.1:{healthy}"],
                         capture_output=True, timeout=30)
    text = out.stdout.decode()
    assert out.returncode == 2  # the worst of the targets
    assert f'probe_success{{target="127.0.0.1:{healthy}"}} 1' in text
    assert f'probe_success{{target="127.0.0.1:{port}"}} 0' in text
    assert (f'probe_smtp_failure{{target="127.0.0.1:{port}",kind="temp_failure",phase="mail"}} 1'
            in text)
    assert f'probe_smtp_status_code{{target="127.0.0.1:{port}"}} 421' in text
    assert text.count("# TYPE probe_success gauge") == 1
