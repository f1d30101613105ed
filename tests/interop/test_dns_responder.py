"""The DNS core (dns/) against DNS clients we did not write: BIND's dig and dnspython, over UDP
and TCP on loopback. smtp-mock --dns serves the mock's zones (mock.example.test on 127.0.0.1 and
::1, the mail domain example.test, the blocklist zen.example); each test sets its faults as
scenario rules at phase dns through the control API."""

import os
import shutil
import socket
import subprocess
import time

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from mock_fixtures import running_mock

DIG = shutil.which("dig") or "/usr/bin/dig"

# The faults of the tests, as rules for every query.
FAULTS = {
    "truncate-udp": {"dns": {"truncate": True}},
    "listed": {"dns": {"listed": {"code": "127.0.0.2", "reason": "Listed: 127.0.0.1 sends spam"}}},
    "dnsbl-error=254": {"dns": {"dnsbl_error": 254}},
    "servfail": {"dns": {"rcode": "servfail"}},
    "refused": {"dns": {"rcode": "refused"}},
    "mx-nxdomain": {"dns": {"mx": "nxdomain"}},
    "mx-a-only": {"dns": {"mx": "a_only"}},
    "no-answer": {"hang": True},
    "delay=300": {"delay": "300ms"},
}


class DnsServer:
    """Where the mock's DNS server listens."""

    def __init__(self, address):
        self.host, self.port = address


@pytest.fixture(scope="module")
def mock():
    yield from running_mock("--listen", "[::1]:0", "--dns", "127.0.0.1:0",
                            "--hostname", "mock.example.test", "--dns-domain", "example.test",
                            "--dnsbl-zone", "zen.example")


@pytest.fixture
def serve(mock):
    """serve(*faults): the mock's DNS server with these faults (none: healthy) from now on."""

    def start(*faults):
        rules = [{"when": {"phase": "dns"}, "do": FAULTS[f]} for f in faults]
        mock.api_json("PUT", "/api/v1/scenario", {"name": "dns", "rules": rules})
        return DnsServer(mock.dns)

    yield start
    mock.api_json("DELETE", "/api/v1/scenario")


def dig(server, *args):
    """dig's output for a query to `server` (one try, two seconds)."""
    assert os.path.exists(DIG), "dig is missing: ci/setup installs bind9-dnsutils"
    done = subprocess.run([DIG, f"@{server.host}", "-p", str(server.port), "+time=2", "+tries=1",
                           *args], capture_output=True, text=True, timeout=30)
    return done.returncode, done.stdout


def short(server, *args):
    code, out = dig(server, "+short", *args)
    assert code == 0, out
    return out.split()


def test_dig_reads_the_mock_names(serve):
    s = serve()
    code, out = dig(s, "MX", "example.test")
    assert code == 0
    assert "status: NOERROR" in out
    assert "flags: qr aa rd;" in out
    assert "example.test.\t\t60\tIN\tMX\t10 mock.example.test." in out
    assert "mock.example.test.\t60\tIN\tA\t127.0.0.1" in out  # the additional section
    assert "EDNS: version: 0, flags:; udp: 1232" in out
    assert "malformed" not in out and "WARNING: Message" not in out
    assert short(s, "A", "mock.example.test") == ["127.0.0.1"]
    assert short(s, "AAAA", "mock.example.test") == ["::1"]
    assert short(s, "-x", "127.0.0.1") == ["mock.example.test."]
    assert short(s, "-x", "::1") == ["mock.example.test."]
    assert short(s, "TXT", "example.test") == ['"v=spf1', 'mx', '-all"']


def test_dig_tells_nxdomain_from_nodata(serve):
    s = serve()
    code, out = dig(s, "A", "absent.example.test")
    assert "status: NXDOMAIN" in out
    assert "AUTHORITY: 1" in out and "IN\tSOA\tmock.example.test." in out
    code, out = dig(s, "MX", "mock.example.test")
    assert "status: NOERROR" in out
    assert "ANSWER: 0, AUTHORITY: 1" in out
    code, out = dig(s, "A", "example.org")
    assert "status: REFUSED" in out


def test_dig_over_tcp_and_without_edns(serve):
    s = serve()
    code, out = dig(s, "+tcp", "ANY", "example.test")
    assert code == 0
    assert "(TCP)" in out
    assert "ANSWER: 4" in out
    code, out = dig(s, "+noedns", "A", "mock.example.test")
    assert "OPT PSEUDOSECTION" not in out
    assert "127.0.0.1" in out
    code, out = dig(s, "+edns=1", "+noednsneg", "A", "mock.example.test")
    assert "status: BADVERS" in out


def test_dig_retries_a_truncated_answer_over_tcp(serve):
    s = serve("truncate-udp")
    code, out = dig(s, "A", "mock.example.test")
    assert code == 0
    assert "Truncated, retrying in TCP mode." in out
    assert "mock.example.test.\t60\tIN\tA\t127.0.0.1" in out
    assert "(TCP)" in out


def test_dig_sees_a_listing_and_a_broken_blocklist(serve):
    healthy = serve()
    assert short(healthy, "A", "2.0.0.127.zen.example") == ["127.0.0.2"]
    code, out = dig(healthy, "A", "1.0.0.127.zen.example")
    assert "status: NXDOMAIN" in out
    listed = serve("listed")
    assert short(listed, "A", "1.0.0.127.zen.example") == ["127.0.0.2"]
    assert " ".join(short(listed, "TXT", "1.0.0.127.zen.example")) == \
        '"Listed: 127.0.0.1 sends spam"'
    broken = serve("dnsbl-error=254")
    assert short(broken, "A", "1.0.0.127.zen.example") == ["127.255.255.254"]
    assert short(broken, "A", "9.9.9.9.zen.example") == ["127.255.255.254"]


def test_dig_sees_the_failures(serve):
    code, out = dig(serve("servfail"), "MX", "example.test")
    assert "status: SERVFAIL" in out
    code, out = dig(serve("refused"), "MX", "example.test")
    assert "status: REFUSED" in out
    code, out = dig(serve("mx-nxdomain"), "MX", "example.test")
    assert "status: NXDOMAIN" in out
    a_only = serve("mx-a-only")
    code, out = dig(a_only, "MX", "example.test")
    assert "status: NOERROR" in out and "ANSWER: 0" in out
    assert short(a_only, "A", "example.test") == ["127.0.0.1"]
    code, out = dig(serve("no-answer"), "A", "mock.example.test")
    assert code == 9, out  # dig: no reply from the server
    assert "timed out" in out


def test_dnspython_gets_the_question_back_as_asked(serve):
    s = serve()
    q = dns.message.make_query("MoCk.Example.TEST", "A")
    r = dns.query.udp(q, s.host, port=s.port, timeout=5)
    assert r.flags & dns.flags.AA
    assert not r.flags & dns.flags.RA
    assert r.question[0].name.to_text() == "MoCk.Example.TEST."
    assert r.answer[0].name.to_text() == "MoCk.Example.TEST."
    assert [rd.to_text() for rd in r.answer[0]] == ["127.0.0.1"]
    r = dns.query.tcp(q, s.host, port=s.port, timeout=5)
    assert [rd.to_text() for rd in r.answer[0]] == ["127.0.0.1"]


def test_dnspython_gets_formerr_for_a_pointer_loop(serve):
    s = serve()
    # A question whose name is "a" followed by a pointer back to itself.
    query = bytes([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, ord("a"), 0xC0, 12, 0, 1, 0, 1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(query, (s.host, s.port))
        data, _ = sock.recvfrom(65535)
    r = dns.message.from_wire(data)
    assert r.id == 0x1234
    assert r.rcode() == dns.rcode.FORMERR
    # The server keeps serving.
    q = dns.message.make_query("mock.example.test", "A")
    assert dns.query.udp(q, s.host, port=s.port, timeout=5).rcode() == dns.rcode.NOERROR


def test_dnspython_waits_for_a_slow_answer(serve):
    s = serve("delay=300")
    q = dns.message.make_query("2.0.0.127.zen.example", "A")
    started = time.monotonic()
    r = dns.query.udp(q, s.host, port=s.port, timeout=5)
    assert time.monotonic() - started >= 0.3
    assert [rd.to_text() for rd in r.answer[0]] == ["127.0.0.2"]
