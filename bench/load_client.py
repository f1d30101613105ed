"""The benchmarks' SMTP clients: asyncio ones (many held connections, timed short sessions), and
bench/pace_client (one Asio thread opening sessions on a schedule, open loop) run as a program."""

import asyncio
import json
import os
import resource
import subprocess
import time

from peers import BUILD

PACE_CLIENT = os.path.join(BUILD, "bench", "pace_client")


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def open_held(port, count, batch=500):
    """Opens `count` connections and keeps them; returns the (reader, writer) pairs."""
    conns = []
    for start in range(0, count, batch):
        opened = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port)
                                        for _ in range(min(batch, count - start))))
        conns.extend(opened)
    return conns


async def timed_session(port):
    """connect, banner, EHLO, QUIT; returns the seconds it took."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await read_reply(reader)
    writer.write(b"EHLO bench.example\r\n")
    await read_reply(reader)
    writer.write(b"QUIT\r\n")
    await read_reply(reader)
    elapsed = time.perf_counter() - started
    writer.close()
    return elapsed


async def read_reply(reader):
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("closed before a complete reply")
        if line[3:4] != b"-":
            return line


async def time_to_banner(port, start_after=0.0):
    """Seconds from the established connection to the first byte of the banner; the connection
    opens `start_after` seconds from now, so that many sessions overlap without arriving (and
    being answered) in one burst that the client itself could not time."""
    await asyncio.sleep(start_after)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.perf_counter()
    await reader.readexactly(1)
    elapsed = time.perf_counter() - started
    writer.close()
    return elapsed


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def run_pace_client(args, timeout, failed_ok=False):
    """bench/pace_client with `args`; returns its output. Raises with its error output when it
    fails (exit 1, some session failed, is kept when `failed_ok`)."""
    out = subprocess.run([PACE_CLIENT, *map(str, args)], capture_output=True, text=True,
                         timeout=timeout)
    if out.returncode != 0 and not (failed_ok and out.returncode == 1 and out.stdout):
        raise RuntimeError(f"pace_client {args[0]}: exit {out.returncode}: {out.stderr.strip()}")
    return out.stdout


def banner_micros(port, sessions, spacing_us, hold_ms=0):
    """Microseconds from each established connection to its banner's first byte, sessions opened
    one every `spacing_us`, each kept open `hold_ms` after its banner (pace_client banner)."""
    out = run_pace_client(["banner", port, sessions, spacing_us, "--hold-ms", hold_ms],
                          timeout=120)
    return [int(us) for us in out.split()]


def paced_sessions(port, rate, seconds, length=1000, max_in_flight=1000, session_timeout=10):
    """One-message sessions at `rate` a second for `seconds`, open loop (pace_client send); returns
    its figures: offered, started, skipped, completed, failed, first_error, achieved_per_s,
    latency_ms and start_late_ms ({p50, p99, max}), most_in_flight, client_cpu_s."""
    out = run_pace_client(["send", port, "--rate", rate, "--seconds", seconds, "--length", length,
                           "--max-in-flight", max_in_flight, "--session-timeout", session_timeout],
                          timeout=seconds + session_timeout + 30, failed_ok=True)
    return json.loads(out)
