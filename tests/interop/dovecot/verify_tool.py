"""Runs smtp-verify-check (verify) and parses its one JSON line. Shared by
tests/interop/test_verify_*.py (this folder is on sys.path through conftest.py).

The program's path comes from $SMTP_VERIFY_CHECK (set by CTest; see tests/pytest_suite.cmake).
"""

import json
import os
import subprocess
import time

import pytest


def verify_check_path() -> str:
    path = os.environ.get("SMTP_VERIFY_CHECK")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("set SMTP_VERIFY_CHECK to the built smtp-verify-check program")
    return path


def run_verify(url: str, message_id: str, timeout_ms: int = 5000, interval_ms: int = 200,
               *extra: str, on_started=None) -> tuple[int, dict, float]:
    """Returns (exit status, parsed JSON, seconds taken). `on_started`, if given, is called once
    the program has been started (its process exists), before waiting for it."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [verify_check_path(), url, message_id, "--timeout", str(timeout_ms),
         "--interval", str(interval_ms), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    if on_started is not None:
        on_started()
    try:
        stdout, stderr = proc.communicate(timeout=timeout_ms / 1000 + 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
    elapsed = time.monotonic() - started
    assert stdout.strip(), f"no output; stderr: {stderr}"
    return proc.returncode, json.loads(stdout), elapsed
