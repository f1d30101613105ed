"""Asyncio SMTP clients for the benchmarks: many held connections, and timed short sessions."""

import asyncio
import resource
import time


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
