"""Delay accuracy: 1,000 concurrent sessions under a 1 s banner delay fault. Prints the p50 and
p99 deviation of the observed delay from 1 s for smtp-mock, and for Postfix smtp-sink delaying
its greeting with -W CONNECT:1, with the ratio.

Target (issue 8): smtp-mock p99 deviation at most 10 ms."""

import argparse
import asyncio
import subprocess
import tempfile
import time

from load_client import percentile, raise_fd_limit, time_to_banner
from peers import Peer, free_port, print_table, start_mock

SCENARIO = """name: bench-delay
summary: Every banner is delayed by exactly one second.
rules:
  - when: {phase: banner}
    do: {delay: 1s}
"""


async def run(port, sessions):
    # Connections open one per millisecond: every session lasts a second, so about 1,000 are
    # open at once, and banners arrive spread out enough for the client to timestamp each.
    return await asyncio.gather(*(time_to_banner(port, i / 1000) for i in range(sessions)))


def deviations(port, sessions):
    delays = asyncio.run(run(port, sessions))
    return [abs(d - 1.0) * 1000 for d in delays]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    args = parser.parse_args()
    raise_fd_limit()
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(SCENARIO)
        path = f.name
    mock = start_mock("--scenario", path)
    try:
        mock_dev = deviations(mock.port, args.sessions)
    finally:
        mock.stop()
    port = free_port()
    sink = Peer("smtp-sink", port, subprocess.Popen(
        ["/usr/sbin/smtp-sink", "-u", "nobody", "-m", str(args.sessions + 100), "-W",
         "CONNECT:1", f"127.0.0.1:{port}", "4096"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(0.3)
    try:
        sink_dev = deviations(port, args.sessions)
    finally:
        sink.stop()
    m99, s99 = percentile(mock_dev, 99), percentile(sink_dev, 99)
    rows = [("smtp-mock", f"{percentile(mock_dev, 50):.2f}", f"{m99:.2f}",
             f"{s99 / m99:.2f}x" if m99 > 0 else "n/a"),
            ("smtp-sink", f"{percentile(sink_dev, 50):.2f}", f"{s99:.2f}", "1.00x")]
    print_table(f"Delay accuracy: {args.sessions:,} concurrent sessions under a 1 s banner delay",
                ["server", "p50 deviation ms", "p99 deviation ms", "smtp-mock accuracy vs peer"],
                rows)


if __name__ == "__main__":
    main()
