"""Mock throughput: Postfix smtp-source sends messages to smtp-mock (transcripts and the fault
engine on) and to Postfix smtp-sink, alternating the two servers over several pairs in the same
run, then once to aiosmtpd. Server CPU per message is the primary figure (smtp-source shares the
cores with the server, so messages per second understates a server that uses less CPU); messages
per second stands beside it. Every pair is printed, then the medians and smtp-mock's ratios.

Two loads: one-message sessions (smtp-source -s 50), and reused sessions (-d: each of the 50
sessions sends message after message).

--baseline PROGRAM adds an older smtp-mock build to every round (mock, baseline, sink, in
turn), so that a change is measured before and after in the same run.

Targets (issue 19): CPU per message at most half of smtp-sink's; messages per second at least
1.3x smtp-sink with one-message sessions and at least 1.5x with reused sessions."""

import argparse
import os
import statistics
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


def run_source(port, messages, sessions, length, reuse):
    started = time.monotonic()
    cmd = ["/usr/sbin/smtp-source", "-s", str(sessions), "-m", str(messages), "-l", str(length),
           "-f", "bench@example.com", "-t", "sink@example.com"]
    if reuse:
        cmd.append("-d")
    out = subprocess.run(cmd + [f"127.0.0.1:{port}"], capture_output=True, text=True,
                         timeout=600)
    elapsed = time.monotonic() - started
    if out.returncode != 0:
        raise RuntimeError(f"smtp-source failed: {out.stderr.strip()}")
    return elapsed


def measure(peer, messages, args, reuse):
    """(messages per second, server CPU µs per message) of one run against a started peer."""
    run_source(peer.port, 200, 10, args.length, reuse)  # warm-up
    cpu0 = cpu_seconds(peer.pid)
    elapsed = run_source(peer.port, messages, args.sessions, args.length, reuse)
    cpu = cpu_seconds(peer.pid) - cpu0
    if peer.mock:
        accepted = peer.mock.api_json("GET", "/api/v1/stats")["messages"]["accepted"]
        assert accepted == messages + 200, f"smtp-mock accepted {accepted} of {messages + 200}"
    return messages / elapsed, cpu / messages * 1e6


def run_once(start, messages, args, reuse):
    peer = start()
    try:
        return measure(peer, messages, args, reuse)
    finally:
        peer.stop()


def mock_starter(program, scenario, args):
    def start():
        return start_mock("--scenario", scenario, "--threads", str(args.threads),
                          "--session-history", "1000", program=program)
    return start


def alternate(args, scenario, reuse):
    """`args.pairs` rounds of {server: (msg/s, CPU µs/msg)}, the servers alternating."""
    servers = [("smtp-mock", mock_starter(os.environ["SMTP_MOCK"], scenario, args)),
               ("smtp-sink", start_smtp_sink)]
    if args.baseline:
        servers.insert(1, ("baseline", mock_starter(args.baseline, scenario, args)))
    rounds = []
    for i in range(args.pairs):
        # Alternate which server goes first, so that a drift of the machine favours none.
        order = servers if i % 2 == 0 else list(reversed(servers))
        rounds.append({name: run_once(start, args.messages, args, reuse) for name, start in order})
    return rounds


def report(title, rounds, extra=()):
    pairs = [(r["smtp-mock"], r["smtp-sink"]) for r in rounds]
    rows = []
    for i, ((m_rate, m_cpu), (s_rate, s_cpu)) in enumerate(pairs, 1):
        rows.append((f"pair {i}", f"{m_cpu:,.1f}", f"{s_cpu:,.1f}", f"{m_cpu / s_cpu:.2f}",
                     f"{m_rate:,.0f}", f"{s_rate:,.0f}", f"{m_rate / s_rate:.2f}x"))
    med = statistics.median
    m_cpu, s_cpu = med([m[1] for m, _ in pairs]), med([s[1] for _, s in pairs])
    m_rate, s_rate = med([m[0] for m, _ in pairs]), med([s[0] for _, s in pairs])
    cpu_ratio = med([m[1] / s[1] for m, s in pairs])
    rate_ratio = med([m[0] / s[0] for m, s in pairs])
    rows.append(("**median**", f"**{m_cpu:,.1f}**", f"{s_cpu:,.1f}", f"**{cpu_ratio:.2f}**",
                 f"{m_rate:,.0f}", f"{s_rate:,.0f}", f"**{rate_ratio:.2f}x**"))
    if "baseline" in rounds[0]:
        base = [(r["baseline"], r["smtp-sink"]) for r in rounds]
        for i, ((b_rate, b_cpu), (s_rate, s_cpu)) in enumerate(base, 1):
            rows.append((f"baseline, pair {i}", f"{b_cpu:,.1f}", f"{s_cpu:,.1f}",
                         f"{b_cpu / s_cpu:.2f}", f"{b_rate:,.0f}", f"{s_rate:,.0f}",
                         f"{b_rate / s_rate:.2f}x"))
        rows.append(("**baseline median**", f"{med([b[1] for b, _ in base]):,.1f}", "",
                     f"{med([b[1] / s[1] for b, s in base]):.2f}",
                     f"{med([b[0] for b, _ in base]):,.0f}", "",
                     f"{med([b[0] / s[0] for b, s in base]):.2f}x"))
    rows.extend(extra)
    print_table(title, ["run", "smtp-mock CPU µs/msg", "smtp-sink CPU µs/msg",
                        "CPU ratio (mock/sink)", "smtp-mock msg/s", "smtp-sink msg/s",
                        "msg/s ratio"], rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=5, help="alternating pairs per load")
    parser.add_argument("--threads", type=int, default=1, help="smtp-mock worker threads")
    parser.add_argument("--baseline", help="an older smtp-mock build, measured in every round")
    args = parser.parse_args()

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(ENGINE_ON)
        scenario = f.name
    try:
        one = alternate(args, scenario, reuse=False)
        n = max(1000, args.messages // 10)  # aiosmtpd is slow: a tenth of the messages
        a_rate, a_cpu = run_once(start_aiosmtpd, n, args, False)
        aio = [("aiosmtpd (once)", "", f"{a_cpu:,.1f}", "", "", f"{a_rate:,.0f}",
                f"{statistics.median([r['smtp-mock'][0] for r in one]) / a_rate:.2f}x "
                "(mock/aiosmtpd)")]
        report(f"Mock throughput: smtp-source -s {args.sessions}, {args.messages:,} one-message "
               f"sessions of {args.length} bytes, {args.pairs} alternating pairs", one, aio)
        reused = alternate(args, scenario, reuse=True)
        report(f"Mock throughput, reused sessions: smtp-source -d -s {args.sessions}, "
               f"{args.messages:,} messages of {args.length} bytes, {args.pairs} alternating "
               f"pairs", reused)
    finally:
        os.unlink(scenario)


if __name__ == "__main__":
    main()
