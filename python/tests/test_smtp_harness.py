"""The smtp_harness package against the built smtp-mock: ready line, faults scoped to a block,
waiting for mail without polling, records as objects, reset, and API errors."""

import smtplib
import socket
import threading
import time

import pytest
from waiting import wait_for

from smtp_harness import ApiError, SmtpMock


@pytest.fixture(scope="module")
def mock():
    with SmtpMock(seed=7) as m:
        yield m


@pytest.fixture(autouse=True)
def fresh(mock):
    mock.reset()


def send(mock, to="alice@example.org", subject="hello", sender="app@example.com"):
    body = f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nbody\r\n"
    with smtplib.SMTP(*mock.smtp_address, timeout=10) as s:
        s.sendmail(sender, [to], body)


def test_ready_line_gives_ephemeral_addresses(mock):
    host, port = mock.smtp_address
    assert host == "127.0.0.1" and port > 0
    assert mock.api.startswith("http://127.0.0.1:") and not mock.api.endswith(":0")
    assert mock.pop3_address is None


def test_messages_are_objects_with_subject_headers_and_bytes(mock):
    send(mock, subject="Welcome aboard")
    [m] = mock.wait_for_messages(1, timeout=10)
    assert (m.sender, m.recipients, m.subject) == ("app@example.com", ["alice@example.org"],
                                                   "Welcome aboard")
    assert m.header("to") == "alice@example.org"
    assert ("Subject", "Welcome aboard") in m.headers
    assert m.raw.endswith(b"body\r\n")
    assert m.email["Subject"] == "Welcome aboard"


def test_messages_filter_by_recipient_and_sender(mock):
    send(mock, to="a@one.example")
    send(mock, to="b@two.example", sender="other@example.com")
    assert [m.recipients for m in mock.messages(to="B@two.example")] == [["b@two.example"]]
    assert [m.sender for m in mock.messages(sender="app@example.com")] == ["app@example.com"]
    assert len(mock.wait_for_messages(1, timeout=5, to="a@one.example")) == 1


def test_sessions_are_objects_with_transcripts(mock):
    send(mock)
    [s] = wait_for(lambda: [s for s in mock.sessions() if s.ended_at], timeout=10)
    assert (s.outcome, s.closed_by) == ("quit", "server")
    assert s.lines("C")[0].startswith("ehlo ")
    assert s.lines("S")[0].startswith("220 ")
    assert s.messages == [mock.messages()[0].id]
    assert " C ehlo " in s.transcript_text()


def test_fault_by_catalog_name_is_restored_after_the_block(mock):
    before = mock.scenario()
    with mock.fault("rcpt-550-unknown-user") as applied:
        assert applied["name"] == "rcpt-550-unknown-user"
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(mock)
        assert refused.value.recipients["alice@example.org"][0] == 550
    assert mock.scenario() == before
    send(mock)
    assert len(mock.wait_for_messages(1, timeout=5)) == 1


def test_fault_blocks_nest_and_restore_the_outer_one(mock):
    with mock.fault({"name": "outer", "rules": [
            {"id": "m451", "when": {"phase": "mail"}, "do": {"reply": "451 4.3.0 later"}}]}):
        with mock.fault("name: inner\nrules: []\n"):
            send(mock)
        assert mock.scenario()["name"] == "outer"
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            send(mock)
        assert refused.value.smtp_code == 451
    assert mock.scenario()["name"] == "healthy"


def test_rule_is_removed_after_the_block(mock):
    with mock.rule({"when": {"phase": "rcpt"}, "do": {"reply": "452 4.2.2 mailbox full"}}) as r:
        assert [x["id"] for x in mock.rules()] == [r["id"]]
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send(mock)
        assert mock.sessions()[-1].fired == [r["id"]]
    assert mock.rules() == []


def test_a_rule_scoped_to_a_recipient_domain_leaves_other_tests_alone(mock):
    # Parallel tests sharing one mock each use their own recipient domain as a namespace.
    mine = {"when": {"phase": "rcpt", "argument": r"@t1\.example>"},
            "do": {"reply": "550 5.1.1 no such user"}}
    with mock.rule(mine):
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send(mock, to="ann@t1.example")
        send(mock, to="ann@t2.example")
    assert [m.recipients for m in mock.messages()] == [["ann@t2.example"]]


def test_address_faults_let_each_message_choose_its_failure(mock):
    with mock.address_faults() as address:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(mock, to=address("fail-550-5.1.1", domain="t3.example"))
        assert refused.value.recipients["fail-550-5.1.1@t3.example"] == (
            550, b"5.1.1 Failure requested by the address")
        with pytest.raises(smtplib.SMTPSenderRefused):
            send(mock, sender=address("fail-451"))
        send(mock, to="ann@t3.example")
    assert [m.recipients for m in mock.messages()] == [["ann@t3.example"]]
    assert mock.rules() == []


def test_listener_closed_refuses_connections_until_the_block_ends(mock):
    with mock.listener("closed"):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(mock.smtp_address, timeout=5).close()
    send(mock)


def test_wait_for_messages_answers_when_the_message_arrives(mock):
    sender = threading.Thread(target=send, args=(mock,))
    start = time.monotonic()
    sender.start()
    got = mock.wait_for_messages(1, timeout=30)
    took = time.monotonic() - start
    sender.join(10)
    assert len(got) == 1
    assert took < 15  # answered on arrival, long before the 30 s wait


def test_wait_for_messages_fails_naming_what_came(mock):
    send(mock, subject="only one")
    with pytest.raises(AssertionError, match=r"expected 2 message\(s\) within 0.3s, got 1.*only"):
        mock.wait_for_messages(2, timeout=0.3)


def test_assert_no_message_passes_on_silence_and_fails_on_arrival(mock, monkeypatch):
    start = time.monotonic()
    mock.assert_no_message(within=0.3)
    assert time.monotonic() - start >= 0.3
    # A message whose final dot is sent only once assert_no_message has taken its count.
    smtp = smtplib.SMTP(*mock.smtp_address, timeout=10)
    smtp.ehlo()
    smtp.mail("app@example.com")
    smtp.rcpt("alice@example.org")
    smtp.putcmd("data")
    assert smtp.getreply()[0] == 354
    smtp.send(b"Subject: late\r\n\r\nbody\r\n")
    counted = mock._message_list
    finisher = threading.Thread(target=lambda: (smtp.send(b".\r\n"), smtp.getreply()))

    def count_then_finish(**query):
        got = counted(**query)
        if not finisher.is_alive() and finisher.ident is None:
            finisher.start()
        return got

    monkeypatch.setattr(mock, "_message_list", count_then_finish)
    start = time.monotonic()
    with pytest.raises(AssertionError, match="late"):
        mock.assert_no_message(within=30)
    assert time.monotonic() - start < 15  # as soon as it came, not after 30 s
    finisher.join(10)
    smtp.quit()


def test_reset_forgets_messages_sessions_rules_and_scenario(mock):
    mock.set_scenario("mail-451")
    with pytest.raises(smtplib.SMTPSenderRefused):
        send(mock)
    mock.set_scenario("name: none\nrules: []\n")
    send(mock)
    mock.wait_for_messages(1, timeout=5)
    newest = max(s.id for s in mock.sessions())
    assert mock.reset() == {"messages_deleted": 1, "sessions_deleted": 2}
    assert (mock.messages(), mock.sessions(), mock.rules()) == ([], [], [])
    assert mock.scenario()["name"] == "healthy"
    with pytest.raises(ApiError) as e:
        mock.session(newest)
    assert e.value.code == "not_found"
    send(mock)
    assert [s.id for s in mock.sessions()] == [newest + 1]


def test_sessions_wait_answers_on_the_next_session(mock):
    newest = mock._client.call("GET", "/api/v1/sessions")["next_since"]
    assert mock.sessions(since=newest, wait=0.2) == []
    threading.Thread(target=send, args=(mock,)).start()
    [s] = mock.sessions(since=newest, wait=30)
    assert s.id == newest + 1


def test_api_errors_carry_code_message_and_path(mock):
    with pytest.raises(ApiError) as e:
        mock.set_scenario("name: bad\nrules:\n  - when: {phase: banner}\n    do: {close: fn}\n")
    assert (e.value.status, e.value.code, e.value.path) == (400, "invalid_scenario",
                                                           "rules[0].do.close")
    assert "did you mean 'fin'" in e.value.message
    with pytest.raises(ApiError) as e:
        mock._client.call("GET", "/api/v1/messages", query={"wait": "soon"})
    assert (e.value.code, e.value.path) == ("invalid_query", "wait")
    with pytest.raises(ValueError, match="no catalog scenario 'no-such-thing'"):
        mock.set_scenario("no-such-thing")


def test_a_missing_program_is_named():
    with pytest.raises(FileNotFoundError, match="smtp-mock not found|not an executable"):
        SmtpMock(binary="/nonexistent/smtp-mock")


def test_scenario_ports_point_a_plain_client_at_a_failure_by_port_alone():
    with SmtpMock(scenario_ports=["rcpt-550-unknown-user", "healthy"]) as m:
        assert list(m.scenario_ports) == ["rcpt-550-unknown-user", "healthy"]
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            with smtplib.SMTP(*m.scenario_port("rcpt-550-unknown-user"), timeout=10) as s:
                s.sendmail("app@example.com", ["bob@example.org"], "Subject: x\r\n\r\nx\r\n")
        assert refused.value.recipients["bob@example.org"][0] == 550
        with smtplib.SMTP(*m.scenario_port("healthy"), timeout=10) as s:
            s.sendmail("app@example.com", ["bob@example.org"], "Subject: y\r\n\r\ny\r\n")
        assert [msg.subject for msg in m.wait_for_messages(1)] == ["y"]
        with pytest.raises(KeyError, match="no scenario port for 'banner-421'; there are: "
                                           "rcpt-550-unknown-user, healthy"):
            m.scenario_port("banner-421")


def test_ehlo_switches_let_the_clients_name_pick_the_fault(mock):
    with mock.ehlo_switches():
        with smtplib.SMTP(*mock.smtp_address, local_hostname="nostarttls.app.example",
                          timeout=10) as s:
            s.ehlo()
            assert not s.has_extn("starttls") and s.has_extn("pipelining")
        with smtplib.SMTP(*mock.smtp_address, local_hostname="app.example", timeout=10) as s:
            s.ehlo()
            assert s.has_extn("starttls")
    assert mock.rules() == []
    with smtplib.SMTP(*mock.smtp_address, local_hostname="nostarttls.app.example",
                      timeout=10) as s:
        s.ehlo()
        assert s.has_extn("starttls")
