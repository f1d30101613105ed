"""Probe fleet: one smtp-probe process probing 1,000 endpoints concurrently, against check_smtp run
1,000 times with xargs -P 50, both against the same healthy smtp-mock. Prints probes per second,
CPU time per probe, and smtp-probe's ratio.

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


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoints", type=int, default=1000)
    args = parser.parse_args()
    mock = start_mock("--session-history", "100", "--threads", "1")
    try:
        target = f"127.0.0.1:{mock.port}"
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("\n".join([target] * args.endpoints) + "\n")
            targets = f.name
        out, wall, cpu = timed([os.environ["SMTP_PROBE"], "--format", "json", "-t", "10",
                                "--targets", targets])
        ok = sum(1 for line in out.stdout.splitlines() if '"status":"OK"' in line.replace(" ", ""))
        assert ok == args.endpoints, f"smtp-probe: {ok} of {args.endpoints} OK\n{out.stderr}"
        probe = (args.endpoints / wall, cpu / args.endpoints * 1000)

        items = "\n".join(["x"] * args.endpoints)
        out, wall, cpu = timed(["xargs", "-P", "50", "-n", "1", "sh", "-c",
                                f"{CHECK_SMTP} -H 127.0.0.1 -p {mock.port} -t 10 >/dev/null"],
                               input=items)
        assert out.returncode == 0, out.stderr
        check = (args.endpoints / wall, cpu / args.endpoints * 1000)
        os.unlink(targets)
    finally:
        mock.stop()
    rows = [("smtp-probe (one process)", f"{probe[0]:,.0f}", f"{probe[1]:.2f}",
             f"{probe[0] / check[0]:.1f}x"),
            ("check_smtp (xargs -P 50)", f"{check[0]:,.0f}", f"{check[1]:.2f}", "1.0x")]
    print_table(f"Probe fleet: {args.endpoints:,} endpoints",
                ["monitor", "probes/s", "CPU ms per probe", "smtp-probe ratio"], rows)


if __name__ == "__main__":
    main()
