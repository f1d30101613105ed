"""Probe fleet: one smtp-probe process probing --endpoints targets (default 2,000) concurrently,
against check_smtp run that many times with xargs -P 50, both against the same healthy
smtp-mock. Prints probes per second, the probe's own CPU time per probe (the primary figure: the
probe and the endpoint share the machine's cores, so probes per second also measures the
endpoint and the load), the probes per second that CPU time allows on a core of the probe's
own, and the endpoint's CPU time per probe beside it, read from /proc, so that an endpoint that
is the bottleneck shows as one. The median of --rounds runs, alternating with --baseline-probe
when given.

Target (issue 19): at least 8,000 probes/s from one smtp-probe process, with the CPU per probe."""

import argparse
import os
import resource
import subprocess
import tempfile
import time

from peers import cpu_seconds, print_table, start_mock

CHECK_SMTP = "/usr/lib/nagios/plugins/check_smtp"


def children_cpu():
    """CPU time of the children that have exited: the probe's own, counted by the kernel (the
    same figures as its /proc/PID/stat) once it exits."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd, endpoint_pid, **kw):
    """Runs `cmd`: its output, wall seconds, its CPU seconds, the endpoint's CPU seconds."""
    cpu0, peer0, t0 = children_cpu(), cpu_seconds(endpoint_pid), time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    wall = time.monotonic() - t0
    return out, wall, children_cpu() - cpu0, cpu_seconds(endpoint_pid) - peer0


def fleet(program, targets, endpoints, endpoint_pid):
    """One run of `program --targets`: probes/s, CPU ms per probe, endpoint CPU ms per probe."""
    out, wall, cpu, peer = timed([program, "--format", "json", "-t", "10", "--targets", targets],
                                 endpoint_pid)
    ok = sum(1 for line in out.stdout.splitlines() if '"status":"OK"' in line.replace(" ", ""))
    assert ok == endpoints, f"{program}: {ok} of {endpoints} OK\n{out.stderr}"
    return endpoints / wall, cpu / endpoints * 1000, peer / endpoints * 1000


def row(name, figures, check_rate):
    rate, cpu, peer = figures
    return (name, f"{rate:,.0f}", f"{cpu:.3f}", f"{1000 / cpu:,.0f}", f"{peer:.3f}",
            f"{rate / check_rate:.1f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoints", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each smtp-probe build")
    parser.add_argument("--baseline-probe", help="an older smtp-probe build, in every round")
    args = parser.parse_args()
    mock = start_mock("--session-history", "100", "--threads", "1")
    try:
        target = f"127.0.0.1:{mock.port}"
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("\n".join([target] * args.endpoints) + "\n")
            targets = f.name
        probes = [("smtp-probe (one process)", os.environ["SMTP_PROBE"])]
        if args.baseline_probe:
            probes.append(("baseline (one process)", args.baseline_probe))
        measured = {name: [] for name, _ in probes}
        for _ in range(args.rounds):  # the programs alternate, round after round
            for name, program in probes:
                measured[name].append(fleet(program, targets, args.endpoints, mock.pid))
                print(name, "probes/s {:,.0f}, CPU ms/probe {:.3f}, endpoint {:.3f}".format(
                    *measured[name][-1]), flush=True)
        # Median by CPU per probe, the figure that does not depend on the machine's load.
        runs = {name: sorted(r, key=lambda x: x[1])[len(r) // 2] for name, r in measured.items()}

        items = "\n".join(["x"] * args.endpoints)
        out, wall, cpu, peer = timed(
            ["xargs", "-P", "50", "-n", "1", "sh", "-c",
             f"{CHECK_SMTP} -H 127.0.0.1 -p {mock.port} -t 10 >/dev/null"], mock.pid, input=items)
        assert out.returncode == 0, out.stderr
        check = (args.endpoints / wall, cpu / args.endpoints * 1000, peer / args.endpoints * 1000)
        os.unlink(targets)
    finally:
        mock.stop()
    rows = [row(name, figures, check[0]) for name, figures in runs.items()]
    rows.append(row("check_smtp (xargs -P 50)", check, check[0]))
    print_table(f"Probe fleet: {args.endpoints:,} endpoints",
                ["monitor", "probes/s", "CPU ms per probe", "probes/s on a core of its own",
                 "endpoint CPU ms per probe", "smtp-probe ratio"], rows)


if __name__ == "__main__":
    main()
