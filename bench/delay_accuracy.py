"""Delay accuracy: 1,000 concurrent sessions under a 1 s banner delay fault. Prints the p50, p99
and largest deviation of the observed delay from 1 s for smtp-mock, and for Postfix smtp-sink
delaying its greeting with -W CONNECT:1, with the ratio. The client is `pace_client banner`
(bench/, one Asio thread). smtp-mock's own part is read from its transcripts: the time of each banner from the
accept, less the delay, is what its timer and the write after it added, whatever the client and
the kernel's accept queue did. The control is the same client against smtp-mock with no delay,
each connection held open for 1 s after its banner, so that the client and the mock have as many
connections in flight as under the delay: what it shows is the client's own jitter plus whatever
the mock adds to a connection before its session starts (the accept).

--baseline PROGRAM measures an older smtp-mock build the same way in the same run (its delay,
its transcripts and its control). --rounds N repeats every measurement N times, alternating the
builds, and pools the sessions of all rounds in each row: on a shared machine a burst of load
hits one measurement, and alternating spreads it over both builds.

Target (issue 19): smtp-mock p99 deviation at most 2 ms."""

import argparse
import os
import subprocess
import tempfile
import time

from load_client import banner_micros, percentile, raise_fd_limit
from peers import Peer, free_port, print_table, start_mock

DELAYED = """name: bench-delay
summary: Every banner is delayed by exactly one second.
rules:
  - when: {phase: banner}
    do: {delay: 1s}
"""

# The row of a build's delay as the client saw it, the one compared with smtp-sink.
DELAY_ROW = ", 1 s delay"

NO_DELAY = "name: bench-no-delay\nsummary: No fault.\nrules: []\n"

def times_to_banner(port, sessions, hold_ms=0):
    """The time from the established connection to the banner, in ms, per session in the order
    they connected. Connections open one per millisecond: every session lasts a second (the
    delay, or `hold_ms` after the banner), so about 1,000 are open at once, and banners arrive
    spread out enough for the client to time each."""
    return [us / 1000 for us in banner_micros(port, sessions, 1000, hold_ms)]


def deviations(times, expected_ms):
    return [abs(t - expected_ms) for t in times]


def banner_times(mock, sessions):
    """The time of each session's banner from its accept, in ms, from the mock's transcripts, in
    the order they were accepted."""
    out, since = [], 0
    while len(out) < sessions:
        page = mock.api_json("GET", f"/api/v1/sessions?since={since}&limit=500")
        if not page["sessions"]:
            break
        for s in page["sessions"]:
            sent = [e["t_ms"] for e in s["transcript"] if e["dir"] == "S"]
            if sent:
                out.append(sent[0])
        since = page["sessions"][-1]["id"]
    return out


def run_mock(scenario_text, sessions, program=None, hold_ms=0):
    """(the client's times to banner, the server's own from its transcripts), in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(scenario_text)
        path = f.name
    mock = start_mock("--scenario", path, "--session-history", str(sessions + 100),
                      program=program)
    try:
        return times_to_banner(mock.port, sessions, hold_ms), banner_times(mock.mock, sessions)
    finally:
        mock.stop()
        os.unlink(path)


def row(name, devs, ratio=""):
    return (name, f"{percentile(devs, 50):.2f}", f"{percentile(devs, 99):.2f}",
            f"{max(devs):.2f}", ratio)


def measure_mock(name, sessions, program=None):
    """The rows of one smtp-mock build, (label, deviations in ms): the delay as the client saw
    it, the mock's own transcripts, the difference of the two per session, and the control."""
    control, _ = run_mock(NO_DELAY, sessions, program, hold_ms=1000)
    client, own = run_mock(DELAYED, sessions, program)
    # The n-th connection made is the n-th accepted (the listener's queue is first in, first
    # out, and the client connects one at a time, a millisecond apart).
    before_session = [c - o for c, o in zip(client, own)] if len(own) == len(client) else []
    rows = [(f"{name}{DELAY_ROW}", deviations(client, 1000)),
            (f"{name}, 1 s delay, its own transcripts (banner after accept)",
             deviations(own, 1000))]
    if before_session:
        rows.append((f"{name}, 1 s delay, the client's time less the mock's per session "
                     "(accept queue, client)", before_session))
    return rows + [
        (f"{name}, control: no delay, each connection held 1 s "
         f"({min(sessions, 1000):,} in flight)", deviations(control, 0))]


def run_sink(sessions):
    port = free_port()
    sink = Peer("smtp-sink", port, subprocess.Popen(
        ["/usr/sbin/smtp-sink", "-u", "nobody", "-m", str(sessions + 100), "-W",
         "CONNECT:1", f"127.0.0.1:{port}", "4096"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(0.3)
    try:
        return deviations(times_to_banner(port, sessions), 1000)
    finally:
        sink.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--baseline", help="an older smtp-mock build, measured the same way")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measurements of each build and of smtp-sink, pooled")
    args = parser.parse_args()
    if args.sessions < 1 or args.rounds < 1:
        parser.error("--sessions and --rounds must be at least 1")
    raise_fd_limit()
    builds = [("smtp-mock", None)]
    if args.baseline:
        if not os.access(args.baseline, os.X_OK):
            parser.error(f"--baseline {args.baseline}: not an executable file")
        builds.append(("baseline", os.path.realpath(args.baseline)))
    pooled = {}  # row name -> deviations of every round, in the order first measured
    for _ in range(args.rounds):
        for name, program in builds:
            for label, devs in measure_mock(name, args.sessions, program):
                pooled.setdefault(label, []).extend(devs)
    sink_dev = []
    for _ in range(args.rounds):
        sink_dev += run_sink(args.sessions)
    s99 = percentile(sink_dev, 99)
    rows = []
    for label, devs in pooled.items():
        p99 = percentile(devs, 99)
        ratio = ""
        if label.endswith(DELAY_ROW):
            ratio = f"{s99 / p99:.1f}x more accurate" if p99 > 0 else "n/a"
        rows.append(row(label, devs, ratio))
    rows.append(row("smtp-sink -W CONNECT:1", sink_dev, "1.0x"))
    rounds = f", {args.rounds} rounds pooled" if args.rounds > 1 else ""
    print_table(f"Delay accuracy: {args.sessions:,} concurrent sessions under a 1 s banner delay "
                f"(client: pace_client banner, one Asio thread{rounds})",
                ["server", "p50 deviation ms", "p99 deviation ms", "max deviation ms",
                 "smtp-mock vs smtp-sink (p99)"], rows)


if __name__ == "__main__":
    main()
