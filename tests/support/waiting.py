"""Waiting for a condition with a deadline, for every test that waits.

Never `time.sleep(...)` and then assert: on a loaded machine the thing waited for may not have
happened yet, and on a fast one the sleep is wasted. Wait for the condition itself:

    assert wait_for(lambda: len(receiver.bodies()) == 2, timeout=10), receiver.bodies()

To show that something does NOT happen, wait for the event that makes the absence meaningful
(three more checks ran, the session ended), then assert:

    checks = status()["checks"]
    assert wait_for(lambda: status()["checks"] >= checks + 3, timeout=10)
    assert receiver.bodies() == []

The C++ twin for integration tests is tests/support/wait_for.hpp.
"""

import time


def wait_for(condition, timeout, interval=0.02):
    """Calls `condition()` until it returns a true value or `timeout` seconds have passed, and
    returns its last value: true when it held, false (or None) when the deadline passed. The
    condition is called at least once, and once more at the deadline."""
    deadline = time.monotonic() + timeout
    value = condition()
    while not value:
        left = deadline - time.monotonic()
        if left <= 0:
            return condition()
        time.sleep(min(interval, left))
        value = condition()
    return value
