"""bench/pace_client, the benchmarks' paced client, against a real smtp-mock: what it sends, what
it counts, and the bounds of a run (in-flight sessions, each session's deadline)."""

import json
import subprocess
import time

from mock_process import program

HEADER = b"Subject: pace_client\r\n\r\n"


def pace(*args, timeout=60):
    out = subprocess.run([program("PACE_CLIENT"), *map(str, args)], capture_output=True,
                         text=True, timeout=timeout)
    return out.returncode, out.stdout, out.stderr


def send(mock, *args):
    code, stdout, stderr = pace("send", mock.port, *args)
    return code, json.loads(stdout), stderr


def put_scenario(mock, rules):
    mock.api_json("PUT", "/api/v1/scenario", f"name: pace\nsummary: pace_client test.\n{rules}",
                  {"Content-Type": "application/yaml"})


def test_send_delivers_one_message_a_session_with_the_body_length_asked(mock):
    code, got, stderr = send(mock, "--rate", 200, "--seconds", 0.25, "--length", 500)
    assert code == 0, stderr
    assert (got["offered"], got["started"], got["completed"]) == (50, 50, 50)
    assert (got["failed"], got["skipped"], got["first_error"]) == (0, 0, "")
    assert 0 < got["latency_ms"]["p50"] <= got["latency_ms"]["p99"] <= got["latency_ms"]["max"]
    assert got["start_late_ms"]["p99"] >= 0 and got["client_cpu_s"] > 0
    stored = mock.messages()
    assert len(stored) == 50
    raw = mock.raw_message(stored[0]["id"])
    assert raw.startswith(HEADER) and len(raw) - len(HEADER) == 500
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert stored[0]["from"] == "pace@bench.example"


def test_a_body_with_one_octet_over_a_full_line_keeps_its_length(mock):
    code, _, stderr = send(mock, "--rate", 10, "--seconds", 0.1, "--length", 157)
    assert code == 0, stderr
    raw = mock.raw_message(mock.messages()[0]["id"])
    assert len(raw) - len(HEADER) == 157 and raw.endswith(b"\r\n")


def test_send_counts_failures_and_names_the_first(mock):
    put_scenario(mock, "rules:\n  - when: {phase: rcpt}\n    do: {reply: 550 5.1.1 No such user}\n")
    code, got, _ = send(mock, "--rate", 100, "--seconds", 0.1)
    assert code == 1
    assert (got["completed"], got["failed"]) == (0, 10)
    assert got["first_error"].startswith("perm_failure at rcpt"), got["first_error"]


def test_in_flight_bound_skips_sessions_and_each_session_ends_by_its_deadline(mock):
    put_scenario(mock, "rules:\n  - when: {phase: banner}\n    do: {hang: true}\n")
    started = time.monotonic()
    code, got, _ = send(mock, "--rate", 100, "--seconds", 0.2, "--max-in-flight", 5,
                        "--session-timeout", 1)
    took = time.monotonic() - started
    assert code == 1
    assert (got["offered"], got["started"], got["skipped"]) == (20, 5, 15)
    assert (got["completed"], got["failed"], got["most_in_flight"]) == (0, 5, 5)
    assert got["first_error"].startswith("timeout at banner"), got["first_error"]
    assert took < 30  # the run ends with its last session's deadline, not when the server says


def test_banner_mode_prints_one_time_a_session(mock):
    code, stdout, stderr = pace("banner", mock.port, 20, 1000)
    assert code == 0, stderr
    micros = [int(line) for line in stdout.split()]
    assert len(micros) == 20 and min(micros) >= 0


def test_bad_input_is_refused_with_the_option_named():
    code, _, stderr = pace("send", 2525, "--rate", 0, "--seconds", 1)
    assert code != 0 and "--rate" in stderr
    code, _, stderr = pace("send", 2525, "--seconds", 1)
    assert code != 0 and "--rate" in stderr
    code, _, stderr = pace("send", 2525, "--rate", 1, "--seconds", 1, "--length", 1 << 30)
    assert code != 0 and "--length" in stderr
    code, _, stderr = pace("banner", 2525, 0, 1000)
    assert code != 0 and "SESSIONS" in stderr
