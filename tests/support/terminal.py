"""Full-screen programs (mutt) run on a pseudo-terminal of their own, for the e2e and interop
suites."""

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time


def run_on_terminal(argv, env, timeout, rows=24, cols=80):
    """Runs a full-screen program on a terminal of its own (a pseudo-terminal of rows x cols,
    its controlling terminal), types nothing into it, and returns (exit status, everything it
    drew). Fails the test if it is still running after `timeout` seconds.

    Not script(1): without a terminal on its own stdin, script forwards that stdin's EOF to the
    program as a typed ^D and gives it a 0x0 window."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True,
                            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    os.close(slave)
    screen = b""
    deadline = time.monotonic() + timeout
    try:
        while True:
            readable, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
            if not readable:
                proc.kill()
                raise AssertionError(f"{argv[0]} still running after {timeout}s; it drew:\n"
                                     + visible(screen))
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the program closed its terminal
                chunk = b""
            if not chunk:
                break
            screen += chunk
    finally:
        os.close(master)
    return proc.wait(timeout=10), screen


def visible(screen):
    """The text of a terminal transcript, escape sequences left out, for messages."""
    text = re.sub(rb"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>78])", b" ", screen)
    return re.sub(r"\s+", " ", text.decode(errors="replace"))[-2000:]
