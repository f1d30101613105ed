"""smtp_harness.run(): the scenario x monitor matrix of the `smtp-harness` program, from Python,
with its verdicts as objects."""

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass

from .mock import find_program

__all__ = ["HarnessError", "Report", "Verdict", "run"]


class HarnessError(Exception):
    """smtp-harness could not run the matrix (usage error, invalid scenario or expectations):
    `exit_code` and `stderr` say why."""

    def __init__(self, exit_code, stderr):
        super().__init__(f"smtp-harness exited with {exit_code}: {stderr.strip()}")
        self.exit_code = exit_code
        self.stderr = stderr


@dataclass(frozen=True)
class Verdict:
    """One scenario's result: `scenario`, `verdict` (caught, missed, misreported, false_alarm,
    passed, no_contact or error), `as_expected`,
    and the report's `expected` and `observed` objects as dicts; `data` is the whole entry."""
    scenario: str
    verdict: str
    as_expected: bool
    expected: dict
    observed: dict
    data: dict


@dataclass(frozen=True)
class Report:
    """The run: `ok` (every verdict as expected), `verdicts`, `summary` (verdict -> count),
    `unexpected` (how many verdicts differ from their expectation), and the report as
    `data`."""
    ok: bool
    verdicts: list
    summary: dict
    unexpected: int
    data: dict

    def verdict(self, scenario):
        """The Verdict of one scenario."""
        return next(v for v in self.verdicts if v.scenario == scenario)


def find_harness(binary=None):
    """The smtp-harness program: `binary`, else $SMTP_HARNESS, else `smtp-harness` on PATH,
    else the one shipped with this package."""
    return find_program("smtp-harness", "SMTP_HARNESS", binary)


def run(scenarios=(), monitor=None, expect=None, filters=(), jobs=None, seed=None,
        monitor_timeout=None, binary=None, timeout=3600):
    """Runs `smtp-harness run` (the built-in probe when `monitor` is None) over `scenarios`
    (catalog names, files or folders; the whole catalog when empty) and returns the Report.
    Verdicts that differ from their expectation are in the report, not raised; HarnessError
    when the run itself fails."""
    argv = [find_harness(binary), "run", "--quiet"]
    for s in scenarios:
        argv += ["--scenarios", str(s)]
    for f in filters:
        argv += ["--filter", f]
    for flag, value in (("--monitor", monitor), ("--expect", expect), ("--jobs", jobs),
                        ("--seed", seed), ("--monitor-timeout", monitor_timeout)):
        if value is not None:
            argv += [flag, str(value)]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "report.json")
        done = subprocess.run(argv + ["--json", path], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        if done.returncode not in (0, 1) or not os.path.exists(path):
            raise HarnessError(done.returncode, done.stderr)
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    verdicts = [Verdict(r["scenario"], r["verdict"], r["as_expected"], r.get("expected") or {},
                        r.get("observed") or {}, r) for r in data["results"]]
    return Report(data["ok"], verdicts, data["summary"], data["unexpected"], data)
