"""Mock throughput: Postfix smtp-source sends one-message sessions to smtp-mock (transcripts and
the fault engine on), to Postfix smtp-sink and to aiosmtpd, in the same run; prints messages per
second, server CPU per message, and smtp-mock's ratio to each peer.

Targets (issue 8): smtp-mock >= 1.0x smtp-sink (aim 1.5x) and >= 3x aiosmtpd."""

import argparse
import os
import subprocess
import tempfile
import time

from peers import cpu_seconds, print_table, start_aiosmtpd, start_mock, start_smtp_sink

# A rule that the engine evaluates at every phase but that never fires: the cost of the fault
# engine is in the figure, its effect is not.
ENGINE_ON = """name: bench-engine-on
summary: Every decision point is evaluated; nothing fires.
rules:
  - when: {client: 192.0.2.0/24}
    do: {reply: "421 4.3.2 never sent"}
"""


def run_source(port, messages, sessions, length):
    started = time.monotonic()
    out = subprocess.run(["/usr/sbin/smtp-source", "-s", str(sessions), "-m", str(messages),
                          "-l", str(length), "-f", "bench@example.com", "-t", "sink@example.com",
                          f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - started
    if out.returncode != 0:
        raise RuntimeError(f"smtp-source failed: {out.stderr.strip()}")
    return elapsed


def measure(peer, messages, sessions, length):
    cpu0 = cpu_seconds(peer.pid)
    elapsed = run_source(peer.port, messages, sessions, length)
    cpu = cpu_seconds(peer.pid) - cpu0
    return messages / elapsed, cpu / messages * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1, help="smtp-mock worker threads")
    args = parser.parse_args()

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(ENGINE_ON)
        scenario = f.name
    results = {}
    starters = [("smtp-mock", lambda: start_mock("--scenario", scenario, "--threads",
                                                 str(args.threads), "--session-history", "1000")),
                ("smtp-sink", start_smtp_sink),
                ("aiosmtpd", start_aiosmtpd)]
    for name, start in starters:
        peer = start()
        try:
            # aiosmtpd is slow: give it a tenth of the messages so the run stays short.
            n = args.messages if name != "aiosmtpd" else max(1000, args.messages // 10)
            run_source(peer.port, 200, 10, args.length)  # warm-up
            results[name] = measure(peer, n, args.sessions, args.length)
            if peer.mock:
                accepted = len(peer.mock.messages())
                assert accepted == n + 200, f"smtp-mock captured {accepted} of {n + 200}"
        finally:
            peer.stop()
    os.unlink(scenario)

    mock_rate = results["smtp-mock"][0]
    rows = [(name, f"{rate:,.0f}", f"{cpu_us:,.0f}",
             "1.00x" if name == "smtp-mock" else f"{mock_rate / rate:.2f}x")
            for name, (rate, cpu_us) in results.items()]
    print_table(f"Mock throughput: smtp-source -s {args.sessions}, {args.messages:,} one-message "
                f"sessions of {args.length} bytes",
                ["server", "messages/s", "server CPU µs/message", "smtp-mock ratio"], rows)


if __name__ == "__main__":
    main()
