"""Delay accuracy: 1,000 concurrent sessions under a 1 s banner delay fault. Prints the p50, p99
and largest deviation of the observed delay from 1 s for smtp-mock, and for Postfix smtp-sink
delaying its greeting with -W CONNECT:1, with the ratio. The client is banner_timer (bench/, one
Asio thread). smtp-mock's own part is read from its transcripts: the time of each banner from the
accept, less the delay, is what its timer and the write after it added, whatever the client and
the kernel's accept queue did. The control is the same client against smtp-mock with no delay,
each connection held open for 1 s after its banner, so that the client and the mock have as many
connections in flight as under the delay: what it shows is the client's own jitter plus whatever
the mock adds to a connection before its session starts (the accept).

--baseline PROGRAM measures an older smtp-mock build the same way in the same run (its delay,
its transcripts and its control).

Target (issue 19): smtp-mock p99 deviation at most 2 ms."""

import argparse
import os
import subprocess
import tempfile
import time

from load_client import percentile, raise_fd_limit
from peers import BUILD, Peer, free_port, print_table, start_mock

DELAYED = """name: bench-delay
summary: Every banner is delayed by exactly one second.
rules:
  - when: {phase: banner}
    do: {delay: 1s}
"""

NO_DELAY = "name: bench-no-delay\nsummary: No fault.\nrules: []\n"

TIMER = os.path.join(BUILD, "bench", "banner_timer")


def deviations(port, sessions, expected_ms, hold_ms=0):
    """|time to banner - expected| in ms, per session. Connections open one per millisecond:
    every session lasts a second (the delay, or `hold_ms` after the banner), so about 1,000 are
    open at once, and banners arrive spread out enough for the client to time each."""
    out = subprocess.run([TIMER, str(port), str(sessions), "1000", str(hold_ms)],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"banner_timer: {out.returncode}: {out.stderr.strip()}")
    return [abs(int(us) / 1000 - expected_ms) for us in out.stdout.split()]


def banner_times(mock, sessions):
    """The time of each session's banner from its accept, in ms, from the mock's transcripts."""
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


def run_mock(scenario_text, sessions, expected_ms, program=None, hold_ms=0):
    """(the client's deviations, the server's own from its transcripts), in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(scenario_text)
        path = f.name
    mock = start_mock("--scenario", path, "--session-history", str(sessions + 100),
                      program=program)
    try:
        client = deviations(mock.port, sessions, expected_ms, hold_ms)
        own = [abs(t - expected_ms) for t in banner_times(mock.mock, sessions)]
        return client, own
    finally:
        mock.stop()
        os.unlink(path)


def row(name, devs, ratio=""):
    return (name, f"{percentile(devs, 50):.2f}", f"{percentile(devs, 99):.2f}",
            f"{max(devs):.2f}", ratio)


def measure_mock(name, sessions, program=None):
    """The rows of one smtp-mock build: its control, the delay as the client saw it, and its
    own transcripts; and the client's p99 under the delay."""
    control, _ = run_mock(NO_DELAY, sessions, 0, program, hold_ms=1000)
    delayed, own = run_mock(DELAYED, sessions, 1000, program)
    return percentile(delayed, 99), [
        (f"{name}, 1 s delay", delayed),
        (f"{name}, 1 s delay, its own transcripts (banner after accept)", own),
        (f"{name}, control: no delay, each connection held 1 s "
         f"({min(sessions, 1000):,} in flight)", control)]


def run_sink(sessions):
    port = free_port()
    sink = Peer("smtp-sink", port, subprocess.Popen(
        ["/usr/sbin/smtp-sink", "-u", "nobody", "-m", str(sessions + 100), "-W",
         "CONNECT:1", f"127.0.0.1:{port}", "4096"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(0.3)
    try:
        return deviations(port, sessions, 1000)
    finally:
        sink.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--baseline", help="an older smtp-mock build, measured the same way")
    args = parser.parse_args()
    if args.sessions < 1:
        parser.error("--sessions must be at least 1")
    raise_fd_limit()
    builds = [("smtp-mock", None)]
    if args.baseline:
        if not os.access(args.baseline, os.X_OK):
            parser.error(f"--baseline {args.baseline}: not an executable file")
        builds.append(("baseline", os.path.realpath(args.baseline)))
    measured = [measure_mock(name, args.sessions, program) for name, program in builds]
    sink_dev = run_sink(args.sessions)
    s99 = percentile(sink_dev, 99)
    rows = []
    for p99, build_rows in measured:
        ratio = f"{s99 / p99:.1f}x more accurate" if p99 > 0 else "n/a"
        rows.append(row(*build_rows[0], ratio))
        rows.extend(row(*r) for r in build_rows[1:])
    rows.append(row("smtp-sink -W CONNECT:1", sink_dev, "1.0x"))
    print_table(f"Delay accuracy: {args.sessions:,} concurrent sessions under a 1 s banner delay "
                f"(client: banner_timer, one Asio thread)",
                ["server", "p50 deviation ms", "p99 deviation ms", "max deviation ms",
                 "smtp-mock vs smtp-sink (p99)"], rows)


if __name__ == "__main__":
    main()
