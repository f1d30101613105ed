"""smtp-probe --mx against smtp-mock --dns: the mail domain mock.test probed through its MX as a
sender finds it (RFC 5321 §5.1), asking the mock's DNS server, in every output format, with the
DNS faults swapped in through the control API (one mock for the module)."""

import json
import os
import re
import subprocess

import pytest

from mock_fixtures import running_mock
from mock_process import MockProcess

DOMAIN = "mock.test"  # the mock's --dns-domain: MX 10 mx.mock.test, whose address is the mock's


@pytest.fixture(scope="module")
def mock():
    yield from running_mock("--dns", "127.0.0.1:0")


def probe(m, *args, fmt="json", domain=DOMAIN):
    out = subprocess.run([os.environ["SMTP_PROBE"], "--format", fmt, "-t", "10s",
                          "--command-timeout", "2s", "--dns-server", "%s:%d" % m.dns,
                          "--mx", "-p", str(m.port), *args, domain],
                         capture_output=True, text=True, timeout=60)
    return out.stdout, out.returncode, out.stderr


def use(m, *rules):
    m.api_json("PUT", "/api/v1/scenario", {"name": "mx", "rules": list(rules)})


def sessions(m):
    return len(m.api_json("GET", "/api/v1/sessions")["sessions"])


def test_the_mx_host_is_probed_and_named_in_every_format(mock):
    use(mock)
    out, rc, err = probe(mock)
    r = json.loads(out)
    assert rc == 0 and r["status"] == "OK", (r, err)
    assert r["target"] == "%s:%d" % (DOMAIN, mock.port)
    assert r["mx"] == {"domain": DOMAIN, "exchanges": [{"preference": 10, "host": "mx.mock.test"}],
                       "implicit": False, "host": "mx.mock.test", "preference": 10,
                       "address": "127.0.0.1", "addresses": ["127.0.0.1"]}
    texts = [e["text"] for e in r["transcript"]]
    assert "MX mock.test: MX 10 mx.mock.test" in texts
    assert "mail route mock.test: MX 10 mx.mock.test, 127.0.0.1" in texts
    out, rc, _ = probe(mock, fmt="nagios")
    assert rc == 0 and ", MX mx.mock.test (127.0.0.1) |" in out, out
    out, _, _ = probe(mock, fmt="prometheus")
    assert ('probe_smtp_mx_info{target="mock.test:%d",domain="mock.test",host="mx.mock.test",'
            'preference="10",address="127.0.0.1"} 1' % mock.port) in out, out


def test_no_mx_falls_back_to_the_domains_address(mock):
    use(mock, {"when": {"phase": "dns", "argument": r"^mock\.test$"},
               "do": {"dns": {"mx": "a_only"}}})
    out, rc, err = probe(mock)
    r = json.loads(out)
    assert rc == 0, (r, err)
    assert (r["mx"]["implicit"], r["mx"]["host"], r["mx"]["address"]) == (True, DOMAIN,
                                                                          "127.0.0.1")


def test_a_truncated_answer_is_asked_again_over_tcp(mock):
    use(mock, {"when": {"phase": "dns"}, "do": {"dns": {"truncate": True}}})
    out, rc, err = probe(mock)
    r = json.loads(out)
    assert rc == 0 and r["mx"]["host"] == "mx.mock.test", (r, err)


@pytest.mark.parametrize("rule, kind, message, received", [
    ({"when": {"phase": "dns", "argument": r"^mock\.test$"}, "do": {"dns": {"mx": "nxdomain"}}},
     "dns_error", "mail domain mock.test does not exist (NXDOMAIN)", "NXDOMAIN"),
    ({"when": {"phase": "dns", "argument": r"^mock\.test$"}, "do": {"dns": {"mx": "null_mx"}}},
     "dns_error", "mail domain mock.test accepts no mail (null MX, RFC 7505)", "MX 0 ."),
    ({"when": {"phase": "dns", "command": "MX"}, "do": {"dns": {"rcode": "servfail"}}},
     "dns_error", "MX lookup of mock.test failed: DNS server failure (SERVFAIL)",
     "DNS server failure (SERVFAIL)"),
    ({"when": {"phase": "dns", "command": "MX"}, "do": {"hang": True}},
     "timeout", "no answer to the MX lookup of mock.test", "no answer from the DNS server"),
    ({"when": {"phase": "dns", "argument": r"^mx\.mock\.test$"}, "do": {"dns": {"rcode": "refused"}}},
     "dns_error", "no MX host of mock.test has an address: mx.mock.test (DNS query refused "
                  "(REFUSED))", "mx.mock.test (DNS query refused (REFUSED))"),
], ids=["nxdomain", "null-mx", "servfail", "timeout", "no-address"])
def test_no_route_is_critical_at_dns_and_no_connection_is_made(mock, rule, kind, message,
                                                               received):
    use(mock, rule)
    before = sessions(mock)
    out, rc, err = probe(mock)
    r = json.loads(out)
    assert rc == 2 and r["status"] == "CRITICAL", (r, err)
    assert (r["failure"]["kind"], r["failure"]["phase"]) == (kind, "dns")
    assert r["failure"]["message"] == message
    assert r["failure"]["received"] == received
    assert r["mx"]["host"] == "" and r["mx"]["domain"] == DOMAIN
    assert sessions(mock) == before
    out, rc, _ = probe(mock, fmt="nagios")
    assert rc == 2 and out.startswith("SMTP CRITICAL - %s at dns: %s |" % (kind, message)), out


def test_a_slow_answer_counts_in_phase_dns(mock):
    use(mock, {"when": {"phase": "dns", "command": "MX"}, "do": {"delay": "1200ms"}})
    out, rc, err = probe(mock, "-w", "1s")
    r = json.loads(out)
    assert rc == 1 and (r["failure"]["kind"], r["failure"]["phase"]) == ("slow", "dns"), (r, err)
    assert r["timings_ms"]["dns"] >= 1200 and r["timings_ms"]["total"] >= 1200


def test_an_address_literal_is_a_usage_error_naming_the_flag(mock):
    out, rc, err = probe(mock, fmt="nagios", domain="127.0.0.1")
    assert rc == 3 and '--mx: "127.0.0.1" is not a mail domain' in out + err


def test_the_documented_example_is_what_the_probe_prints():
    source = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    doc = open(os.path.join(source, "docs", "probe.md"), encoding="utf-8").read()
    section = doc.split("## Mail domains", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```\n")[1::2]
    m = MockProcess(("--dns", "127.0.0.1:0"))

    def same(line):  # ports, addresses of the run and timings vary from run to run
        line = re.sub(r"(127\.0\.0\.1|mock\.test):\d+", r"\1:PORT", line)
        return re.sub(r"\d+\.\d{3}s", "Ts", line)

    try:
        for block, scenario, rc_expected in zip(blocks, ("healthy", "mx-nxdomain"), (0, 2)):
            lines = block.splitlines()
            command = lines[0].split()
            assert command[:2] == ["$", "smtp-probe"] and "--mx" in command, lines[0]
            with open(os.path.join(source, "faults", "catalog", scenario + ".yaml"), "rb") as f:
                status, _, _ = m.api("PUT", "/api/v1/scenario", f.read(),
                                     {"Content-Type": "application/yaml"})
            assert status == 200
            fmt = command[command.index("--format") + 1] if "--format" in command else "text"
            out, rc, _ = probe(m, *[a for a in command[2:] if a.startswith("-v")], fmt=fmt)
            assert rc == rc_expected, out
            assert [same(x) for x in out.splitlines()] == [same(x) for x in lines[1:]]
    finally:
        m.stop()
