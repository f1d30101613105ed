"""Scenarios cannot hurt the mock (hostile input, item 2 to 4): --scenario reads regular files of
at most 1 MiB, thousands of rules load at once, durations and rates have bounds, a rule's regex
cannot stall the other sessions, and what GET /api/v1/scenario shows loads back. Also the
explicit `do.command` on the wire."""

import json
import os
import pathlib
import subprocess
import time

import pytest

from mock_process import program
from wire_client import OPEN, WireClient

CATALOG = pathlib.Path(os.environ.get("SMTPH_SOURCE_DIR", ".")) / "faults" / "catalog"
STARTUP_LIMIT = 10  # seconds: a refused --scenario must end smtp-mock long before this


def run_mock_with(scenario):
    """Starts smtp-mock with --scenario and waits for it to exit; returns (code, stderr)."""
    start = time.monotonic()
    p = subprocess.run([program("SMTP_MOCK"), "--listen", "127.0.0.1:0", "--control",
                        "127.0.0.1:0", "--scenario", str(scenario)],
                       capture_output=True, text=True, timeout=STARTUP_LIMIT)
    return p.returncode, p.stderr, time.monotonic() - start


def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    code, err, took = run_mock_with(fifo)
    assert code != 0
    assert f"{fifo}: cannot read the file: it is a FIFO; give a regular file" in err, err
    assert took < STARTUP_LIMIT


def test_dev_zero_is_refused_without_reading_it():
    code, err, _ = run_mock_with("/dev/zero")
    assert code != 0
    assert "/dev/zero: cannot read the file: it is a device" in err, err


def test_a_file_over_1_mib_is_refused_like_an_api_body(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("name: big\nrules: []\n" + "#" * (1024 * 1024) + "\n")
    code, err, _ = run_mock_with(big)
    assert code != 0
    assert "over the limit of 1048576 octets" in err, err


def test_errors_give_the_position_once(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nrules:\n  - when: {phase: banner}\n    do: {trickle: inf}\n")
    code, err, _ = run_mock_with(bad)
    assert code != 0
    assert f"{bad}:4:19: rules[0].do.trickle: bad rate 'inf'" in err, err
    assert "(line" not in err and err.count(":4:19") == 1, err


def test_a_tab_in_the_indentation_is_named(tmp_path):
    bad = tmp_path / "tab.yaml"
    bad.write_text("name: tab\nrules:\n\t- do: {hang: true}\n")
    code, err, _ = run_mock_with(bad)
    assert code != 0
    assert f"{bad}:3:1: YAML syntax error: a tab in the indentation" in err, err


def many_rules(count):
    rules = "".join("  - {when: {phase: noop}, do: {delay: 1ms}}\n" for _ in range(count))
    return "name: many\nrules:\n" + rules


def test_thousands_of_rules_load_at_startup_and_through_the_api(start_mock, tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text(many_rules(4000))
    start = time.monotonic()
    m = start_mock("--scenario", str(path))
    assert time.monotonic() - start < 5
    assert len(m.api_json("GET", "/api/v1/rules")["rules"]) == 4000
    start = time.monotonic()
    put = m.api_json("PUT", "/api/v1/scenario", many_rules(4000),
                     {"Content-Type": "application/yaml"})
    assert time.monotonic() - start < 5
    assert put["rules"][3999]["id"] == "r4000"
    assert m.api_json("GET", "/api/v1/health")


@pytest.mark.parametrize("effect,message", [
    ("{trickle: inf}", "bad rate 'inf'"),
    ('{trickle: "1e308kB/s"}', "trickle must be from 1 B/s to 1 GB/s"),
    ("{trickle: 1e-300}", "trickle must be from 1 B/s to 1 GB/s"),
    ("{delay: 2600000h}", "over the limit of 24h"),
])
def test_out_of_bounds_values_are_refused_with_their_position(mock, effect, message):
    body = f"name: bad\nrules:\n  - when: {{phase: banner}}\n    do: {effect}\n"
    status, _, data = mock.http("PUT", "/api/v1/scenario", body,
                                {"Content-Type": "application/yaml"})
    assert status == 400, data
    err = json.loads(data)["error"]
    assert err["path"].startswith("rules[0].do."), err
    assert err["line"] == 4 and err["column"] > 0, err
    assert message in err["message"], err
    # Nothing changed: the mock still greets.
    with WireClient.connect(mock.host, mock.port) as c:
        assert c.read_reply().startswith(b"220 ")


def test_every_catalog_scenario_comes_back_from_the_api_and_loads_again(mock):
    for path in sorted(CATALOG.glob("*.yaml")):
        first = mock.api_json("PUT", "/api/v1/scenario", path.read_bytes(),
                              {"Content-Type": "application/yaml"})
        shown = mock.http("GET", "/api/v1/scenario")[2]
        assert b":null" not in shown, (path.name, shown)
        again = mock.api_json("PUT", "/api/v1/scenario", shown,
                              {"Content-Type": "application/json"})
        assert again == first, path.name
        assert mock.api_json("GET", "/api/v1/scenario") == first, path.name


def test_a_pathological_regex_does_not_stall_other_sessions(mock):
    # (x+x+)+y backtracks exponentially in an ECMAScript engine; the mock matches in linear time.
    mock.api_json("POST", "/api/v1/rules",
                  {"when": {"phase": "rcpt", "argument": "(x+x+)+y"}, "do": {"reply": "550 no"}},
                  expect=201)
    with WireClient.connect(mock.host, mock.port) as slow:
        slow.read_reply()
        slow.command(b"EHLO client.example")
        slow.command(b"MAIL FROM:<a@example.com>")
        start = time.monotonic()
        # 60 x: a backtracking engine would take longer than the universe; a valid local part.
        reply = slow.command(b"RCPT TO:<" + b"x" * 60 + b"@example.com>")
        assert time.monotonic() - start < 2
        assert reply.startswith(b"250"), reply
        with WireClient.connect(mock.host, mock.port) as other:
            assert other.read_reply(timeout=2).startswith(b"220 ")


def test_a_lookahead_is_refused_when_the_rule_is_added(mock):
    status, _, data = mock.http("POST", "/api/v1/rules",
                                {"when": {"argument": "(?=x)x"}, "do": {"hang": True}},
                                {"Content-Type": "application/json"})
    assert status == 400
    err = json.loads(data)["error"]
    assert err["path"] == "when.argument"
    assert "lookahead and lookbehind are not supported" in err["message"]


def send_message(c):
    c.read_reply()
    c.command(b"EHLO client.example")
    c.command(b"MAIL FROM:<a@example.com>")
    c.command(b"RCPT TO:<b@example.com>")
    assert c.command(b"DATA").startswith(b"354")
    c.send(b"Subject: t\r\n\r\nbody\r\n.\r\n")


def test_command_skip_answers_250_and_stores_nothing(mock):
    mock.api_json("POST", "/api/v1/rules",
                  {"when": {"phase": "data_end"}, "do": {"command": "skip"}}, expect=201)
    with WireClient.connect(mock.host, mock.port) as c:
        send_message(c)
        assert c.read_reply().startswith(b"250 2.0.0 Ok: queued")
        assert c.command(b"QUIT").startswith(b"221")
    assert mock.messages() == []


def test_command_apply_stores_the_message_and_then_hangs(mock):
    mock.api_json("POST", "/api/v1/rules",
                  {"when": {"phase": "data_end"}, "do": {"hang": True, "command": "apply"}},
                  expect=201)
    with WireClient.connect(mock.host, mock.port) as c:
        send_message(c)
        ending, data = c.observe_silence(0.5)
        assert (ending, data) == (OPEN, b"")
        stored = mock.messages()
        assert len(stored) == 1 and stored[0]["to"] == ["b@example.com"], stored
