"""Held connections: 10,000 concurrent sessions held by a banner hang. Prints the server's memory
per held connection and the latency of healthy sessions meanwhile, for smtp-mock and for Postfix
smtp-sink (holding its greeting with -W CONNECT), with smtp-mock's ratio.

Targets (issue 19): at most 4 KiB per held connection; healthy p99 under 10 ms."""

import argparse
import asyncio
import subprocess
import tempfile
import time

from load_client import open_held, percentile, raise_fd_limit, timed_session
from peers import Peer, free_port, print_table, rss_kib, start_mock


def scenario(held):
    return f"""name: bench-held
summary: The first {held} connections get no banner; later ones are healthy.
rules:
  - when: {{phase: banner, connections: "1-{held}"}}
    do: {{hang: true}}
"""


def start_sink_holding(held):
    port = free_port()
    proc = subprocess.Popen(["/usr/sbin/smtp-sink", "-u", "nobody", "-m", str(held + 1000),
                             "-W", "CONNECT:3600", f"127.0.0.1:{port}", "4096"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    return Peer("smtp-sink", port, proc)


async def run(peer, held, healthy_sessions, settle):
    before = rss_kib(peer.pid)
    conns = await open_held(peer.port, held)
    await asyncio.sleep(settle)
    during = rss_kib(peer.pid)
    latencies = []
    if peer.mock:
        for _ in range(healthy_sessions):
            latencies.append(await timed_session(peer.port))
    for _, writer in conns:
        writer.close()
    return (during - before) / held, latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--held", type=int, default=10000)
    parser.add_argument("--healthy", type=int, default=500)
    parser.add_argument("--baseline", help="an older smtp-mock build, measured the same way")
    args = parser.parse_args()
    raise_fd_limit()

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(scenario(args.held))
        path = f.name
    rows = []
    mock = start_mock("--scenario", path, "--session-history", "1000")
    try:
        per_conn, lat = asyncio.run(run(mock, args.held, args.healthy, 2.0))
    finally:
        mock.stop()
    if args.baseline:
        base = start_mock("--scenario", path, "--session-history", "1000", program=args.baseline)
        try:
            base_per_conn, base_lat = asyncio.run(run(base, args.held, args.healthy, 2.0))
        finally:
            base.stop()
    sink = start_sink_holding(args.held)
    try:
        sink_per_conn, _ = asyncio.run(run(sink, args.held, 0, 2.0))
    finally:
        sink.stop()
    p50, p99 = percentile(lat, 50) * 1000, percentile(lat, 99) * 1000
    rows.append(("smtp-mock", f"{per_conn:.2f}", f"{p50:.2f}", f"{p99:.2f}",
                 f"{per_conn / sink_per_conn:.2f}x" if sink_per_conn > 0 else "n/a"))
    if args.baseline:
        rows.append(("baseline", f"{base_per_conn:.2f}", f"{percentile(base_lat, 50) * 1000:.2f}",
                     f"{percentile(base_lat, 99) * 1000:.2f}",
                     f"{base_per_conn / sink_per_conn:.2f}x" if sink_per_conn > 0 else "n/a"))
    rows.append(("smtp-sink", f"{sink_per_conn:.2f}", "-", "-", "1.00x"))
    print_table(f"Held connections: {args.held:,} sessions held by a banner hang, "
                f"{args.healthy} healthy sessions meanwhile",
                ["server", "KiB per held connection", "healthy p50 ms", "healthy p99 ms",
                 "memory vs smtp-sink"], rows)


if __name__ == "__main__":
    main()
