"""Delay accuracy: 1,000 concurrent sessions under a 1 s banner delay fault. Prints the p50, p99
and largest deviation of the observed delay from 1 s for smtp-mock, and for Postfix smtp-sink
delaying its greeting with -W CONNECT:1, with the ratio. The client is banner_timer (bench/, one
Asio thread); its own jitter is the same run against smtp-mock with no delay (the control).
smtp-mock's own part is read from its transcripts: the time of each banner from the accept, less
the delay, is what its timer and the write after it added, whatever the client and the kernel's
accept queue did.

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

TIMER = os.path.join(BUILD, "bench", "banner_timer")


def deviations(port, sessions, expected_ms):
    """|time to banner - expected| in ms, per session. Connections open one per millisecond:
    every session lasts a second, so about 1,000 are open at once, and banners arrive spread
    out enough for the client to time each."""
    out = subprocess.run([TIMER, str(port), str(sessions), "1000"], capture_output=True,
                         text=True, timeout=120)
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


def run_mock(scenario_text, sessions, expected_ms):
    """(the client's deviations, the server's own from its transcripts), in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(scenario_text)
        path = f.name
    mock = start_mock("--scenario", path, "--session-history", str(sessions + 100))
    try:
        client = deviations(mock.port, sessions, expected_ms)
        own = [abs(t - expected_ms) for t in banner_times(mock.mock, sessions)]
        return client, own
    finally:
        mock.stop()
        os.unlink(path)


def row(name, devs, ratio):
    return (name, f"{percentile(devs, 50):.2f}", f"{percentile(devs, 99):.2f}",
            f"{max(devs):.2f}", ratio)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    args = parser.parse_args()
    raise_fd_limit()
    control, _ = run_mock("name: bench-no-delay\nsummary: No fault.\nrules: []\n", args.sessions,
                          0)
    mock_dev, mock_own = run_mock(DELAYED, args.sessions, 1000)
    port = free_port()
    sink = Peer("smtp-sink", port, subprocess.Popen(
        ["/usr/sbin/smtp-sink", "-u", "nobody", "-m", str(args.sessions + 100), "-W",
         "CONNECT:1", f"127.0.0.1:{port}", "4096"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(0.3)
    try:
        sink_dev = deviations(port, args.sessions, 1000)
    finally:
        sink.stop()
    m99, s99 = percentile(mock_dev, 99), percentile(sink_dev, 99)
    rows = [row("smtp-mock, 1 s delay", mock_dev,
                f"{s99 / m99:.1f}x more accurate" if m99 > 0 else "n/a"),
            row("smtp-mock, 1 s delay, its own transcripts (banner after accept)", mock_own, ""),
            row("smtp-sink -W CONNECT:1", sink_dev, "1.0x"),
            row("control: smtp-mock, no delay (the client's own jitter)", control, "")]
    print_table(f"Delay accuracy: {args.sessions:,} concurrent sessions under a 1 s banner delay "
                f"(client: banner_timer, one Asio thread)",
                ["server", "p50 deviation ms", "p99 deviation ms", "max deviation ms",
                 "smtp-mock vs smtp-sink (p99)"], rows)


if __name__ == "__main__":
    main()
