"""Live events and throughput: Postfix smtp-source sends one-message sessions to smtp-mock with
nobody subscribed to GET /api/v1/events, with one client reading every event, and with one
client that reads nothing (stalled); prints messages per second, each one's ratio to the first,
and smtp-mock's resident memory after the run.

Targets (issue 16): one subscriber costs less than 10 %; a stalled one keeps memory bounded."""

import argparse
import threading

from mock_throughput import run_source
from peers import print_table, start_mock
from ws_client import WebSocket


class Reader(threading.Thread):
    """Reads every event until the connection ends."""

    def __init__(self, ws):
        super().__init__(daemon=True)
        self.ws, self.events, self.lagged = ws, 0, 0

    def run(self):
        try:
            while True:
                if '"type":"lagged"' in self.ws.message():
                    self.lagged += 1
                self.events += 1
        except (EOFError, OSError):
            pass


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def measure(mode, args):
    peer = start_mock("--session-history", "1000")
    ws, reader = None, None
    try:
        if mode != "none":
            ws = WebSocket(peer.mock.control, "/api/v1/events", timeout=600,
                           recv_buffer=4096 if mode == "stalled" else None)
            if mode == "reading":
                reader = Reader(ws)
                reader.start()
        elapsed = run_source(peer.port, args.messages, args.sessions, args.length)
        rate, rss = args.messages / elapsed, rss_mib(peer.pid)
    finally:
        peer.mock.stop()
        if ws:
            ws.sock.close()
    note = f"{reader.events} events read, lagged {reader.lagged} times" if reader else ""
    return rate, rss, note


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--length", type=int, default=1000)
    args = parser.parse_args()
    rows, base = [], None
    for mode in ("none", "reading", "stalled"):
        rate, rss, note = measure(mode, args)
        base = base or rate
        rows.append([mode, f"{rate:.0f}", f"{rate / base:.2f}", f"{rss:.0f}", note])
    print_table(f"Live event subscribers ({args.messages} messages, {args.sessions} parallel "
                "sessions)", ["subscriber", "messages/s", "ratio", "RSS MiB", "note"], rows)


if __name__ == "__main__":
    main()
