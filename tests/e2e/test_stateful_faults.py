"""Faults with memory over the wire (issue 18, §4): real greylisting of the catalog scenario
rcpt-450-greylisted, a per-client rate limit, fail-first-N, and a rule that expires by itself.
What the effects remember is in GET /api/v1/rules; POST /api/v1/reset forgets it. One mock
serves the module and is reset before each test."""

import os
import pathlib
import time

import pytest

from mock_process import MockProcess
from waiting import wait_for
from wire_client import WireClient

SOURCE_DIR = pathlib.Path(os.environ.get("SMTPH_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
GREYLISTED = (SOURCE_DIR / "faults" / "catalog" / "rcpt-450-greylisted.yaml").read_text()
YAML = {"Content-Type": "application/yaml"}


@pytest.fixture(scope="module")
def shared_mock():
    m = MockProcess()
    yield m
    m.stop()


@pytest.fixture
def mock(shared_mock):
    shared_mock.api_json("POST", "/api/v1/reset")
    return shared_mock


def rcpt_replies(mock, sender, recipients):
    """One session: MAIL FROM `sender`, then RCPT TO each recipient; the RCPT replies."""
    with WireClient.connect(mock.host, mock.port) as c:
        c.read_reply()
        assert c.command(b"EHLO grey.test").startswith(b"250")
        assert c.command(b"MAIL FROM:<%s>" % sender.encode()).startswith(b"250")
        replies = [c.command(b"RCPT TO:<%s>" % r.encode()) for r in recipients]
        c.command(b"QUIT")
    return replies


def rule_state(mock, rule_id, key):
    rule = mock.api_json("GET", f"/api/v1/rules/{rule_id}")
    return rule.get("state", {}).get(key)


def test_greylisting_defers_each_new_triplet_and_accepts_a_retry_after_the_delay(mock):
    # The catalog scenario, with the delay a test can wait for.
    scenario = GREYLISTED.replace("delay: 300s", "delay: 1s").encode()
    assert b"delay: 1s" in scenario
    mock.api_json("PUT", "/api/v1/scenario", scenario, YAML)
    first_at = time.monotonic()
    first = rcpt_replies(mock, "a@grey.test", ["b@grey.test", "b@grey.test", "c@grey.test"])
    assert [r[:4] for r in first] == [b"450 "] * 3, first
    assert b"Greylisted" in first[0]

    # Retries until the delay has passed are deferred; the first one after it passes.
    passed = wait_for(lambda: rcpt_replies(mock, "a@grey.test", ["b@grey.test"])[0]
                      .startswith(b"250"), 10, interval=0.2)
    assert passed and time.monotonic() - first_at >= 1.0
    # Passed triplets stay passed; a new sender is a new triplet.
    assert rcpt_replies(mock, "A@GREY.test", ["B@grey.test"])[0].startswith(b"250")
    assert rcpt_replies(mock, "new@grey.test", ["b@grey.test"])[0].startswith(b"450")

    state = {t["recipient"] + " " + t["sender"]: t
             for t in rule_state(mock, "greylisted", "greylist")}
    assert state["b@grey.test a@grey.test"]["passed"] is True
    assert state["b@grey.test a@grey.test"]["deferred"] >= 2
    assert state["c@grey.test a@grey.test"]["passed"] is False
    assert {t["client"] for t in state.values()} == {"127.0.0.1"}

    # Loading the scenario again forgets every triplet.
    mock.api_json("PUT", "/api/v1/scenario", scenario, YAML)
    assert rule_state(mock, "greylisted", "greylist") == []
    assert rcpt_replies(mock, "a@grey.test", ["b@grey.test"])[0].startswith(b"450")


def banner(mock):
    with WireClient.connect(mock.host, mock.port) as c:
        return c.read_reply()


def test_rate_limit_refuses_connections_over_the_limit_and_reset_forgets_them(mock):
    mock.api_json("POST", "/api/v1/rules", {
        "id": "limit", "when": {"phase": "banner"},
        "do": {"reply": "421 4.7.0 Too many connections, slow down", "close": "fin",
               "rate_limit": {"max": 2, "per": "60s"}}}, expect=201)
    greetings = [banner(mock)[:4] for _ in range(4)]
    assert greetings == [b"220 ", b"220 ", b"421 ", b"421 "], greetings
    assert rule_state(mock, "limit", "rate_limit") == [
        {"client": "127.0.0.1", "in_window": 2, "limited": 2}]
    mock.api_json("POST", "/api/v1/reset")
    assert mock.api_json("GET", "/api/v1/rules")["rules"] == []
    assert banner(mock).startswith(b"220 ")


def test_fail_first_n_per_client_then_succeed(mock):
    mock.api_json("POST", "/api/v1/rules", {
        "id": "ff", "when": {"phase": "mail"},
        "do": {"reply": "451 4.3.0 Try again later", "fail_first": 2}}, expect=201)
    replies = []
    for _ in range(3):
        with WireClient.connect(mock.host, mock.port) as c:
            c.read_reply()
            c.command(b"EHLO ff.test")
            replies.append(c.command(b"MAIL FROM:<a@ff.test>")[:4])
    assert replies == [b"451 ", b"451 ", b"250 "], replies
    assert rule_state(mock, "ff", "fail_first") == [
        {"client": "127.0.0.1", "failed": 2, "passed": 1}]


def test_a_rule_added_with_expires_stops_by_itself(mock):
    added_at = time.monotonic()
    mock.api_json("POST", "/api/v1/rules", {
        "id": "brief", "when": {"phase": "banner"},
        "do": {"reply": "554 5.3.2 Not now", "close": "fin", "expires": "1s"}}, expect=201)
    assert banner(mock).startswith(b"554 ")
    assert wait_for(lambda: banner(mock).startswith(b"220 "), 10, interval=0.1)
    assert time.monotonic() - added_at >= 1.0
    # Still listed (it is not removed), but it fires no more.
    fired = mock.api_json("GET", "/api/v1/rules/brief")["fired"]
    assert banner(mock).startswith(b"220 ")
    assert mock.api_json("GET", "/api/v1/rules/brief")["fired"] == fired
