"""The pytest plugin as users run it: markers, reset between tests, one mock per xdist worker,
transcripts in the report of a failing test."""

import json

pytest_plugins = ["pytester"]

PLUGIN = ("-p", "smtp_harness.pytest_plugin", "-p", "no:cacheprovider")

SEND = '''
import smtplib

def send(mock, subject="hi"):
    with smtplib.SMTP(*mock.smtp_address, timeout=10) as s:
        s.sendmail("a@example.com", ["b@example.org"],
                   "Subject: " + subject + "\\r\\n\\r\\nbody\\r\\n")
'''


def test_marker_puts_a_fault_in_force_for_one_test_only(pytester):
    pytester.makepyfile(SEND + '''
import pytest

@pytest.mark.smtp_fault("mail-451")
def test_faulty(smtp_mock):
    with pytest.raises(smtplib.SMTPSenderRefused):
        send(smtp_mock)
    assert smtp_mock.scenario()["name"] == "mail-451"

def test_healthy_again_and_empty(smtp_mock):
    assert smtp_mock.scenario()["name"] == "healthy"
    assert smtp_mock.sessions() == []
    send(smtp_mock)
    assert len(smtp_mock.wait_for_messages(1)) == 1
''')
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=2)


def test_a_failing_test_reports_its_transcripts(pytester):
    pytester.makepyfile(SEND + '''
def test_fails(smtp_mock):
    send(smtp_mock, subject="seen in the report")
    assert smtp_mock.messages() == []
''')
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*smtp-mock sessions*", "session 1 from 127.0.0.1:*",
                                 "* C ehlo *", "* S 250 2.0.0 Ok: queued as 1"])


def test_each_xdist_worker_has_its_own_mock(pytester):
    out = pytester.path / "seen"
    out.mkdir()
    pytester.makepyfile(SEND + f'''
import json, os

def test_records(smtp_mock, worker_id):
    send(smtp_mock)
    assert len(smtp_mock.wait_for_messages(1)) == 1
    assert len(smtp_mock.messages()) == 1
    with open(os.path.join({str(out)!r}, worker_id), "w") as f:
        json.dump(smtp_mock.api, f)
''')
    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2", "--dist", "each")
    result.assert_outcomes(passed=2)
    apis = [json.loads(p.read_text()) for p in sorted(out.iterdir())]
    assert len(apis) == 2 and apis[0] != apis[1]
