"""`smtp-mock --check ADDR`, the readiness check for service managers and compose files: exit 0
when a mock serves its control API there, 1 with the reason otherwise."""

import socket
import subprocess

from mock_process import program


def check(*args):
    return subprocess.run([program("SMTP_MOCK"), "--check", *args], capture_output=True,
                          text=True, timeout=30)


def test_a_serving_mock_is_ready(mock):
    done = check(mock.control)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"smtp-mock at {mock.control} is ready\n"


def test_the_token_is_sent_when_the_mock_needs_one(start_mock):
    m = start_mock("--control-token", "s3cret")
    refused = check(m.control)
    assert refused.returncode == 1
    assert refused.stderr == f"smtp-mock: no mock serves at {m.control}: HTTP 401\n"
    assert check(m.control, "--control-token", "s3cret").returncode == 0


def test_nothing_listening_is_not_ready():
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        address = "127.0.0.1:%d" % s.getsockname()[1]
    done = check(address)
    assert done.returncode == 1
    assert done.stderr.startswith(f"smtp-mock: no mock serves at {address}: ")
    assert done.stdout == ""
