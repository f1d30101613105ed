"""smtp-probe against hostile servers: whatever bytes a server sends, no output format carries
them raw (JSON stays valid UTF-8, text and Nagios lines print no terminal escapes or NULs), a
banner that is not text is a protocol_error, Prometheus reports the code of the failing reply,
and watch's status keeps answering. Servers scripted with tests/support/scripted_server.py."""

import json
import os
import subprocess

import pytest
from scripted_server import read_line, scripted  # noqa: F401
from test_watch import start_watch, wait_for  # noqa: F401

# A banner that clears the screen, sets the terminal title, rings the bell, and carries a NUL
# and bytes that are not UTF-8.
HOSTILE = b"220 mx \x1b[2J\x1b]0;pwned\x07 \x00 \xff\xfe ready\r\n"


def probe_program():
    path = os.environ.get("SMTP_PROBE")
    if not path:
        pytest.fail("SMTP_PROBE is not set: run through ctest")
    return path


def probe(port, fmt, *args):
    out = subprocess.run([probe_program(), "--format", fmt, "-t", "3", *args,
                          f"127.0.0.1:{port}"], capture_output=True, timeout=30)
    return out.stdout, out.returncode


def polite(banner, ehlo=b"250 mx\r\n", mail=None):
    """Sends `banner`, answers EHLO with `ehlo`, MAIL with `mail`, QUIT with 221."""

    def behaviour(conn, stop):
        conn.sendall(banner)
        while not stop.is_set():
            line = read_line(conn).upper()
            if line.startswith(b"EHLO"):
                conn.sendall(ehlo)
            elif line.startswith(b"MAIL") and mail:
                conn.sendall(mail)
            elif line.startswith(b"QUIT"):
                conn.sendall(b"221 2.0.0 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")

    return behaviour


def assert_terminal_safe(text):
    """Printable ASCII and newlines only (the probe's own messages may cite "§")."""
    decoded = text.decode("utf-8")  # raises on bytes that are not UTF-8
    for ch in decoded:
        assert ch == "\n" or (ord(ch) >= 0x20 and ord(ch) != 0x7f), repr(decoded)


def test_json_is_valid_utf8_and_the_banner_is_a_protocol_error(scripted):
    port = scripted(polite(HOSTILE))
    out, rc = probe(port, "json")
    result = json.loads(out.decode("utf-8"))  # strict: raw 0xFF would not decode
    assert rc == 2
    assert (result["failure"]["kind"], result["failure"]["phase"]) == ("protocol_error", "banner")
    assert "NUL at octet" in result["failure"]["message"] or \
        "control character" in result["failure"]["message"], result["failure"]["message"]
    assert result["server"]["banner"] == \
        "mx \\x1b[2J\\x1b]0;pwned\\x07 \\x00 \\xff\\xfe ready"
    assert "\\x00" in result["failure"]["received"]


@pytest.mark.parametrize("fmt", ["text", "nagios"])
def test_text_and_nagios_print_no_terminal_escapes(scripted, fmt):
    port = scripted(polite(HOSTILE))
    out, rc = probe(port, fmt, "-v") if fmt == "text" else probe(port, fmt)
    assert rc == 2
    assert_terminal_safe(out)
    assert b"\\x1b" in out  # named, escaped


@pytest.mark.parametrize("banner,what", [
    (b"220 mx\x00 ESMTP\r\n", "NUL at octet 3"),
    (b"220 mx\r ESMTP\r\n", "bare CR at octet 3"),
    (b"220 mx \xff ready\r\n", "invalid UTF-8 \\xff at octet 4"),
], ids=["nul", "bare-cr", "invalid-utf8"])
def test_a_banner_that_is_not_text_is_critical(scripted, banner, what):
    port = scripted(polite(banner))
    out, rc = probe(port, "nagios")
    assert rc == 2
    assert out.startswith(b"SMTP CRITICAL - protocol_error at banner: banner is not text: " +
                          what.encode()), out


def test_a_utf8_banner_is_fine_and_shown_escaped(scripted):
    port = scripted(polite("220 mx.example Grüße ESMTP\r\n".encode()))
    out, rc = probe(port, "text")
    assert rc == 0, out
    assert_terminal_safe(out)
    assert b"banner:    mx.example Gr\\xc3\\xbc\\xc3\\x9fe ESMTP" in out


def test_hostile_ehlo_keywords_are_escaped_everywhere(scripted):
    ehlo = b"250-mx\r\n250-X-\x1b[31mRED\x1b[0m\r\n250 SIZE \xff\r\n"
    port = scripted(polite(b"220 mx ESMTP\r\n", ehlo=ehlo))
    out, rc = probe(port, "json")
    assert rc == 0, out
    result = json.loads(out.decode("utf-8"))
    assert result["server"]["extensions"] == ["X-\\x1b[31mRED\\x1b[0m", "SIZE \\xff"]
    text, _ = probe(port, "text")
    assert_terminal_safe(text)
    assert b"ehlo:      X-\\x1b[31mRED\\x1b[0m, SIZE \\xff" in text


def test_prometheus_status_code_is_the_failing_reply_not_quit(scripted):
    port = scripted(polite(b"220 mx ESMTP\r\n", mail=b"554 5.7.1 go away\r\n"))
    out, rc = probe(port, "prometheus", "--send")
    assert rc == 2
    text = out.decode()
    target = f'target="127.0.0.1:{port}"'
    assert f"probe_smtp_status_code{{{target}}} 554\n" in text, text
    assert f"probe_smtp_last_status_code{{{target}}} 221\n" in text, text
    assert f'probe_smtp_failure{{{target},kind="perm_failure",phase="mail"}} 1\n' in text


def test_watch_status_answers_when_a_banner_is_not_utf8(scripted, start_watch):
    hostile = scripted(polite(HOSTILE))
    healthy = scripted(polite(b"220 fine ESMTP\r\n"))
    w = start_watch(f"""
listen: 127.0.0.1:0
defaults: {{interval: 300ms, max_check_attempts: 1, timeout: 2s}}
targets:
  - {{name: hostile, host: "127.0.0.1:{hostile}"}}
  - {{name: healthy, host: "127.0.0.1:{healthy}"}}
""")

    def both_checked():
        return all(t["checks"] >= 1 for t in w.status()["targets"])

    assert wait_for(both_checked, 10), w.log()
    code, body = w.get("/api/v1/status")
    assert code == 200 and body, "an empty body"
    targets = {t["name"]: t for t in json.loads(body)["targets"]}
    last = targets["hostile"]["last_result"]
    assert last["server"]["banner"] == "mx \\x1b[2J\\x1b]0;pwned\\x07 \\x00 \\xff\\xfe ready"
    assert last["failure"]["kind"] == "protocol_error"
    assert targets["healthy"]["status"] == "OK"
