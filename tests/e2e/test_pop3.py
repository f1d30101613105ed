"""POP3 (RFC 1939) end to end with poplib: each recipient's captured mail, byte-stuffing,
passwords from --users, and per-recipient deletion."""

import poplib
import smtplib
import socket

import pytest

BODY_WITH_DOTS = b"Subject: dots\r\n\r\n.starts with a dot\r\n..two\r\n.\r\nend\r\n"


@pytest.fixture
def pop_mock(start_mock, tmp_path):
    users = tmp_path / "users"
    users.write_text("carol:secret\n")
    return start_mock("--pop3", "127.0.0.1:0", "--users", str(users))


def send(m, rcpts, data, sender="a@example.com"):
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        s.sendmail(sender, rcpts, data)


def pop(m, user, password="anything"):
    host, port = m.pop3
    p = poplib.POP3(host, port, timeout=10)
    p.user(user)
    p.pass_(password)
    return p


def test_greeting_and_capa(pop_mock):
    host, port = pop_mock.pop3
    p = poplib.POP3(host, port, timeout=10)
    assert p.getwelcome().startswith(b"+OK")
    caps = p.capa()
    for c in ("USER", "UIDL", "TOP", "PIPELINING"):
        assert c in caps
    p.quit()


def test_round_trip_is_byte_exact(pop_mock):
    send(pop_mock, ["bob@example.com"], BODY_WITH_DOTS)
    p = pop(pop_mock, "bob@example.com")
    count, size = p.stat()
    assert count == 1 and size == len(BODY_WITH_DOTS)
    resp, lines, octets = p.retr(1)
    assert resp.startswith(b"+OK")
    assert b"\r\n".join(lines) + b"\r\n" == BODY_WITH_DOTS  # poplib un-stuffs the dots
    uid = p.uidl(1).split()[2]
    api_ids = [m["id"] for m in pop_mock.api_json("GET", "/api/v1/messages")["messages"]]
    assert uid.decode() in api_ids
    p.quit()


def test_user_is_an_address_or_a_local_part(pop_mock):
    send(pop_mock, ["Bob@Example.com"], b"Subject: 1\r\n\r\n1\r\n")
    send(pop_mock, ["bob@other.org"], b"Subject: 2\r\n\r\n2\r\n")
    send(pop_mock, ["dave@example.com"], b"Subject: 3\r\n\r\n3\r\n")
    assert pop(pop_mock, "bob").stat()[0] == 2
    assert pop(pop_mock, "bob@example.com").stat()[0] == 1
    assert pop(pop_mock, "BOB@OTHER.ORG").stat()[0] == 1
    assert pop(pop_mock, "nobody").stat()[0] == 0


def test_listed_users_need_their_password(pop_mock):
    send(pop_mock, ["carol@example.com"], b"Subject: c\r\n\r\nc\r\n")
    with pytest.raises(poplib.error_proto) as e:
        pop(pop_mock, "carol", "wrong")
    assert b"[AUTH]" in e.value.args[0]
    with pytest.raises(poplib.error_proto):
        pop(pop_mock, "carol@example.com", "wrong")
    assert pop(pop_mock, "carol@example.com", "secret").stat()[0] == 1


def test_list_top_noop_rset(pop_mock):
    send(pop_mock, ["erin@example.com"], b"Subject: a\r\nX-A: 1\r\n\r\nl1\r\nl2\r\nl3\r\n")
    send(pop_mock, ["erin@example.com"], b"Subject: b\r\n\r\nb\r\n")
    p = pop(pop_mock, "erin")
    resp, listing, _ = p.list()
    assert [l.split()[0] for l in listing] == [b"1", b"2"]
    resp, lines, _ = p.top(1, 1)
    assert lines == [b"Subject: a", b"X-A: 1", b"", b"l1"]
    assert p.noop().startswith(b"+OK")
    p.dele(1)
    assert p.stat()[0] == 1
    with pytest.raises(poplib.error_proto):
        p.retr(1)
    p.rset()
    assert p.stat()[0] == 2
    p.quit()


def test_dele_and_quit_remove_for_that_recipient_only(pop_mock):
    send(pop_mock, ["frank@example.com", "grace@example.com"], b"Subject: both\r\n\r\nx\r\n")
    p = pop(pop_mock, "frank")
    p.dele(1)
    p.quit()
    assert pop(pop_mock, "frank").stat()[0] == 0
    assert pop(pop_mock, "grace").stat()[0] == 1
    # The store (and the API) keep the message.
    assert len(pop_mock.api_json("GET", "/api/v1/messages")["messages"]) == 1


def test_disconnect_without_quit_deletes_nothing(pop_mock):
    send(pop_mock, ["heidi@example.com"], b"Subject: h\r\n\r\nh\r\n")
    p = pop(pop_mock, "heidi")
    p.dele(1)
    p.sock.close()
    p2 = pop(pop_mock, "heidi")
    assert p2.stat()[0] == 1
    p2.quit()


def test_pipelined_commands_on_a_raw_socket(pop_mock):
    send(pop_mock, ["ivan@example.com"], b"Subject: i\r\n\r\ni\r\n")
    host, port = pop_mock.pop3
    with socket.create_connection((host, port), timeout=5) as s:
        f = s.makefile("rb")
        assert f.readline().startswith(b"+OK")
        s.sendall(b"USER ivan\r\nPASS x\r\nSTAT\r\nNOOP\r\nQUIT\r\n")
        lines = [f.readline() for _ in range(5)]
        assert lines[0].startswith(b"+OK") and lines[1].startswith(b"+OK maildrop has 1")
        assert lines[2].startswith(b"+OK 1 ")
        assert lines[3] == b"+OK\r\n"
        assert lines[4].startswith(b"+OK")
        assert f.readline() == b""  # closed after QUIT


def test_errors_in_authorization_state(pop_mock):
    host, port = pop_mock.pop3
    with socket.create_connection((host, port), timeout=5) as s:
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"STAT\r\nPASS x\r\nFOO\r\n")
        assert [f.readline()[:4] for _ in range(3)] == [b"-ERR"] * 3


def test_pop3_does_not_disturb_smtp(pop_mock):
    host, port = pop_mock.pop3
    idle = socket.create_connection((host, port), timeout=5)
    idle.recv(100)
    send(pop_mock, ["judy@example.com"], b"Subject: j\r\n\r\nj\r\n")
    assert pop(pop_mock, "judy").stat()[0] == 1
    idle.close()
