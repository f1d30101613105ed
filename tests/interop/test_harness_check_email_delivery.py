"""smtp-harness against Debian's check_email_delivery (monitoring-plugins-contrib: check_smtp_send,
then check_imap_receive), given the mock's mailbox through the mailbox placeholders: the delivery
and mailbox scenarios of the catalog, judged by the committed expectations file that states what
the plugin catches, what it misses, and what it says."""

import os

import pytest

from harness_runs import SOURCE, example, judged_run, require_plugin

PLUGINS = "/usr/lib/nagios/plugins"
CHECK = f"{PLUGINS}/check_email_delivery"
EXPECT = example("check_email_delivery-expectations.yaml")
# As the expectations file and docs/harness.md give it: IMAP searched every second, three
# times, within six seconds for the IMAP half, so that a hung mailbox service ends in the run.
MONITOR = (f"cmd:{CHECK} -H {{host}} --smtp-port {{port}} --imap-port {{imap_port}} "
           "--mailto {mail_to} --mailfrom monitor@example.org --username {mailbox_user} "
           "--password {mailbox_password} --wait 1 --imap-check-interval 1 --imap-retries 3 "
           f"-w 15 -c 30 -t 10,6 --libexec {PLUGINS}")
SCENARIOS = ["healthy", "delivery-changed", "delivery-junk", "delivery-late", "delivery-never",
             "delivery-twice", "mailbox-imap-hang-fetch", "mailbox-imap-hang-login",
             "mailbox-imap-hang-select", "mailbox-imap-login-rejected",
             "mailbox-pop3-hang-login", "mailbox-pop3-hang-retr", "mailbox-pop3-login-rejected",
             "mailbox-refused", "mailbox-reset"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One harness run over the healthy control and every delivery and mailbox scenario."""
    require_plugin(CHECK, "monitoring-plugins-contrib")
    return judged_run(tmp_path_factory.mktemp("check_email_delivery"), MONITOR, EXPECT,
                      ["healthy", "delivery-*", "mailbox-*"], jobs=5, timeout=90)


def said(got, name):
    return got[name]["observed"]["status"], got[name]["observed"]["summary"]


def test_check_email_delivery_matches_its_committed_expectations(report):
    r, got = report
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(got) == sorted(SCENARIOS)
    assert all(x["as_expected"] for x in got.values())
    status, summary = said(got, "healthy")
    assert (got["healthy"]["verdict"], status) == ("passed", "OK")
    assert summary.startswith("EMAIL DELIVERY OK"), summary


def test_a_message_that_never_reaches_the_inbox_is_caught(report):
    _, got = report
    for name in ("delivery-never", "delivery-junk", "delivery-changed"):
        status, summary = said(got, name)
        assert (got[name]["verdict"], status) == ("caught", "CRITICAL"), name
        assert summary.startswith("EMAIL DELIVERY CRITICAL - imap failed: IMAP RECEIVE "
                                  "CRITICAL - found less than 1"), summary


def test_what_arrives_is_not_checked(report):
    # What check_email_delivery gets wrong: two copies, or a copy two seconds late, pass as OK.
    _, got = report
    for name in ("delivery-twice", "delivery-late"):
        status, summary = said(got, name)
        assert (got[name]["verdict"], status) == ("missed", "OK"), name
        assert summary.startswith("EMAIL DELIVERY OK"), summary


def test_a_mailbox_service_that_is_down_or_hangs_is_caught_as_no_connection(report):
    # It catches every failure of the IMAP service, but names them all "Could not connect":
    # a refused login and a server that hung after the login read as a server that is down.
    _, got = report
    for name in ("mailbox-refused", "mailbox-reset", "mailbox-imap-login-rejected",
                 "mailbox-imap-hang-login", "mailbox-imap-hang-select",
                 "mailbox-imap-hang-fetch"):
        status, summary = said(got, name)
        assert (got[name]["verdict"], status) == ("caught", "CRITICAL"), name
        assert "Could not connect to" in summary, summary


def test_faults_of_the_pop3_service_are_out_of_its_sight(report):
    _, got = report
    for name in ("mailbox-pop3-login-rejected", "mailbox-pop3-hang-login",
                 "mailbox-pop3-hang-retr"):
        assert (got[name]["verdict"], said(got, name)[0]) == ("missed", "OK"), name


def test_the_documented_command_line_is_the_one_measured():
    def words(text):
        return " ".join(text.replace("\\\n", " ").replace("'", " ").split())
    for page in (os.path.join(SOURCE, "docs", "harness.md"), EXPECT):
        text = open(page, encoding="utf-8").read().replace("\n#", "\n")
        assert words(MONITOR[len("cmd:"):]) in words(text), page
