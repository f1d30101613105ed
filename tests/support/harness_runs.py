"""One `smtp-harness run` of a third-party monitor judged by a committed expectations file of
docs/examples, as the interop tests of check_rbl and check_email_delivery make it."""

import json
import os
import subprocess

import pytest

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def example(name):
    """A file of docs/examples."""
    return os.path.join(SOURCE, "docs", "examples", name)


def require_plugin(path, package):
    """Fails the test when the plugin `path` is not installed (ci/setup installs `package`)."""
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: ci/setup installs {package}")


def judged_run(out_dir, monitor, expect, filters, jobs=6, timeout=120):
    """Runs the scenarios that `filters` (globs) select against `monitor`, judged by `expect`.
    Returns the finished process and the report's results by scenario name."""
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    report = out_dir / "report.json"
    argv = [program, "run", "-q", "--jobs", str(jobs)]
    for f in filters:
        argv += ["--filter", f]
    argv += ["--monitor", monitor, "--expect", expect, "--json", str(report)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    if not report.exists():
        pytest.fail(f"smtp-harness wrote no report (exit {r.returncode}): {r.stderr}")
    doc = json.loads(report.read_text())
    return r, {x["scenario"]: x for x in doc["results"]}
