"""smtp-probe --dnsbl against smtp-mock --dns: the server's address looked up on the mock's
blocklists through its DNS server, in every output format, with the blocklist faults swapped in
through the control API (one mock for the module)."""

import json
import os
import re
import subprocess

import pytest

from mock_process import MockProcess

ZONES = "dnsbl.mock.test,zen.mock.test"


@pytest.fixture(scope="module")
def mock():
    m = MockProcess(("--dns", "127.0.0.1:0", "--dnsbl-zone", "dnsbl.mock.test",
                     "--dnsbl-zone", "zen.mock.test"))
    yield m
    assert m.stop() == 0, m.stderr


def probe(m, *args, fmt="json", zones=ZONES):
    out = subprocess.run([os.environ["SMTP_PROBE"], "--format", fmt, "-t", "10s",
                          "--command-timeout", "2s", "--dns-server", "%s:%d" % m.dns,
                          "--dnsbl", zones, *args, f"{m.host}:{m.port}"],
                         capture_output=True, text=True, timeout=60)
    return out.stdout, out.returncode, out.stderr


def use(m, dns_effect):
    rules = [{"when": {"phase": "dns", "argument": r"^[0-9.]+\.dnsbl\.mock\.test$"},
              "do": dns_effect}] if dns_effect else []
    m.api_json("PUT", "/api/v1/scenario", {"name": "dnsbl", "rules": rules})


def test_not_listed_anywhere_is_ok_with_each_verdict(mock):
    use(mock, None)
    out, rc, err = probe(mock)
    r = json.loads(out)
    assert rc == 0 and r["status"] == "OK", (r, err)
    assert [(v["zone"], v["status"]) for v in r["dnsbl"]] == [
        ("dnsbl.mock.test", "not_listed"), ("zen.mock.test", "not_listed")]
    assert r["dnsbl"][0]["query"] == "1.0.0.127.dnsbl.mock.test"


def test_a_listing_is_critical_with_its_reason_in_every_format(mock):
    use(mock, {"dns": {"listed": {"code": "127.0.0.4", "reason": "spam run"}}})
    out, rc, _ = probe(mock)
    r = json.loads(out)
    assert rc == 2 and (r["failure"]["kind"], r["failure"]["phase"]) == ("blocklisted", "dns")
    assert r["failure"]["message"] == "listed on dnsbl.mock.test (127.0.0.4): spam run"
    assert r["dnsbl"][0] | {"query": None} == {
        "zone": "dnsbl.mock.test", "query": None, "status": "listed", "codes": ["127.0.0.4"],
        "reason": "spam run", "error": ""}
    assert r["dnsbl"][1]["status"] == "not_listed"
    out, rc, _ = probe(mock, fmt="nagios")
    assert rc == 2 and out.startswith(
        "SMTP CRITICAL - blocklisted at dns: listed on dnsbl.mock.test (127.0.0.4): spam run"), out
    out, _, _ = probe(mock, fmt="prometheus")
    assert 'probe_dnsbl_listed{target="127.0.0.1:%d",zone="dnsbl.mock.test"} 1' % mock.port in out
    assert 'probe_dnsbl_listed{target="127.0.0.1:%d",zone="zen.mock.test"} 0' % mock.port in out
    assert 'probe_dnsbl_error{target="127.0.0.1:%d",zone="dnsbl.mock.test"} 0' % mock.port in out


@pytest.mark.parametrize("effect, error", [
    ({"dns": {"dnsbl_error": 254}}, "127.255.255.254, an error about the query"),
    ({"dns": {"dnsbl_wildcard": "192.0.2.80"}}, "192.0.2.80, not a code in 127.0.0.0/8"),
    ({"dns": {"rcode": "servfail"}}, "no answer from the blocklist"),
    ({"hang": True}, "no answer before the deadline"),
], ids=["public-resolver", "parked", "servfail", "timeout"])
def test_a_broken_blocklist_is_a_warning_never_a_listing(mock, effect, error):
    use(mock, effect)
    out, rc, err = probe(mock)
    r = json.loads(out)
    assert rc == 1 and r["status"] == "WARNING", (r, err)
    assert (r["failure"]["kind"], r["failure"]["phase"]) == ("dns_error", "dns")
    assert r["dnsbl"][0]["status"] == "dnsbl_error" and error in r["dnsbl"][0]["error"], r
    assert r["dnsbl"][1]["status"] == "not_listed"
    out, _, _ = probe(mock, fmt="prometheus")
    assert 'probe_dnsbl_error{target="127.0.0.1:%d",zone="dnsbl.mock.test"} 1' % mock.port in out
    assert 'zone="dnsbl.mock.test"} 1' not in out.split("probe_dnsbl_error")[0]


@pytest.mark.parametrize("bad", ["nodot", "a..b", "ok.test,"])
def test_a_bad_zone_is_a_usage_error_naming_the_flag(mock, bad):
    out, rc, err = probe(mock, fmt="nagios", zones=bad)
    assert rc == 3 and "--dnsbl" in out + err and "expected blocklist zones" in out + err


def test_the_documented_example_is_what_the_probe_prints():
    source = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    doc = open(os.path.join(source, "docs", "probe.md"), encoding="utf-8").read()
    section = doc.split("## DNS blocklists", 1)[1].split("\n## ", 1)[0]
    block = section.split("```\n", 2)[1].splitlines()
    assert block[0].startswith("$ smtp-probe --dns-server ")
    m = MockProcess(("--dns", "127.0.0.1:0", "--dnsbl-zone", "dnsbl.mock.test",
                     "--dnsbl-zone", "zen.mock.test", "--scenario",
                     os.path.join(source, "faults", "catalog", "dnsbl-listed.yaml")))
    try:
        out, rc, _ = probe(m, fmt="text")
    finally:
        m.stop()
    assert rc == 2

    def same(line):  # ports and timings vary from run to run
        return re.sub(r"127\.0\.0\.1:\d+", "ADDR", re.sub(r"\d+\.\d{3}s", "Ts", line))

    assert [same(x) for x in out.splitlines()] == [same(x) for x in block[1:]]
