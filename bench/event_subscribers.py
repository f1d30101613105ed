"""Live events and what a subscriber costs smtp-mock (issue 16), in two tables.

Fixed rate (the primary table): bench/pace_client opens one-message sessions at --rate a second
for --seconds, open loop (session k starts at t0 + k / rate whatever the others do), against a
fresh smtp-mock with nobody subscribed to GET /api/v1/events ("none"), with one client reading
them batched ("batched": `?batch=lines`, one WebSocket message per batch of events, as the web
console does), one reading every event one per message ("reading", as scripts do by default),
and one that reads nothing ("stalled"), every mode in each of --rounds alternating rounds. Per
run: offered and achieved sessions/s, smtp-mock's CPU per session and its share of one core
(all its threads, the WebSocket's included), session latency p50/p99 as the client saw it, RSS
at the end, and the client's own lateness and CPU, so that a client that could not keep up is
visible. Then the medians and each mode's ratios to "none": at a fixed rate the mock's CPU per
session is the cost a subscriber adds, and the throughput drop it implies at full load is
1 - 1 / ratio. The message store is emptied every second, so that the messages it keeps do
not hide what a subscriber costs in memory.

Memory with a stalled subscriber: one longer run (--stalled-seconds) at the same rate, the
mock's RSS sampled every second: the first, middle and last samples, and whether it levelled
off.

Full load (the second table): Postfix smtp-source sends --messages one-message sessions as fast
as it can (--sessions in parallel) with nobody subscribed, one reading and one batched,
alternating over the rounds, then once stalled: messages/s and CPU per message, as before the
fixed-rate table existed. --baseline PROGRAM measures an older smtp-mock build the same way in
every round (without "batched", which it may not have).

Targets (issue 16): with nobody subscribed the console costs nothing measurable; one subscriber
at 1,000 sessions/s costs less than 10 % of the throughput; a stalled one keeps memory
bounded."""

import argparse
import os
import statistics
import threading
import time
from contextlib import contextmanager

from load_client import paced_sessions, raise_fd_limit
from mock_throughput import run_source
from peers import cpu_seconds, cpu_times, print_table, rss_kib, start_mock
from ws_client import WebSocket

# What each subscriber mode subscribes to: "reading" takes one event per message, as scripts
# do by default; "batched" one message per batch of events, one per line, as the console does.
PATHS = {"reading": "/api/v1/events", "batched": "/api/v1/events?batch=lines",
         "stalled": "/api/v1/events"}

PACED_MODES = ("none", "batched", "reading", "stalled")


class Reader(threading.Thread):
    """Reads every event until the connection ends (several per message when batched)."""

    def __init__(self, ws):
        super().__init__(daemon=True)
        self.ws, self.events, self.messages, self.lagged, self.octets = ws, 0, 0, 0, 0

    def run(self):
        try:
            while True:
                text = self.ws.message()
                self.messages += 1
                self.octets += len(text)
                self.lagged += text.count('"type":"lagged"')
                self.events += text.count("\n") + 1
        except (EOFError, OSError):
            pass

    def note(self):
        return (f"{self.events} events ({self.octets / 2**20:.0f} MiB) in {self.messages} "
                f"messages, lagged {self.lagged} times")

    def cpu(self):
        """The CPU seconds this thread has used."""
        return cpu_seconds(self.native_id)


class Sampler(threading.Thread):
    """Every second until stopped: the mock's RSS in MiB, then its message store emptied."""

    def __init__(self, peer):
        super().__init__(daemon=True)
        self.peer, self.rss, self.done = peer, [], threading.Event()

    def run(self):
        while not self.done.wait(1.0):
            self.rss.append(rss_kib(self.peer.pid) / 1024)
            self.peer.mock.api("DELETE", "/api/v1/messages")

    def stop(self):
        self.done.set()
        self.join()


@contextmanager
def subscribed(mode, program=None):
    """A fresh smtp-mock (`program`, else the build under test) with the subscriber of `mode`;
    yields (the peer, the reader or None)."""
    peer = start_mock("--session-history", "1000", program=program)
    ws, reader = None, None
    try:
        if mode != "none":
            ws = WebSocket(peer.mock.control, PATHS[mode], timeout=600,
                           recv_buffer=4096 if mode == "stalled" else None)
            if mode != "stalled":
                reader = Reader(ws)
                reader.start()
        yield peer, reader
    finally:
        peer.mock.stop()
        if ws:
            ws.sock.close()


def paced_run(mode, args, seconds):
    """pace_client's figures for one fixed-rate run, with the mock's: cpu_us and system_us (per
    completed session), cpu_share (of one core), rss (MiB, every second), note."""
    with subscribed(mode) as (peer, reader):
        paced_sessions(peer.port, args.rate, 1.0, args.length)  # warm-up
        sampler = Sampler(peer)
        sampler.start()
        (user0, sys0), started = cpu_times(peer.pid), time.monotonic()
        read0 = reader.cpu() if reader else 0
        got = paced_sessions(peer.port, args.rate, seconds, args.length, args.max_in_flight)
        (user, system), wall = cpu_times(peer.pid), time.monotonic() - started
        sampler.stop()
        sessions = max(1, got["completed"])
        cpu = user - user0 + system - sys0
        got.update(cpu_us=cpu / sessions * 1e6, system_us=(system - sys0) / sessions * 1e6,
                   cpu_share=cpu / wall, wall=wall, rss=sampler.rss + [rss_kib(peer.pid) / 1024],
                   note=f"{reader.note()}; the reader used {(reader.cpu() - read0) / wall:.0%} "
                   "of a core" if reader else "")
    if got["failed"]:
        got["note"] += f"; {got['failed']} failed, the first: {got['first_error']}"
    if got["skipped"]:
        got["note"] += f"; {got['skipped']} not started: {args.max_in_flight} were open"
    return got


def paced_row(label, mode, got):
    late, lat = got["start_late_ms"], got["latency_ms"]
    return [label, mode, f"{got['rate_offered']:,.0f}", f"{got['achieved_per_s']:,.1f}",
            f"{got['cpu_us']:,.1f}", f"{got['system_us']:,.1f}", f"{got['cpu_share']:.1%}",
            f"{lat['p50']:.2f}", f"{lat['p99']:.2f}", f"{got['rss'][-1]:.0f}", f"{late['p99']:.2f}",
            f"{got['client_cpu_s'] / got['wall']:.1%}", got["note"].strip()]


def ratio(a, b):
    return a / b if b else float("nan")


def paced_summary(runs):
    """The median rows of each mode, then each mode's ratios to none."""
    med = statistics.median
    keys = ("achieved_per_s", "cpu_us", "system_us", "cpu_share")
    medians = {m: {k: med(r[k] for r in got) for k in keys} for m, got in runs.items()}
    rows = []
    for mode, m in medians.items():
        rows.append(["**median**", mode, "", f"**{m['achieved_per_s']:,.1f}**",
                     f"**{m['cpu_us']:,.1f}**", f"**{m['system_us']:,.1f}**",
                     f"**{m['cpu_share']:.1%}**"] + [""] * 6)
    none = medians["none"]
    for mode, m in list(medians.items())[1:]:
        cpu = ratio(m["cpu_us"], none["cpu_us"])
        rows.append([f"**{mode} / none**", "", "",
                     f"**{ratio(m['achieved_per_s'], none['achieved_per_s']):.3f}**",
                     f"**{cpu:.2f}**", f"**{ratio(m['system_us'], none['system_us']):.2f}**",
                     f"**{ratio(m['cpu_share'], none['cpu_share']):.2f}**", "", "",
                     "", "", "", f"implies {ratio(1, cpu) - 1:+.0%} throughput at full load"])
    return rows


def paced_table(args):
    load = os.getloadavg()[0]
    runs, rows = {m: [] for m in PACED_MODES}, []
    for i in range(args.rounds):
        # Alternate which goes first, so that a drift of the machine favours none.
        for mode in PACED_MODES if i % 2 == 0 else reversed(PACED_MODES):
            got = paced_run(mode, args, args.seconds)
            runs[mode].append(got)
            rows.append(paced_row(f"round {i + 1}", mode, got))
    print_table(f"Live event subscribers at a fixed rate ({args.rate:,.0f} one-message sessions/s "
                f"for {args.seconds:g} s, {args.length} octets, open loop; load average "
                f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)",
                ["run", "subscriber", "offered/s", "achieved/s", "mock CPU µs/session",
                 "of which system", "mock CPU (one core)", "p50 ms", "p99 ms", "RSS MiB", "client late p99 ms",
                 "client CPU", "note"], rows + paced_summary(runs))


def stalled_memory(args):
    """RSS through one longer run with a stalled subscriber."""
    load = os.getloadavg()[0]
    got = paced_run("stalled", args, args.stalled_seconds)
    rss = got["rss"]
    first, middle, last = rss[0], rss[len(rss) // 2], rss[-1]
    # Levelled off: the second half added less than 5 % (or 2 MiB) to what the first reached.
    flat = last - middle <= max(2.0, 0.05 * middle)
    verdict = "levelled off" if flat else f"still growing ({last - middle:+.1f} MiB in the second half)"
    print_table(f"Memory with a stalled subscriber ({args.rate:,.0f} sessions/s for "
                f"{args.stalled_seconds:g} s, RSS sampled every second; load average {load:.1f})",
                ["sample", "second", "RSS MiB"],
                [["first", "1", f"{first:.1f}"], ["middle", f"{len(rss) // 2 + 1}", f"{middle:.1f}"],
                 ["last", f"{len(rss)}", f"{last:.1f}"],
                 ["**verdict**", "", f"**{verdict}**, {got['completed']:,} sessions, "
                  f"{got['achieved_per_s']:,.1f}/s"]])


def full_load_run(program, mode, args):
    """(messages/s, CPU µs per message, RSS MiB, note) of one smtp-source run."""
    with subscribed(mode, program) as (peer, reader):
        run_source(peer.port, 200, 10, args.length, False)  # warm-up
        cpu0 = cpu_seconds(peer.pid)
        elapsed = run_source(peer.port, args.messages, args.sessions, args.length, False)
        cpu = cpu_seconds(peer.pid) - cpu0
        rate, rss = args.messages / elapsed, rss_kib(peer.pid) / 1024
    return rate, cpu / args.messages * 1e6, rss, reader.note() if reader else ""


def full_load_summary(builds, runs, args):
    med, rows = statistics.median, []
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
        rate, cpu, rss, note = full_load_run(program, "stalled", args)
        rows.append(["once", build, "stalled", f"{rate:,.0f}", f"{cpu:,.1f}", f"{rss:.0f}", note])
    return rows


def full_load_table(args):
    load = os.getloadavg()[0]
    builds = [("smtp-mock", None, ("none", "reading", "batched"))]
    if args.baseline:  # an older build may not batch
        builds.append(("baseline", os.path.realpath(args.baseline), ("none", "reading")))
    runs = {(b, m): [] for b, _, modes in builds for m in modes}
    rows = []
    for i in range(args.rounds):
        order = [(b, p, m) for b, p, modes in builds for m in modes]
        for build, program, mode in (order if i % 2 == 0 else list(reversed(order))):
            rate, cpu, rss, note = full_load_run(program, mode, args)
            runs[(build, mode)].append((rate, cpu))
            rows.append([f"round {i + 1}", build, mode, f"{rate:,.0f}", f"{cpu:,.1f}",
                         f"{rss:.0f}", note])
    print_table(f"Live event subscribers at full load ({args.messages} one-message sessions from "
                f"smtp-source, {args.sessions} in parallel; load average {load:.1f})",
                ["run", "build", "subscriber", "messages/s", "CPU µs/msg", "RSS MiB", "note"],
                rows + full_load_summary(builds, runs, args))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=1000, help="sessions a second (fixed rate)")
    parser.add_argument("--seconds", type=float, default=20, help="length of a fixed-rate run")
    parser.add_argument("--stalled-seconds", type=float, default=60,
                        help="length of the stalled run whose memory is sampled")
    parser.add_argument("--max-in-flight", type=int, default=1000,
                        help="the client's bound on open sessions (fixed rate)")
    parser.add_argument("--messages", type=int, default=20000, help="full load: sessions")
    parser.add_argument("--sessions", type=int, default=50, help="full load: in parallel")
    parser.add_argument("--length", type=int, default=1000, help="octets of each message body")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of each table")
    parser.add_argument("--baseline", help="an older smtp-mock build, in every full-load round")
    args = parser.parse_args()
    for name in ("rate", "seconds", "stalled_seconds", "max_in_flight", "messages", "sessions",
                 "rounds"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    raise_fd_limit()
    paced_table(args)
    stalled_memory(args)
    full_load_table(args)


if __name__ == "__main__":
    main()
