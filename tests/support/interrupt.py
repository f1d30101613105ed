"""Stopping a program of ours with a signal at a chosen point of its output, as a person does
with Ctrl-C, for the tests of what it leaves behind."""

import signal
import subprocess
import time

from waiting import wait_for


def signal_when_printed(argv, env, output, printed, signum=signal.SIGINT, during=None,
                        timeout=60):
    """Runs `argv` with stdout and stderr in the file `output` (a pathlib.Path), waits up to
    `timeout` seconds until it has printed `printed`, calls `during()` (checks while it runs),
    sends `signum` and waits for it to exit. Returns (exit code, what it printed, seconds from
    the signal to its exit). Kills it if it has not exited within 30 s of the signal."""
    with open(output, "w") as sink:
        proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        assert wait_for(lambda: printed in output.read_text(), timeout=timeout), \
            output.read_text()
        if during:
            during()
        sent = time.monotonic()
        proc.send_signal(signum)
        code = proc.wait(timeout=30)
        return code, output.read_text(), time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
