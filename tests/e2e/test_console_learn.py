"""The console's Learn endpoints over plain HTTP (issue 16): POST /api/v1/learn/probe runs the
built-in probe against this mock with the probe options of the scenario in force, N connections
in a row; POST /api/v1/learn/talk sends typed lines to a fresh connection and returns the timed
conversation; both refuse other methods and bad bodies with the field at fault."""

import json

import pytest

from mock_process import MockProcess


@pytest.fixture(scope="module")
def mock():
    m = MockProcess()
    yield m
    m.stop()


def post(mock, path, body):
    status, _, data = mock.http("POST", path, json.dumps(body).encode(),
                                {"Content-Type": "application/json"}, timeout=30)
    return status, json.loads(data)


def test_the_probe_runs_with_the_scenarios_options_connection_after_connection(mock):
    mock.api_json("DELETE", "/api/v1/scenario")
    before = mock.api_json("GET", "/api/v1/stats")["sessions"]["total"]
    status, out = post(mock, "/api/v1/learn/probe", {"connections": 2})
    assert status == 200, out
    assert out["scenario"]["name"] == "healthy"
    assert [r["result"]["status"] for r in out["runs"]] == ["OK", "OK"]
    run = out["runs"][0]
    assert run["result"]["schema"] == "smtp-harness/probe-result/v1"
    assert run["nagios"].startswith("SMTP OK - ")
    texts = [e["text"] for e in run["result"]["transcript"] if e["dir"] == "S"]
    assert texts[0].startswith("220 ") and texts[-1].startswith("221 "), texts
    # The probe's connections are sessions of this mock, as any client's.
    assert mock.api_json("GET", "/api/v1/stats")["sessions"]["total"] == before + 2


def test_the_probe_reports_what_the_scenario_expects(mock):
    rule = {"when": {"phase": "ehlo"}, "do": {"reply": "421 4.3.2 going away", "close": "fin"}}
    scenario = {"name": "ehlo-421-learn", "rules": [rule],
                "expect": {"status": "CRITICAL", "kind": "temp_failure", "phase": "ehlo"}}
    mock.api_json("PUT", "/api/v1/scenario", scenario)
    status, out = post(mock, "/api/v1/learn/probe", {})
    assert status == 200, out
    assert out["scenario"]["expect"] == {"status": ["CRITICAL"], "kind": "temp_failure",
                                         "phase": "ehlo"}
    failure = out["runs"][0]["result"]["failure"]
    assert (failure["kind"], failure["phase"], failure["code"]) == ("temp_failure", "ehlo", 421)
    mock.api_json("DELETE", "/api/v1/scenario")


def test_typed_lines_go_to_a_fresh_connection_with_each_reply(mock):
    mock.api_json("DELETE", "/api/v1/scenario")
    status, out = post(mock, "/api/v1/learn/talk",
                       {"lines": ["EHLO learner.example", "NOOP", "QUIT"]})
    assert status == 200, out
    said = [(e["dir"], e["text"].split(" ")[0][:4]) for e in out["transcript"]
            if e["dir"] != "event"]
    assert said[0] == ("S", "220")
    assert ("C", "EHLO") in said and ("C", "NOOP") in said and said[-1] == ("S", "221")
    assert said.count(("S", "250")) == 2  # NOOP's, and the last line of EHLO's reply
    times = [e["t_ms"] for e in out["transcript"]]
    assert times == sorted(times)


def test_a_silent_server_is_noted_and_the_next_line_still_goes(mock):
    rule = {"when": {"phase": "noop"}, "do": {"hang": True}}
    mock.api_json("PUT", "/api/v1/scenario", {"name": "noop-hang", "rules": [rule]})
    status, out = post(mock, "/api/v1/learn/talk",
                       {"lines": ["EHLO x", "NOOP", "QUIT"], "reply_timeout_ms": 300})
    assert status == 200, out
    notes = [e["text"] for e in out["transcript"] if e["dir"] == "event"]
    assert any(n.startswith("server silent") for n in notes), notes
    assert out["transcript"][-1]["dir"] == "event"
    mock.api_json("DELETE", "/api/v1/scenario")


def test_other_methods_and_bad_bodies_are_refused_with_the_field(mock):
    status, headers, _ = mock.http("GET", "/api/v1/learn/probe")
    assert status == 405 and headers["allow"] == "POST"
    status, out = post(mock, "/api/v1/learn/probe", {"connections": 99})
    assert status == 400 and out["error"]["path"] == "connections", out
    status, out = post(mock, "/api/v1/learn/talk", {"lines": ["NOOP\r\nQUIT"]})
    assert status == 400 and out["error"]["path"] == "lines[0]", out
    # A state change from a form on another site is refused as everywhere in the API.
    status, _, _ = mock.http("POST", "/api/v1/learn/talk", b'{"lines":["QUIT"]}',
                             {"Content-Type": "text/plain"})
    assert status == 415
