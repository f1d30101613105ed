"""Live events and throughput: Postfix smtp-source sends one-message sessions to smtp-mock with
nobody subscribed to GET /api/v1/events, with one client reading every event one per message,
and with one reading them batched (`?batch=lines`, as the web console does), alternating over
several rounds in the same run; then once with one client that reads nothing (stalled). Prints,
per run, messages per second and smtp-mock's CPU per message (all its threads, the WebSocket's
included: on a shared machine CPU is the cost a subscriber adds, and messages per second follow
it), then the medians and each subscriber's ratios to "none"; and smtp-mock's resident memory
after each run.

--baseline PROGRAM measures an older smtp-mock build the same way in every round (without
"batched", which it may not have), so that a change is measured before and after in one run.

Targets (issue 16): one subscriber costs less than 10 % of the throughput; a stalled one keeps
memory bounded."""

import argparse
import os
import statistics
import threading

from mock_throughput import run_source
from peers import cpu_seconds, print_table, start_mock
from ws_client import WebSocket


class Reader(threading.Thread):
    """Reads every event until the connection ends (several per message when batched)."""

    def __init__(self, ws):
        super().__init__(daemon=True)
        self.ws, self.events, self.messages, self.lagged = ws, 0, 0, 0

    def run(self):
        try:
            while True:
                text = self.ws.message()
                self.messages += 1
                self.lagged += text.count('"type":"lagged"')
                self.events += text.count("\n") + 1
        except (EOFError, OSError):
            pass


# What each subscriber mode subscribes to: "reading" takes one event per message, as scripts
# do by default; "batched" one message per batch of events, one per line, as the console does.
PATHS = {"reading": "/api/v1/events", "batched": "/api/v1/events?batch=lines",
         "stalled": "/api/v1/events"}


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def start(program):
    saved = os.environ["SMTP_MOCK"]
    os.environ["SMTP_MOCK"] = program
    try:
        return start_mock("--session-history", "1000")
    finally:
        os.environ["SMTP_MOCK"] = saved


def measure(program, mode, args):
    """(messages/s, CPU µs per message, RSS MiB, note) of one run."""
    peer = start(program)
    ws, reader = None, None
    try:
        if mode != "none":
            ws = WebSocket(peer.mock.control, PATHS[mode], timeout=600,
                           recv_buffer=4096 if mode == "stalled" else None)
            if mode != "stalled":
                reader = Reader(ws)
                reader.start()
        run_source(peer.port, 200, 10, args.length, False)  # warm-up
        cpu0 = cpu_seconds(peer.pid)
        elapsed = run_source(peer.port, args.messages, args.sessions, args.length, False)
        cpu = cpu_seconds(peer.pid) - cpu0
        rate, rss = args.messages / elapsed, rss_mib(peer.pid)
    finally:
        peer.mock.stop()
        if ws:
            ws.sock.close()
    note = (f"{reader.events} events in {reader.messages} messages, lagged {reader.lagged} times"
            if reader else "")
    return rate, cpu / args.messages * 1e6, rss, note


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--baseline", help="an older smtp-mock build, measured in every round")
    args = parser.parse_args()
    builds = [("smtp-mock", os.environ["SMTP_MOCK"], ("none", "reading", "batched"))]
    if args.baseline:  # an older build may not batch
        builds.append(("baseline", os.path.realpath(args.baseline), ("none", "reading")))
    runs = {(b, m): [] for b, _, modes in builds for m in modes}
    rows = []
    for i in range(args.rounds):
        order = [(b, p, m) for b, p, modes in builds for m in modes]
        # Alternate which goes first, so that a drift of the machine favours none.
        for build, program, mode in (order if i % 2 == 0 else list(reversed(order))):
            rate, cpu, rss, note = measure(program, mode, args)
            runs[(build, mode)].append((rate, cpu))
            rows.append([f"round {i + 1}", build, mode, f"{rate:,.0f}", f"{cpu:,.1f}",
                         f"{rss:.0f}", note])
    med = statistics.median
    for build, program, modes in builds:
        none = runs[(build, "none")]
        for mode in modes:
            got = runs[(build, mode)]
            rows.append(["**median**", build, mode, f"**{med([g[0] for g in got]):,.0f}**",
                         f"**{med([g[1] for g in got]):,.1f}**", "", ""])
        for mode in modes[1:]:
            got = runs[(build, mode)]
            rate_ratio = med([r[0] for r in got]) / med([n[0] for n in none])
            cpu_ratio = med([r[1] for r in got]) / med([n[1] for n in none])
            rows.append([f"**{mode} / none**", build, "", f"**{rate_ratio:.2f}**",
                         f"**{cpu_ratio:.2f}**", "", ""])
        rate, cpu, rss, note = measure(program, "stalled", args)
        rows.append(["once", build, "stalled", f"{rate:,.0f}", f"{cpu:,.1f}", f"{rss:.0f}", note])
    print_table(f"Live event subscribers ({args.messages} one-message sessions, {args.sessions} "
                "in parallel)", ["run", "build", "subscriber", "messages/s", "CPU µs/msg",
                                 "RSS MiB", "note"], rows)


if __name__ == "__main__":
    main()
