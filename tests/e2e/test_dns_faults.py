"""DNS faults as scenario effects (`when: {phase: dns}`): one smtp-mock with --dns whose scenario
is replaced through the control API, asked with dig (bind9-dnsutils) over UDP and TCP."""

import shutil

import pytest

from dig import dig as dig_at
from mock_process import MockProcess

pytestmark = pytest.mark.skipif(shutil.which("dig") is None, reason="dig is not installed")


@pytest.fixture(scope="module")
def mock():
    m = MockProcess(("--dns", "127.0.0.1:0", "--hostname", "mx.mock.test",
                     "--dnsbl-zone", "dnsbl.mock.test"))
    yield m
    assert m.stop() == 0, m.stderr


def use(m, rules):
    m.api_json("PUT", "/api/v1/scenario", {"name": "dns", "rules": rules})


def dig(m, *args, **options):
    """(status or None when nothing came, flags, records as (name, type, data), seconds)."""
    a = dig_at(m.dns, *args, **options)
    return a.status, a.flags, a.records, a.seconds


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_servfail_and_refused_for_the_names_the_rule_matches(mock, tcp):
    use(mock, [{"when": {"phase": "dns", "command": "MX"}, "do": {"dns": {"rcode": "servfail"}}},
               {"when": {"phase": "dns", "argument": "^mx\\."}, "do": {"dns": {"rcode": "refused"}}}])
    assert dig(mock, "mock.test", "MX", tcp=tcp)[0] == "SERVFAIL"
    assert dig(mock, "mx.mock.test", "A", tcp=tcp)[0] == "REFUSED"
    # Another type of the same name is answered from the data.
    assert dig(mock, "mock.test", "TXT", tcp=tcp)[2] == [("mock.test.", "TXT", '"v=spf1 mx -all"')]


def test_no_answer_times_out_and_a_slow_answer_comes_late(mock):
    use(mock, [{"when": {"phase": "dns", "command": "MX"}, "do": {"hang": True}},
               {"when": {"phase": "dns", "command": "TXT"}, "do": {"delay": "700ms"}}])
    status, _, _, took = dig(mock, "mock.test", "MX", timeout=1)
    assert status is None and took >= 1.0
    status, _, records, took = dig(mock, "mock.test", "TXT")
    assert status == "NOERROR" and len(records) == 1 and took >= 0.7


def test_truncated_over_udp_forces_tcp(mock):
    use(mock, [{"when": {"phase": "dns"}, "do": {"dns": {"truncate": True}}}])
    status, flags, records, _ = dig(mock, "mock.test", "MX", ignore_tc=True)
    assert status == "NOERROR" and "tc" in flags and records == []
    # dig retries over TCP by itself, and gets the whole answer there.
    assert dig(mock, "mock.test", "MX")[2] == [("mock.test.", "MX", "10 mx.mock.test.")]


def test_the_mx_gone_or_replaced_by_an_address(mock):
    use(mock, [{"when": {"phase": "dns"}, "do": {"dns": {"mx": "nxdomain"}}}])
    assert dig(mock, "mock.test", "MX")[0] == "NXDOMAIN"
    use(mock, [{"when": {"phase": "dns"}, "do": {"dns": {"mx": "a_only"}}}])
    assert dig(mock, "mock.test", "MX")[:3:2] == ("NOERROR", [])
    assert dig(mock, "mock.test", "A")[2] == [("mock.test.", "A", mock.host)]


def test_the_mocks_address_listed_with_its_reason(mock):
    use(mock, [{"when": {"phase": "dns"},
                "do": {"dns": {"listed": {"code": "127.0.0.4", "reason": "spam trap hits"}}}}])
    name = ".".join(reversed(mock.host.split("."))) + ".dnsbl.mock.test"
    assert dig(mock, name, "A")[2] == [(name + ".", "A", "127.0.0.4")]
    assert dig(mock, name, "TXT")[2] == [(name + ".", "TXT", '"spam trap hits"')]
    # Other addresses are not listed.
    assert dig(mock, "9.0.0.127.dnsbl.mock.test", "A")[0] == "NXDOMAIN"


def test_the_refused_query_code_and_a_wildcard_zone(mock):
    use(mock, [{"when": {"phase": "dns"}, "do": {"dns": {"dnsbl_error": 254}}}])
    assert dig(mock, "9.0.0.127.dnsbl.mock.test", "A")[2] == [
        ("9.0.0.127.dnsbl.mock.test.", "A", "127.255.255.254")]
    use(mock, [{"when": {"phase": "dns"}, "do": {"dns": {"dnsbl_wildcard": "127.0.0.2"}}}])
    # Even the RFC 5782 §5 test entry that must never be listed.
    assert dig(mock, "1.0.0.127.dnsbl.mock.test", "A")[2] == [
        ("1.0.0.127.dnsbl.mock.test.", "A", "127.0.0.2")]


def test_rules_without_phase_dns_leave_dns_alone_and_fire_counts_show(mock):
    use(mock, [{"do": {"close": "rst"}},
               {"id": "once", "when": {"phase": "dns", "times": 1}, "do": {"dns": {"rcode": "servfail"}}}])
    assert dig(mock, "mock.test", "MX")[0] == "SERVFAIL"
    assert dig(mock, "mock.test", "MX")[0] == "NOERROR"
    rules = {r["id"]: r for r in mock.api_json("GET", "/api/v1/rules")["rules"]}
    assert rules["once"]["fired"] == 1


def test_a_bad_dns_rule_is_refused_with_its_key(mock):
    status, body, _ = mock.api("PUT", "/api/v1/scenario", {
        "name": "bad", "rules": [{"when": {"phase": "dns"}, "do": {"reply": "550 no"}}]})
    assert status == 400 and "dns, delay, hang and expires" in body["error"]["message"], body
