"""check_smtp, which cannot call an API, pointed at smtp-mock's scenario ports by configuration
alone: the same command line with another -p meets another scenario."""

import os
import subprocess

import pytest

from mock_process import MockProcess, split_address

CHECK_SMTP = "/usr/lib/nagios/plugins/check_smtp"


@pytest.fixture(scope="module")
def ports_mock():
    m = MockProcess(["--scenario-ports", "0", "--port-scenario", "healthy",
                     "--port-scenario", "banner-554", "--port-scenario", "connect-refused"])
    yield m
    m.stop()


def check_smtp(address):
    if not os.path.exists(CHECK_SMTP):
        pytest.fail("check_smtp is missing: ci/setup installs monitoring-plugins-basic")
    host, port = split_address(address)
    return subprocess.run([CHECK_SMTP, "-H", host, "-p", str(port), "-t", "5"],
                          capture_output=True, text=True, timeout=30)


def test_check_smtp_is_ok_on_the_healthy_port(ports_mock):
    done = check_smtp(ports_mock.ready["scenario_ports"]["healthy"])
    assert done.returncode == 0, done.stdout


# Measured: check_smtp 2.3.3 says WARNING for a 554 greeting, CRITICAL for a refused connection.
@pytest.mark.parametrize("scenario,status,says", [
    ("banner-554", 1, "554 5.3.2"),
    ("connect-refused", 2, "Connection refused"),
])
def test_check_smtp_alerts_on_a_failing_scenario_port(ports_mock, scenario, status, says):
    done = check_smtp(ports_mock.ready["scenario_ports"][scenario])
    assert done.returncode == status, done.stdout
    assert says in done.stdout
