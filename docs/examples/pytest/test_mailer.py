"""How send_welcome copes with a healthy server and with failing ones. The `smtp_mock` fixture
comes from the smtp-harness pytest plugin: one mock per worker, reset before every test."""

import pytest

from mailer import send_welcome


def test_a_welcome_mail_arrives(smtp_mock):
    assert send_welcome(*smtp_mock.smtp_address, "ann@example.org") == "sent"
    [mail] = smtp_mock.wait_for_messages(1)
    assert mail.recipients == ["ann@example.org"]
    assert mail.subject == "Welcome!"


@pytest.mark.smtp_fault("rcpt-550-unknown-user")
def test_an_unknown_user_is_rejected(smtp_mock):
    assert send_welcome(*smtp_mock.smtp_address, "nobody@example.org") == "rejected"
    smtp_mock.assert_no_message(within=0.2)


@pytest.mark.smtp_fault("mail-451")
def test_a_temporary_failure_means_retry(smtp_mock):
    assert send_welcome(*smtp_mock.smtp_address, "ann@example.org") == "retry"
    [session] = smtp_mock.sessions()
    assert session.fired == ["sender-deferred"]
    assert "451 4.3.0 Requested action aborted: local error in processing" in session.lines("S")


def test_greylisting_for_one_block_only(smtp_mock):
    greylist = {"when": {"phase": "rcpt"}, "do": {"reply": "450 4.7.1 greylisted, come back"}}
    with smtp_mock.rule(greylist):
        assert send_welcome(*smtp_mock.smtp_address, "ann@example.org") == "retry"
    assert send_welcome(*smtp_mock.smtp_address, "ann@example.org") == "sent"
    assert len(smtp_mock.wait_for_messages(1)) == 1


def test_a_closed_port_is_unreachable(smtp_mock):
    with smtp_mock.listener("closed"):
        assert send_welcome(*smtp_mock.smtp_address, "ann@example.org") == "unreachable"


@pytest.mark.smtp_fault("banner-421")
def test_a_server_in_maintenance_means_retry(smtp_mock):
    assert send_welcome(*smtp_mock.smtp_address, "ann@example.org") == "retry"
