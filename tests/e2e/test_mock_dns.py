"""smtp-mock --dns: the mock's names and blocklists served over UDP and TCP on loopback,
asked with dig (bind9-dnsutils); and smtp-probe --dns-server sending its lookups there."""

import os
import shutil
import socket
import subprocess
import json
import time

import pytest

from dig import dig as dig_at
from mock_process import MockProcess

pytestmark = pytest.mark.skipif(shutil.which("dig") is None, reason="dig is not installed")


@pytest.fixture(scope="module")
def dns_mock():
    m = MockProcess(("--dns", "127.0.0.1:0", "--hostname", "mx.mock.test",
                     "--dnsbl-zone", "dnsbl.mock.test", "--dnsbl-zone", "zen.mock.test",
                     "--pop3", "127.0.0.1:0"))
    yield m
    assert m.stop() == 0, m.stderr


def dig(m, *args, tcp=False):
    """dig's answer: (status, the answer section's records as (name, type, data))."""
    a = dig_at(m.dns, *args, tcp=tcp, timeout=5, check=True)
    return a.status, a.records


def test_the_ready_line_names_one_port_for_udp_and_tcp(dns_mock):
    assert dns_mock.dns[0] == "127.0.0.1" and dns_mock.dns[1] > 0


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_the_mocks_own_names(dns_mock, tcp):
    smtp_address = dns_mock.host
    assert dig(dns_mock, "mock.test", "MX", tcp=tcp) == (
        "NOERROR", [("mock.test.", "MX", "10 mx.mock.test.")])
    assert dig(dns_mock, "mx.mock.test", "A", tcp=tcp) == (
        "NOERROR", [("mx.mock.test.", "A", smtp_address)])
    assert dig(dns_mock, "mock.test", "TXT", tcp=tcp) == (
        "NOERROR", [("mock.test.", "TXT", '"v=spf1 mx -all"')])
    assert dig(dns_mock, "-x", smtp_address, tcp=tcp) == (
        "NOERROR", [("1.0.0.127.in-addr.arpa.", "PTR", "mx.mock.test.")])
    # The host has no IPv6 listener: NODATA, not NXDOMAIN.
    assert dig(dns_mock, "mx.mock.test", "AAAA", tcp=tcp) == ("NOERROR", [])
    assert dig(dns_mock, "nowhere.mock.test", "A", tcp=tcp) == ("NXDOMAIN", [])


@pytest.mark.parametrize("zone", ["dnsbl.mock.test", "zen.mock.test"])
def test_each_blocklist_lists_the_rfc_5782_test_entries(dns_mock, zone):
    # RFC 5782 §5: 127.0.0.2 is listed, 127.0.0.1 is not.
    assert dig(dns_mock, f"2.0.0.127.{zone}", "A") == (
        "NOERROR", [(f"2.0.0.127.{zone}.", "A", "127.0.0.2")])
    status, txt = dig(dns_mock, f"2.0.0.127.{zone}", "TXT")
    assert status == "NOERROR" and len(txt) == 1 and txt[0][1] == "TXT" and txt[0][2] != '""'
    assert dig(dns_mock, f"1.0.0.127.{zone}", "A") == ("NXDOMAIN", [])


def test_an_answer_too_big_for_udp_is_truncated_and_dig_retries_over_tcp():
    # Names so long (242 characters, the most a hostmaster name leaves room for) that the MX
    # answer cannot fit the 512 octets of UDP without EDNS0 (RFC 1035 §4.2.1).
    host = ".".join(["h" * 57] * 4) + ".hosts.test"
    domain = ".".join(["d" * 57] * 4) + ".mails.test"
    m = MockProcess(("--dns", "127.0.0.1:0", "--hostname", host, "--dns-domain", domain))
    try:
        address, port = m.dns
        base = ["dig", f"@{address}", "-p", str(port), "+time=5", "+tries=1", "+noedns",
                domain, "MX"]
        udp = subprocess.run([*base, "+ignore"], capture_output=True, text=True, timeout=20,
                             check=True).stdout
        assert "flags: qr aa tc rd; QUERY: 1, ANSWER: 0" in udp
        retried = subprocess.run(base, capture_output=True, text=True, timeout=20,
                                 check=True).stdout
        assert "Truncated, retrying in TCP mode." in retried
        assert "(TCP)" in retried
        answers = [line.split() for line in retried.splitlines() if line and line[0] != ";"]
        assert [domain + ".", "60", "IN", "MX", "10", host + "."] in answers
    finally:
        assert m.stop() == 0, m.stderr


def test_a_malformed_query_gets_formerr_and_the_server_keeps_serving(dns_mock):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        # A header announcing one question, then a label running past the end.
        s.sendto(bytes.fromhex("abcd01000001000000000000") + b"\x3fshort", dns_mock.dns)
        reply, _ = s.recvfrom(4096)
    assert reply[:2] == b"\xab\xcd" and reply[2] & 0x80 and reply[3] & 0x0F == 1  # FORMERR
    assert dig(dns_mock, "mock.test", "MX")[0] == "NOERROR"


def test_sigterm_ends_an_idle_tcp_connection_at_once():
    # The server closes an idle TCP connection after 30 s; stopping must not wait for that.
    m = MockProcess(("--dns", "127.0.0.1:0"))
    query = (bytes.fromhex("123401000001000000000000") + b"\x04mock\x04test\x00"
             + bytes.fromhex("000f0001"))  # mock.test MX
    with socket.create_connection(m.dns, timeout=5) as idle:
        idle.sendall(len(query).to_bytes(2, "big") + query)
        assert idle.recv(2)  # answered: the connection is being served
        idle.sendall(b"\x00")  # half of the next length prefix: mid-message
        started = time.monotonic()
        assert m.stop() == 0, m.stderr
        assert time.monotonic() - started < 5
        rest = b""
        while chunk := idle.recv(4096):  # the rest of the answer, then the server's close
            rest += chunk


def test_a_bad_domain_name_is_refused_at_startup():
    with pytest.raises(Exception) as failed:
        MockProcess(("--dns", "127.0.0.1:0", "--dns-domain", "bad..name"), timeout=10)
    assert "--dns-domain" in str(failed.value)


def test_a_udp_port_in_use_is_refused_at_startup_naming_it():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(Exception) as failed:
            MockProcess(("--dns", f"127.0.0.1:{port}"), timeout=10)
    assert f"cannot listen on --dns 127.0.0.1:{port} (UDP)" in str(failed.value)


def documented_digs():
    """The `$ dig … +short` examples of docs/api.md's DNS section, with their output."""
    doc = os.path.join(os.environ.get("SMTPH_SOURCE_DIR", "."), "docs", "api.md")
    with open(doc, encoding="utf-8") as f:
        section = f.read().split("## DNS (`--dns ADDR:PORT`)", 1)[1].split("\n## ", 1)[0]
    examples = []
    for line in section.split("```", 2)[1].strip().splitlines():
        if line.startswith("$ dig "):
            examples.append((line[len("$ dig "):].split(), []))
        else:
            examples[-1][1].append(line)
    return examples


def test_the_documented_examples_are_what_the_mock_answers(dns_mock):
    examples = documented_digs()
    assert len(examples) == 6
    host, port = dns_mock.dns
    for args, expected in examples:
        assert args[:3] == ["@127.0.0.1", "-p", "1053"], args
        out = subprocess.run(["dig", f"@{host}", "-p", str(port), "+time=5", "+tries=1",
                              *args[3:]], capture_output=True, text=True, timeout=20,
                             check=True).stdout
        assert out.splitlines() == expected, args


def probe(target, *args):
    """smtp-probe's JSON result (None when it printed no JSON), exit code and output."""
    out = subprocess.run([os.environ["SMTP_PROBE"], "--format", "json", "-t", "10s", *args, target],
                         capture_output=True, text=True, timeout=60)
    result = json.loads(out.stdout) if out.stdout.startswith("{") else None
    return result, out.returncode, out.stdout + out.stderr


@pytest.mark.skipif("SMTP_PROBE" not in os.environ, reason="smtp-probe is not built")
def test_the_probe_looks_up_the_target_and_the_mailbox_at_the_dns_server(dns_mock):
    dns_server = "%s:%d" % dns_mock.dns
    pop3_port = dns_mock.pop3[1]
    result, rc, err = probe(f"mx.mock.test:{dns_mock.port}", "--dns-server", dns_server,
                            "--rcpt-to", "bob@mock.test",
                            "--verify", f"pop3://bob:x@mx.mock.test:{pop3_port}",
                            "--verify-timeout", "10s")
    assert rc == 0 and result["status"] == "OK", (result, err)
    assert result["delivery"]["latency_ms"] is not None, result["delivery"]  # fetched back
    events = [t["text"] for t in result["transcript"] if t["dir"] == "event"]
    assert "resolving mx.mock.test" in events and "resolved to 127.0.0.1" in events, events


@pytest.mark.skipif("SMTP_PROBE" not in os.environ, reason="smtp-probe is not built")
def test_a_name_the_dns_server_does_not_know_is_a_dns_error(dns_mock):
    result, rc, err = probe(f"nowhere.mock.test:{dns_mock.port}",
                            "--dns-server", "%s:%d" % dns_mock.dns)
    assert rc == 2 and result["status"] == "CRITICAL", (result, err)
    assert (result["failure"]["kind"], result["failure"]["phase"]) == ("dns_error", "dns")


@pytest.mark.skipif("SMTP_PROBE" not in os.environ, reason="smtp-probe is not built")
@pytest.mark.parametrize("bad", ["mock.test:53", "127.0.0.1", "127.0.0.1:0", "user@127.0.0.1:53"])
def test_a_dns_server_must_be_a_literal_address_and_port(bad):
    result, rc, err = probe("127.0.0.1:25", "--dns-server", bad)
    assert rc == 3 and result is None, (result, err)
    assert "--dns-server" in err and "expected ADDR:PORT" in err
