"""A third-party daemon a test starts itself: its own process, listening on 127.0.0.1, with its
files in the test's temporary directory; ready once an HTTP address of it answers, and stopped
(SIGTERM, then SIGKILL) when the test is done, so nothing is left running."""

import contextlib
import shutil
import subprocess
import urllib.request

import pytest

from waiting import wait_for


@contextlib.contextmanager
def http_daemon(program, args, ready_url, log_path, *, package, timeout=15, grace=10, cwd=None):
    """Runs `program args...` with its output in `log_path` and yields the process once
    `ready_url` answers. Fails the test, with the daemon's log, when the program is missing
    (naming the Debian `package`), exits, or is not ready within `timeout` seconds."""
    path = shutil.which(program)
    if path is None:
        pytest.fail(f"{program} is missing: ci/setup installs {package}")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([path, *args], stdout=log, stderr=subprocess.STDOUT, cwd=cwd)
    try:
        def ready():
            try:
                with urllib.request.urlopen(ready_url, timeout=1):
                    return True
            except OSError:
                return proc.poll() is not None  # it exited: no point waiting

        if not wait_for(ready, timeout) or proc.poll() is not None:
            pytest.fail(f"{program} did not start: " + log_path.read_text())
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
