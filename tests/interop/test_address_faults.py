"""Faults chosen by the address (catalog scenario address-encoded), met by programs that cannot
call the API and are pointed at a failure by their configuration alone: swaks sending to
fail-550@..., delay-1s@... and drop@..., and check_smtp told to send MAIL FROM:<fail-451@...>
and expect 250. One mock serves the module."""

import os
import shutil
import subprocess
import time

import pytest

from mock_process import MockProcess

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SCENARIO = os.path.join(SOURCE, "faults", "catalog", "address-encoded.yaml")
CHECK_SMTP = "/usr/lib/nagios/plugins/check_smtp"


@pytest.fixture(scope="module")
def address_mock():
    m = MockProcess(["--scenario", SCENARIO])
    yield m
    m.stop()


def swaks(m, recipient):
    if shutil.which("swaks") is None:
        pytest.fail("swaks is missing: ci/setup installs it")
    started = time.monotonic()
    r = subprocess.run(["swaks", "--server", f"{m.host}:{m.port}", "--from", "probe@example.com",
                        "--to", recipient, "--timeout", "5", "--body", "address faults"],
                       capture_output=True, text=True, timeout=30)
    return r, time.monotonic() - started


def test_swaks_sending_to_an_ordinary_address_delivers(address_mock):
    before = len(address_mock.messages())
    r, _ = swaks(address_mock, "alice@example.com")
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(address_mock.messages()) == before + 1


def test_swaks_meets_the_failure_its_recipient_names(address_mock):
    r, _ = swaks(address_mock, "fail-550-5.1.1@example.com")
    # swaks exits 24 when no recipient was accepted.
    assert r.returncode == 24, r.stdout + r.stderr
    assert "<** 550 5.1.1 Failure requested by the address" in r.stdout


def test_swaks_meets_a_delay_and_then_a_closed_connection(address_mock):
    r, took = swaks(address_mock, "delay-1s@example.com")
    assert r.returncode == 0, r.stdout + r.stderr
    assert took >= 1.0
    r, _ = swaks(address_mock, "drop@example.com")
    assert r.returncode != 0 and "250 2.1.5" not in r.stdout, r.stdout + r.stderr


def test_check_smtp_configured_with_a_failing_sender_alerts(address_mock):
    if not os.path.exists(CHECK_SMTP):
        pytest.fail("check_smtp is missing: ci/setup installs monitoring-plugins-basic")

    def check_smtp(sender):
        return subprocess.run([CHECK_SMTP, "-H", address_mock.host, "-p", str(address_mock.port),
                               "-t", "5", "-C", f"MAIL FROM:<{sender}>", "-R", "^250"],
                              capture_output=True, text=True, timeout=30)

    ok = check_smtp("probe@example.com")
    assert ok.returncode == 0, ok.stdout
    bad = check_smtp("fail-451@example.com")
    assert bad.returncode == 1, bad.stdout  # WARNING
    assert "Invalid response '451 4.0.0 Failure requested by the address'" in bad.stdout
