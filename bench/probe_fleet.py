"""Probe fleet: one smtp-probe process probing 1,000 endpoints concurrently, against check_smtp run
1,000 times with xargs -P 50, both against the same healthy smtp-mock. Prints probes per second,
CPU time per probe (the median of --rounds runs, alternating with --baseline-probe when given),
and smtp-probe's ratio.

Target (issue 19): at least 8,000 probes/s from one smtp-probe process, with the CPU per probe."""

import argparse
import os
import resource
import subprocess
import tempfile
import time

from peers import print_table, start_mock

CHECK_SMTP = "/usr/lib/nagios/plugins/check_smtp"


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd, **kw):
    cpu0, t0 = children_cpu(), time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    return out, time.monotonic() - t0, children_cpu() - cpu0


def fleet(program, targets, endpoints):
    """One run of `program --targets`: (probes per second, CPU ms per probe)."""
    out, wall, cpu = timed([program, "--format", "json", "-t", "10", "--targets", targets])
    ok = sum(1 for line in out.stdout.splitlines() if '"status":"OK"' in line.replace(" ", ""))
    assert ok == endpoints, f"{program}: {ok} of {endpoints} OK\n{out.stderr}"
    return endpoints / wall, cpu / endpoints * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoints", type=int, default=1000)
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
                measured[name].append(fleet(program, targets, args.endpoints))
        # Median by CPU per probe, the figure that does not depend on the machine's load.
        runs = {name: sorted(r, key=lambda x: x[1])[len(r) // 2] for name, r in measured.items()}

        items = "\n".join(["x"] * args.endpoints)
        out, wall, cpu = timed(["xargs", "-P", "50", "-n", "1", "sh", "-c",
                                f"{CHECK_SMTP} -H 127.0.0.1 -p {mock.port} -t 10 >/dev/null"],
                               input=items)
        assert out.returncode == 0, out.stderr
        check = (args.endpoints / wall, cpu / args.endpoints * 1000)
        os.unlink(targets)
    finally:
        mock.stop()
    rows = [(name, f"{rate:,.0f}", f"{cpu:.3f}", f"{rate / check[0]:.1f}x")
            for name, (rate, cpu) in runs.items()]
    rows.append(("check_smtp (xargs -P 50)", f"{check[0]:,.0f}", f"{check[1]:.2f}", "1.0x"))
    print_table(f"Probe fleet: {args.endpoints:,} endpoints",
                ["monitor", "probes/s", "CPU ms per probe", "smtp-probe ratio"], rows)


if __name__ == "__main__":
    main()
