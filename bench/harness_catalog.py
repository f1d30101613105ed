"""Harness: the whole fault catalog against the builtin monitor with --jobs 8. Prints the wall
time and the verdict counts.

Target (issue 8): at most 15 s."""

import json
import os
import subprocess
import tempfile
import time

from peers import print_table


def main():
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        report = f.name
    started = time.monotonic()
    out = subprocess.run([os.environ["SMTP_HARNESS"], "run", "--monitor", "builtin", "--jobs", "8",
                          "--json", report], capture_output=True, text=True, timeout=600)
    wall = time.monotonic() - started
    with open(report) as f:
        data = json.load(f)
    os.unlink(report)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(data["summary"].items()))
    print_table("Harness: whole catalog, builtin monitor, --jobs 8",
                ["scenarios", "wall time s", "target s", "verdicts", "exit"],
                [(len(data["results"]), f"{wall:.1f}", "15", summary, out.returncode)])


if __name__ == "__main__":
    main()
