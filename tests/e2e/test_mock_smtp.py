"""smtp-mock as a healthy ESMTP server, seen from real clients: smtplib, raw sockets, swaks and
Postfix smtp-source. Every captured message is compared byte for byte with what was sent."""

import select
import shutil
import signal
import smtplib
import socket
import subprocess
import time

import pytest


def read_reply(sock_file):
    """Reads one complete SMTP reply; returns (code, [lines])."""
    lines = []
    while True:
        line = sock_file.readline()
        assert line.endswith(b"\r\n"), f"reply line without CRLF: {line!r}"
        lines.append(line[:-2].decode())
        if line[3:4] != b"-":
            return int(line[:3]), lines


class Dialogue:
    """A raw SMTP conversation over one socket."""

    def __init__(self, mock):
        self.sock = mock.connect()
        self.file = self.sock.makefile("rb")
        self.banner = read_reply(self.file)

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def command(self, line):
        self.send(line + "\r\n")
        return read_reply(self.file)

    def close(self):
        self.file.close()
        self.sock.close()


def test_ready_line_names_every_listener(start_mock):
    m = start_mock("--listen", "[::1]:0")
    assert m.ready["event"] == "ready"
    assert len(m.ready["smtp"]) == 2
    assert m.ready["smtp"][0].startswith("127.0.0.1:")
    assert m.ready["smtp"][1].startswith("[::1]:")
    host, port = m.ready["smtp"][1].rsplit(":", 1)
    with socket.create_connection(("::1", int(port)), timeout=5) as s:
        assert s.recv(100).startswith(b"220 ")


def test_smtplib_send_is_captured_byte_exact(mock):
    body = (b"From: a@example.com\r\nTo: b@example.com\r\nSubject: exact\r\n\r\n"
            b".leading dot\r\n..two dots\r\n.\r\n8-bit \xc3\xa9\r\nlast line\r\n")
    with smtplib.SMTP(mock.host, mock.port, timeout=10) as client:
        code, _ = client.ehlo("probe.example")
        assert code == 250
        assert client.has_extn("pipelining") and client.has_extn("8bitmime")
        assert client.has_extn("size") and client.has_extn("enhancedstatuscodes")
        assert client.has_extn("smtputf8") and client.has_extn("starttls")
        refused = client.sendmail("a@example.com", ["b@example.com", "c@example.com"], body)
        assert refused == {}
    messages = mock.messages()
    assert len(messages) == 1
    assert messages[0]["from"] == "a@example.com"
    assert messages[0]["to"] == ["b@example.com", "c@example.com"]
    assert messages[0]["size"] == len(body)
    # smtplib dot-stuffs on the way out; the mock must undo exactly that.
    assert mock.raw_message(messages[0]["id"]) == body


def test_body_without_final_crlf_gets_one_added_by_the_client(mock):
    with smtplib.SMTP(mock.host, mock.port, timeout=10) as client:
        client.sendmail("a@example.com", ["b@example.com"], b"Subject: x\r\n\r\nno newline")
    [message] = mock.messages()
    assert mock.raw_message(message["id"]) == b"Subject: x\r\n\r\nno newline\r\n"


def test_pipelined_commands_are_answered_in_order(mock):
    d = Dialogue(mock)
    d.command("EHLO pipeline.example")
    d.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n"
           "RCPT TO:<bad address>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n")
    codes = [read_reply(d.file)[0] for _ in range(5)]
    assert codes == [250, 250, 501, 250, 354]
    d.send("Subject: pipelined\r\n\r\nbody\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n")
    codes = [read_reply(d.file)[0] for _ in range(4)]
    assert codes == [250, 250, 250, 221]
    assert d.file.read() == b""  # the server closed after 221
    d.close()
    [message] = mock.messages()
    assert message["to"] == ["b@example.com", "c@example.com"]


@pytest.mark.parametrize("before,command,code,enhanced", [
    ([], "MAIL FROM:<a@example.com>", 503, "5.5.1"),
    (["EHLO x"], "RCPT TO:<a@example.com>", 503, "5.5.1"),
    (["EHLO x", "MAIL FROM:<a@example.com>"], "DATA", 503, "5.5.1"),
    (["EHLO x", "MAIL FROM:<a@example.com>"], "MAIL FROM:<a@example.com>", 503, "5.5.1"),
    ([], "EHLO", 501, "5.5.4"),
    (["EHLO x"], "MAIL FROM:a@example.com", 501, "5.5.4"),
    (["EHLO x"], "MAIL FROM:<a@example.com> FROB=1", 555, "5.5.4"),
    (["EHLO x"], "MAIL FROM:<a@example.com> SIZE=999999999999", 552, "5.3.4"),
    (["EHLO x", "MAIL FROM:<a@example.com>"], "RCPT TO:<>", 501, "5.5.4"),
    ([], "XYZZY", 500, "5.5.2"),
    ([], "EXPN staff", 502, "5.5.1"),
    ([], "A" * 600, 500, "5.5.2"),
    ([], "VRFY someone", 252, "2.5.2"),
    ([], "HELP", 214, "2.0.0"),
    (["EHLO x"], "AUTH PLAIN", 502, "5.5.1"),
])
def test_error_replies(mock, before, command, code, enhanced):
    d = Dialogue(mock)
    for line in before:
        assert d.command(line)[0] in (250,)
    got, lines = d.command(command)
    assert got == code, lines
    assert lines[0].startswith(f"{code} {enhanced} ") or lines[-1].startswith(f"{code} {enhanced} ")
    # The session survives every error.
    assert d.command("NOOP")[0] == 250
    d.close()


def test_smtplib_reports_sequence_errors(mock):
    with smtplib.SMTP(mock.host, mock.port, timeout=10) as client:
        client.ehlo()
        code, _ = client.docmd("DATA")
        assert code == 503
        client.mail("a@example.com")
        code, _ = client.rcpt("not an address")
        assert code == 501


def test_bare_lf_command_is_refused(mock):
    d = Dialogue(mock)
    d.send("NOOP\n")
    code, lines = read_reply(d.file)
    assert code == 500 and "bare LF" in lines[0]
    d.close()


def test_max_message_size(start_mock):
    m = start_mock("--max-message-size", "100")
    with smtplib.SMTP(m.host, m.port, timeout=10) as client:
        client.ehlo()
        assert client.esmtp_features["size"] == "100"
        # smtplib declares SIZE= at MAIL (RFC 1870), so the refusal comes there.
        with pytest.raises(smtplib.SMTPSenderRefused) as err:
            client.sendmail("a@example.com", ["b@example.com"], b"x" * 200 + b"\r\n")
        assert err.value.smtp_code == 552
    # A client that declares no size learns at the final dot.
    d = Dialogue(m)
    d.command("EHLO x")
    assert d.command("MAIL FROM:<a@example.com>")[0] == 250
    assert d.command("RCPT TO:<b@example.com>")[0] == 250
    assert d.command("DATA")[0] == 354
    d.send(b"y" * 150 + b"\r\n.\r\n")
    code, lines = read_reply(d.file)
    assert code == 552 and "5.3.4" in lines[0]
    d.close()
    assert m.messages() == []


def test_max_connections_turns_away_the_extra_one(start_mock):
    m = start_mock("--max-connections", "1")
    first = Dialogue(m)
    assert first.banner[0] == 220
    extra = m.connect()
    data = extra.makefile("rb").read()
    assert data.startswith(b"421 4.7.0 "), data
    extra.close()
    assert first.command("NOOP")[0] == 250
    first.close()


def test_idle_timeout_says_421(start_mock):
    m = start_mock("--idle-timeout", "500ms")
    d = Dialogue(m)
    started = time.monotonic()
    code, lines = read_reply(d.file)
    waited = time.monotonic() - started
    assert code == 421 and "4.4.2" in lines[0]
    assert 0.3 < waited < 5
    assert d.file.read() == b""
    d.close()


def test_the_idle_timeout_counts_from_the_last_command_not_the_first(start_mock):
    # The session's read deadline moves on with every command: commands more often than the
    # timeout keep the session past it, and the 421 comes one timeout after the last one.
    m = start_mock("--idle-timeout", "800ms")
    d = Dialogue(m)
    assert d.banner[0] == 220
    started = time.monotonic()
    for _ in range(4):
        # A pause shorter than the timeout, through which the server must stay silent.
        ready, _, _ = select.select([d.sock], [], [], 0.4)
        assert not ready, "the server spoke before its idle timeout"
        assert d.command("NOOP")[0] == 250
    last = time.monotonic()
    code, lines = read_reply(d.file)
    assert code == 421 and "4.4.2" in lines[0]
    assert last - started > 1.5  # the session outlived its first deadline
    assert 0.6 < time.monotonic() - last < 5
    d.close()


def proc_field(pid, name, path="status"):
    """The text after `name` in /proc/PID/status (or another /proc/PID file)."""
    with open(f"/proc/{pid}/{path}") as f:
        for line in f:
            if line.startswith(name):
                return line[len(name):].split()
    raise AssertionError(f"no {name} in /proc/{pid}/{path}")


def test_the_descriptor_table_is_grown_for_tens_of_thousands_of_sessions(mock):
    # The table is grown once at the start: growing it later, with the worker threads running,
    # makes the accept that needs it wait for an RCU grace period (milliseconds), so that the
    # 256th and 512th connections of a run were accepted late.
    soft, hard = (int(v) for v in proc_field(mock.proc.pid, "Max open files", "limits")[:2])
    assert soft == hard  # the limit is lifted to the hard one
    assert int(proc_field(mock.proc.pid, "FDSize:")[0]) >= min(soft, 65536)


def test_sigterm_stops_gracefully(start_mock):
    m = start_mock("--grace", "3s")
    d = Dialogue(m)
    with smtplib.SMTP(m.host, m.port, timeout=10) as client:
        client.sendmail("a@example.com", ["b@example.com"], b"Subject: kept\r\n\r\nx\r\n")
    started = time.monotonic()
    m.proc.send_signal(signal.SIGTERM)
    # The idle session is told the service is going away.
    code, lines = read_reply(d.file)
    assert code == 421 and "4.3.2" in lines[0]
    assert m.proc.wait(timeout=10) == 0
    assert time.monotonic() - started < 5
    d.close()


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks is installed by ci/setup")
def test_swaks_full_send(mock):
    out = subprocess.run(
        ["swaks", "--server", f"{mock.host}:{mock.port}", "--from", "swaks@example.com",
         "--to", "rcpt@example.com", "--header", "Subject: from swaks", "--body", "swaks body"],
        capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "<-  250 2.0.0 Ok: queued as" in out.stdout
    [message] = mock.messages()
    raw = mock.raw_message(message["id"])
    assert b"Subject: from swaks\r\n" in raw and b"swaks body" in raw
    assert message["from"] == "swaks@example.com"


def test_smtp_source_1000_messages_over_20_sessions_all_captured(start_mock):
    m = start_mock("--threads", "2")
    out = subprocess.run(
        ["/usr/sbin/smtp-source", "-s", "20", "-m", "1000", "-l", "512", "-f", "src@example.com",
         "-t", "dst@example.com", f"{m.host}:{m.port}"],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    messages = m.messages()
    assert len(messages) == 1000
    assert {msg["from"] for msg in messages} == {"src@example.com"}
    # 512 bytes of payload plus the headers smtp-source writes.
    assert all(msg["size"] > 512 for msg in messages)
