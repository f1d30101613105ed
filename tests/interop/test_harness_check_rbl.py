"""smtp-harness against check_rbl (monitoring-plugins-contrib), pointed at the mock's DNS server:
the DNS blocklist scenarios of the catalog, judged by the committed expectations file that states
where check_rbl tells a listing from a broken blocklist and where it does not."""

import pytest

from harness_runs import example, judged_run, require_plugin

CHECK_RBL = "/usr/lib/nagios/plugins/check_rbl"
EXPECT = example("check_rbl-expectations.yaml")
MONITOR = ("cmd:env RES_NAMESERVERS={host} RES_OPTIONS=port:{dns_port} "
           f"{CHECK_RBL} -H {{host}} -s dnsbl.mock.test -t 10 --query-timeout 2 --retry 1")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One harness run over every blocklist scenario, as the expectations file documents it."""
    require_plugin(CHECK_RBL, "monitoring-plugins-contrib")
    return judged_run(tmp_path_factory.mktemp("check_rbl"), MONITOR, EXPECT, ["dnsbl-*"])


def test_check_rbl_matches_its_committed_expectations(report):
    r, got = report
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(got) == ["dnsbl-listed", "dnsbl-not-listed", "dnsbl-public-resolver",
                           "dnsbl-servfail", "dnsbl-timeout", "dnsbl-zone-parked"]
    assert all(x["as_expected"] for x in got.values())


def test_a_listing_and_a_clean_address_are_told_apart(report):
    _, got = report
    assert got["dnsbl-not-listed"]["verdict"] == "passed"
    assert got["dnsbl-not-listed"]["observed"]["summary"].startswith("CHECK_RBL OK")
    assert got["dnsbl-listed"]["verdict"] == "caught"
    assert "BLACKLISTED on 1 server of 1 (dnsbl.mock.test (127.0.0.2))" in \
        got["dnsbl-listed"]["observed"]["summary"]


def test_a_broken_blocklist_is_reported_as_a_listing(report):
    # What check_rbl gets wrong: the answers of a broken blocklist count as listings.
    _, got = report
    public = got["dnsbl-public-resolver"]["observed"]
    assert public["status"] == "CRITICAL"
    assert "(dnsbl.mock.test (127.255.255.254))" in public["summary"]
    parked = got["dnsbl-zone-parked"]["observed"]
    assert parked["status"] == "CRITICAL"
    assert "(dnsbl.mock.test (192.0.2.80))" in parked["summary"]


def test_a_blocklist_that_cannot_answer_is_ok(report):
    _, got = report
    assert got["dnsbl-servfail"]["observed"]["status"] == "OK"
    timeout = got["dnsbl-timeout"]["observed"]
    assert timeout["status"] == "OK"
    assert "1 server timed out: dnsbl.mock.test" in timeout["summary"]
